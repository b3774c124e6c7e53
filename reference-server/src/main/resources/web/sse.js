// A server-sent events parser over a fetch Response body (so requests can carry cookies,
// Last-Event-ID and a POST body), per the WHATWG event-stream format.

/**
 * Reads `response.body` to its end, calling onEvent({id, event, data}) for each event.
 * Resolves when the stream ends; rejects on a read error or abort.
 */
export async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let id = null;
  let event = '';
  let data = [];
  const dispatch = () => {
    if (data.length > 0 || event) {
      onEvent({ id, event: event || 'message', data: data.join('\n') });
    }
    id = null;
    event = '';
    data = [];
  };
  const line = (l) => {
    if (l === '') {
      dispatch();
      return;
    }
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const l = buffer.slice(0, nl);
      const len = buffer.startsWith('\r\n', nl) ? 2 : 1;
      if (buffer[nl] === '\r' && nl + 1 === buffer.length) break; // a \r\n may be split
      buffer = buffer.slice(nl + len);
      line(l);
    }
  }
  // an event not ended by a blank line before the stream closed is incomplete: dropped
}
