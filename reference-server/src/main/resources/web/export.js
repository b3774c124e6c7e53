// Session export: the whole transcript, with the rolls and state changes the engine recorded,
// written as Markdown and as JSON to the "exports" bucket (the same upload as a portrait:
// hashed here, sent straight to the file store, checked by the server), then offered for download.
import { api, describe } from './api.js';
import { h, announce } from './dom.js';
import { uploadAsset } from './assets.js';

/** What a line of the engine's mechanics message is: a roll, a refused action or a state change. */
export function lineKind(line) {
  if (/REJECTED/.test(line)) return 'rejected';
  if (/\d+d\d+|\bd20\b|=/.test(line)) return 'roll';
  return 'state';
}

const LABEL = { roll: 'Roll', state: 'Change', rejected: 'Not allowed' };

async function allMessages(sessionId) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const q = new URLSearchParams({ limit: '200' });
    if (cursor) q.set('cursor', cursor);
    const page = await api('GET', `/api/sessions/${sessionId}/messages?${q}`);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return items;
}

function mechanicsLines(m) {
  return m.content.split('\n').map((l) => l.trim()).filter((l) => l);
}

/** The transcript as Markdown: who said what, and each roll or change on a quoted line of its own. */
export function toMarkdown(session, character, messages, exportedAt) {
  const out = [`# ${session.title || 'Untitled session'}`, ''];
  if (character) out.push(`${character.name}, level ${character.level} ${character.characterClass}. Exported ${exportedAt}.`, '');
  for (const m of messages) {
    if (m.role === 'player') out.push(`**You:** ${m.content}`, '');
    else if (m.role === 'dm') out.push(`**DM:** ${m.content}`, '');
    else {
      for (const line of mechanicsLines(m)) out.push(`> ${LABEL[lineKind(line)]}: ${line}`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The transcript as JSON: every message as the API gives it, and the rolls picked out. */
export function toJson(session, character, messages, exportedAt) {
  const rolls = [];
  for (const m of messages) {
    if (m.role === 'player' || m.role === 'dm') continue;
    for (const line of mechanicsLines(m)) {
      if (lineKind(line) === 'roll') rolls.push({ turnId: m.turnId, messageId: m.id, text: line });
    }
  }
  return `${JSON.stringify({
    format: 'dm-engine.transcript/1',
    exportedAt,
    session: { id: session.id, title: session.title, createdAt: session.createdAt },
    character: character ? { id: character.id, name: character.name, characterClass: character.characterClass, level: character.level } : null,
    messages: messages.map((m) => ({ id: m.id, turnId: m.turnId, role: m.role, content: m.content, createdAt: m.createdAt, attributes: m.attributes })),
    rolls,
  }, null, 2)}\n`;
}

function slug(text) {
  return (text || 'session').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'session';
}

/** The Export button of the play screen, its progress and the download links it offers. */
export function exportPanel(sessionId) {
  const button = h('button', { type: 'button', class: 'secondary', id: 'export' }, 'Export transcript');
  const progress = h('progress', { id: 'export-progress', max: 100, value: 0, hidden: true, 'aria-label': 'Export progress' });
  const status = h('p', { class: 'meta', id: 'export-status', role: 'status' });
  const links = h('p', { class: 'export-links', id: 'export-links', hidden: true });
  button.addEventListener('click', async () => {
    button.disabled = true;
    links.hidden = true;
    progress.hidden = false;
    progress.value = 0;
    try {
      status.textContent = 'Gathering the transcript…';
      const session = await api('GET', `/api/sessions/${sessionId}`);
      const [messages, character] = await Promise.all([allMessages(sessionId),
        api('GET', `/api/characters/${session.characterId}`).catch(() => null)]);
      const exportedAt = new Date().toISOString();
      const files = [
        { ext: 'md', label: 'Markdown', type: 'text/markdown; charset=utf-8', text: toMarkdown(session, character, messages, exportedAt) },
        { ext: 'json', label: 'JSON', type: 'application/json', text: toJson(session, character, messages, exportedAt) },
      ];
      const done = [];
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        const blob = new Blob([f.text], { type: f.type });
        const asset = await uploadAsset(blob, { bucket: 'exports', purpose: 'export', contentType: f.type }, {
          onStep: (text) => { status.textContent = `${f.label}: ${text}`; },
          onProgress: (sent, total) => { progress.value = Math.round(((i + (total ? sent / total : 1)) / files.length) * 100); },
        });
        done.push({ ...f, asset });
      }
      const name = slug(session.title);
      const until = new Date(done[0].asset.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      links.replaceChildren('Download: ', ...done.flatMap((f, i) => [i ? ' · ' : '',
        h('a', { href: f.asset.url, download: `${name}.${f.ext}`, target: '_blank', rel: 'noopener', dataset: { export: f.ext } },
          `${f.label} (${f.asset.size} bytes)`)]), ` — links valid until ${until}.`);
      links.hidden = false;
      status.textContent = `Transcript exported: ${messages.length} messages.`;
      announce('Transcript exported; download links are ready');
    } catch (e) {
      status.textContent = `The export failed: ${describe(e)}`;
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
  return h('section', { class: 'export', 'aria-label': 'Export' }, button, progress, status, links);
}
