// JOSE as the passport profiles it: ES256 compact JWS, P-256 JWKs, RFC 7638 thumbprints, and
// compact JWE with ECDH-ES (direct) + A128GCM/A256GCM (RFC 7516, RFC 7518 sections 4.6, 5.3).
// WebCrypto only. A header's `alg` is checked, never used to choose an algorithm.

import { encode, decode, utf8, fromUtf8, decodeJsonObject, concat } from './b64.js';

const subtle = globalThis.crypto.subtle;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' };
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' };
const ENC_KEY_BYTES = { A128GCM: 16, A256GCM: 32 };

/** The only signature algorithm. */
export const ES256 = 'ES256';

/**
 * A fresh P-256 signing key pair; the private key cannot be exported (it never leaves the
 * device), the public key can.
 * @returns {Promise<CryptoKeyPair>}
 */
export function generateDeviceKey() {
  return subtle.generateKey(ECDSA, false, ['sign', 'verify']);
}

/**
 * The public JWK `{kty, crv, x, y}` of a P-256 CryptoKey (a public key, or a key pair).
 * @param {CryptoKey|CryptoKeyPair} key
 * @returns {Promise<{kty: string, crv: string, x: string, y: string}>}
 */
export async function publicJwk(key) {
  const { kty, crv, x, y } = await subtle.exportKey('jwk', key.publicKey ?? key);
  return { kty, crv, x, y };
}

/**
 * Checks a JWK is a public P-256 key and returns its four members only.
 * @param {any} jwk
 * @returns {{kty: string, crv: string, x: string, y: string}}
 */
export function checkPublicJwk(jwk) {
  if (!jwk || typeof jwk !== 'object') throw new Error('JWK: not an object');
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Error('JWK: not an EC P-256 key');
  if ('d' in jwk) throw new Error('JWK: a private member where a public key is expected');
  if (decode(jwk.x).length !== 32 || decode(jwk.y).length !== 32) throw new Error('JWK: coordinates are 32 bytes');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/**
 * The uncompressed point `04 || x || y` of a public P-256 JWK.
 * @param {object} jwk
 * @returns {Uint8Array}
 */
export function jwkPoint(jwk) {
  const k = checkPublicJwk(jwk);
  return concat(new Uint8Array([4]), decode(k.x), decode(k.y));
}

/**
 * RFC 7638 JWK thumbprint (SHA-256) of a P-256 key: over `{"crv","kty","x","y"}` in that order.
 * @param {object} jwk
 * @returns {Promise<string>} base64url
 */
export async function thumbprint(jwk) {
  const k = checkPublicJwk(jwk);
  const json = `{"crv":"${k.crv}","kty":"${k.kty}","x":"${k.x}","y":"${k.y}"}`;
  return sha256b64(json);
}

/**
 * base64url(SHA-256(ASCII/UTF-8 text or bytes)).
 * @param {string|Uint8Array} input
 * @returns {Promise<string>}
 */
export async function sha256b64(input) {
  const bytes = typeof input === 'string' ? utf8(input) : input;
  return encode(new Uint8Array(await subtle.digest('SHA-256', bytes)));
}

/**
 * Signs a compact JWS with ES256. `alg` is always set to ES256 (any `alg` given is replaced).
 * @param {object} header protected header members (e.g. `typ`, `jwk`)
 * @param {object} payload JSON payload
 * @param {CryptoKey} privateKey P-256 ECDSA private key (may be non-extractable)
 * @returns {Promise<string>}
 */
export async function signJws(header, payload, privateKey) {
  const input = `${encode(JSON.stringify({ ...header, alg: ES256 }))}.${encode(JSON.stringify(payload))}`;
  // WebCrypto's ECDSA signature is already the raw r || s JWS wants (RFC 7518 section 3.4).
  const signature = await subtle.sign(ECDSA_SHA256, privateKey, utf8(input));
  return `${input}.${encode(new Uint8Array(signature))}`;
}

/**
 * A parsed, NOT yet verified, compact JWS.
 * @typedef {object} Jws
 * @property {Record<string, any>} header
 * @property {Record<string, any>} payload
 * @property {string} signingInput `<header>.<payload>` as received
 * @property {Uint8Array} signature 64 bytes, r || s
 */

/**
 * Parses a compact JWS. Refused: not three parts; non-canonical base64url; a header or payload
 * that is not a JSON object or repeats a member name; `alg` other than ES256 (so `none` and
 * HMAC); `crit`; a signature that is not 64 bytes.
 * @param {string} compact
 * @returns {Jws}
 */
export function parseJws(compact) {
  if (typeof compact !== 'string') throw new Error('JWS: not a string');
  const parts = compact.split('.');
  if (parts.length !== 3) throw new Error('JWS: a compact JWS has three parts');
  const header = strictObject(parts[0], 'JWS header');
  if (header.alg !== ES256) throw new Error(`JWS: alg ${JSON.stringify(header.alg)} is not allowed (ES256 only)`);
  if ('crit' in header) throw new Error('JWS: crit is not supported');
  const payload = strictObject(parts[1], 'JWS payload');
  const signature = decode(parts[2]);
  if (signature.length !== 64) throw new Error('JWS: an ES256 signature is 64 bytes');
  return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature };
}

/**
 * Imports a verification key: a public P-256 JWK, SPKI DER bytes, or a CryptoKey as is.
 * @param {object|Uint8Array|CryptoKey} key
 * @returns {Promise<CryptoKey>}
 */
export async function verificationKey(key) {
  if (key instanceof Uint8Array) return subtle.importKey('spki', key, ECDSA, false, ['verify']);
  if (key && key.type === 'public' && key.algorithm) return key;
  return subtle.importKey('jwk', checkPublicJwk(key), ECDSA, false, ['verify']);
}

/**
 * Verifies a parsed JWS with `key` (a public JWK, SPKI DER or CryptoKey); throws if it does not.
 * @param {Jws} jws
 * @param {object|Uint8Array|CryptoKey} key
 * @returns {Promise<Jws>} the same JWS
 */
export async function verifyJws(jws, key) {
  const ok = await subtle.verify(ECDSA_SHA256, await verificationKey(key), jws.signature, utf8(jws.signingInput));
  if (!ok) throw new Error('JWS: the signature does not verify');
  return jws;
}

/**
 * RFC 7518 section 4.6.2 Concat KDF with SHA-256, for key lengths up to 256 bits (one round).
 * OtherInfo = len || AlgorithmID, len || PartyUInfo, len || PartyVInfo, SuppPubInfo (key bits).
 * @param {Uint8Array} z the ECDH shared secret
 * @param {string} algorithmId the `enc` value for direct key agreement
 * @param {number} keyBytes 16 or 32
 * @param {Uint8Array} [apu]
 * @param {Uint8Array} [apv]
 * @returns {Promise<Uint8Array>}
 */
export async function concatKdf(z, algorithmId, keyBytes, apu = new Uint8Array(), apv = new Uint8Array()) {
  if (keyBytes > 32) throw new Error('Concat KDF: at most 256 bits here');
  const u32 = (n) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const lv = (b) => concat(u32(b.length), b);
  const input = concat(u32(1), z, lv(utf8(algorithmId)), lv(apu), lv(apv), u32(keyBytes * 8));
  return new Uint8Array(await subtle.digest('SHA-256', input)).slice(0, keyBytes);
}

/**
 * Encrypts to a Verifier's P-256 key: compact JWE, `alg` ECDH-ES, `enc` A128GCM or A256GCM,
 * protected header `{alg, enc, kid, epk}` (plus `apu`/`apv` if given), a fresh ephemeral key,
 * an empty encrypted key, a random 96-bit IV. The key must have `alg` ECDH-ES (OpenID4VP 1.0
 * section 8.3) and, if it has `use`, `enc`.
 * @param {string|Uint8Array} plaintext
 * @param {object} recipient public JWK with `kid` and `alg`
 * @param {'A128GCM'|'A256GCM'} enc
 * @param {{apu?: Uint8Array, apv?: Uint8Array}} [parties]
 * @returns {Promise<string>}
 */
export async function encryptJwe(plaintext, recipient, enc, parties = {}) {
  if (!(enc in ENC_KEY_BYTES)) throw new Error(`JWE: enc ${enc} not supported`);
  if (recipient.alg !== 'ECDH-ES') throw new Error("JWE: the key's alg is not ECDH-ES");
  if (recipient.use !== undefined && recipient.use !== 'enc') throw new Error("JWE: the key's use is not enc");
  const theirs = await subtle.importKey('jwk', checkPublicJwk(recipient), { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const ephemeral = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  const header = { alg: 'ECDH-ES', enc };
  if (recipient.kid !== undefined) header.kid = recipient.kid;
  header.epk = await publicJwk(ephemeral);
  if (parties.apu) header.apu = encode(parties.apu);
  if (parties.apv) header.apv = encode(parties.apv);
  const z = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: theirs }, ephemeral.privateKey, 256));
  const cek = await concatKdf(z, enc, ENC_KEY_BYTES[enc], parties.apu, parties.apv);
  const headerB64 = encode(JSON.stringify(header));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const key = await subtle.importKey('raw', cek, 'AES-GCM', false, ['encrypt']);
  const sealed = new Uint8Array(await subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(headerB64), tagLength: 128 },
    key,
    typeof plaintext === 'string' ? utf8(plaintext) : plaintext,
  ));
  const ciphertext = sealed.subarray(0, sealed.length - 16);
  const tag = sealed.subarray(sealed.length - 16);
  return `${headerB64}..${encode(iv)}.${encode(ciphertext)}.${encode(tag)}`;
}

/**
 * Decrypts an ECDH-ES compact JWE with a P-256 ECDH private key (for tests and for a wallet
 * reading what it made). Refuses other `alg`/`enc`, `zip`, `crit`, a non-empty encrypted key.
 * @param {string} jwe
 * @param {CryptoKey} privateKey ECDH P-256 private key with `deriveBits`
 * @returns {Promise<{header: object, plaintext: Uint8Array}>}
 */
export async function decryptJwe(jwe, privateKey) {
  const parts = jwe.split('.');
  if (parts.length !== 5) throw new Error('JWE: a compact JWE has five parts');
  const [headerB64, encryptedKey, ivB64, ctB64, tagB64] = parts;
  const header = strictObject(headerB64, 'JWE header');
  if (header.alg !== 'ECDH-ES') throw new Error('JWE: alg must be ECDH-ES');
  if (!(header.enc in ENC_KEY_BYTES)) throw new Error('JWE: enc not supported');
  if ('zip' in header || 'crit' in header) throw new Error('JWE: zip and crit are not supported');
  if (encryptedKey !== '') throw new Error('JWE: ECDH-ES has an empty encrypted key');
  const epk = await subtle.importKey('jwk', checkPublicJwk(header.epk), { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const z = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: epk }, privateKey, 256));
  const party = (name) => (header[name] === undefined ? undefined : decode(header[name]));
  const cek = await concatKdf(z, header.enc, ENC_KEY_BYTES[header.enc], party('apu'), party('apv'));
  const iv = decode(ivB64);
  const tag = decode(tagB64);
  if (iv.length !== 12 || tag.length !== 16) throw new Error('JWE: bad IV or tag length');
  const key = await subtle.importKey('raw', cek, 'AES-GCM', false, ['decrypt']);
  const plaintext = await subtle.decrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(headerB64), tagLength: 128 },
    key,
    concat(decode(ctB64), tag),
  );
  return { header, plaintext: new Uint8Array(plaintext) };
}

/**
 * Parses JSON text, refusing a member name repeated in any object (JSON.parse would keep the
 * last one silently; RFC 7515 section 5.2 says to reject).
 * @param {string} text
 * @returns {any}
 */
export function strictJsonParse(text) {
  const value = JSON.parse(text);
  checkNoDuplicates(text);
  return value;
}

/** @param {string} b64 @param {string} what @returns {Record<string, any>} */
function strictObject(b64, what) {
  const value = decodeJsonObject(b64, what);
  checkNoDuplicates(fromUtf8(decode(b64)));
  return value;
}

/**
 * Scans already-valid JSON text and throws if any object repeats a member name. Keys are
 * compared after JSON unescaping.
 * @param {string} text
 */
function checkNoDuplicates(text) {
  const stack = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top instanceof Set && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1));
        if (top.has(key)) throw new Error(`JSON: member ${JSON.stringify(key)} is repeated`);
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
}
