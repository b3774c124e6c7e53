// The API client: same-origin fetch with the cookie session (HttpOnly cookies set by
// /auth/login; no token is ever stored in script-readable storage). Browsers add
// Sec-Fetch-Site and Origin to these requests, which is what the server's CSRF check reads.

/** An API error: the RFC 9457 problem body, the status and Retry-After (seconds) if any. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || `request failed (${status})`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
    this.fieldErrors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

async function problemOf(res) {
  let body = {};
  const type = res.headers.get('Content-Type') || '';
  try {
    if (type.includes('json')) body = await res.json();
    else body = { detail: (await res.text()).slice(0, 300) };
  } catch {
    body = {};
  }
  if (!body.title) body.title = res.statusText || `HTTP ${res.status}`;
  const ra = res.headers.get('Retry-After');
  let retryAfter = null;
  if (ra) {
    const n = Number(ra);
    retryAfter = Number.isFinite(n) ? n : Math.max(0, Math.round((Date.parse(ra) - Date.now()) / 1000));
  }
  return new ApiError(res.status, body, retryAfter);
}

let refreshing = null;

/** Exchanges the refresh cookie for new cookies; true when it worked. One at a time. */
export function refreshSession() {
  if (!refreshing) {
    refreshing = fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' })
      .then((r) => r.ok)
      .catch(() => false)
      .finally(() => { setTimeout(() => { refreshing = null; }, 0); });
  }
  return refreshing;
}

/** Hook the app sets to send the player to the log-in page when the session is gone. */
export const session = { onExpired: () => {} };

/**
 * Calls the API. `body` (an object) is sent as JSON. Answers the parsed JSON (or null for
 * 204); throws ApiError for a problem. A 401 on /api/ tries one refresh, then gives up.
 */
export async function api(method, path, body, { headers = {}, raw = false, signal, retried = false } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers }, signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Network error', detail: 'the server cannot be reached; check your connection and try again' }, null);
  }
  if (res.status === 401 && !path.startsWith('/auth/') && !retried) {
    if (await refreshSession()) return api(method, path, body, { headers, raw, signal, retried: true });
    session.onExpired();
  }
  if (!res.ok) throw await problemOf(res);
  if (raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : null;
}

/** Like api() but answers the raw Response (for streams); problems still throw. */
export function apiStream(method, path, body, opts = {}) {
  return api(method, path, body, { ...opts, raw: true, headers: { ...(opts.headers || {}), Accept: 'text/event-stream' } });
}

/** "in 1 min 30 s (at 12:41)" for a Retry-After in seconds. */
export function retryText(seconds) {
  if (seconds == null) return 'later';
  const s = Math.max(1, Math.round(seconds));
  const at = new Date(Date.now() + s * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const min = Math.floor(s / 60);
  const sec = s % 60;
  const span = min > 0 ? `${min} min${sec ? ` ${sec} s` : ''}` : `${sec} s`;
  return `in ${span} (at ${at})`;
}

/** A sentence for the player about an error. */
export function describe(err) {
  if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
  if (err.status === 429) {
    return `Too many attempts: ${err.problem.detail || 'the limit was reached'}. Try again ${retryText(err.retryAfter)}.`;
  }
  if (err.status === 0) return `${err.problem.title}: ${err.problem.detail}.`;
  if (err.status === 503) return `The server is busy or unavailable (${err.problem.detail || 'try again'}). Try again ${retryText(err.retryAfter)}.`;
  return err.problem.detail ? capitalise(err.problem.detail) + (/[.!?]$/.test(err.problem.detail) ? '' : '.') : err.problem.title;
}

function capitalise(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
