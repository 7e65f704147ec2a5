import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, decode } from '../b64.js';
import {
  generateDeviceKey, publicJwk, thumbprint, signJws, parseJws, verifyJws, concatKdf, encryptJwe, decryptJwe,
} from '../jose.js';

test('sign and verify ES256 with a non-extractable key; by JWK and by SPKI', async () => {
  const key = await generateDeviceKey();
  assert.equal(key.privateKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('jwk', key.privateKey));
  const jwk = await publicJwk(key);
  const jws = await signJws({ typ: 'x+jwt' }, { a: 1 }, key.privateKey);
  const parsed = parseJws(jws);
  assert.equal(parsed.header.alg, 'ES256');
  await verifyJws(parsed, jwk);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', key.publicKey));
  await verifyJws(parsed, spki);
  const other = await publicJwk(await generateDeviceKey());
  await assert.rejects(verifyJws(parsed, other), /does not verify/);
});

test('parse refuses alg none, HS256, crit, duplicate members, bad signature length', async () => {
  const key = await generateDeviceKey();
  const [, payload, sig] = (await signJws({}, { a: 1 }, key.privateKey)).split('.');
  const h = (json) => encode(json);
  assert.throws(() => parseJws(`${h('{"alg":"none"}')}.${payload}.`), /not allowed/);
  assert.throws(() => parseJws(`${h('{"alg":"HS256"}')}.${payload}.${sig}`), /not allowed/);
  assert.throws(() => parseJws(`${h('{"alg":"ES256","crit":["x"]}')}.${payload}.${sig}`), /crit/);
  assert.throws(() => parseJws(`${h('{"alg":"ES256","alg":"ES256"}')}.${payload}.${sig}`), /repeated/);
  assert.throws(() => parseJws(`${h('{"alg":"ES256"}')}.${h('{"a":1,"a":2}')}.${sig}`), /repeated/);
  assert.throws(() => parseJws(`${h('{"alg":"ES256"}')}.${payload}.${sig.slice(4)}`), /64 bytes/);
  assert.throws(() => parseJws(`${h('{"alg":"ES256"}')}.${payload}`), /three parts/);
});

test('RFC 7638 section 3.1 thumbprint example is an RSA key; an EC key hashes its canonical JSON', async () => {
  const jwk = { kty: 'EC', crv: 'P-256', x: 'b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ', y: 'Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8', kid: 'ignored' };
  const canonical = `{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  const expected = encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))));
  assert.equal(await thumbprint(jwk), expected);
  await assert.rejects(thumbprint({ ...jwk, d: 'x' }), /private/);
});

test('RFC 7518 appendix C: Concat KDF of the published ECDH-ES example', async () => {
  const alice = { kty: 'EC', crv: 'P-256', x: 'gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0', y: 'SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps', d: '0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo' };
  const bob = { kty: 'EC', crv: 'P-256', x: 'weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ', y: 'e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck', d: 'VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw' };
  const ecdh = { name: 'ECDH', namedCurve: 'P-256' };
  const alicePriv = await crypto.subtle.importKey('jwk', alice, ecdh, false, ['deriveBits']);
  const bobPub = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: bob.x, y: bob.y }, ecdh, false, []);
  const z = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: bobPub }, alicePriv, 256));
  assert.deepEqual([...z], [158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49, 110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196]);
  const key = await concatKdf(z, 'A128GCM', 16, new TextEncoder().encode('Alice'), new TextEncoder().encode('Bob'));
  assert.equal(encode(key), 'VqqN6vgjbSBcIijNcacQGg');
});

test('JWE round trip, A128GCM and A256GCM, header shape; tampering refused', async () => {
  const ecdh = { name: 'ECDH', namedCurve: 'P-256' };
  const recipient = await crypto.subtle.generateKey(ecdh, false, ['deriveBits']);
  const jwk = { ...(await publicJwk(recipient)), kid: 'k1', alg: 'ECDH-ES', use: 'enc' };
  for (const enc of ['A128GCM', 'A256GCM']) {
    const jwe = await encryptJwe('{"vp_token":{}}', jwk, enc);
    const parts = jwe.split('.');
    assert.equal(parts.length, 5);
    assert.equal(parts[1], '');
    assert.equal(decode(parts[2]).length, 12);
    const { header, plaintext } = await decryptJwe(jwe, recipient.privateKey);
    assert.deepEqual(Object.keys(header), ['alg', 'enc', 'kid', 'epk']);
    assert.equal(header.kid, 'k1');
    assert.equal(new TextDecoder().decode(plaintext), '{"vp_token":{}}');
    const flipped = parts.slice();
    flipped[3] = encode(decode(parts[3]).map((b, i) => (i === 0 ? b ^ 1 : b)));
    await assert.rejects(decryptJwe(flipped.join('.'), recipient.privateKey));
  }
  await assert.rejects(encryptJwe('x', { ...jwk, alg: 'ECDH-ES+A128KW' }, 'A128GCM'), /ECDH-ES/);
  await assert.rejects(encryptJwe('x', jwk, 'A192GCM'), /not supported/);
});
