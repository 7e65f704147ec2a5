import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCertificate, readOne, time, TAG } from '../der.js';
import { decodeStd } from '../b64.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/verifier-certificate.json', import.meta.url)));
const der = decodeStd(fixture.der_base64);

test('a certificate our Rust code made: O, validity, SPKI', async () => {
  const cert = parseCertificate(der);
  assert.equal(cert.organisation, fixture.organisation);
  assert.equal(cert.notBefore, fixture.not_before);
  assert.equal(cert.notAfter, fixture.not_after);
  assert.deepEqual(cert.spki, decodeStd(fixture.spki_base64));
  assert.equal(cert.publicKey.length, 65);
  const key = await crypto.subtle.importKey('spki', cert.spki, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', key));
  assert.deepEqual(raw, cert.publicKey);
});

test('malformed DER refused: trailing byte, truncation, long-form short length, indefinite', () => {
  assert.throws(() => parseCertificate(new Uint8Array([...der, 0])), /trailing/);
  assert.throws(() => parseCertificate(der.subarray(0, der.length - 1)), /truncated/);
  assert.throws(() => readOne(new Uint8Array([0x04, 0x81, 0x01, 0x00])), /non-minimal/);
  assert.throws(() => readOne(new Uint8Array([0x30, 0x80, 0x00, 0x00])), /indefinite/);
  const tampered = der.slice();
  tampered[0] = 0x31;
  assert.throws(() => parseCertificate(tampered));
});

test('UTCTime and GeneralizedTime', () => {
  const el = (tag, s) => ({ tag, content: new TextEncoder().encode(s) });
  assert.equal(time(el(TAG.UTC_TIME, '491231235959Z')), Date.UTC(2049, 11, 31, 23, 59, 59) / 1000);
  assert.equal(time(el(TAG.UTC_TIME, '500101000000Z')), Date.UTC(1950, 0, 1) / 1000);
  assert.equal(time(el(TAG.GENERALIZED_TIME, '20500101000000Z')), Date.UTC(2050, 0, 1) / 1000);
  for (const [tag, s] of [[TAG.UTC_TIME, '4912312359Z'], [TAG.UTC_TIME, '491231235959+0100'],
    [TAG.GENERALIZED_TIME, '20500230000000Z'], [TAG.GENERALIZED_TIME, '20500101000000.5Z']]) {
    assert.throws(() => time(el(tag, s)), undefined, s);
  }
});
