import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '../b64.js';
import { generateDeviceKey, publicJwk, thumbprint, parseJws, verifyJws } from '../jose.js';
import {
  accessLogProof, nodeOf, nodesOf, fetchAccessLog, checkLog, PROOF_TYP,
} from '../accesslog.js';

const NODE = 'https://passport.example.nhs.uk';

test('the proof is an ES256 JWS by the non-extractable device key: typ, jwk, aud, iat, a fresh jti', async () => {
  const key = await generateDeviceKey();
  assert.equal(key.privateKey.extractable, false);
  const proof = await accessLogProof(key, NODE, { now: 1_800_000_000 });
  const jws = parseJws(proof);
  assert.deepEqual(jws.header, { typ: PROOF_TYP, jwk: await publicJwk(key), alg: 'ES256' });
  assert.equal('kid' in jws.header, false, 'the key is the jwk, named no other way');
  assert.deepEqual(Object.keys(jws.payload), ['aud', 'iat', 'jti']);
  assert.equal(jws.payload.aud, NODE);
  assert.equal(jws.payload.iat, 1_800_000_000);
  assert.match(jws.payload.jti, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(decode(jws.payload.jti).length, 16);
  await verifyJws(jws, await publicJwk(key));
  // Each proof is single-use: a new one gets a new jti.
  const again = parseJws(await accessLogProof(key, NODE, { now: 1_800_000_000 }));
  assert.notEqual(again.payload.jti, jws.payload.jti);
  // Another key's signature does not verify with this key.
  const other = await generateDeviceKey();
  await assert.rejects(verifyJws(parseJws(await accessLogProof(other, NODE)), await publicJwk(key)));
  await assert.rejects(accessLogProof(key, ''), /no node/);
});

test('the node is the Response URI before its verifier path, as the Rust holder reads it', () => {
  const cases = [
    ['https://passport.example.nhs.uk/verifiers/R0A/responses/tr-1', 'https://passport.example.nhs.uk'],
    ['http://127.0.0.1:8080/passport/verifiers/R0A/responses/tr-1', 'http://127.0.0.1:8080/passport'],
    ['https://other.example/direct_post', null],
    ['https://x.example/verifiers/R0A/responses/', null],
    ['https://x.example/verifiers/R0A/responses/tr-1/more', null],
    ['https://x.example/verifiers/R0A/responses/tr-1?x=1', null],
    ['/verifiers/R0A/responses/tr-1', null],
    [undefined, null],
  ];
  for (const [uri, node] of cases) assert.equal(nodeOf(uri), node, String(uri));
  const history = [
    { outcome: 'shared', response_uri: `${NODE}/verifiers/R0A/responses/tr-1` },
    { outcome: 'declined', response_uri: 'https://declined.example/verifiers/RHQ/responses/tr-2' },
    { outcome: 'shared' },
    { outcome: 'shared', response_uri: `${NODE}/verifiers/RTH/responses/tr-3` },
    { outcome: 'shared', response_uri: 'https://b.example/verifiers/R0A/responses/tr-4' },
  ];
  assert.deepEqual(nodesOf(history), [NODE, 'https://b.example']);
});

test('the log is asked for with a form holding one fresh proof, and must be about this node and key', async () => {
  const key = await generateDeviceKey();
  const jkt = await thumbprint(await publicJwk(key));
  const answer = { node: NODE, key: jkt, retention_days: 90, truncated: false, requests: [] };
  let sent;
  const fakeFetch = async (url, init) => {
    sent = { url, init };
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const log = await fetchAccessLog(NODE, key, { now: 1_800_000_000, fetch: fakeFetch });
  assert.deepEqual(log, answer);
  assert.equal(sent.url, `${NODE}/access-log`);
  assert.equal(sent.init.method, 'POST');
  assert.equal(sent.init.headers['content-type'], 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(sent.init.body);
  assert.deepEqual([...form.keys()], ['proof']);
  assert.equal(parseJws(form.get('proof')).payload.aud, NODE);

  assert.throws(() => checkLog({ ...answer, node: 'https://other.example' }, NODE, jkt), /another node/);
  assert.throws(() => checkLog({ ...answer, key: 'someone-else' }, NODE, jkt), /another key/);
  const bad = { ...answer, requests: [{ id: 'tr-1', organisation: { ods: 'R0A', name: 'B' }, role: 'FY2', audience: 'hr', asked_at: 1, entries: [{ at: 'yesterday', what: 'viewed', role: 'hr', action: 'view-transfer' }] }] };
  assert.throws(() => checkLog(bad, NODE, jkt), /malformed/);
  // Plain http is followed only to loopback addresses.
  await assert.rejects(fetchAccessLog('http://passport.example.nhs.uk', key, { fetch: fakeFetch }), /only https/);
});
