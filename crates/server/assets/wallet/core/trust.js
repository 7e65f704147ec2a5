// The registry-signed trust list (compact JWS, `typ` `nhs-trust-list+jwt`): the only path
// from an issuer identifier or a verifier certificate to an organisation.

import { parseJws, verifyJws, jwkPoint } from './jose.js';

/** The `typ` of a trust list JWT. */
export const TRUST_LIST_TYP = 'nhs-trust-list+jwt';

/**
 * An organisation on the list.
 * @typedef {object} Organisation
 * @property {string} ods_code
 * @property {string} name
 * @property {string} kind
 * @property {string} issuer
 * @property {{keys: object[]}} jwks
 * @property {string[]} may_issue
 * @property {boolean} may_verify
 */

/**
 * A verified trust list.
 * @typedef {{sequence: number, iat: number, exp: number, organisations: Organisation[]}} TrustList
 */

/**
 * Verifies a signed trust list with the pinned registry key and checks it is current and
 * consistent (ODS codes and issuers unique).
 * @param {string} jwt
 * @param {object} registryJwk the registry's public JWK, pinned in the wallet
 * @param {number} now Unix seconds
 * @returns {Promise<TrustList>}
 */
export async function verifyTrustList(jwt, registryJwk, now) {
  const jws = parseJws(jwt.trim());
  if (jws.header.typ !== TRUST_LIST_TYP) throw new Error(`trust list: typ must be ${TRUST_LIST_TYP}`);
  await verifyJws(jws, registryJwk);
  const list = jws.payload;
  if (!Number.isInteger(list.exp) || !Number.isInteger(list.iat) || !Array.isArray(list.organisations)) {
    throw new Error('trust list: malformed');
  }
  if (now > list.exp) throw new Error('trust list: expired; fetch a fresh one');
  const ods = new Set();
  const issuers = new Set();
  for (const org of list.organisations) {
    if (typeof org.ods_code !== 'string' || typeof org.issuer !== 'string' || !Array.isArray(org.jwks?.keys)) {
      throw new Error('trust list: malformed organisation');
    }
    if (ods.has(org.ods_code) || issuers.has(org.issuer)) throw new Error('trust list: duplicate organisation');
    ods.add(org.ods_code);
    issuers.add(org.issuer);
    org.may_issue ??= [];
    org.may_verify ??= false;
  }
  return list;
}

/**
 * Fetches and verifies the trust list at `url`.
 * @param {string} url e.g. `https://host/trust-list`
 * @param {object} registryJwk
 * @param {number} now
 * @param {typeof fetch} [fetchFn]
 * @returns {Promise<TrustList>}
 */
export async function fetchTrustList(url, registryJwk, now, fetchFn = globalThis.fetch) {
  const response = await fetchFn(url);
  if (!response.ok) throw new Error(`trust list: HTTP ${response.status}`);
  return verifyTrustList(await response.text(), registryJwk, now);
}

/**
 * The organisation whose issuer identifier is `iss`.
 * @param {TrustList} list
 * @param {string} iss
 * @returns {Organisation|undefined}
 */
export function byIssuer(list, iss) {
  return list.organisations.find((o) => o.issuer === iss);
}

/**
 * The organisation with this ODS code.
 * @param {TrustList} list
 * @param {string} ods
 * @returns {Organisation|undefined}
 */
export function byOds(list, ods) {
  return list.organisations.find((o) => o.ods_code === ods);
}

/**
 * The organisation listing `key` (a public JWK, or an uncompressed P-256 point) in its JWKS.
 * @param {TrustList} list
 * @param {object|Uint8Array} key
 * @returns {Organisation|undefined}
 */
export function byKey(list, key) {
  const point = key instanceof Uint8Array ? key : jwkPoint(key);
  return list.organisations.find((o) => hasKey(o, point));
}

/**
 * Whether `org` lists the uncompressed P-256 point among its keys.
 * @param {Organisation} org
 * @param {Uint8Array} point
 * @returns {boolean}
 */
export function hasKey(org, point) {
  return org.jwks.keys.some((k) => {
    try {
      const p = jwkPoint(k);
      return p.length === point.length && p.every((b, i) => b === point[i]);
    } catch {
      return false;
    }
  });
}

/**
 * Whether `org` may request presentations (act as a verifier).
 * @param {Organisation|undefined} org
 * @returns {boolean}
 */
export function mayVerify(org) {
  return org?.may_verify === true;
}

/**
 * Whether `org` may issue credentials of type `vct`.
 * @param {Organisation|undefined} org
 * @param {string} vct
 * @returns {boolean}
 */
export function mayIssue(org, vct) {
  return Boolean(org?.may_issue?.includes(vct));
}

export { mayVerify as may_verify, mayIssue as may_issue };
