// Verifies an SD-JWT VC presentation (SD-JWT+KB) with the OpenWallet Foundation implementation
// (@sd-jwt/sd-jwt-vc) and prints the processed claims as JSON on stdout.
//
// Usage: node verify-ours.mjs INPUT.json      (or '-' to read the JSON from standard input)
// INPUT: {"issuer_jwk": {...}, "presentation": "<jwt>~<d1>~...~<kb-jwt>", "nonce": "...",
//         "aud": "...", "now": 1234567890 (optional, seconds), "max_age_secs": 300 (optional)}
//
// The library checks: ES256 issuer signature with issuer_jwk, exp/nbf/iat of the issuer-signed
// JWT, disclosure digests (sha-256 over the disclosure as received), recursive and array-element
// disclosures, and, since keyBindingNonce is given, that a KB-JWT is present, has typ kb+jwt, is
// signed by the cnf.jwk key, carries the expected nonce and the right sd_hash.
// @sd-jwt 0.19.0 does not check the following, which RFC 9901 / the SD-JWT VC draft require, so
// this script checks them itself with the library's own decoding (reported as "interop check"):
//   - the issuer-signed JWT's typ is dc+sd-jwt (SD-JWT VC draft section 3.2.1);
//   - the KB-JWT's aud equals the expected audience and its iat is in an acceptable window
//     (RFC 9901 section 7.3);
//   - every disclosure is referenced by a digest in the issuer-signed JWT, directly or through
//     another disclosure (RFC 9901 section 7.1, step 5: the library silently ignores it instead).
// Exits 1, with the error on stderr, if anything is rejected.
import { readFileSync } from 'node:fs';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { getSDAlgAndPayload, unpack } from '@sd-jwt/decode';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';

/** A check this script adds on top of the library (see above). */
class InteropCheckError extends Error {}

const SKEW_SECS = 60;

async function main() {
  const path = process.argv[2];
  if (!path) throw new Error('usage: node verify-ours.mjs INPUT.json (or - for stdin)');
  const input = JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
  for (const field of ['issuer_jwk', 'presentation', 'nonce', 'aud']) {
    if (input[field] === undefined) throw new Error(`input has no ${field}`);
  }
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const maxAge = input.max_age_secs ?? 300;

  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    verifier: await ES256.getVerifier(input.issuer_jwk),
    // The library hands the KB verifier the processed issuer payload: take the holder key from
    // its cnf.jwk (cnf is never selectively disclosable, so this is the issuer-signed value).
    kbVerifier: async (data, sig, payload) => {
      const jwk = payload?.cnf?.jwk;
      if (!jwk) throw new Error('credential has no cnf.jwk holder key');
      return (await ES256.getVerifier(jwk))(data, sig);
    },
    // No network in tests: a credential with a status reference would need a status list token.
    statusListFetcher: async (uri) => {
      throw new Error(`status list fetching is disabled in the interop tests (${uri})`);
    },
  });

  const result = await sdjwt.verify(input.presentation, {
    currentDate: now,
    skewSeconds: SKEW_SECS,
    keyBindingNonce: input.nonce,
  });

  // --- Checks the library does not perform (see the header comment). ---
  if (result.header?.typ !== 'dc+sd-jwt') {
    throw new InteropCheckError(`issuer-signed JWT typ is ${JSON.stringify(result.header?.typ)}, not "dc+sd-jwt"`);
  }
  const kb = result.kb?.payload;
  if (!kb) throw new InteropCheckError('no verified KB-JWT in the result');
  if (kb.aud !== input.aud) {
    throw new InteropCheckError(`KB-JWT aud ${JSON.stringify(kb.aud)} is not ${JSON.stringify(input.aud)}`);
  }
  if (!Number.isInteger(kb.iat) || kb.iat > now + SKEW_SECS || kb.iat < now - maxAge - SKEW_SECS) {
    throw new InteropCheckError(`KB-JWT iat ${kb.iat} is outside the accepted window (now ${now})`);
  }
  const decoded = await sdjwt.decode(input.presentation);
  const { _sd_alg } = getSDAlgAndPayload(decoded.jwt.payload);
  const { disclosureKeymap } = await unpack(decoded.jwt.payload, decoded.disclosures, digest);
  const referenced = new Set(Object.values(disclosureKeymap));
  for (const d of decoded.disclosures) {
    const dg = await d.digest({ hasher: digest, alg: _sd_alg });
    if (!referenced.has(dg)) {
      throw new InteropCheckError(`disclosure ${d.encode()} is not referenced by any digest`);
    }
  }

  return result.payload;
}

main().then(
  (claims) => process.stdout.write(`${JSON.stringify(claims, null, 2)}\n`),
  (err) => {
    const who =
      err instanceof InteropCheckError
        ? 'interop check (not performed by @sd-jwt 0.19.0 itself)'
        : 'independent library (@sd-jwt)';
    process.stderr.write(`REJECTED by ${who}: ${err?.message ?? err}\n`);
    process.exitCode = 1;
  },
);
