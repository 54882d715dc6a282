// The console reads and changes data only through the public JSON API, with the session cookie. State changes
// send the CSRF token (the XSRF-TOKEN cookie's value) as X-XSRF-TOKEN, as Spring Security expects.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

export function csrfToken() {
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('XSRF-TOKEN='));
  return cookie ? decodeURIComponent(cookie.substring('XSRF-TOKEN='.length)) : '';
}

/** Where a signed-out visitor goes: the sign-in page, coming back here afterwards. */
export function signInUrl() {
  return `/login?next=${encodeURIComponent(location.pathname + location.search + location.hash)}`;
}

export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-XSRF-TOKEN'] = csrfToken();
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
  if (response.status === 401) {
    location.assign(signInUrl());
    throw new ApiError(401, 'unauthorized', 'signed out');
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    throw new ApiError(response.status, data && data.error, data && data.message);
  }
  return data;
}

export async function signOut() {
  await fetch('/logout', {
    method: 'POST', credentials: 'same-origin', headers: { 'X-XSRF-TOKEN': csrfToken() },
  }).catch(() => null);
  location.assign('/login');
}
