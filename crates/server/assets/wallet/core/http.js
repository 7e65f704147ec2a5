// HTTP for the protocols: which URLs may be followed, and requests whose failures carry the
// server's own OAuth `error` code and description.

const MAX_RESPONSE_BYTES = 1024 * 1024;

/** An error answered by a server (non-2xx), with its OAuth `error` code if it sent one. */
export class ServerError extends Error {
  /**
   * @param {string} step which request failed
   * @param {number} status HTTP status
   * @param {string|undefined} code the server's `error`
   * @param {string|undefined} description the server's `error_description`
   */
  constructor(step, status, code, description) {
    super(`${step}: HTTP ${status}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}`);
    this.step = step;
    this.status = status;
    this.code = code;
    this.description = description;
  }
}

/**
 * Parses a URL the wallet is about to follow: `https`, or `http` only to a loopback address
 * (`localhost`, `127.0.0.0/8`, `[::1]`); no user information, no fragment.
 * @param {string} text
 * @returns {URL}
 */
export function checkedUrl(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`not an absolute URL: ${text}`);
  }
  if (url.username || url.password) throw new Error('URLs with user information are not followed');
  if (url.hash) throw new Error('URLs with a fragment are not followed');
  if (url.protocol === 'https:') return url;
  const host = url.hostname;
  const loopback = host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (url.protocol === 'http:' && loopback) return url;
  throw new Error(`only https URLs are followed (plain http only to loopback): ${text}`);
}

/**
 * Sends a request to a checked URL; returns the body as text for a 2xx answer, throws
 * {@link ServerError} otherwise. No redirects are followed.
 * @param {string} step name for errors
 * @param {string} url
 * @param {RequestInit} [init]
 * @param {typeof fetch} [fetchFn]
 * @returns {Promise<string>}
 */
export async function send(step, url, init = {}, fetchFn = globalThis.fetch) {
  const response = await fetchFn(checkedUrl(url).href, { redirect: 'error', ...init });
  const text = await response.text();
  if (text.length > MAX_RESPONSE_BYTES) throw new Error(`${step}: response too large`);
  if (!response.ok) {
    let body = {};
    try {
      body = JSON.parse(text);
    } catch { /* not JSON: no error code */ }
    throw new ServerError(step, response.status, body?.error, body?.error_description);
  }
  return text;
}

/**
 * {@link send}, then parse the body as a JSON object.
 * @param {string} step
 * @param {string} url
 * @param {RequestInit} [init]
 * @param {typeof fetch} [fetchFn]
 * @returns {Promise<Record<string, any>>}
 */
export async function sendJson(step, url, init = {}, fetchFn = globalThis.fetch) {
  const headers = { accept: 'application/json', ...(init.headers ?? {}) };
  const text = await send(step, url, { ...init, headers }, fetchFn);
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${step}: the answer is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${step}: not a JSON object`);
  return value;
}

/**
 * An `application/x-www-form-urlencoded` body.
 * @param {Record<string, string>} pairs
 * @returns {string}
 */
export function form(pairs) {
  return new URLSearchParams(pairs).toString();
}
