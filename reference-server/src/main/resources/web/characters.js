// Characters: the list, and one form to create or edit a character with its inventory.
// The checks mirror the API's (SrdCharacterRules); the API's own field errors are shown
// next to the fields they name.
import { api, describe } from './api.js';
import { h, field, setFieldError, alertBox, showAlert, announce, uid } from './dom.js';
import { uploadAsset, portraitsByCharacter, PORTRAIT_TYPES, PORTRAIT_MAX_BYTES, sizeText } from './assets.js';

export const CLASSES = ['barbarian', 'bard', 'cleric', 'druid', 'fighter', 'monk', 'paladin', 'ranger', 'rogue',
  'sorcerer', 'warlock', 'wizard'];
const ABILITIES = ['str', 'dex', 'con', 'int', 'wis', 'cha'];
const ABILITY_NAMES = { str: 'Strength', dex: 'Dexterity', con: 'Constitution', int: 'Intelligence', wis: 'Wisdom', cha: 'Charisma' };
const ITEM_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function hpText(c) {
  const hp = c.sheet && c.sheet.hp;
  return hp ? `HP ${hp.current}/${hp.max}` : '';
}

/** The character's portrait, or a placeholder with its initial. */
export function portraitImage(c, portrait, className = 'portrait') {
  if (portrait) {
    return h('img', { class: className, src: portrait.url, alt: `Portrait of ${c.name}`, dataset: { portrait: portrait.assetId } });
  }
  return h('span', { class: `${className} placeholder`, 'aria-hidden': 'true' }, (c.name || '?').charAt(0).toUpperCase());
}

export async function characterList(page) {
  const [list, portraits] = await Promise.all([api('GET', '/api/characters'), portraitsByCharacter()]);
  const box = alertBox();
  const items = list.items.length === 0
    ? h('p', { class: 'empty' }, 'You have no characters yet.')
    : h('ul', { class: 'cards', 'aria-label': 'Your characters' }, list.items.map((c) => {
      const del = h('button', { type: 'button', class: 'secondary danger', 'aria-label': `Delete ${c.name}` }, 'Delete');
      del.addEventListener('click', async () => {
        if (!window.confirm(`Delete ${c.name}? This cannot be undone.`)) return;
        try {
          await api('DELETE', `/api/characters/${c.id}`);
          announce(`${c.name} deleted`);
          characterList(page);
        } catch (e) {
          showAlert(box, describe(e));
        }
      });
      return h('li', { class: 'card', dataset: { character: c.id } },
        h('div', { class: 'card-head' }, portraitImage(c, portraits.get(c.id)), h('h2', {}, c.name)),
        h('p', { class: 'meta' }, `Level ${c.level} ${c.characterClass} · ${hpText(c)} · AC ${c.sheet && c.sheet.armorClass}`),
        h('p', { class: 'meta' }, `${c.inventory.length} kinds of items: `,
          c.inventory.slice(0, 6).map((i) => `${i.name}${i.quantity > 1 ? ` ×${i.quantity}` : ''}`).join(', ')),
        h('div', { class: 'actions' },
          h('a', { class: 'button secondary', href: `#/characters/${c.id}`, 'aria-label': `Edit ${c.name}` }, 'Edit'), del));
    }));
  page('Your characters', box, h('p', {}, h('a', { class: 'button', href: '#/characters/new' }, 'Create a character')), items);
}

/** Create (id null) or edit a character. */
export async function characterForm(page, id) {
  const existing = id ? await api('GET', `/api/characters/${id}`) : null;
  const controls = new Map(); // API field name -> control
  const reg = (name, control) => {
    controls.set(name, control);
    control.dataset.field = name;
    return control;
  };
  const name = reg('name', h('input', { type: 'text', name: 'name', required: true, maxlength: 60, autocomplete: 'off' }));
  const cls = reg('characterClass', h('select', { name: 'characterClass', required: true },
    h('option', { value: '' }, 'Choose a class…'), CLASSES.map((c) => h('option', { value: c }, c[0].toUpperCase() + c.slice(1)))));
  const level = reg('level', h('input', { type: 'number', name: 'level', min: 1, max: 20, step: 1, required: true, inputmode: 'numeric' }));
  level.value = '1';
  const abilities = {};
  const abilityFields = ABILITIES.map((a) => {
    abilities[a] = reg(`abilities.${a}`, h('input', { type: 'number', name: a, min: 1, max: 30, step: 1, inputmode: 'numeric' }));
    return field(ABILITY_NAMES[a], abilities[a]);
  });
  const box = alertBox();
  const rows = h('tbody', {});
  const inventoryTable = h('table', { class: 'inventory-edit' },
    h('caption', {}, existing ? 'Inventory' : 'Inventory (leave empty for the class\'s starting kit)'),
    h('thead', {}, h('tr', {}, ['Item id', 'Name', 'Qty', 'Weight (lb)', 'Equipped', 'Tags (comma-separated)', ''].map((t) =>
      h('th', { scope: 'col' }, t)))), rows);
  const addRow = (item = {}) => {
    const rid = uid('item');
    const cells = {
      itemId: h('input', { type: 'text', value: item.itemId || '', 'aria-label': 'Item id', autocomplete: 'off', class: 'item-id' }),
      name: h('input', { type: 'text', value: item.name || '', 'aria-label': 'Item name', maxlength: 100 }),
      quantity: h('input', { type: 'number', value: String(item.quantity ?? 1), min: 1, max: 10000, 'aria-label': 'Quantity', class: 'num' }),
      weight: h('input', { type: 'number', value: String(item.weight ?? 0), min: 0, max: 1000, step: 'any', 'aria-label': 'Weight in pounds', class: 'num' }),
      equipped: h('input', { type: 'checkbox', checked: !!item.equipped, 'aria-label': 'Equipped' }),
      tags: h('input', { type: 'text', value: (item.tags || []).join(', '), 'aria-label': 'Tags' }),
    };
    for (const [k, c] of Object.entries(cells)) {
      c.id = `${rid}-${k}`;
      c.dataset.col = k;
      c.setAttribute('aria-describedby', `${c.id}-error`);
    }
    const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': 'Remove this item' }, 'Remove');
    const tr = h('tr', { class: 'item-row' }, Object.entries(cells).map(([k, c]) =>
      h('td', {}, c, h('p', { class: 'field-error', id: `${c.id}-error`, hidden: true }))), h('td', {}, remove));
    remove.addEventListener('click', () => {
      tr.remove();
      renumber();
    });
    rows.append(tr);
    renumber();
    return cells;
  };
  const renumber = () => {
    [...rows.querySelectorAll('tr')].forEach((tr, i) => {
      tr.querySelectorAll('input').forEach((c) => { c.dataset.field = `inventory[${i}].${c.dataset.col}`; });
    });
  };
  const addItem = h('button', { type: 'button', class: 'secondary' }, 'Add an item');
  addItem.addEventListener('click', () => addRow().itemId.focus());

  if (existing) {
    name.value = existing.name;
    cls.value = existing.characterClass;
    level.value = String(existing.level);
    for (const a of ABILITIES) abilities[a].value = String(existing.sheet.abilities[a]);
    existing.inventory.forEach((i) => addRow(i));
  }

  const allControls = () => [...controls.values(), ...rows.querySelectorAll('input')];
  const controlFor = (fieldName) => {
    if (controls.has(fieldName)) return controls.get(fieldName);
    // the sheet's own errors name its fields without the prefix (abilities.str), or with it
    if (fieldName.startsWith('sheet.') && controls.has(fieldName.slice(6))) return controls.get(fieldName.slice(6));
    const exact = rows.querySelector(`[data-field="${CSS.escape(fieldName)}"]`);
    if (exact) return exact;
    const m = fieldName.match(/^inventory\[(\d+)\]/); // the whole item: its id cell
    return m ? rows.querySelector(`[data-field="inventory[${m[1]}].itemId"]`) : null;
  };

  const validate = () => {
    const errors = [];
    const n = name.value.trim();
    if (!n) errors.push(['name', 'must not be empty']);
    else if (n.length > 60) errors.push(['name', `must be at most 60 characters, was ${n.length}`]);
    else if (CONTROL.test(n)) errors.push(['name', 'must not contain control characters']);
    if (!CLASSES.includes(cls.value)) errors.push(['characterClass', 'choose one of the classes']);
    const lv = Number(level.value);
    if (!Number.isInteger(lv) || lv < 1 || lv > 20) errors.push(['level', `must be 1 to 20${level.value ? `, was ${level.value}` : ''}`]);
    if (existing) {
      for (const a of ABILITIES) {
        const v = Number(abilities[a].value);
        if (!Number.isInteger(v) || v < 1 || v > 30) errors.push([`abilities.${a}`, `must be 1 to 30${abilities[a].value ? `, was ${abilities[a].value}` : ''}`]);
      }
    }
    const seen = new Set();
    [...rows.querySelectorAll('tr')].forEach((tr, i) => {
      const get = (k) => tr.querySelector(`[data-col="${k}"]`);
      const at = `inventory[${i}].`;
      const itemId = get('itemId').value.trim();
      if (!ITEM_ID.test(itemId)) errors.push([`${at}itemId`, 'must be a slug of 1 to 64 characters a-z 0-9 - _']);
      else if (seen.has(itemId)) errors.push([`${at}itemId`, `repeats '${itemId}'; merge the stacks`]);
      seen.add(itemId);
      const nm = get('name').value.trim();
      if (nm.length > 100) errors.push([`${at}name`, 'must be 1 to 100 characters']);
      const q = Number(get('quantity').value);
      if (!Number.isInteger(q) || q < 1 || q > 10000) errors.push([`${at}quantity`, `must be 1 to 10000, was ${get('quantity').value || 'empty'}`]);
      const w = Number(get('weight').value);
      if (get('weight').value === '' || !Number.isFinite(w) || w < 0 || w > 1000) errors.push([`${at}weight`, 'must be 0 to 1000 lb']);
      const tags = splitTags(get('tags').value);
      if (tags.length > 10 || tags.some((t) => t.length > 40)) errors.push([`${at}tags`, 'must be at most 10 tags of 1 to 40 characters']);
    });
    return errors;
  };

  const body = () => {
    const b = { name: name.value.trim(), characterClass: cls.value, level: Number(level.value) };
    const items = [...rows.querySelectorAll('tr')].map((tr) => {
      const get = (k) => tr.querySelector(`[data-col="${k}"]`);
      const itemId = get('itemId').value.trim();
      return {
        itemId,
        name: get('name').value.trim() || itemId,
        quantity: Number(get('quantity').value),
        weight: Number(get('weight').value),
        equipped: get('equipped').checked,
        tags: splitTags(get('tags').value),
      };
    });
    if (existing) {
      const sheet = structuredClone(existing.sheet);
      for (const a of ABILITIES) sheet.abilities[a] = Number(abilities[a].value);
      b.sheet = sheet;
      b.inventory = items;
      b.version = existing.version;
    } else if (items.length > 0) {
      b.inventory = items;
    }
    return b;
  };

  const showErrors = (errors) => {
    allControls().forEach((c) => setFieldError(c, null));
    const unplaced = [];
    let first = null;
    for (const [f, msg] of errors) {
      const c = controlFor(f);
      if (c) {
        const text = `${labelOf(c)} ${msg}`;
        setFieldError(c, text);
        first = first || c;
      } else {
        unplaced.push(`${f}: ${msg}`);
      }
    }
    if (unplaced.length) showAlert(box, unplaced.join('. '));
    else if (errors.length) showAlert(box, `Please correct ${errors.length === 1 ? 'the marked field' : `the ${errors.length} marked fields`}.`);
    else showAlert(box, null);
    if (first) first.focus();
    else if (unplaced.length) box.focus();
  };

  const portrait = existing ? await portraitSection(existing) : null;
  const submit = h('button', { type: 'submit' }, existing ? 'Save changes' : 'Create character');
  const form = h('form', { class: 'card', novalidate: true }, box,
    h('div', { class: 'grid3' }, field('Name', name), field('Class', cls), field('Level', level, '1 to 20')),
    existing ? h('fieldset', {}, h('legend', {}, 'Ability scores (1 to 30)'), h('div', { class: 'grid6' }, abilityFields)) : null,
    existing ? h('p', { class: 'meta' }, `HP ${existing.sheet.hp.current}/${existing.sheet.hp.max} · AC ${existing.sheet.armorClass}`,
      existing.sheet.conditions.length ? ` · ${existing.sheet.conditions.join(', ')}` : '') : null,
    h('div', { class: 'table-scroll' }, inventoryTable), addItem,
    h('div', { class: 'actions' }, submit, h('a', { href: '#/characters', class: 'button secondary' }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const errors = validate();
    showErrors(errors);
    if (errors.length) return;
    submit.disabled = true;
    try {
      const saved = existing
        ? await api('PUT', `/api/characters/${existing.id}`, body())
        : await api('POST', '/api/characters', body());
      announce(`${saved.name} saved`);
      location.hash = '#/characters';
    } catch (e) {
      if (e.fieldErrors && e.fieldErrors.length) showErrors(e.fieldErrors.map((x) => [x.field, x.message]));
      else if (e.status === 409) {
        showAlert(box, 'This character changed since you opened it (perhaps in a game). Reload the page to edit the latest version.');
        box.focus();
      } else {
        showAlert(box, describe(e));
        box.focus();
      }
    } finally {
      submit.disabled = false;
    }
  });
  page(existing ? `Edit ${existing.name}` : 'Create a character', portrait, form);
}

/**
 * The portrait of an existing character: the picture, and a file field that uploads the chosen
 * image at once (hashed here, sent straight to the file store with a progress bar, checked by
 * the server) and makes it the character's portrait.
 */
async function portraitSection(c) {
  let current = null;
  try {
    current = await api('GET', `/api/characters/${c.id}/portrait`);
  } catch {
    current = null; // none yet (404), or pictures unavailable: the form still works
  }
  const picture = h('div', { class: 'portrait-frame', id: 'portrait-picture' }, portraitImage(c, current, 'portrait portrait-large'));
  const input = h('input', { type: 'file', name: 'portrait', accept: PORTRAIT_TYPES.join(','), id: 'portrait-file' });
  const progress = h('progress', { id: 'portrait-progress', max: 100, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const status = h('p', { class: 'meta', id: 'portrait-status', role: 'status' });
  const remove = h('button', { type: 'button', class: 'secondary', id: 'portrait-remove', hidden: !current }, 'Remove portrait');
  const show = (p) => {
    picture.replaceChildren(portraitImage(c, p, 'portrait portrait-large'));
    remove.hidden = !p;
  };
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    setFieldError(input, null);
    if (!file) return;
    if (!PORTRAIT_TYPES.includes(file.type)) {
      setFieldError(input, `Choose a PNG, JPEG, WebP or GIF image (this file is ${file.type || 'of an unknown type'}).`);
      return;
    }
    if (file.size > PORTRAIT_MAX_BYTES) {
      setFieldError(input, `Choose an image of at most ${sizeText(PORTRAIT_MAX_BYTES)} (this one is ${sizeText(file.size)}).`);
      return;
    }
    input.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    try {
      const asset = await uploadAsset(file, { bucket: 'player-assets', purpose: 'portrait', contentType: file.type }, {
        onStep: (text) => { status.textContent = text; },
        onProgress: (sent, total) => { progress.value = total ? Math.round((sent / total) * 100) : 100; },
      });
      const p = await api('PUT', `/api/characters/${c.id}/portrait`, { assetId: asset.id });
      show(p);
      status.textContent = `Portrait saved (${sizeText(file.size)}).`;
      announce(`${c.name}'s portrait saved`);
    } catch (e) {
      status.textContent = '';
      const fe = (e.fieldErrors || [])[0];
      setFieldError(input, fe ? `${fe.field}: ${fe.message}` : describe(e));
      input.focus();
    } finally {
      input.disabled = false;
      input.value = '';
    }
  });
  remove.addEventListener('click', async () => {
    try {
      await api('DELETE', `/api/characters/${c.id}/portrait`);
      show(null);
      status.textContent = 'Portrait removed.';
    } catch (e) {
      status.textContent = describe(e);
    }
  });
  return h('section', { class: 'card portrait-edit', 'aria-labelledby': 'portrait-title' },
    h('h2', { id: 'portrait-title' }, 'Portrait'), picture,
    field('Portrait image', input, `PNG, JPEG, WebP or GIF, at most ${sizeText(PORTRAIT_MAX_BYTES)}. It is sent straight to the file store.`),
    progress, status, remove);
}

function splitTags(v) {
  return v.split(',').map((t) => t.trim()).filter((t) => t);
}

function labelOf(control) {
  const l = control.id && document.querySelector(`label[for="${CSS.escape(control.id)}"]`);
  const text = l ? l.textContent : control.getAttribute('aria-label');
  return text ? `${text}:` : '';
}
