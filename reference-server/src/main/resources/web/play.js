// The play screen: the transcript, the DM's replies streaming in, rolls and state changes as
// their own items, the character panel kept current from events, retry after a failed turn,
// and the session's event stream, reconnected with Last-Event-ID whenever it drops.
import { api, apiStream, describe, refreshSession, session as authSession, ApiError } from './api.js';
import { readEvents } from './sse.js';
import { h, mount, announce, alertBox, showAlert } from './dom.js';
import { exportPanel, lineKind } from './export.js';
import { portraitImage } from './characters.js';

const STALL_MS = 45000; // no event (not even a heartbeat) for this long = a dead stream

export async function playScreen(page, sessionId) {
  const gs = await api('GET', `/api/sessions/${sessionId}`);
  let character = null;
  let portrait = null; // the character's picture, made once: re-rendering the panel keeps the same image

  // ---------------------------------------------------------------- layout
  const transcript = h('ol', { class: 'transcript', id: 'transcript', role: 'log', 'aria-live': 'polite',
    'aria-relevant': 'additions', 'aria-label': 'Transcript', tabindex: '0' });
  const typing = h('p', { class: 'typing', id: 'typing', hidden: true, role: 'status' },
    h('span', { class: 'dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')), ' The DM is thinking…');
  const conn = h('p', { class: 'conn', id: 'connection', role: 'status', dataset: { state: 'connecting' } }, 'Connecting…');
  const input = h('textarea', { id: 'say', name: 'text', rows: 2, maxlength: 4000, required: true,
    'aria-describedby': 'say-hint', placeholder: 'I open the door…' });
  const send = h('button', { type: 'submit', id: 'send' }, 'Send');
  const composerBox = alertBox();
  const composer = h('form', { class: 'composer', 'aria-label': 'Your move' }, composerBox,
    h('label', { for: 'say' }, 'What do you do?'), input,
    h('p', { class: 'hint', id: 'say-hint' }, 'Enter sends; Shift+Enter starts a new line.'), send);
  const panel = h('aside', { class: 'panel', id: 'character-panel', 'aria-labelledby': 'panel-title' },
    h('h2', { id: 'panel-title' }, 'Character'));
  const title = gs.title || 'Untitled session';
  page(title,
    h('p', { class: 'meta' }, h('a', { href: '#/sessions' }, '← All sessions'), ' ', conn),
    exportPanel(sessionId),
    h('div', { class: 'play' }, h('section', { class: 'story', 'aria-label': 'Story' }, transcript, typing, composer), panel));

  // ---------------------------------------------------------------- character panel
  const renderPanel = () => {
    if (!character) return;
    const s = character.sheet || {};
    const hp = s.hp || { current: 0, max: 0, temp: 0 };
    const pct = hp.max ? Math.max(0, Math.min(100, Math.round((hp.current / hp.max) * 100))) : 0;
    mount(panel,
      portrait,
      h('h2', { id: 'panel-title' }, character.name),
      h('p', { class: 'meta' }, `Level ${character.level} ${character.characterClass} · AC ${s.armorClass ?? '?'}`),
      h('p', { class: 'hp', id: 'hp' }, h('span', { class: 'label' }, 'HP '),
        h('span', { id: 'hp-value' }, `${hp.current}/${hp.max}`), hp.temp ? ` (+${hp.temp} temporary)` : ''),
      h('div', { class: 'hpbar', role: 'meter', 'aria-label': 'Hit points', 'aria-valuemin': 0, 'aria-valuemax': hp.max,
        'aria-valuenow': hp.current }, h('span', { style: null, class: pct < 34 ? 'low' : pct < 67 ? 'mid' : 'ok' })),
      h('h3', {}, 'Conditions'),
      (s.conditions && s.conditions.length)
        ? h('ul', { class: 'tags', id: 'conditions' }, s.conditions.map((c) => h('li', {}, c)))
        : h('p', { class: 'meta', id: 'conditions' }, 'None'),
      h('h3', {}, 'Inventory'),
      h('ul', { class: 'inventory', id: 'inventory' }, (character.inventory || []).map((i) =>
        h('li', { dataset: { item: i.itemId } }, i.name, i.quantity !== 1 ? ` ×${i.quantity}` : '', i.equipped ? ' (equipped)' : ''))),
      h('p', {}, h('a', { href: `#/characters/${character.id}` }, 'Edit character')));
    const bar = panel.querySelector('.hpbar span');
    bar.style.width = `${pct}%`;
  };
  const loadCharacter = async () => {
    try {
      character = await api('GET', `/api/characters/${gs.characterId}`);
      if (!portrait) {
        const p = await api('GET', `/api/characters/${gs.characterId}/portrait`).catch(() => null);
        portrait = portraitImage(character, p, 'portrait portrait-panel');
      }
      renderPanel();
    } catch (e) {
      mount(panel, h('h2', { id: 'panel-title' }, 'Character'), h('p', { class: 'meta' }, describe(e)));
    }
  };
  let refetch = null;
  const refetchSoon = () => {
    clearTimeout(refetch);
    refetch = setTimeout(loadCharacter, 150);
  };
  const applyChange = (d) => {
    if (!character || !d || typeof d.path !== 'string') return refetchSoon();
    const s = character.sheet;
    const m = d.path.match(/^inventory\[(.+)\]$/);
    if (m) {
      const idx = character.inventory.findIndex((i) => i.itemId === m[1]);
      if (d.after == null) {
        if (idx >= 0) character.inventory.splice(idx, 1);
      } else if (idx >= 0) character.inventory[idx] = d.after;
      else character.inventory.push(d.after);
    } else if (d.path.startsWith('sheet.')) {
      const parts = d.path.slice(6).split('.');
      let o = s;
      for (const p of parts.slice(0, -1)) o = o && o[p];
      if (o && typeof o === 'object') o[parts[parts.length - 1]] = d.after;
      else return refetchSoon();
    } else {
      return undefined; // counters and the like: not shown
    }
    renderPanel();
    return undefined;
  };

  // ---------------------------------------------------------------- transcript items
  const scroll = () => { transcript.scrollTop = transcript.scrollHeight; };
  const item = (role, text, extra = {}) => {
    const li = h('li', { class: `msg msg-${role}`, dataset: { role, ...(extra.dataset || {}) } },
      h('span', { class: 'who' }, extra.who || whoLabel(role)), h('span', { class: 'text' }, text));
    if (extra.before) transcript.insertBefore(li, extra.before);
    else transcript.append(li);
    scroll();
    return li;
  };
  const whoLabel = (role) => ({ player: 'You', dm: 'DM', roll: 'Roll', state: 'Change', rejected: 'Not allowed', failed: 'Turn failed', error: 'Error', system: 'Rules' }[role] || role);

  const turns = new Map(); // turnId -> {player, dm, round}
  const turnOf = (id) => {
    if (!turns.has(id)) turns.set(id, { player: null, dm: null, round: 0 });
    return turns.get(id);
  };

  // ---------------------------------------------------------------- history
  const loadHistory = async () => {
    const items = [];
    let cursor = null;
    for (let i = 0; i < 100; i++) {
      const q = new URLSearchParams({ limit: '200' });
      if (cursor) q.set('cursor', cursor);
      const pageOf = await api('GET', `/api/sessions/${sessionId}/messages?${q}`);
      items.push(...pageOf.items);
      cursor = pageOf.nextCursor;
      if (!cursor) break;
    }
    transcript.replaceChildren();
    turns.clear();
    for (const m of items) {
      if (m.role === 'player') {
        const li = item('player', m.content, { dataset: { turn: m.turnId || '', message: m.id } });
        if (m.turnId) turnOf(m.turnId).player = li;
      } else if (m.role === 'dm') {
        const li = item('dm', m.content, { dataset: { turn: m.turnId || '', state: 'done' } });
        if (m.turnId) turnOf(m.turnId).dm = li;
      } else {
        for (const line of m.content.split('\n').filter((l) => l.trim())) {
          const kind = lineKind(line);
          item(kind, line, { dataset: { turn: m.turnId || '' } });
        }
      }
    }
    if (items.length === 0) {
      item('system', 'Your adventure begins. Tell the DM what you do.', { dataset: { intro: '1' } });
    }
  };

  // ---------------------------------------------------------------- events
  let lastId = 0;
  let busy = false;
  let pending = null; // {text, key, li}: the turn this tab sent and has not seen finish
  const setBusy = (b) => {
    busy = b;
    typing.hidden = !b;
    send.disabled = b;
    composer.setAttribute('aria-busy', b ? 'true' : 'false');
  };

  const onEvent = (ev) => {
    if (ev.event === 'heartbeat') return;
    if (ev.id != null && ev.id !== '') {
      const n = Number(ev.id);
      if (Number.isFinite(n)) {
        if (n <= lastId) return; // seen on the other stream already
        lastId = n;
      }
    }
    let d = {};
    try {
      d = ev.data ? JSON.parse(ev.data) : {};
    } catch {
      return;
    }
    const t = d.turnId ? turnOf(d.turnId) : null;
    switch (ev.event) {
      case 'turn.started': {
        transcript.querySelector('[data-intro]')?.remove();
        // a regenerated turn answers a message already shown: its new reply replaces the old one
        const shown = d.playerMessageId && transcript.querySelector(`.msg-player[data-message="${CSS.escape(d.playerMessageId)}"]`);
        if (shown) {
          const old = shown.dataset.turn;
          for (const li of [...transcript.querySelectorAll('.msg')]) {
            if (li !== shown && old && li.dataset.turn === old && !li.matches('.msg-player')) li.remove();
          }
          Object.assign(t, { player: shown, dm: null, round: 0, regenerated: true });
          shown.dataset.turn = d.turnId;
        }
        if (!t.player) {
          if (pending && pending.li && !pending.li.dataset.turn) {
            t.player = pending.li;
            t.player.dataset.turn = d.turnId;
            t.player.dataset.state = 'sent';
          } else if (d.text != null) {
            t.player = item('player', d.text, { dataset: { turn: d.turnId, state: 'sent' } });
          }
          if (t.player && d.playerMessageId) t.player.dataset.message = d.playerMessageId;
        }
        setBusy(true);
        break;
      }
      case 'token': {
        if (!t.dm) {
          t.dm = item('dm', '', { dataset: { turn: d.turnId, state: 'streaming' } });
          t.dm.setAttribute('aria-busy', 'true');
        }
        const text = t.dm.querySelector('.text');
        if (t.round && d.round !== t.round && text.textContent) text.textContent += '\n\n';
        t.round = d.round;
        text.textContent += d.text;
        scroll();
        break;
      }
      case 'roll':
      case 'state.changed':
      case 'action.rejected': {
        const role = ev.event === 'roll' ? 'roll' : ev.event === 'state.changed' ? 'state' : 'rejected';
        item(role, d.summary || ev.event, { dataset: { turn: d.turnId || '' }, before: t && t.dm ? t.dm : null });
        if (ev.event === 'state.changed') applyChange(d.detail);
        break;
      }
      case 'dm.message': {
        if (!t.dm) t.dm = item('dm', '', { dataset: { turn: d.turnId } });
        t.dm.querySelector('.text').textContent = d.content;
        break;
      }
      case 'turn.completed': {
        if (t && t.dm) {
          t.dm.dataset.state = 'done';
          t.dm.removeAttribute('aria-busy');
          announce(`The DM: ${t.dm.querySelector('.text').textContent}`);
        }
        if (d.replayed) loadHistory().catch(() => {});
        pending = null;
        setBusy(false);
        refetchSoon();
        break;
      }
      case 'turn.failed': {
        if (t && t.dm) {
          t.dm.remove(); // no half reply is stored; none is shown
          t.dm = null;
        }
        const show = () => failed(`${d.reason || 'the DM could not answer'}`, d.retriable !== false);
        if (t && t.regenerated) loadHistory().then(show, show); // the old reply stays: show it again
        else show();
        pending = null;
        setBusy(false);
        refetchSoon();
        break;
      }
      default:
        break;
    }
  };

  // A failed turn: the reason, and a button that asks for a new reply to the same message.
  const failed = (reason, retriable) => {
    const li = item('failed', `The DM could not answer: ${reason}`, { dataset: { failed: '1' } });
    if (retriable) {
      const retry = h('button', { type: 'button', class: 'secondary retry' }, 'Try again');
      retry.addEventListener('click', async () => {
        retry.disabled = true;
        li.remove();
        await runTurn(() => apiStream('POST', `/api/sessions/${sessionId}/regenerate`, undefined));
      });
      li.append(' ', retry);
      retry.focus();
    }
    announce(`The turn failed: ${reason}`);
  };

  // A request this tab could not get started (refused, offline): retry sends it again, same key.
  const refused = (err, retryFn) => {
    const li = item('error', describe(err), { dataset: { error: String(err.status ?? '') } });
    if (retryFn) {
      const retry = h('button', { type: 'button', class: 'secondary retry' }, 'Try again');
      retry.addEventListener('click', () => {
        li.remove();
        retryFn();
      });
      li.append(' ', retry);
    }
    announce(describe(err));
  };

  // Plays a turn over a POST that streams its events; the session stream carries them too,
  // so if this one drops the turn goes on showing.
  const runTurn = async (start) => {
    setBusy(true);
    let res;
    try {
      res = await start();
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError && e.status === 401) return undefined;
      refused(e, e.status === 400 ? null : () => runTurn(start));
      return undefined;
    }
    try {
      await readEvents(res, onEvent);
    } catch {
      // the turn's own stream broke; the session stream continues it
    }
    return undefined;
  };

  const sendText = async (text) => {
    const key = crypto.randomUUID();
    const li = item('player', text, { dataset: { state: 'sending' } });
    transcript.querySelector('[data-intro]')?.remove();
    pending = { text, key, li };
    await runTurn(() => apiStream('POST', `/api/sessions/${sessionId}/messages`, { text }, { headers: { 'Idempotency-Key': key } }));
    if (li.dataset.state === 'sending' && !li.dataset.turn && !busy) li.dataset.state = 'unsent';
  };

  composer.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) {
      showAlert(composerBox, 'Write what your character does first.');
      input.focus();
      return;
    }
    if (text.length > 4000) {
      showAlert(composerBox, `Keep it under 4,000 characters (this is ${text.length}).`);
      return;
    }
    if (busy) return;
    showAlert(composerBox, null);
    input.value = '';
    sendText(text);
    input.focus();
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      composer.requestSubmit();
    }
  });

  // ---------------------------------------------------------------- the session stream
  let stopped = false;
  let controller = null;
  let attempt = 0;
  let watchdog = null;
  const setConn = (stateName, text) => {
    conn.dataset.state = stateName;
    conn.textContent = text;
  };
  const follow = async () => {
    while (!stopped) {
      controller = new AbortController();
      const headers = { Accept: 'text/event-stream' };
      if (lastId > 0) headers['Last-Event-ID'] = String(lastId);
      const kick = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), STALL_MS);
      };
      try {
        kick();
        const res = await fetch(`/api/sessions/${sessionId}/events`, { credentials: 'same-origin', headers, signal: controller.signal });
        if (res.status === 401) {
          if (!(await refreshSession())) {
            authSession.onExpired();
            return;
          }
          continue;
        }
        if (res.status === 404) {
          setConn('gone', 'This session no longer exists.');
          return;
        }
        if (res.status === 429 || res.status === 503) {
          // too many streams open (this session in other tabs, or the server full): wait as told
          clearTimeout(watchdog);
          const wait = Math.min(300, Math.max(1, Number(res.headers.get('Retry-After')) || 5));
          setConn('reconnecting', res.status === 429
            ? `This session is open in too many tabs or devices; trying again in ${wait} s…`
            : `The server is busy; trying again in ${wait} s…`);
          await new Promise((r) => { setTimeout(r, wait * 1000); });
          continue;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        attempt = 0;
        setConn('live', 'Live');
        await readEvents(res, (ev) => {
          kick();
          onEvent(ev);
        });
      } catch {
        // dropped, stalled or refused: try again below
      }
      clearTimeout(watchdog);
      if (stopped) return;
      attempt += 1;
      const delay = Math.min(5000, 250 * 2 ** Math.min(attempt, 5));
      setConn('reconnecting', `Connection lost; reconnecting in ${Math.ceil(delay / 1000)} s…`);
      await new Promise((r) => { setTimeout(r, delay); });
    }
  };

  await Promise.all([loadHistory(), loadCharacter()]);
  follow();
  input.focus();

  // test and debugging hook: drop the session stream as a network failure would
  window.dmDropStream = () => controller && controller.abort();

  return () => {
    stopped = true;
    clearTimeout(watchdog);
    clearTimeout(refetch);
    if (controller) controller.abort();
    delete window.dmDropStream;
  };
}
