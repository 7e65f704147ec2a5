// OpenID4VCI 1.0 Pre-Authorized Code Flow from the wallet's side, as the Rust holder does it
// (crates/holder/src/receive.rs): offer -> issuer metadata -> AS metadata -> token (tx_code)
// -> for each credential_identifier: nonce, credential request with a JWT key proof -> checks
// -> notifications. All or nothing.

import { sendJson, send, checkedUrl, ServerError, form } from './http.js';
import { parseJws, signJws, publicJwk, thumbprint, sha256b64, ES256 } from './jose.js';
import { parse as parseSdJwt } from './sdjwt.js';

const PRE_AUTH = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
const FORMAT = 'dc+sd-jwt';

/**
 * A credential as received and stored.
 * @typedef {object} ReceivedCredential
 * @property {string} id the SHA-256 of the credential text, base64url (a stable store key)
 * @property {string} sd_jwt the SD-JWT VC as issued
 * @property {string} issuer
 * @property {string} vct
 * @property {string} configuration_id
 * @property {string|null} credential_identifier
 * @property {number} received_at Unix seconds
 */

/**
 * Reads an `openid-credential-offer://?credential_offer_uri=...` (or `credential_offer=`) link.
 * @param {string} link
 * @returns {{offer?: object, offerUri?: string}}
 */
export function parseOfferLink(link) {
  const text = link.trim();
  const q = text.indexOf('?');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text) || q < 0) throw new Error('offer: not a credential offer link');
  const params = new URLSearchParams(text.slice(q + 1).split('#')[0]);
  for (const name of ['credential_offer', 'credential_offer_uri']) {
    if (params.getAll(name).length > 1) throw new Error(`offer: ${name} is repeated`);
  }
  const byValue = params.get('credential_offer');
  const byRef = params.get('credential_offer_uri');
  if (byValue !== null && byRef !== null) throw new Error('offer: both credential_offer and credential_offer_uri');
  if (byValue !== null) return { offer: checkOffer(JSON.parse(byValue)) };
  if (byRef !== null) return { offerUri: checkedUrl(byRef).href };
  throw new Error('offer: neither credential_offer nor credential_offer_uri');
}

/**
 * What the offer asks of the user before receiving: the issuer and the transaction code.
 * @param {string} link
 * @param {{fetch?: typeof fetch}} [options]
 * @returns {Promise<{offer: object, issuer: string, txCode: null|{input_mode?: string, length?: number, description?: string}}>}
 */
export async function resolveOffer(link, { fetch: fetchFn = globalThis.fetch } = {}) {
  const ref = parseOfferLink(link);
  const offer = ref.offer ?? checkOffer(await sendJson('offer', ref.offerUri, {}, fetchFn));
  const grant = offer.grants[PRE_AUTH];
  return { offer, issuer: offer.credential_issuer, txCode: grant.tx_code ?? null };
}

/**
 * The well-known URL: `/.well-known/<name>` inserted between the origin and the path.
 * @param {string} identifier e.g. `https://host/issuers/RHQ`
 * @param {string} name `openid-credential-issuer` or `oauth-authorization-server`
 * @returns {string}
 */
export function wellKnownUrl(identifier, name) {
  const url = checkedUrl(identifier);
  if (url.search) throw new Error('an issuer identifier has no query');
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/${name}${path}`;
}

/**
 * Receives every credential of an offer (pre-authorised code flow), all or nothing.
 * @param {string} link the offer link
 * @param {string|null} txCode the transaction code, if the offer asks for one
 * @param {object} options
 * @param {CryptoKeyPair} options.key the device key (its private half may be non-extractable)
 * @param {number} [options.now] Unix seconds (default: the clock)
 * @param {typeof fetch} [options.fetch]
 * @param {import('./store.js').Store} [options.store] if given, the credentials are stored
 *   (all at once) before the issuer is told `credential_accepted`
 * @returns {Promise<ReceivedCredential[]>}
 */
export async function receive(link, txCode, { key, now = Math.floor(Date.now() / 1000), fetch: fetchFn = globalThis.fetch, store } = {}) {
  const { offer, issuer, txCode: txSpec } = await resolveOffer(link, { fetch: fetchFn });
  checkedUrl(issuer);
  if (txSpec) {
    if (typeof txCode !== 'string') throw new Error('offer: a transaction code is required');
    if (txSpec.length !== undefined && txCode.length !== txSpec.length) throw new Error(`offer: the transaction code has ${txSpec.length} characters`);
    if ((txSpec.input_mode ?? 'numeric') === 'numeric' && !/^\d+$/.test(txCode)) throw new Error('offer: the transaction code is digits');
  }
  const grant = offer.grants[PRE_AUTH];

  const metadata = await sendJson('issuer metadata', wellKnownUrl(issuer, 'openid-credential-issuer'), {}, fetchFn);
  if (metadata.credential_issuer !== issuer) throw new Error('issuer metadata: credential_issuer is not the offer\'s issuer');
  checkConfigurations(offer, metadata);
  const tokenEndpoint = await fetchTokenEndpoint(issuer, metadata, grant, fetchFn);

  const tokenForm = { grant_type: PRE_AUTH, 'pre-authorized_code': grant['pre-authorized_code'] };
  if (txSpec) tokenForm.tx_code = txCode;
  const token = await sendJson('token', tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form(tokenForm),
  }, fetchFn);
  if (typeof token.access_token !== 'string' || String(token.token_type).toLowerCase() !== 'bearer') {
    throw new Error('token: no Bearer access_token');
  }
  const session = { issuer, metadata, accessToken: token.access_token, fetchFn };
  const deviceJwk = await publicJwk(key);
  const deviceThumbprint = await thumbprint(deviceJwk);

  const received = [];
  const notificationIds = [];
  try {
    for (const target of targets(offer, token, metadata)) {
      const { credentials, notificationId } = await fetchCredential(session, target, key, deviceJwk, deviceThumbprint, now);
      if (notificationId) notificationIds.push(notificationId);
      received.push(...credentials);
    }
    if (store) await store.putCredentials(received);
  } catch (e) {
    await notifyAll(session, notificationIds, 'credential_failure', e.message);
    throw e;
  }
  for (const id of notificationIds) await notify(session, id, 'credential_accepted');
  return received;
}

/** @param {any} offer @returns {object} */
function checkOffer(offer) {
  if (!offer || typeof offer.credential_issuer !== 'string') throw new Error('offer: no credential_issuer');
  if (!Array.isArray(offer.credential_configuration_ids) || offer.credential_configuration_ids.length === 0) {
    throw new Error('offer: no credential_configuration_ids');
  }
  const grant = offer.grants?.[PRE_AUTH];
  if (!grant || typeof grant['pre-authorized_code'] !== 'string') {
    throw new Error('offer: no pre-authorized_code grant (the Authorization Code Flow is not supported)');
  }
  return offer;
}

/** Section 12.2.4: every offered configuration is dc+sd-jwt, bound to a jwk, ES256 jwt proofs. */
function checkConfigurations(offer, metadata) {
  for (const enc of [metadata.credential_request_encryption, metadata.credential_response_encryption]) {
    if (enc?.encryption_required === true) throw new Error('the issuer requires encrypted credential requests or responses');
  }
  if (typeof metadata.credential_endpoint !== 'string') throw new Error('issuer metadata: no credential_endpoint');
  for (const id of offer.credential_configuration_ids) {
    const config = metadata.credential_configurations_supported?.[id];
    if (!config) throw new Error(`offered configuration ${id} is not in the metadata`);
    if (config.format !== FORMAT) throw new Error(`configuration ${id} is not ${FORMAT}`);
    const methods = config.cryptographic_binding_methods_supported;
    if (methods && !methods.includes('jwk')) throw new Error(`configuration ${id} does not bind to a jwk`);
    const types = config.proof_types_supported;
    if (types && !types.jwt?.proof_signing_alg_values_supported?.includes(ES256)) {
      throw new Error(`configuration ${id} does not take ES256 jwt key proofs`);
    }
  }
}

async function fetchTokenEndpoint(issuer, metadata, grant, fetchFn) {
  let server = issuer;
  const list = metadata.authorization_servers;
  if (Array.isArray(list)) {
    if (grant.authorization_server !== undefined) {
      if (!list.includes(grant.authorization_server)) throw new Error('offer: authorization_server is not one of the issuer\'s');
      server = grant.authorization_server;
    } else if (list.length > 0) {
      server = list[0];
    } else {
      throw new Error('issuer metadata: authorization_servers is empty');
    }
  }
  const as = await sendJson('authorization server metadata', wellKnownUrl(server, 'oauth-authorization-server'), {}, fetchFn);
  if (as.issuer !== server) throw new Error('authorization server metadata: issuer mismatch');
  if (typeof as.token_endpoint !== 'string') throw new Error('authorization server metadata: no token_endpoint');
  return as.token_endpoint;
}

/** Each credential_identifier granted (section 6.2), or each offered configuration. */
function targets(offer, token, metadata) {
  const details = (token.authorization_details ?? []).filter((d) => d.type === 'openid_credential');
  if (details.length === 0) {
    return offer.credential_configuration_ids.map((id) => ({ configurationId: id, request: { credential_configuration_id: id } }));
  }
  return details.flatMap((d) => {
    if (!metadata.credential_configurations_supported?.[d.credential_configuration_id]) {
      throw new Error(`token: configuration ${d.credential_configuration_id} is not in the metadata`);
    }
    if (!Array.isArray(d.credential_identifiers) || d.credential_identifiers.length === 0) {
      throw new Error('token: authorization_details without credential_identifiers');
    }
    return d.credential_identifiers.map((id) => ({
      configurationId: d.credential_configuration_id,
      identifier: id,
      request: { credential_identifier: id },
    }));
  });
}

/** Nonce, credential request (retried once on invalid_nonce), receipt checks. */
async function fetchCredential(session, target, key, deviceJwk, deviceThumbprint, now) {
  const { metadata, issuer, fetchFn } = session;
  let response;
  for (let attempt = 0; ; attempt++) {
    const proof = await makeProof(session, key, deviceJwk, now);
    try {
      response = await sendJson('credential', metadata.credential_endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...target.request, proofs: { jwt: [proof] } }),
      }, fetchFn);
      break;
    } catch (e) {
      if (attempt === 0 && e instanceof ServerError && e.code === 'invalid_nonce') continue;
      throw e;
    }
  }
  if (response.transaction_id !== undefined) throw new Error('deferred issuance is not supported');
  if (!Array.isArray(response.credentials) || response.credentials.length === 0) throw new Error('credential: no credentials');
  const vct = metadata.credential_configurations_supported[target.configurationId].vct;
  const credentials = [];
  try {
    for (const issued of response.credentials) {
      const text = issued.credential;
      const checked = await checkCredential(text, issuer, vct, deviceThumbprint, now);
      credentials.push({
        id: checked.id,
        sd_jwt: text,
        issuer,
        vct: checked.vct,
        configuration_id: target.configurationId,
        credential_identifier: target.identifier ?? null,
        received_at: now,
      });
    }
  } catch (e) {
    if (response.notification_id) await notifyAll(session, [response.notification_id], 'credential_failure', e.message);
    throw e;
  }
  return { credentials, notificationId: response.notification_id };
}

/** A JWT key proof: typ openid4vci-proof+jwt, jwk header, aud = issuer, nonce, iat. */
async function makeProof(session, key, deviceJwk, now) {
  const payload = { aud: session.issuer, iat: now };
  if (session.metadata.nonce_endpoint) {
    const nonce = await sendJson('nonce', session.metadata.nonce_endpoint, { method: 'POST' }, session.fetchFn);
    if (typeof nonce.c_nonce !== 'string') throw new Error('nonce: no c_nonce');
    payload.nonce = nonce.c_nonce;
  }
  return signJws({ typ: 'openid4vci-proof+jwt', jwk: deviceJwk }, payload, key.privateKey);
}

/**
 * The holder's receipt checks (crates/holder/src/receive.rs `check_credential`): a string
 * SD-JWT VC without KB-JWT, `typ` `dc+sd-jwt`, `iss` the offer's issuer, `vct` the
 * configuration's, `cnf.jwk` the device key, not expired. The issuer's signature is checked by
 * whoever verifies a presentation, against the trust list.
 * @param {unknown} text
 * @param {string} issuer
 * @param {string|undefined} expectedVct
 * @param {string} deviceThumbprint RFC 7638 thumbprint of the device key
 * @param {number} now
 * @returns {Promise<{id: string, vct: string}>}
 */
export async function checkCredential(text, issuer, expectedVct, deviceThumbprint, now) {
  if (typeof text !== 'string') throw new Error('credential: a dc+sd-jwt credential must be a string');
  const sd = await parseSdJwt(text);
  if (sd.kbJwt !== null) throw new Error('credential: an issued credential must not carry a Key Binding JWT');
  const { header, payload } = sd.jws;
  if (header.typ !== FORMAT) throw new Error(`credential: typ is ${header.typ}, expected ${FORMAT}`);
  if (payload.iss !== issuer) throw new Error('credential: iss is not the offer\'s issuer');
  if (typeof payload.vct !== 'string') throw new Error('credential: no vct');
  if (expectedVct !== undefined && payload.vct !== expectedVct) throw new Error('credential: vct is not the configuration\'s');
  if (!payload.cnf?.jwk) throw new Error('credential: no cnf.jwk: not bound to this wallet');
  if ((await thumbprint(payload.cnf.jwk)) !== deviceThumbprint) throw new Error('credential: cnf.jwk is not this wallet\'s device key');
  if (Number.isInteger(payload.exp) && payload.exp <= now) throw new Error('credential: already expired');
  parseJws(sd.jwt);
  return { id: await sha256b64(text), vct: payload.vct };
}

async function notify(session, notificationId, event, description) {
  const endpoint = session.metadata.notification_endpoint;
  if (!endpoint) return;
  const body = { notification_id: notificationId, event };
  if (description) body.event_description = description.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 200);
  await send('notification', endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }, session.fetchFn);
}

/** Best effort: the failure being reported matters more than a failure to report it. */
async function notifyAll(session, ids, event, description) {
  for (const id of ids) {
    try {
      await notify(session, id, event, description);
    } catch { /* ignored */ }
  }
}
