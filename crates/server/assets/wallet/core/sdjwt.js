// SD-JWT (RFC 9901) and SD-JWT VC from the holder's side: parse, process disclosures, list
// what is disclosable, present a subset with a Key Binding JWT; and issue, for the one
// credential the wallet signs itself (the person's declared details). Digest `sha-256` only.

import { decode, encode, fromUtf8 } from './b64.js';
import { parseJws, signJws, sha256b64, strictJsonParse } from './jose.js';

const MAX_BYTES = 256 * 1024;
const MAX_DISCLOSURES = 1024;
const MAX_DEPTH = 32;

/**
 * A disclosure: its text, digest, and decoded content. `name` is absent for an array element.
 * @typedef {{text: string, digest: string, salt: string, name?: string, value: any}} Disclosure
 */

/**
 * A parsed SD-JWT (signature NOT verified: the holder reads, the verifier checks).
 * @typedef {object} SdJwt
 * @property {string} jwt the issuer-signed JWT
 * @property {import('./jose.js').Jws} jws its parsed form
 * @property {Disclosure[]} disclosures in the order received
 * @property {string|null} kbJwt the Key Binding JWT, if any
 */

/**
 * A claim path: object keys (strings) and array indices (numbers); in a selection, `null`
 * stands for every element of an array (OpenID4VP 1.0 section 7).
 * @typedef {(string|number|null)[]} ClaimPath
 */

/**
 * Parses `<JWT>~<D1>~...~<Dn>~[<KB-JWT>]` and decodes every disclosure.
 * @param {string} text
 * @returns {Promise<SdJwt>}
 */
export async function parse(text) {
  if (typeof text !== 'string' || text.length > MAX_BYTES) throw new Error('SD-JWT: not a string or too large');
  const parts = text.split('~');
  if (parts.length < 2) throw new Error('SD-JWT: no ~ separator');
  const jwt = parts[0];
  const jws = parseJws(jwt);
  const alg = jws.payload._sd_alg ?? 'sha-256';
  if (alg !== 'sha-256') throw new Error(`SD-JWT: _sd_alg ${alg} is not supported`);
  const kb = parts[parts.length - 1];
  const texts = parts.slice(1, -1);
  if (texts.length > MAX_DISCLOSURES) throw new Error('SD-JWT: too many disclosures');
  const disclosures = [];
  for (const t of texts) disclosures.push(await decodeDisclosure(t));
  return { jwt, jws, disclosures, kbJwt: kb === '' ? null : kb };
}

/**
 * Decodes one disclosure: `[salt, name, value]` or `[salt, value]`; computes its digest.
 * @param {string} text base64url
 * @returns {Promise<Disclosure>}
 */
export async function decodeDisclosure(text) {
  if (text === '') throw new Error('SD-JWT: empty disclosure');
  let array;
  try {
    array = strictJsonParse(fromUtf8(decode(text)));
  } catch (e) {
    throw new Error(`SD-JWT: a disclosure is not base64url JSON (${e.message})`);
  }
  if (!Array.isArray(array) || (array.length !== 2 && array.length !== 3) || typeof array[0] !== 'string') {
    throw new Error('SD-JWT: a disclosure is [salt, name, value] or [salt, value]');
  }
  const digest = await sha256b64(text);
  if (array.length === 2) return { text, digest, salt: array[0], value: array[1] };
  const name = array[1];
  if (typeof name !== 'string' || name === '_sd' || name === '...') throw new Error('SD-JWT: bad disclosed name');
  return { text, digest, salt: array[0], name, value: array[2] };
}

/**
 * Applies the disclosures to the issuer-signed payload (RFC 9901 section 7.1): object `_sd`
 * digests become properties, array `{"...": digest}` elements become values, undisclosed
 * digests vanish, `_sd_alg` is removed. Refused: a digest referenced twice, a disclosure of
 * the wrong kind for its place, a disclosed name already present, an unreferenced disclosure.
 * @param {SdJwt} sd
 * @returns {{claims: Record<string, any>, paths: Map<string, (string|number)[]>}} the claims,
 *   and the path of each disclosure by its digest
 */
export function processClaims(sd) {
  const byDigest = new Map();
  for (const d of sd.disclosures) {
    if (byDigest.has(d.digest)) throw new Error('SD-JWT: a disclosure appears twice');
    byDigest.set(d.digest, d);
  }
  const used = new Set();
  const paths = new Map();
  const take = (digest, kind) => {
    if (typeof digest !== 'string') throw new Error('SD-JWT: a digest is not a string');
    if (used.has(digest)) throw new Error('SD-JWT: a digest is referenced twice');
    used.add(digest);
    const d = byDigest.get(digest);
    if (d && (kind === 'property') !== ('name' in d)) throw new Error('SD-JWT: disclosure of the wrong kind');
    return d;
  };
  const walk = (value, path, depth) => {
    if (depth > MAX_DEPTH) throw new Error('SD-JWT: nested too deeply');
    if (Array.isArray(value)) {
      const out = [];
      for (const item of value) {
        const isRef = item && typeof item === 'object' && !Array.isArray(item) && '...' in item;
        if (!isRef) {
          out.push(walk(item, [...path, out.length], depth + 1));
          continue;
        }
        if (Object.keys(item).length !== 1) throw new Error('SD-JWT: an array digest object has only "..."');
        const d = take(item['...'], 'element');
        if (!d) continue;
        paths.set(d.digest, [...path, out.length]);
        out.push(walk(d.value, [...path, out.length], depth + 1));
      }
      return out;
    }
    if (value === null || typeof value !== 'object') return value;
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '_sd' || (k === '_sd_alg' && depth === 0)) continue;
      out[k] = walk(v, [...path, k], depth + 1);
    }
    if ('_sd' in value) {
      if (!Array.isArray(value._sd)) throw new Error('SD-JWT: _sd is not an array');
      for (const digest of value._sd) {
        const d = take(digest, 'property');
        if (!d) continue;
        if (Object.hasOwn(out, d.name)) throw new Error(`SD-JWT: disclosed name ${d.name} is already present`);
        paths.set(d.digest, [...path, d.name]);
        out[d.name] = walk(d.value, [...path, d.name], depth + 1);
      }
    }
    return out;
  };
  const claims = walk(sd.jws.payload, [], 0);
  for (const d of sd.disclosures) {
    if (!used.has(d.digest)) throw new Error('SD-JWT: a disclosure is not referenced by the payload');
  }
  return { claims, paths };
}

/**
 * The paths of every claim this SD-JWT can disclose (one per disclosure it holds).
 * @param {SdJwt} sd
 * @returns {(string|number)[][]}
 */
export function disclosablePaths(sd) {
  return [...processClaims(sd).paths.values()];
}

/**
 * `<JWT>~<D...>~` keeping only the disclosures `selection` reveals: a selected claim with
 * everything beneath it, and every concealed parent on the way to it (RFC 9901 section 7.2).
 * @param {SdJwt} sd
 * @param {ClaimPath[]} selection
 * @returns {string}
 */
export function select(sd, selection) {
  const { paths } = processClaims(sd);
  const matches = (pattern, concrete) => pattern === null ? typeof concrete === 'number' : pattern === concrete;
  const prefixOf = (short, long, patternIsShort) => short.length <= long.length
    && short.every((s, i) => (patternIsShort ? matches(s, long[i]) : matches(long[i], s)));
  const kept = sd.disclosures.filter((d) => {
    const path = paths.get(d.digest);
    return selection.some((sel) => prefixOf(sel, path, true) || prefixOf(path, sel, false));
  });
  return `${sd.jwt}~${kept.map((d) => `${d.text}~`).join('')}`;
}

/**
 * A presentation: the selected disclosures and a KB-JWT (`typ` `kb+jwt`; `iat`, `aud`,
 * `nonce`, `sd_hash` = base64url SHA-256 of the presented `<JWT>~<D...>~`).
 * @param {SdJwt|string} sdJwt as issued
 * @param {ClaimPath[]} paths claims to disclose
 * @param {{aud: string, nonce: string, iat: number, key: CryptoKey}} options `key` is the
 *   holder's private key (the credential's `cnf.jwk`)
 * @returns {Promise<string>}
 */
export async function present(sdJwt, paths, { aud, nonce, iat, key }) {
  const sd = typeof sdJwt === 'string' ? await parse(sdJwt) : sdJwt;
  const prefix = select(sd, paths);
  const kb = await signJws({ typ: 'kb+jwt' }, { iat, aud, nonce, sd_hash: await sha256b64(prefix) }, key);
  return prefix + kb;
}

/**
 * Convenience for the holder's display: parse, then process.
 * @param {string} text
 * @returns {Promise<{sd: SdJwt, claims: Record<string, any>, paths: (string|number)[][]}>}
 */
export async function read(text) {
  const sd = await parse(text);
  const { claims, paths } = processClaims(sd);
  return { sd, claims, paths: [...paths.values()] };
}

/** SD-JWT VC claims that are never selectively disclosable (crates/sd-jwt/src/vc.rs). */
export const NEVER_DISCLOSABLE = ['iss', 'nbf', 'exp', 'cnf', 'vct', 'vct#integrity', 'aka_vcts', 'status'];

/** A 128-bit salt, base64url (RFC 9901 section 9.3), from the platform's CSPRNG. */
function salt() {
  return encode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/** A `_sd` or `...` member anywhere in `value` (a verifier would read it as digests). */
function reservedName(value) {
  if (Array.isArray(value)) return value.map(reservedName).find((n) => n) ?? null;
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (k === '_sd' || k === '...') return k;
    const inner = reservedName(v);
    if (inner) return inner;
  }
  return null;
}

/**
 * Issues an SD-JWT as crates/sd-jwt/src/issue.rs does, for top-level claims: each claim named
 * in `disclosable` becomes a disclosure `[salt, name, value]` (compact JSON, as serde_json
 * writes it), in the payload's order; 0 to `maxDecoys` decoy digests (a random count) are
 * added; `_sd` is sorted so its order says nothing about the claims'; `_sd_alg` is `sha-256`.
 * Refused, as there: `_sd`/`_sd_alg` among the claims, `_sd` or `...` anywhere in a value, a
 * name in `disclosable` that is not a claim, a claim of {@link NEVER_DISCLOSABLE}.
 * @param {{header: object, payload: Record<string, any>, disclosable: string[], key: CryptoKey,
 *   maxDecoys?: number}} input `header` is the protected header (`alg` is always ES256);
 *   `key` the signing key (may be non-extractable)
 * @returns {Promise<string>} `<JWT>~<D1>~...~<Dn>~`
 */
export async function issue({ header, payload, disclosable, key, maxDecoys = 3 }) {
  if ('_sd' in payload || '_sd_alg' in payload) throw new Error('SD-JWT: claims must not contain _sd or _sd_alg');
  const reserved = reservedName(payload);
  if (reserved) throw new Error(`SD-JWT: ${reserved} is a reserved claim name`);
  for (const name of disclosable) {
    if (NEVER_DISCLOSABLE.includes(name)) throw new Error(`SD-JWT: ${name} must not be selectively disclosable`);
    if (!Object.hasOwn(payload, name)) throw new Error(`SD-JWT: no claim ${name} to conceal`);
  }
  const out = {};
  const digests = [];
  const disclosures = [];
  for (const [name, value] of Object.entries(payload)) {
    if (!disclosable.includes(name)) {
      out[name] = value;
      continue;
    }
    const text = encode(JSON.stringify([salt(), name, value]));
    disclosures.push(text);
    digests.push(await sha256b64(text));
  }
  if (digests.length > 0) {
    const decoys = globalThis.crypto.getRandomValues(new Uint8Array(1))[0] % (maxDecoys + 1);
    for (let i = 0; i < decoys; i++) digests.push(await sha256b64(salt()));
    digests.sort();
    out._sd = digests;
  }
  out._sd_alg = 'sha-256';
  const jwt = await signJws({ alg: 'ES256', ...header }, out, key);
  return `${jwt}~${disclosures.map((d) => `${d}~`).join('')}`;
}
