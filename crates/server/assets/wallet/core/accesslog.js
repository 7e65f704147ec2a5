// The person's own access log (crates/access-log, crates/holder/src/access_log.rs): for each
// node the wallet shared with, a proof signed by the device key asks which organisation's teams
// looked at what was shared, and when. The node answers only about requests this key answered.
//
// The proof: a compact JWS, header {alg: ES256, typ: passport-access-log+jwt, jwk: the public
// device key}, payload {aud: the node's public URL, iat: now, jti: 128 random bits}. It is
// accepted for a minute and once; a new one is made for every request.

import { encode } from './b64.js';
import { signJws, publicJwk, thumbprint } from './jose.js';
import { sendJson, form, checkedUrl } from './http.js';

export const PROOF_TYP = 'passport-access-log+jwt';
/** Where a node serves the log, under its public URL. */
export const PATH = '/access-log';

/**
 * The proof for `node`, signed by the device key (its private half may be non-extractable).
 * @param {CryptoKeyPair} key the device key pair
 * @param {string} node the node's public URL (the `aud`)
 * @param {{now?: number, jti?: string}} [options]
 * @returns {Promise<string>}
 */
export async function accessLogProof(key, node, { now = Math.floor(Date.now() / 1000), jti } = {}) {
  if (typeof node !== 'string' || node === '') throw new Error('access log: no node');
  const id = jti ?? encode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  const header = { typ: PROOF_TYP, jwk: await publicJwk(key) };
  return signJws(header, { aud: node, iat: now, jti: id }, key.privateKey);
}

/**
 * The node a share went to: the Response URI before `/verifiers/{ODS}/responses/{id}`, or null
 * for another shape (a verifier that is not one of ours has no log to ask for).
 * @param {string} responseUri
 * @returns {string|null}
 */
export function nodeOf(responseUri) {
  if (typeof responseUri !== 'string') return null;
  const m = /^(https?:\/\/[^/?#]+(?:\/[^?#]*?)?)\/verifiers\/([^/?#]+)\/responses\/([^/?#]+)$/.exec(responseUri);
  return m ? m[1] : null;
}

/**
 * The nodes the wallet shared with, from its history, in the order first shared with.
 * Declined requests and entries from before the wallet kept the Response URI are left out.
 * @param {import('./store.js').HistoryEntry[]} history
 * @returns {string[]}
 */
export function nodesOf(history) {
  const out = [];
  for (const e of history) {
    const node = e.outcome === 'shared' ? nodeOf(e.response_uri) : null;
    if (node && !out.includes(node)) out.push(node);
  }
  return out;
}

/**
 * Fetches the access log at `node` with a fresh proof, and checks it is about this node and
 * this key and has the documented shape.
 * @param {string} node
 * @param {CryptoKeyPair} key the device key pair
 * @param {{now?: number, fetch?: typeof fetch}} [options]
 * @returns {Promise<AccessLog>}
 */
export async function fetchAccessLog(node, key, { now, fetch: fetchFn = globalThis.fetch } = {}) {
  const url = checkedUrl(`${node}${PATH}`).href;
  const proof = await accessLogProof(key, node, { now });
  const log = await sendJson('access log', url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ proof }),
  }, fetchFn);
  return checkLog(log, node, await thumbprint(await publicJwk(key)));
}

/**
 * @typedef {{at: number, what: string, format?: string, decision?: string, action: string,
 *   role: string, purpose: string}} LogEntry
 * @typedef {{id: string, organisation: {ods: string, name: string}, audience: string,
 *   role: string, asked_at: number, shared_at: number|null,
 *   decision: {outcome: string, at: number|null}|null, deleted: {at: number, reason: string}|null,
 *   entries: LogEntry[], entries_truncated: boolean}} LoggedRequest
 * @typedef {{node: string, key: string, retention_days: number, requests: LoggedRequest[],
 *   truncated: boolean}} AccessLog
 */

/**
 * Checks the answer's shape (strings where text is shown, integers where times are).
 * @returns {AccessLog}
 */
export function checkLog(log, node, key) {
  const fail = (why) => { throw new Error(`access log: ${why}`); };
  if (log.node !== node) fail('the answer is about another node');
  if (log.key !== key) fail('the answer is about another key');
  if (!Array.isArray(log.requests)) fail('no requests');
  const text = (v) => typeof v === 'string';
  const time = (v) => Number.isInteger(v);
  for (const r of log.requests) {
    if (!text(r.id) || !text(r.organisation?.ods) || !text(r.organisation?.name) || !text(r.role)
      || !text(r.audience) || !time(r.asked_at) || !Array.isArray(r.entries)) fail('a request is malformed');
    for (const e of r.entries) {
      if (!time(e.at) || !text(e.what) || !text(e.role) || !text(e.action)) fail('an entry is malformed');
    }
  }
  return log;
}
