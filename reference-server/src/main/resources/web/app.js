// The player's web GUI: a small hash-routed app over the DM Engine HTTP API.
import { api, describe, session, ApiError, refreshSession, retryText } from './api.js';
import { h, mount, field, setFieldError, alertBox, showAlert, announce } from './dom.js';
import { characterList, characterForm } from './characters.js';
import { playScreen } from './play.js';

const main = document.getElementById('main');
const state = { player: null, cleanup: null };

session.onExpired = () => {
  state.player = null;
  showNav();
  if (!location.hash.startsWith('#/login') && !location.hash.startsWith('#/register')) {
    location.hash = `#/login?next=${encodeURIComponent(location.hash.slice(1) || '/sessions')}`;
  }
};

function showNav() {
  const nav = document.getElementById('nav');
  nav.hidden = !state.player;
  document.getElementById('who').textContent = state.player ? `Signed in as ${state.player.displayName}` : '';
}

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api('POST', '/auth/logout');
  } catch {
    // the cookies are cleared or already gone; either way the player is out
  }
  state.player = null;
  showNav();
  location.hash = '#/login?bye=1';
});

async function whoAmI() {
  try {
    state.player = await api('GET', '/auth/me');
  } catch (e) {
    state.player = null;
    if (e instanceof ApiError && e.status === 401) {
      if (await refreshSession()) {
        try {
          state.player = await api('GET', '/auth/me');
        } catch {
          state.player = null;
        }
      }
    }
  }
  showNav();
}

let generation = 0; // the latest navigation: a slower, older one must not draw over it

class Stale extends Error {}

/** Sets the page: title, heading (focused for screen readers and keyboard users), content. */
function draw(title, ...content) {
  document.title = `${title} · DM Engine`;
  const heading = h('h1', { tabindex: '-1' }, title);
  mount(main, heading, ...content);
  heading.focus();
  return heading;
}

function params() {
  const q = location.hash.split('?')[1] || '';
  return new URLSearchParams(q);
}

async function route() {
  const mine = ++generation;
  const page = (...args) => {
    if (mine !== generation) throw new Stale('a newer page was asked for');
    return draw(...args);
  };
  if (state.cleanup) {
    state.cleanup();
    state.cleanup = null;
  }
  const path = (location.hash.slice(1) || '/').split('?')[0];
  const open = path === '/login' || path === '/register';
  if (!open && !state.player) {
    await whoAmI();
    if (!state.player) {
      location.replace(`#/login${path !== '/' ? `?next=${encodeURIComponent(path)}` : ''}`);
      return;
    }
  }
  let m;
  try {
    if (path === '/login') return loginView(page);
    if (path === '/register') return registerView(page);
    if (path === '/' || path === '/sessions') return await sessionsView(page);
    if (path === '/characters') return await characterList(page);
    if (path === '/characters/new') return await characterForm(page, null);
    if ((m = path.match(/^\/characters\/([\w-]+)$/))) return await characterForm(page, m[1]);
    if ((m = path.match(/^\/play\/([\w-]+)$/))) {
      const stop = await playScreen(page, m[1]);
      if (mine === generation) state.cleanup = stop;
      else stop(); // left before it was ready
      return;
    }
    page('Not found', h('p', {}, 'There is no such page. '), h('a', { href: '#/sessions' }, 'Go to your sessions'));
  } catch (e) {
    if (e instanceof Stale || mine !== generation) return;
    page('Something went wrong', h('p', { class: 'alert alert-error', role: 'alert' }, describe(e)),
      h('p', {}, h('a', { href: '#/sessions' }, 'Back to your sessions')));
  }
}

// ------------------------------------------------------------------ accounts

function loginView(page) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const box = alertBox();
  const submit = h('button', { type: 'submit' }, 'Log in');
  const form = h('form', { class: 'card narrow', novalidate: true }, box,
    field('Email', email), field('Password', password), submit,
    h('p', {}, 'New here? ', h('a', { href: '#/register' }, 'Create an account')));
  const p = params();
  if (p.get('registered')) showAlert(box, 'Your account is ready: log in with it.', 'info');
  if (p.get('bye')) showAlert(box, 'You are logged out.', 'info');
  if (p.get('email')) email.value = p.get('email');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setFieldError(email, email.value.trim() ? null : 'Enter your email address.');
    setFieldError(password, password.value ? null : 'Enter your password.');
    if (!email.value.trim() || !password.value) {
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    showAlert(box, null);
    try {
      const tokens = await api('POST', '/auth/login', { email: email.value.trim(), password: password.value });
      state.player = tokens.player;
      showNav();
      announce(`Welcome, ${tokens.player.displayName}`);
      location.hash = `#${params().get('next') || '/sessions'}`;
    } catch (e) {
      let msg = describe(e);
      if (e instanceof ApiError && e.status === 401) msg = 'Wrong email or password. Check both and try again.';
      if (e instanceof ApiError && e.status === 429) {
        msg = `Too many log-in attempts. For your account's safety, try again ${retryText(e.retryAfter)}.`;
      }
      showAlert(box, msg);
      box.focus();
      password.value = '';
    } finally {
      submit.disabled = false;
    }
  });
  page('Log in', form);
}

function registerView(page) {
  const name = h('input', { type: 'text', name: 'displayName', autocomplete: 'nickname', required: true, maxlength: 60 });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const box = alertBox();
  const submit = h('button', { type: 'submit' }, 'Create account');
  const controls = { displayName: name, email, password };
  const form = h('form', { class: 'card narrow', novalidate: true }, box,
    field('Display name', name, 'How the DM and other players will call you.'),
    field('Email', email),
    field('Password', password, 'At least 8 characters; a few unusual words make a strong passphrase.'),
    submit, h('p', {}, 'Already have an account? ', h('a', { href: '#/login' }, 'Log in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const errors = {
      displayName: name.value.trim() ? null : 'Enter a display name.',
      email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.value.trim()) ? null : 'Enter an email address like name@example.org.',
      password: password.value.length >= 8 ? null : 'Use at least 8 characters.',
    };
    for (const [k, v] of Object.entries(errors)) setFieldError(controls[k], v);
    const first = Object.keys(errors).find((k) => errors[k]);
    if (first) {
      controls[first].focus();
      return;
    }
    submit.disabled = true;
    showAlert(box, null);
    try {
      await api('POST', '/auth/register', { email: email.value.trim(), password: password.value, displayName: name.value.trim() });
      location.hash = `#/login?registered=1&email=${encodeURIComponent(email.value.trim())}`;
    } catch (e) {
      let placed = false;
      for (const fe of (e.fieldErrors || [])) {
        if (controls[fe.field]) {
          setFieldError(controls[fe.field], fe.message);
          if (!placed) controls[fe.field].focus();
          placed = true;
        }
      }
      if (!placed) {
        showAlert(box, describe(e));
        box.focus();
      }
    } finally {
      submit.disabled = false;
    }
  });
  page('Create an account', form);
}

// ------------------------------------------------------------------ sessions

async function sessionsView(page) {
  const [sessions, characters] = await Promise.all([api('GET', '/api/sessions'), api('GET', '/api/characters')]);
  const byId = new Map(characters.items.map((c) => [c.id, c]));
  const list = sessions.items.length === 0
    ? h('p', { class: 'empty' }, 'No sessions yet. Start one below.')
    : h('ul', { class: 'cards', 'aria-label': 'Your sessions' }, sessions.items.map((s) => {
      const c = byId.get(s.characterId);
      return h('li', { class: 'card' },
        h('h2', {}, s.title || 'Untitled session'),
        h('p', { class: 'meta' }, c ? `${c.name}, level ${c.level} ${c.characterClass}` : 'character deleted',
          ' · last played ', new Date(s.updatedAt).toLocaleString()),
        h('a', { class: 'button', href: `#/play/${s.id}`, 'aria-label': `Resume ${s.title || 'session'}` }, 'Resume'));
    }));
  const box = alertBox();
  let form;
  if (characters.items.length === 0) {
    form = h('p', {}, 'To start a session, first ', h('a', { href: '#/characters/new' }, 'create a character'), '.');
  } else {
    const select = h('select', { name: 'characterId' }, characters.items.map((c) =>
      h('option', { value: c.id }, `${c.name} (level ${c.level} ${c.characterClass})`)));
    const title = h('input', { type: 'text', name: 'title', maxlength: 120, placeholder: 'The sunken keep' });
    const submit = h('button', { type: 'submit' }, 'Start session');
    form = h('form', { class: 'card', 'aria-labelledby': 'new-session' }, h('h2', { id: 'new-session' }, 'New session'), box,
      field('Character', select), field('Title (optional)', title), submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      try {
        const body = { characterId: select.value };
        if (title.value.trim()) body.title = title.value.trim();
        const s = await api('POST', '/api/sessions', body);
        location.hash = `#/play/${s.id}`;
      } catch (e) {
        const fe = (e.fieldErrors || []).find((x) => x.field === 'title');
        if (fe) setFieldError(title, fe.message);
        else showAlert(box, describe(e));
      } finally {
        submit.disabled = false;
      }
    });
  }
  page('Your sessions', list, form);
}

window.addEventListener('hashchange', route);
route();
