// Strict base64url (RFC 4648 section 5, no padding) and UTF-8 helpers.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/**
 * Encodes bytes (or a string, as UTF-8) as base64url without padding.
 * @param {Uint8Array|ArrayBuffer|string} input
 * @returns {string}
 */
export function encode(input) {
  const bytes = toBytes(input);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/**
 * Decodes strict base64url: no padding, no whitespace, only `A-Z a-z 0-9 - _`, a length that
 * is not 1 mod 4, and zero unused trailing bits (so every byte string has one encoding).
 * @param {string} text
 * @returns {Uint8Array}
 * @throws {Error} on any deviation
 */
export function decode(text) {
  if (typeof text !== 'string') throw new Error('base64url: not a string');
  if (text.length % 4 === 1) throw new Error('base64url: impossible length');
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (const c of text) {
    const v = VALUE.get(c);
    if (v === undefined) throw new Error('base64url: bad character');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) throw new Error('base64url: non-zero trailing bits');
  return out;
}

/**
 * Decodes standard base64 (with `+/` and optional `=` padding), as `x5c` uses (RFC 7515 4.1.6).
 * @param {string} text
 * @returns {Uint8Array}
 */
export function decodeStd(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error('base64: malformed');
  }
  return decode(text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
}

/**
 * UTF-8 bytes of a string.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function utf8(text) {
  return new TextEncoder().encode(text);
}

/**
 * A string from UTF-8 bytes; invalid UTF-8 is an error.
 * @param {Uint8Array|ArrayBuffer} bytes
 * @returns {string}
 */
export function fromUtf8(bytes) {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * Decodes base64url JSON that must be an object.
 * @param {string} text
 * @param {string} what name for error messages
 * @returns {Record<string, any>}
 */
export function decodeJsonObject(text, what) {
  let value;
  try {
    value = JSON.parse(fromUtf8(decode(text)));
  } catch (e) {
    throw new Error(`${what}: not base64url JSON (${e.message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what}: not a JSON object`);
  }
  return value;
}

/**
 * Concatenates byte arrays.
 * @param {...Uint8Array} parts
 * @returns {Uint8Array}
 */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

/** @param {Uint8Array|ArrayBuffer|string} input @returns {Uint8Array} */
function toBytes(input) {
  if (typeof input === 'string') return utf8(input);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (input instanceof Uint8Array) return input;
  throw new Error('base64url: expected bytes or a string');
}
