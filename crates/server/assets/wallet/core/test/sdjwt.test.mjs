import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, processClaims, disclosablePaths, select, present } from '../sdjwt.js';
import { parseJws, verifyJws, sha256b64 } from '../jose.js';

const vectors = new URL('../../../../../sd-jwt/tests/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, vectors)));
const main = load('rfc9901/main_example.json');
const files = ['rfc9901/main_example.json', 'rfc9901/appendix_a1_simple_structured.json',
  'rfc9901/appendix_a2_complex_structured.json', 'rfc9901/appendix_a3_sd_jwt_vc_pid.json'];

/** The processed payload of a presentation, as the published example gives it (no KB-JWT claims). */
const strip = (claims) => {
  const { _sd_alg, ...rest } = claims;
  return rest;
};

test('RFC 9901 examples: every published disclosure digest reproduces', async () => {
  for (const f of files) {
    const v = load(f);
    const sd = await parse(v.sd_jwt_issued ?? v.presentation);
    for (const d of v.disclosures) {
      const mine = sd.disclosures.find((x) => x.text === d.disclosure);
      if (!mine) continue;
      assert.equal(mine.digest, d.digest, `${f} ${d.disclosure}`);
    }
  }
});

test('RFC 9901 examples: presentations process to the published payloads', async () => {
  for (const f of files) {
    const v = load(f);
    const sd = await parse(v.presentation);
    assert.deepEqual(strip(processClaims(sd).claims), strip(v.expected_processed_payload_presentation), f);
  }
});

test('RFC 9901 section 5.2: the published presentation KB-JWT signs over its sd_hash', async () => {
  const sd = await parse(main.presentation);
  const kb = parseJws(sd.kbJwt);
  await verifyJws(kb, main.holder_public_jwk);
  const prefix = main.presentation.slice(0, main.presentation.length - sd.kbJwt.length);
  assert.equal(kb.payload.sd_hash, await sha256b64(prefix));
  assert.equal(kb.payload.sd_hash, main.kb_jwt_payload.sd_hash);
});

test('select keeps the chosen disclosures and their parents; present appends a valid KB-JWT', async () => {
  const holder = await crypto.subtle.importKey('jwk', main.holder_private_jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const sd = await parse(main.sd_jwt_issued);
  const paths = disclosablePaths(sd).map((p) => p.join('.'));
  assert.ok(paths.includes('given_name') && paths.includes('address'), paths.join());
  // The published presentation discloses given_name, family_name, address and one nationality.
  const chosen = [['given_name'], ['family_name'], ['address'], ['nationalities', 0]];
  const prefix = select(sd, chosen);
  const reduced = await parse(prefix);
  assert.deepEqual(strip(processClaims(reduced).claims), strip(main.expected_processed_payload_presentation));
  const presentation = await present(main.sd_jwt_issued, chosen, { aud: 'https://verifier.example.org', nonce: 'n-0S6_WzA2Mj', iat: 1, key: holder });
  const shown = await parse(presentation);
  const kb = parseJws(shown.kbJwt);
  assert.equal(kb.header.typ, 'kb+jwt');
  assert.equal(kb.payload.sd_hash, await sha256b64(prefix));
  assert.deepEqual({ aud: kb.payload.aud, nonce: kb.payload.nonce, iat: kb.payload.iat },
    { aud: 'https://verifier.example.org', nonce: 'n-0S6_WzA2Mj', iat: 1 });
  await verifyJws(kb, main.holder_public_jwk);
  // A nested selection pulls in its concealed parent (appendix A.2).
  const a2 = load('rfc9901/appendix_a2_complex_structured.json');
  const sdA2 = await parse(a2.sd_jwt_issued ?? a2.presentation);
  const nested = disclosablePaths(sdA2).find((p) => p.length > 1);
  if (nested) {
    const kept = await parse(select(sdA2, [nested]));
    const keptPaths = disclosablePaths(kept).map((p) => JSON.stringify(p));
    for (let n = 1; n <= nested.length; n++) {
      const prefixPath = JSON.stringify(nested.slice(0, n));
      if (disclosablePaths(sdA2).some((p) => JSON.stringify(p) === prefixPath)) assert.ok(keptPaths.includes(prefixPath), prefixPath);
    }
  }
});

test('refused: a disclosure twice, an unreferenced disclosure, a bad disclosure', async () => {
  const sd = await parse(main.sd_jwt_issued);
  const d = sd.disclosures[0].text;
  await assert.rejects(async () => processClaims(await parse(`${main.sd_jwt_issued}${d}~`)), /twice/);
  const stray = Buffer.from('["salt","extra","x"]').toString('base64url');
  await assert.rejects(async () => processClaims(await parse(`${sd.jwt}~${stray}~`)), /not referenced/);
  const badName = Buffer.from('["salt","_sd","x"]').toString('base64url');
  await assert.rejects(parse(`${sd.jwt}~${badName}~`), /bad disclosed name/);
  await assert.rejects(parse(`${sd.jwt}~WyJhIl0~`), /disclosure/);
});
