// The person's own details (preferred name, contact details, address, emergency contacts,
// National Insurance number), declared once and kept as an SD-JWT VC the wallet signs with
// its device key, exactly as the Rust holder makes it (crates/holder/src/self_declared.rs):
// `iss` the key's RFC 9278 JWK Thumbprint URI, `cnf.jwk` the key, no status, no expiry,
// `recordType` in clear and every detail its own disclosure. A receiver verifies it with that
// key and shows it as declared by the person, not verified.

import { publicJwk, thumbprint, sha256b64 } from './jose.js';
import { issue, read } from './sdjwt.js';

/** The self-declared type (crates/catalogue: `SelfDeclaredDetails`). */
export const SELF_DECLARED_VCT = 'https://w3id.org/nhs-staff-passport/vct/self-declared-details/v1';
export const SELF_DECLARED_TYPE = 'SelfDeclaredDetails';
/** The details, in the schema's order. */
export const DETAILS = ['preferredName', 'email', 'phone', 'address', 'emergencyContacts', 'nationalInsuranceNumber'];
const THUMBPRINT_URI = 'urn:ietf:params:oauth:jwk-thumbprint:sha-256:';

/** The rules of the type's JSON Schema (crates/catalogue/schemas/self-declared-details). */
export const PATTERNS = {
  phone: /^\+?[0-9][0-9 ()-]{5,23}$/,
  postcode: /^[A-Za-z]{1,2}[0-9][0-9A-Za-z]? ?[0-9][A-Za-z]{2}$/,
  ni: /^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$/,
  niRefusedPrefix: /^(BG|GB|KN|NK|NT|TN|ZZ)/,
  // The schema's `format: email` (checked by the receiver), kept to RFC 5322's dot-atom form and
  // a dotted domain, which every validator accepts.
  email: /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
};

/**
 * A declared detail as a person reads it (as the receiving trust's report shows it): an
 * address's lines and postcode joined with commas, each emergency contact as
 * `name (relationship), phone`, separated by semicolons; an NI number in its printed groups.
 * @param {string} name
 * @param {any} value
 * @returns {string}
 */
export function detailText(name, value) {
  if (name === 'address' && value && typeof value === 'object') return [...(value.lines ?? []), value.postcode].filter(Boolean).join(', ');
  if (name === 'emergencyContacts' && Array.isArray(value)) return value.map((c) => `${c.name} (${c.relationship}), ${c.phone}`).join('; ');
  if (name === 'nationalInsuranceNumber') return String(value).replace(/^(..)(..)(..)(..)(.)$/, '$1 $2 $3 $4 $5');
  return String(value);
}

/** Whether `vct` is the self-declared type. */
export function isSelfDeclared(vct) {
  return vct === SELF_DECLARED_VCT;
}

const text = (v, max) => typeof v === 'string' && v.length >= 1 && [...v].length <= max;

/**
 * Checks declared details against the type's schema; throws naming the first detail that
 * breaks it (the screen has already told the person, field by field; this is the last line).
 * @param {Record<string, any>} details
 */
export function checkDetails(details) {
  const bad = (name) => { throw new Error(`declared details: ${name} is not valid`); };
  for (const [name, v] of Object.entries(details)) {
    switch (name) {
      case 'preferredName': if (!text(v, 200)) bad(name); break;
      case 'email': if (!text(v, 254) || !PATTERNS.email.test(v)) bad(name); break;
      case 'phone': if (typeof v !== 'string' || !PATTERNS.phone.test(v)) bad(name); break;
      case 'address': {
        const keys = v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : null;
        if (!keys || keys.some((k) => k !== 'lines' && k !== 'postcode')) bad(name);
        if (!Array.isArray(v.lines) || v.lines.length < 1 || v.lines.length > 6 || !v.lines.every((l) => text(l, 200))) bad(name);
        if ('postcode' in v && (typeof v.postcode !== 'string' || !PATTERNS.postcode.test(v.postcode))) bad(name);
        break;
      }
      case 'emergencyContacts':
        if (!Array.isArray(v) || v.length < 1 || v.length > 5) bad(name);
        for (const c of v) {
          const keys = c && typeof c === 'object' && !Array.isArray(c) ? Object.keys(c).sort().join() : '';
          if (keys !== 'name,phone,relationship' || !text(c.name, 200) || !text(c.relationship, 100) || !PATTERNS.phone.test(c.phone)) bad(name);
        }
        break;
      case 'nationalInsuranceNumber':
        if (typeof v !== 'string' || !PATTERNS.ni.test(v) || PATTERNS.niRefusedPrefix.test(v)) bad(name);
        break;
      default: bad(name);
    }
  }
}

/**
 * Makes the self-declared credential: `recordType` and the details (in {@link DETAILS} order)
 * as claims, signed by the device key and bound to it. The result is stored like a received
 * credential (its issuer is the key's thumbprint URI).
 * @param {Record<string, any>} details at least one detail
 * @param {CryptoKeyPair} key the device key
 * @param {number} now Unix seconds
 * @returns {Promise<import('./oid4vci.js').ReceivedCredential>}
 */
export async function declare(details, key, now) {
  checkDetails(details);
  const names = DETAILS.filter((n) => Object.hasOwn(details, n));
  if (names.length === 0) throw new Error('declared details: nothing to declare');
  const { kty, crv, x, y } = await publicJwk(key);
  const kid = await thumbprint({ kty, crv, x, y });
  const iss = `${THUMBPRINT_URI}${kid}`;
  const payload = {
    iss,
    vct: SELF_DECLARED_VCT,
    iat: now,
    // As the Rust holder's device JWK: the thumbprint as kid, ES256, for signing.
    cnf: { jwk: { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' } },
    recordType: SELF_DECLARED_TYPE,
  };
  for (const n of names) payload[n] = details[n];
  const sdJwt = await issue({ header: { typ: 'dc+sd-jwt', kid }, payload, disclosable: names, key: key.privateKey });
  return {
    id: await sha256b64(sdJwt),
    sd_jwt: sdJwt,
    issuer: iss,
    vct: SELF_DECLARED_VCT,
    configuration_id: SELF_DECLARED_TYPE,
    credential_identifier: null,
    received_at: now,
  };
}

/**
 * The declaration held, if any: the credential and its details (without `recordType`).
 * @param {import('./store.js').Store} store
 * @returns {Promise<{credential: import('./oid4vci.js').ReceivedCredential, details: Record<string, any>}|null>}
 */
export async function declared(store) {
  const held = (await store.listCredentials()).filter((c) => isSelfDeclared(c.vct));
  const newest = held[held.length - 1];
  if (!newest) return null;
  const { claims } = await read(newest.sd_jwt);
  const details = {};
  for (const n of DETAILS) if (Object.hasOwn(claims, n)) details[n] = claims[n];
  return { credential: newest, details };
}

/**
 * Replaces the declaration with one of `details` (made afresh: new salts, new signature), or
 * removes it when `details` is empty. One store transaction: never two declarations, never
 * none in between.
 * @param {import('./store.js').Store} store
 * @param {Record<string, any>} details
 * @param {CryptoKeyPair} key
 * @param {number} now
 * @returns {Promise<import('./oid4vci.js').ReceivedCredential|null>} the new declaration
 */
export async function saveDeclaration(store, details, key, now) {
  const old = (await store.listCredentials()).filter((c) => isSelfDeclared(c.vct)).map((c) => c.id);
  const made = Object.keys(details).length > 0 ? await declare(details, key, now) : null;
  await store.replaceCredentials(old, made ? [made] : []);
  return made;
}
