import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, fromUtf8 } from '../b64.js';
import { generateDeviceKey, publicJwk, thumbprint, parseJws, verifyJws, sha256b64 } from '../jose.js';
import { issue, parse, processClaims, present } from '../sdjwt.js';
import {
  declare, declared, saveDeclaration, checkDetails, SELF_DECLARED_VCT, DETAILS,
} from '../declare.js';
import { disclosureFor } from '../dcql.js';
import { memoryStore } from '../store.js';

const DETAILS_IN = {
  preferredName: 'Amy',
  email: 'amara.okafor@example.com',
  phone: '07700 900123',
  address: { lines: ['1 Example Street', 'Leeds'], postcode: 'LS1 4AP' },
  emergencyContacts: [{ name: 'Chidi Okafor', relationship: 'Brother', phone: '07700 900456' }],
  nationalInsuranceNumber: 'AB123456C',
};

test('declare makes what the Rust holder makes: header, envelope, one disclosure per detail, signed by the device key', async () => {
  const key = await generateDeviceKey();
  const jwk = await publicJwk(key);
  const kid = await thumbprint(jwk);
  const made = await declare(DETAILS_IN, key, 1_800_000_000);
  assert.equal(made.vct, SELF_DECLARED_VCT);
  assert.equal(made.issuer, `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${kid}`);
  assert.equal(made.id, await sha256b64(made.sd_jwt));
  assert.equal(made.configuration_id, 'SelfDeclaredDetails');
  assert.ok(made.sd_jwt.endsWith('~'), 'no KB-JWT on the stored form');

  const sd = await parse(made.sd_jwt);
  assert.deepEqual(sd.jws.header, { alg: 'ES256', typ: 'dc+sd-jwt', kid });
  const p = sd.jws.payload;
  // serde_json with preserve_order writes the envelope, recordType, then _sd and _sd_alg.
  assert.deepEqual(Object.keys(p), ['iss', 'vct', 'iat', 'cnf', 'recordType', '_sd', '_sd_alg']);
  assert.equal(p.iss, made.issuer);
  assert.equal(p.iat, 1_800_000_000);
  assert.deepEqual(p.cnf, { jwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } });
  assert.equal(p.recordType, 'SelfDeclaredDetails');
  assert.equal(p._sd_alg, 'sha-256');
  assert.ok(!('status' in p) && !('exp' in p), 'no status, no expiry');
  await verifyJws(sd.jws, p.cnf.jwk);

  // Every detail is its own disclosure, in schema order, compact JSON, a fresh 128-bit salt.
  assert.deepEqual(sd.disclosures.map((d) => d.name), DETAILS);
  const salts = new Set();
  for (const d of sd.disclosures) {
    assert.equal(decode(d.salt).length, 16);
    salts.add(d.salt);
    assert.equal(fromUtf8(decode(d.text)), JSON.stringify([d.salt, d.name, d.value]));
  }
  assert.equal(salts.size, DETAILS.length);
  // Decoys: 0 to 3 digests more than disclosures, and the digests sorted.
  const extra = p._sd.length - DETAILS.length;
  assert.ok(extra >= 0 && extra <= 3, `${extra} decoys`);
  assert.deepEqual(p._sd, [...p._sd].sort());
  const { claims } = processClaims(sd);
  for (const n of DETAILS) assert.deepEqual(claims[n], DETAILS_IN[n]);
});

test('a declaration presents a subset with a KB-JWT by the same key', async () => {
  const key = await generateDeviceKey();
  const made = await declare(DETAILS_IN, key, 1_800_000_000);
  const shown = await present(made.sd_jwt, [['recordType'], ['preferredName']], { aud: 'x509_hash:abc', nonce: 'n-0123456789abcdef', iat: 1_800_000_001, key: key.privateKey });
  const sd = await parse(shown);
  assert.deepEqual(sd.disclosures.map((d) => d.name), ['preferredName']);
  const kb = parseJws(sd.kbJwt);
  await verifyJws(kb, await publicJwk(key));
  assert.equal(kb.payload.sd_hash, await sha256b64(shown.slice(0, shown.length - sd.kbJwt.length)));
});

test('refused: details that break the schema, unknown details, nothing to declare', async () => {
  const key = await generateDeviceKey();
  // Baseline: the same call with good details succeeds.
  await declare({ nationalInsuranceNumber: 'AB123456C' }, key, 1);
  for (const bad of [
    { nationalInsuranceNumber: 'QQ123456C' }, // Q never starts an NI number
    { nationalInsuranceNumber: 'GB123456A' }, // an administrative prefix
    { nationalInsuranceNumber: 'AB123456E' },
    { nationalInsuranceNumber: 'ab123456c' },
    { email: 'not an email' },
    { email: 'a@b' },
    { phone: '12' },
    { address: { postcode: 'LS1 4AP' } },
    { address: { lines: ['1 Street'], postcode: 'LS1' } },
    { emergencyContacts: [{ name: 'Chidi', relationship: 'Brother' }] },
    { preferredName: '' },
    { preferredName: 'x'.repeat(201) },
    { recordType: 'SelfDeclaredDetails' },
    { salary: '1' },
  ]) {
    await assert.rejects(declare(bad, key, 1), /not valid/, JSON.stringify(bad));
  }
  await assert.rejects(declare({}, key, 1), /nothing to declare/);
  assert.doesNotThrow(() => checkDetails(DETAILS_IN));
});

test('issue refuses what the Rust issuer refuses', async () => {
  const key = await generateDeviceKey();
  const ok = { header: { typ: 'dc+sd-jwt' }, payload: { iss: 'x', a: 1 }, disclosable: ['a'], key: key.privateKey };
  await issue(ok);
  await assert.rejects(issue({ ...ok, disclosable: ['iss'] }), /must not be selectively disclosable/);
  await assert.rejects(issue({ ...ok, disclosable: ['b'] }), /no claim b/);
  await assert.rejects(issue({ ...ok, payload: { _sd: [], a: 1 } }), /_sd/);
  await assert.rejects(issue({ ...ok, payload: { a: { '...': 'x' } } }), /reserved/);
});

test('saving replaces the one declaration; saving nothing removes it', async () => {
  const store = memoryStore();
  const key = await generateDeviceKey();
  assert.equal(await declared(store), null);
  const first = await saveDeclaration(store, { preferredName: 'Amy' }, key, 1);
  const second = await saveDeclaration(store, { preferredName: 'Amara', phone: '07700 900123' }, key, 2);
  assert.notEqual(first.id, second.id);
  const held = await store.listCredentials();
  assert.deepEqual(held.map((c) => c.id), [second.id]);
  assert.deepEqual((await declared(store)).details, { preferredName: 'Amara', phone: '07700 900123' });
  // A bad detail changes nothing.
  await assert.rejects(saveDeclaration(store, { phone: 'x' }, key, 3));
  assert.deepEqual((await store.listCredentials()).map((c) => c.id), [second.id]);
  assert.equal(await saveDeclaration(store, {}, key, 4), null);
  assert.deepEqual(await store.listCredentials(), []);
});

test('a detail left out: the query of every subset (as HR asks) is met by the rest', async () => {
  // As crates/server/src/verifier/request.rs asks: recordType plus every subset of the details.
  const ids = DETAILS.map((_, i) => `c${i + 1}`);
  const sets = [];
  for (let m = (1 << DETAILS.length) - 1; m >= 0; m--) sets.push(['c0', ...ids.filter((_, i) => m & (1 << i))]);
  sets.sort((a, b) => b.length - a.length);
  const cq = {
    id: 'self_declared', format: 'dc+sd-jwt', meta: { vct_values: [SELF_DECLARED_VCT] },
    claims: [{ id: 'c0', path: ['recordType'] }, ...DETAILS.map((n, i) => ({ id: ids[i], path: [n] }))],
    claim_sets: sets,
  };
  const key = await generateDeviceKey();
  const { claims } = processClaims(await parse((await declare(DETAILS_IN, key, 1)).sd_jwt));
  assert.deepEqual(disclosureFor(cq, SELF_DECLARED_VCT, claims), [['recordType'], ...DETAILS.map((n) => [n])]);
  const { nationalInsuranceNumber, ...rest } = claims;
  assert.ok(nationalInsuranceNumber);
  assert.deepEqual(disclosureFor(cq, SELF_DECLARED_VCT, rest), [['recordType'], ...DETAILS.filter((n) => n !== 'nationalInsuranceNumber').map((n) => [n])]);
  const { recordType, ...noType } = claims;
  assert.ok(recordType);
  assert.equal(disclosureFor(cq, SELF_DECLARED_VCT, noType), null, 'recordType cannot be left out');
});
