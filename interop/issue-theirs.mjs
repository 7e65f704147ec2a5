// Issues an SD-JWT VC and presents it with a KB-JWT, entirely with the OpenWallet Foundation
// implementation (@sd-jwt/sd-jwt-vc, @sd-jwt/crypto-nodejs), for passport-sd-jwt to verify.
//
// Usage: node issue-theirs.mjs --nonce NONCE --aud AUD
//    or: node issue-theirs.mjs INPUT.json        with INPUT {"nonce": "...", "aud": "..."}
// Prints {issuer_jwk, credential, presentation, nonce, aud, expected_claims, holder_private_jwk}.
// holder_private_jwk is a throw-away key made for this run, so that a test can also act as the
// holder of this credential; nothing here is a real key.
//
// The credential: header typ dc+sd-jwt, ES256; iss, vct, iat, exp, cnf.jwk in the clear; a
// clear flat claim (employer), selectively disclosable flat claims (given_name, family_name), a
// selectively disclosable object (address) whose members are themselves selectively disclosable
// (recursive disclosure), an array with selectively disclosable elements (nationalities), and
// decoy digests at every level. The presentation reveals given_name, address.locality (which
// brings the address disclosure along) and nationalities[1].
import { readFileSync } from 'node:fs';
import { digest, ES256, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';

function parseArgs(argv) {
  const out = {};
  if (argv.length === 1) return JSON.parse(readFileSync(argv[0] === '-' ? 0 : argv[0], 'utf8'));
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    if (!['nonce', 'aud'].includes(name) || argv[i + 1] === undefined) {
      throw new Error('usage: node issue-theirs.mjs --nonce NONCE --aud AUD | INPUT.json');
    }
    out[name] = argv[i + 1];
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const nonce = args.nonce ?? generateSalt(32);
  const aud = args.aud ?? 'x509_hash:interop-verifier.example';

  const issuer = await ES256.generateKeyPair();
  const holder = await ES256.generateKeyPair();
  const sdjwt = new SDJwtVcInstance({
    signer: await ES256.getSigner(issuer.privateKey),
    signAlg: ES256.alg,
    verifier: await ES256.getVerifier(issuer.publicKey),
    kbSigner: await ES256.getSigner(holder.privateKey),
    kbSignAlg: ES256.alg,
    kbVerifier: async (data, sig, payload) => (await ES256.getVerifier(payload.cnf.jwk))(data, sig),
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
  });

  const iat = Math.floor(Date.now() / 1000);
  const payload = {
    iss: 'https://issuer.interop.example',
    vct: 'https://interop.example/vct/staff-identity/v1',
    iat,
    exp: iat + 3600,
    cnf: { jwk: holder.publicKey },
    employer: 'Interop Teaching Hospitals NHS Foundation Trust',
    given_name: 'Siobhán',
    family_name: 'Ó Briain',
    address: {
      street_address: '1 Interop Way',
      locality: 'Leeds',
      postal_code: 'LS1 4AP',
      country: 'GB',
    },
    nationalities: ['GB', 'IE', 'FR'],
  };
  const disclosureFrame = {
    _sd: ['given_name', 'family_name', 'address'],
    _sd_decoy: 2,
    address: { _sd: ['street_address', 'locality', 'postal_code'], _sd_decoy: 1 },
    nationalities: { _sd: [0, 1, 2], _sd_decoy: 1 },
  };
  const credential = await sdjwt.issue(payload, disclosureFrame);

  const presentationFrame = {
    given_name: true,
    address: { locality: true },
    nationalities: { 1: true },
  };
  const presentation = await sdjwt.present(credential, presentationFrame, {
    kb: { payload: { iat: Math.floor(Date.now() / 1000), aud, nonce } },
  });

  // What a verifier must see: the clear claims plus exactly the revealed ones.
  const expected_claims = {
    iss: payload.iss,
    vct: payload.vct,
    iat: payload.iat,
    exp: payload.exp,
    cnf: payload.cnf,
    employer: payload.employer,
    given_name: payload.given_name,
    address: { locality: 'Leeds', country: 'GB' },
    nationalities: ['IE'],
  };

  // Self-check: the library must accept its own presentation and agree with expected_claims.
  const own = await sdjwt.verify(presentation, { keyBindingNonce: nonce });
  const canon = (v) =>
    JSON.stringify(v, (_, x) =>
      x && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
        : x,
    );
  if (canon(own.payload) !== canon(expected_claims)) {
    throw new Error(`library's own verification gave ${canon(own.payload)}, expected ${canon(expected_claims)}`);
  }

  return {
    issuer_jwk: issuer.publicKey,
    credential,
    presentation,
    nonce,
    aud,
    expected_claims,
    holder_private_jwk: holder.privateKey,
  };
}

main().then(
  (out) => process.stdout.write(`${JSON.stringify(out, null, 2)}\n`),
  (err) => {
    process.stderr.write(`FAILED in independent library (@sd-jwt): ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
