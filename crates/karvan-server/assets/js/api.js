// The JSON API of `karvan serve`: same-origin requests only.

/** How often a background job is asked how far it has got. */
export const POLL_MS = 300;

/** A non-2xx answer: the server's message, its HTTP status and its `code` when it sends one. */
export class ApiError extends Error {
  constructor(message, status, code = null, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** Calls the API; a non-2xx answer throws an ApiError carrying the server's message. */
export async function api(path, options = {}) {
  let res;
  try {
    res = await fetch(path, options);
  } catch (e) {
    throw new Error(`Cannot reach the Karvan server (${e.message}).`);
  }
  const text = await res.text();
  let body = null;
  if (text) {
    try { body = JSON.parse(text); } catch { body = null; }
  }
  if (!res.ok) {
    const why = body && body.error ? body.error : `${res.status} ${res.statusText}`;
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(why, res.status, (body && body.code) || null, Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  return body;
}

/** A JSON request body with its content type. */
export const json = (method, body) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v != null && v !== '');
  return new URLSearchParams(entries).toString();
}
