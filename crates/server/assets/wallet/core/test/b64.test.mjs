import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, decode, decodeStd, utf8, fromUtf8 } from '../b64.js';

test('RFC 4648 section 10 vectors, without padding', () => {
  const vectors = { '': '', f: 'Zg', fo: 'Zm8', foo: 'Zm9v', foob: 'Zm9vYg', fooba: 'Zm9vYmE', foobar: 'Zm9vYmFy' };
  for (const [plain, coded] of Object.entries(vectors)) {
    assert.equal(encode(plain), coded);
    assert.equal(fromUtf8(decode(coded)), plain);
  }
});

test('url-safe alphabet and round trip of every byte', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(decode(encode(all)), all);
  assert.equal(encode(new Uint8Array([0xfb, 0xff])), '-_8');
});

test('strict: padding, bad characters, impossible length, non-zero trailing bits refused', () => {
  for (const bad of ['Zg==', 'Zm9v+', 'Zm9v/', 'Zm 9v', 'Z', 'Zh', 'Zm9=', '\u00e9']) {
    assert.throws(() => decode(bad), /base64url/, bad);
  }
});

test('standard base64 for x5c', () => {
  assert.deepEqual(decodeStd('+/8='), new Uint8Array([0xfb, 0xff]));
  assert.throws(() => decodeStd('-_8'));
});

test('UTF-8 is strict', () => {
  assert.equal(fromUtf8(utf8('Zoë')), 'Zoë');
  assert.throws(() => fromUtf8(new Uint8Array([0xc3])));
});
