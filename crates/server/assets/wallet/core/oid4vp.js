// OpenID4VP 1.0 as HAIP profiles it, from the wallet's side (crates/holder/src/present.rs,
// crates/oid4vp/src/verify.rs): read the invocation URL, fetch the signed Request Object,
// check it against the trust list, select with DCQL, build a consent model, then answer with
// key-bound presentations in an encrypted direct_post.jwt response, or decline.

import { decodeStd } from './b64.js';
import { parseJws, verifyJws, sha256b64, encryptJwe, checkPublicJwk } from './jose.js';
import { parseCertificate } from './der.js';
import { byOds, hasKey, mayVerify } from './trust.js';
import { send, checkedUrl, form, ServerError } from './http.js';
import { validate as validateDcql, select as dcqlSelect, disclosureFor } from './dcql.js';
import * as sdjwt from './sdjwt.js';

/** Section 5: the `typ` of a Request Object. */
export const REQUEST_TYP = 'oauth-authz-req+jwt';
const AUD_SELF_ISSUED = 'https://self-issued.me/v2';
const MAX_REQUEST_BYTES = 64 * 1024;
const MAX_LEEWAY = 300;

/**
 * Reads `openid4vp://?client_id=...&request_uri=...`. A request by value, or a URL without
 * `request_uri`, is refused (only signed requests by reference).
 * @param {string} link
 * @returns {{clientId: string, requestUri: string}}
 */
export function parseRequestLink(link) {
  const q = link.indexOf('?');
  if (q < 0) throw new Error('request link: no query');
  const params = new URLSearchParams(link.slice(q + 1).split('#')[0]);
  for (const name of new Set(params.keys())) {
    if (params.getAll(name).length > 1) throw new Error(`request link: ${name} is repeated`);
  }
  if (params.has('request')) throw new Error('request link: a request by value is refused');
  const requestUri = params.get('request_uri');
  const clientId = params.get('client_id');
  if (!requestUri) throw new Error('request link: unsigned requests are refused (no request_uri)');
  if (!clientId) throw new Error('request link: no client_id');
  const method = params.get('request_uri_method');
  if (method !== null && method !== 'get' && method !== 'post') throw new Error('request link: bad request_uri_method');
  checkResponseUri(requestUri);
  return { clientId, requestUri };
}

/**
 * Verifies a Request Object as crates/oid4vp/src/verify.rs does, in the same order: size,
 * ES256 JWS, `typ`; `x5c` a single leaf, P-256, valid now; the trust list names its O, lists
 * its key, `may_verify`; signature; `client_id` = `x509_hash:` + base64url(SHA-256(DER)) and
 * the link's; `aud`; `iat`/`exp`/`nbf`; `response_type` `vp_token`, `response_mode`
 * `direct_post.jwt`, no `redirect_uri`, `response_uri` https or loopback http; `nonce` and
 * `state` URL-safe, 16 to 256 characters; no `transaction_data`, no `scope`, a valid
 * `dcql_query`; `client_metadata` with a usable key, `enc`, and `dc+sd-jwt` with ES256.
 * @param {string} jwt
 * @param {string|null} expectedClientId the link's `client_id`
 * @param {import('./trust.js').TrustList} trust
 * @param {number} now Unix seconds
 * @param {number} [leeway] seconds, clamped to 0..300
 * @returns {Promise<{request: object, organisation: import('./trust.js').Organisation, encryption: {key: object, enc: string},
 *   certificate: import('./der.js').CertificateInfo & {der: Uint8Array}}>}
 */
export async function verifyRequest(jwt, expectedClientId, trust, now, leeway = 60) {
  leeway = Math.min(Math.max(leeway, 0), MAX_LEEWAY);
  if (jwt.length > MAX_REQUEST_BYTES) throw new Error('request: too large');
  const jws = parseJws(jwt);
  if (jws.header.typ !== REQUEST_TYP) throw new Error(`request: typ must be ${REQUEST_TYP}`);
  const x5c = jws.header.x5c;
  if (!Array.isArray(x5c) || x5c.length !== 1 || typeof x5c[0] !== 'string') throw new Error('request: x5c must hold exactly the leaf certificate');
  const der = decodeStd(x5c[0]);
  const cert = parseCertificate(der);
  if (now + leeway < cert.notBefore || now - leeway > cert.notAfter) throw new Error('request: the certificate is not valid now');
  if (now > trust.exp) throw new Error('request: the trust list has expired');
  if (cert.organisation === null) throw new Error('request: the certificate names no organisation (O)');
  const organisation = byOds(trust, cert.organisation);
  if (!organisation) throw new Error(`request: verifier ${cert.organisation} is not on the trust list`);
  if (!hasKey(organisation, cert.publicKey)) throw new Error(`request: the certificate key is not a key of ${cert.organisation} on the trust list`);
  if (!mayVerify(organisation)) throw new Error(`request: ${cert.organisation} is not authorised to verify`);
  try {
    await verifyJws(jws, cert.spki);
  } catch {
    throw new Error('request: the signature does not verify');
  }
  const c = jws.payload;
  if (typeof c.client_id !== 'string') throw new Error('request: no client_id');
  if (!c.client_id.startsWith('x509_hash:')) throw new Error('request: unsupported client_id prefix');
  if (c.client_id !== `x509_hash:${await sha256b64(der)}`) throw new Error('request: client_id is not the hash of the certificate');
  if (expectedClientId !== null && expectedClientId !== undefined && expectedClientId !== c.client_id) throw new Error('request: client_id differs from the link');
  const audOk = c.aud === AUD_SELF_ISSUED || (Array.isArray(c.aud) && c.aud.includes(AUD_SELF_ISSUED));
  if (!audOk) throw new Error('request: wrong aud');
  if (!Number.isInteger(c.iat) || !Number.isInteger(c.exp)) throw new Error('request: iat and exp are required integers');
  if (now - leeway > c.exp) throw new Error('request: expired');
  if (c.nbf !== undefined && !Number.isInteger(c.nbf)) throw new Error('request: nbf is not an integer');
  if (c.iat - leeway > now || (c.nbf !== undefined && c.nbf - leeway > now)) throw new Error('request: issued in the future');
  if (c.response_type !== 'vp_token') throw new Error('request: response_type must be vp_token');
  if (c.response_mode !== 'direct_post.jwt') throw new Error('request: response_mode must be direct_post.jwt');
  if ('redirect_uri' in c) throw new Error('request: redirect_uri must not be present');
  if (typeof c.response_uri !== 'string') throw new Error('request: no response_uri');
  checkResponseUri(c.response_uri);
  randomValue(c.nonce, 'nonce');
  randomValue(c.state, 'state');
  if ('transaction_data' in c) throw new Error('request: transaction_data is not supported');
  if ('scope' in c || !c.dcql_query) throw new Error('request: a dcql_query (and no scope) is required');
  validateDcql(c.dcql_query);
  const encryption = clientEncryption(c.client_metadata);
  return { request: c, organisation, encryption, certificate: { ...cert, der } };
}

/**
 * One claim that would leave the device.
 * @typedef {{path: (string|number)[], value: any, selectivelyDisclosed: boolean}} LeavingClaim
 */

/**
 * The consent model: everything the consent screen shows, and what {@link respond} needs.
 * @typedef {object} ConsentModel
 * @property {{name: string, ods: string, certificate?: {der: Uint8Array, notBefore: number, notAfter: number}}}
 *   verifier from the trust list (and the request's leaf certificate, when fetched)
 * @property {object} request the verified Request Object claims
 * @property {{key: object, enc: string}} encryption
 * @property {boolean} satisfied false: the wallet cannot answer (only {@link decline})
 * @property {{id: string, multiple: boolean, optional: boolean, requested: boolean,
 *   matches: {credentialId: string, vct: string, issuer: string, disclose: (string|number)[][],
 *   claims: LeavingClaim[], omittable: string[]}[]}[]} queries every credential query in order;
 *   `requested` ones are answered by default; `optional` ones the user may deselect;
 *   `omittable` names the top-level claims of a match the user may leave out (the query is
 *   still met without them, by another of its claim sets)
 */

/**
 * Fetches and checks the request behind an `openid4vp://` link, and matches it against the
 * held credentials.
 * @param {string} link
 * @param {object} options
 * @param {import('./trust.js').TrustList} options.trust a verified trust list
 * @param {import('./oid4vci.js').ReceivedCredential[]} options.credentials held credentials
 * @param {number} [options.now]
 * @param {typeof fetch} [options.fetch]
 * @returns {Promise<ConsentModel>}
 */
export async function fetchRequest(link, { trust, credentials, now = Math.floor(Date.now() / 1000), fetch: fetchFn = globalThis.fetch }) {
  const { clientId, requestUri } = parseRequestLink(link);
  const jwt = await send('request object', requestUri, { headers: { accept: 'application/oauth-authz-req+jwt' } }, fetchFn);
  const { request, organisation, encryption, certificate } = await verifyRequest(jwt.trim(), clientId, trust, now);
  const model = await consentModel(request, organisation, encryption, credentials);
  model.verifier.certificate = { der: certificate.der, notBefore: certificate.notBefore, notAfter: certificate.notAfter };
  return model;
}

/**
 * Builds the consent model for a verified request (exported for tests and other transports).
 * @param {object} request
 * @param {import('./trust.js').Organisation} organisation
 * @param {{key: object, enc: string}} encryption
 * @param {import('./oid4vci.js').ReceivedCredential[]} credentials
 * @returns {Promise<ConsentModel>}
 */
export async function consentModel(request, organisation, encryption, credentials) {
  const held = [];
  for (const c of credentials) {
    const { sd, claims } = await sdjwt.read(c.sd_jwt);
    held.push({ vct: c.vct, claims, sd, credential: c });
  }
  const query = request.dcql_query;
  const selection = dcqlSelect(query, held);
  const optionalIds = optionalQueries(query);
  const queries = [];
  for (const q of selection.queries) {
    const matches = [];
    const cq = query.credentials.find((c) => c.id === q.id);
    for (const m of q.matches) {
      const h = held[m.credential];
      const names = [...new Set(m.disclose.map((p) => p[0]))];
      matches.push({
        credentialId: h.credential.id,
        vct: h.vct,
        issuer: h.credential.issuer,
        disclose: m.disclose,
        claims: await leavingClaims(h.sd, m.disclose),
        omittable: names.filter((n) => disclosureFor(cq, h.vct, without(h.claims, [n])) !== null),
      });
    }
    queries.push({
      id: q.id,
      multiple: q.multiple,
      optional: optionalIds.has(q.id),
      requested: selection.requested.includes(q.id),
      matches,
    });
  }
  return {
    verifier: { name: organisation.name, ods: organisation.ods_code },
    request,
    encryption,
    satisfied: selection.satisfied,
    queries,
  };
}

/** `claims` without the top-level members named in `names`. */
function without(claims, names) {
  return Object.fromEntries(Object.entries(claims).filter(([k]) => !names.includes(k)));
}

/**
 * Answers with the user's choices: every requested query except those in `decline` (only
 * optional ones may be declined), each with `pick[id]` (credential ids) or its first match (all
 * matches when `multiple`), leaving out the top-level claims `omit[id]` names (only those the
 * query can be met without: the disclosure is chosen again as if they were not held).
 * Presents only the selected claims with a KB-JWT (`aud` = client_id, `nonce`), encrypts
 * `{vp_token, state}` and POSTs `response=<JWE>`.
 * @param {ConsentModel} model
 * @param {{decline?: string[], pick?: Record<string, string[]>, omit?: Record<string, string[]>}} choices
 * @param {CryptoKeyPair|CryptoKey} key the device key (private half used)
 * @param {{credentials: import('./oid4vci.js').ReceivedCredential[], now?: number,
 *   fetch?: typeof fetch, store?: import('./store.js').Store}} options
 * @returns {Promise<{shared: {query_id: string, vct: string, claims: (string|number)[][]}[], redirect_uri: string|null}>}
 */
export async function respond(model, choices, key, { credentials, now = Math.floor(Date.now() / 1000), fetch: fetchFn = globalThis.fetch, store } = {}) {
  if (!model.satisfied) throw new Error('the request needs credentials this wallet does not hold');
  const decline = new Set(choices.decline ?? []);
  const privateKey = key.privateKey ?? key;
  const vpToken = {};
  const shared = [];
  for (const q of model.queries) {
    if (!q.requested) continue;
    if (decline.has(q.id)) {
      if (!q.optional) throw new Error(`query ${q.id} is required and cannot be declined`);
      continue;
    }
    const picked = choices.pick?.[q.id];
    const matches = picked
      ? q.matches.filter((m) => picked.includes(m.credentialId))
      : q.matches.slice(0, q.multiple ? q.matches.length : 1);
    if (matches.length === 0 || (!q.multiple && matches.length > 1)) throw new Error(`query ${q.id}: choose ${q.multiple ? 'at least one' : 'one'} credential`);
    const omit = choices.omit?.[q.id] ?? [];
    const cq = model.request.dcql_query.credentials.find((c) => c.id === q.id);
    for (const m of matches) {
      const held = credentials.find((c) => c.id === m.credentialId);
      if (!held) throw new Error('the model names a credential not held');
      let disclose = m.disclose;
      if (omit.length > 0) {
        const { claims } = await sdjwt.read(held.sd_jwt);
        disclose = disclosureFor(cq, m.vct, without(claims, omit));
        if (!disclose) throw new Error(`query ${q.id}: ${omit.join(', ')} cannot be left out`);
      }
      const presentation = await sdjwt.present(held.sd_jwt, disclose, {
        aud: model.request.client_id, nonce: model.request.nonce, iat: now, key: privateKey,
      });
      (vpToken[q.id] ??= []).push(presentation);
      shared.push({ query_id: q.id, vct: m.vct, claims: disclose });
    }
  }
  if (Object.keys(vpToken).length === 0) throw new Error('nothing was chosen to share');
  const reply = await post(model, { vp_token: vpToken, state: model.request.state }, fetchFn);
  if (store) {
    // The Response URI says which node holds what was shared: the wallet asks it later who
    // looked (core/accesslog.js).
    await store.addHistory({
      at: now, verifier_name: model.verifier.name, verifier_ods: model.verifier.ods, outcome: 'shared', shared,
      response_uri: model.request.response_uri,
    });
  }
  return { shared, redirect_uri: reply.redirect_uri ?? null };
}

/**
 * Declines: POSTs an encrypted error response `{error: access_denied, state}`.
 * @param {ConsentModel} model
 * @param {{now?: number, fetch?: typeof fetch, store?: import('./store.js').Store}} [options]
 * @returns {Promise<object>} the Response URI's JSON answer (or its `access_denied` error)
 */
export async function decline(model, { now = Math.floor(Date.now() / 1000), fetch: fetchFn = globalThis.fetch, store } = {}) {
  let reply;
  try {
    reply = await post(model, {
      error: 'access_denied', error_description: 'the person declined', state: model.request.state,
    }, fetchFn);
  } catch (e) {
    // A verifier may answer an error response with its own `access_denied` (ours does, 400):
    // that is the acknowledgement, not a failure.
    if (!(e instanceof ServerError && e.code === 'access_denied')) throw e;
    reply = { error: e.code, error_description: e.description };
  }
  if (store) {
    await store.addHistory({
      at: now, verifier_name: model.verifier.name, verifier_ods: model.verifier.ods, outcome: 'declined', shared: [],
      response_uri: model.request.response_uri,
    });
  }
  return reply;
}

async function post(model, payload, fetchFn) {
  const jwe = await encryptJwe(JSON.stringify(payload), model.encryption.key, model.encryption.enc);
  const body = await send('response', model.request.response_uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form({ response: jwe }),
  }, fetchFn);
  return body.trim() === '' ? {} : JSON.parse(body);
}

/** Query ids that appear only in sets with `required: false` (the user may deselect them). */
function optionalQueries(query) {
  if (query.credential_sets === undefined) return new Set();
  const required = new Set();
  const all = new Set();
  for (const s of query.credential_sets) {
    for (const id of s.options.flat()) {
      all.add(id);
      if (s.required !== false) required.add(id);
    }
  }
  return new Set([...all].filter((id) => !required.has(id)));
}

/** Every claim of the presentation that `disclose` makes: processed claims of the reduced SD-JWT. */
async function leavingClaims(sd, disclose) {
  const reduced = await sdjwt.parse(sdjwt.select(sd, disclose));
  const { claims, paths } = sdjwt.processClaims(reduced);
  const sdPaths = [...paths.values()].map((p) => JSON.stringify(p));
  const out = [];
  const walk = (value, path) => {
    const isSd = sdPaths.includes(JSON.stringify(path));
    if (value !== null && typeof value === 'object' && !(path.length === 1 && path[0] === 'cnf')) {
      const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
      if (isSd || entries.length === 0) out.push({ path, value, selectivelyDisclosed: isSd });
      if (!isSd) for (const [k, v] of entries) walk(v, [...path, k]);
      return;
    }
    out.push({ path, value, selectivelyDisclosed: isSd });
  };
  for (const [k, v] of Object.entries(claims)) walk(v, [k]);
  return out;
}

function checkResponseUri(text) {
  const url = checkedUrl(text);
  if (!url.host) throw new Error('response_uri: no host');
}

function randomValue(value, name) {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._~-]{16,256}$/.test(value)) {
    throw new Error(`request: ${name} must be 16 to 256 URL-safe characters`);
  }
}

/** Section 8.3: the first P-256 ECDH-ES key (use enc or none), A256GCM if offered else A128GCM. */
function clientEncryption(meta) {
  if (!meta || typeof meta !== 'object') throw new Error('client_metadata: missing');
  const keys = meta.jwks?.keys;
  if (!Array.isArray(keys)) throw new Error('client_metadata: no jwks');
  const kids = new Set();
  for (const k of keys) {
    if (typeof k.kid !== 'string' || kids.has(k.kid)) throw new Error('client_metadata: every jwks key needs its own kid');
    kids.add(k.kid);
  }
  const key = keys.find((k) => {
    if (k.alg !== 'ECDH-ES' || (k.use !== undefined && k.use !== 'enc')) return false;
    try {
      checkPublicJwk(k);
      return true;
    } catch {
      return false;
    }
  });
  if (!key) throw new Error('client_metadata: no P-256 ECDH-ES key in jwks');
  const offered = meta.encrypted_response_enc_values_supported ?? ['A128GCM'];
  if (!Array.isArray(offered) || offered.length === 0) throw new Error('client_metadata: bad encrypted_response_enc_values_supported');
  const enc = ['A256GCM', 'A128GCM'].find((e) => offered.includes(e));
  if (!enc) throw new Error('client_metadata: no supported enc (A128GCM, A256GCM)');
  const sd = meta.vp_formats_supported?.['dc+sd-jwt'];
  const es256 = (algs) => algs === undefined || (Array.isArray(algs) && algs.includes('ES256'));
  if (!sd || !es256(sd['sd-jwt_alg_values']) || !es256(sd['kb-jwt_alg_values'])) throw new Error('client_metadata: dc+sd-jwt with ES256 is not supported');
  return { key, enc };
}
