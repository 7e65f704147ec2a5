// Receives credentials from our OpenID4VCI issuer with an independent wallet implementation: the
// OpenWallet Foundation's @openid4vc/openid4vci (oid4vc-ts) client, Pre-Authorized Code Flow.
//
// Usage: node receive-theirs.mjs --offer 'openid-credential-offer://?credential_offer_uri=...' \
//                                --tx-code 123456
//    or: OFFER_LINK=... TX_CODE=... node receive-theirs.mjs
//
// Steps, each through the library's own client (Openid4vciClient):
//   1. resolveCredentialOffer: the offer by reference (credential_offer_uri);
//   2. resolveIssuerMetadata: Credential Issuer metadata (/.well-known/openid-credential-issuer
//      inserted before the issuer's path) and Authorization Server metadata
//      (/.well-known/oauth-authorization-server likewise); the metadata must be detected as
//      OpenID4VCI 1.0 (`credential_metadata`);
//   3. retrievePreAuthorizedCodeAccessTokenFromOffer: the Token Request with pre-authorized_code
//      and tx_code;
//   4. for every credential_identifier the Token Response's authorization_details grant: a fresh
//      c_nonce (requestNonce), a JWT key proof (createCredentialRequestJwtProof, header
//      typ openid4vci-proof+jwt with the wallet's P-256 jwk), and retrieveCredentials with
//      `proofs: {jwt: [proof]}`;
//   5. sendNotification(credential_accepted) for each notification_id.
//
// One deviation, in the library (0.4.6, and the latest 0.5.0 alpha): for 1.0 metadata,
// Openid4vciClient.retrieveCredentials always sends `credential_configuration_id` and offers no
// way to send `credential_identifier`, although OpenID4VCI 1.0 section 8.2 makes
// `credential_identifier` REQUIRED (and `credential_configuration_id` forbidden) when the Token
// Response returned authorization_details, as ours does (section 6.2: "The Wallet MUST use these
// identifiers"). The library's own request schema accepts `credential_identifier`; only its
// client cannot produce it. So the script:
//   - first sends one request exactly as the library makes it and records the issuer's answer in
//     `default_request` (our issuer refuses it: invalid_credential_request);
//   - then makes every real request through the same library call, with a fetch callback (the
//     library's `callbacks.fetch` hook) that renames `credential_configuration_id` to
//     `credential_identifier` in the JSON body of the Credential Request and changes nothing
//     else. Each renaming is listed in `rewrites`.
//
// Prints JSON: {holder_jwk, credential_issuer, version, offer, token: {authorization_details},
// default_request, credentials: [{credential_identifier, credential_configuration_id,
// credential, notification_id, notified}], rewrites, trace: [{method, url, status}]}.
// On failure: exits 1, prints `FAILED at <stage>: <error>` on stderr and, when the issuer answered
// with an OAuth error, {stage, status, error, error_description} on stdout.
//
// Plain http is allowed only to loopback addresses (the test server), as our own holder does.
import { webcrypto, createHash, randomBytes } from 'node:crypto';
import {
  Openid4vciClient,
  Openid4vciRetrieveCredentialsError,
  Openid4vciSendNotificationError,
  setGlobalConfig,
} from '@openid4vc/openid4vci';
import { Oauth2ClientErrorResponseError, clientAuthenticationAnonymous } from '@openid4vc/oauth2';

const subtle = webcrypto.subtle;

function parseArgs(argv) {
  const out = { offer: process.env.OFFER_LINK, txCode: process.env.TX_CODE };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${name} needs a value`);
    if (name === '--offer') out.offer = value;
    else if (name === '--tx-code') out.txCode = value;
    else throw new Error(`unknown argument ${name}`);
  }
  if (!out.offer) {
    throw new Error('usage: node receive-theirs.mjs --offer LINK [--tx-code CODE] (or OFFER_LINK, TX_CODE)');
  }
  return out;
}

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function assertLoopbackIfPlain(url) {
  const u = new URL(url);
  if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname)) {
    throw new Error(`plain http is only allowed to loopback, not ${url}`);
  }
}

// Every HTTP exchange, for the report; plain http only to loopback.
const trace = [];
async function tracedFetch(input, init) {
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  assertLoopbackIfPlain(url);
  const response = await fetch(input, init);
  trace.push({ method: init?.method ?? 'GET', url, status: response.status });
  return response;
}

// The wallet's key: P-256 through WebCrypto. The library asks for signatures through signJwt.
async function walletKey() {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey);
  return { privateKey: pair.privateKey, publicJwk: { kty, crv, x, y } };
}

function callbacksFor(key, fetchImpl) {
  return {
    fetch: fetchImpl,
    clientAuthentication: clientAuthenticationAnonymous(),
    generateRandom: (n) => new Uint8Array(randomBytes(n)),
    hash: (data, alg) => {
      const name = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' }[alg];
      if (!name) throw new Error(`unsupported hash ${alg}`);
      return new Uint8Array(createHash(name).update(data).digest());
    },
    signJwt: async (signer, { header, payload }) => {
      if (signer.method !== 'jwk' || signer.alg !== 'ES256') {
        throw new Error(`the wallet signs only ES256 with its jwk, not ${signer.method}/${signer.alg}`);
      }
      if (JSON.stringify(signer.publicJwk) !== JSON.stringify(key.publicJwk)) {
        throw new Error('asked to sign for a key that is not the wallet key');
      }
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
      // WebCrypto ECDSA signatures are r || s, which is the JWS (RFC 7518 section 3.4) form.
      const sig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, Buffer.from(input));
      return { jwt: `${input}.${b64url(new Uint8Array(sig))}`, signerJwk: key.publicJwk };
    },
    verifyJwt: async () => {
      throw new Error('the wallet verifies no JWT in this flow (unsigned metadata)');
    },
    decryptJwe: async () => {
      throw new Error('encryption is not used');
    },
    encryptJwe: async () => {
      throw new Error('encryption is not used');
    },
  };
}

// The fetch hook for one Credential Request: `credential_configuration_id` -> `credential_identifier`.
const rewrites = [];
function credentialIdentifierFetch(credentialEndpoint, identifier) {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input.url ?? String(input);
    if (url === credentialEndpoint && init?.method === 'POST' && typeof init.body === 'string') {
      const body = JSON.parse(init.body);
      const keys = Object.keys(body).sort().join(',');
      if (keys !== 'credential_configuration_id,proofs') {
        throw new Error(`unexpected Credential Request members from the library: ${keys}`);
      }
      const { credential_configuration_id: configurationId, ...rest } = body;
      rewrites.push({ from: { credential_configuration_id: configurationId }, to: { credential_identifier: identifier } });
      return tracedFetch(input, { ...init, body: JSON.stringify({ credential_identifier: identifier, ...rest }) });
    }
    return tracedFetch(input, init);
  };
}

class StageError extends Error {
  constructor(stage, cause, oauth) {
    super(`${stage}: ${cause?.message ?? cause}`, { cause });
    this.stage = stage;
    this.oauth = oauth;
  }
}

async function oauthErrorOf(e) {
  if (e instanceof Oauth2ClientErrorResponseError) {
    return { status: e.response?.status, ...e.errorResponse };
  }
  if (e instanceof Openid4vciRetrieveCredentialsError) {
    const r = e.response;
    const parsed = r?.credentialErrorResponseResult?.data ?? {};
    return { status: r?.response?.status, ...parsed };
  }
  if (e instanceof Openid4vciSendNotificationError) {
    const r = e.response;
    return { status: r?.response?.status, ...(r?.notificationErrorResponseResult?.data ?? {}) };
  }
  return undefined;
}

async function stage(name, f) {
  try {
    return await f();
  } catch (e) {
    throw new StageError(name, e, await oauthErrorOf(e));
  }
}

async function proofFor(client, issuerMetadata, key, configurationId) {
  const { c_nonce: nonce } = await stage('nonce', () => client.requestNonce({ issuerMetadata }));
  const { jwt } = await stage('proof', () =>
    client.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId: configurationId,
      signer: { method: 'jwk', alg: 'ES256', publicJwk: key.publicJwk },
      nonce,
      issuedAt: new Date(),
    }),
  );
  return jwt;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const offerUri = new URL(args.offer.replace(/^openid-credential-offer:\/\//, 'https://wallet.invalid/'))
    .searchParams.get('credential_offer_uri');
  if (offerUri && new URL(offerUri).protocol === 'http:') {
    assertLoopbackIfPlain(offerUri);
    // The library refuses plain http unless told otherwise; our test server listens on loopback.
    setGlobalConfig({ allowInsecureUrls: true });
  }

  const key = await walletKey();
  const callbacks = callbacksFor(key, tracedFetch);
  const client = new Openid4vciClient({ callbacks });

  const offer = await stage('offer', () => client.resolveCredentialOffer(args.offer));
  const issuerMetadata = await stage('metadata', () => client.resolveIssuerMetadata(offer.credential_issuer));
  if (issuerMetadata.originalDraftVersion !== 'V1') {
    throw new StageError('metadata', `detected as ${issuerMetadata.originalDraftVersion}, not V1 (1.0)`);
  }
  const { accessTokenResponse } = await stage('token', () =>
    client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer: offer,
      issuerMetadata,
      txCode: args.txCode,
    }),
  );
  const accessToken = accessTokenResponse.access_token;
  const details = (accessTokenResponse.authorization_details ?? []).filter((d) => d.type === 'openid_credential');
  const granted = details.flatMap((d) =>
    (d.credential_identifiers ?? []).map((id) => ({ id, configurationId: d.credential_configuration_id })),
  );
  if (granted.length === 0) {
    throw new StageError('token', 'the Token Response granted no credential_identifiers');
  }
  for (const g of granted) {
    if (!offer.credential_configuration_ids.includes(g.configurationId)) {
      throw new StageError('token', `${g.configurationId} was granted but not offered`);
    }
  }

  // The library's Credential Request as it makes it, unchanged.
  const first = granted[0];
  const defaultRequest = { credential_configuration_id: first.configurationId };
  try {
    const proof = await proofFor(client, issuerMetadata, key, first.configurationId);
    const r = await client.retrieveCredentials({
      issuerMetadata,
      accessToken,
      credentialConfigurationId: first.configurationId,
      proofs: { jwt: [proof] },
    });
    defaultRequest.accepted = true;
    defaultRequest.status = r.response.status;
  } catch (e) {
    defaultRequest.accepted = false;
    defaultRequest.response = e.oauth ?? (await oauthErrorOf(e)) ?? { exception: String(e?.message ?? e) };
  }

  const endpoint = issuerMetadata.credentialIssuer.credential_endpoint;
  const credentials = [];
  for (const g of granted) {
    const proof = await proofFor(client, issuerMetadata, key, g.configurationId);
    const renaming = new Openid4vciClient({ callbacks: callbacksFor(key, credentialIdentifierFetch(endpoint, g.id)) });
    const { credentialResponse } = await stage(`credential ${g.id}`, () =>
      renaming.retrieveCredentials({
        issuerMetadata,
        accessToken,
        credentialConfigurationId: g.configurationId,
        proofs: { jwt: [proof] },
      }),
    );
    const received = (credentialResponse.credentials ?? []).map((c) => (typeof c === 'string' ? c : c.credential));
    if (received.length !== 1 || typeof received[0] !== 'string') {
      throw new StageError(`credential ${g.id}`, `expected one compact credential for one proof, got ${JSON.stringify(credentialResponse)}`);
    }
    let notified = false;
    if (credentialResponse.notification_id) {
      await stage(`notification ${g.id}`, () =>
        client.sendNotification({
          issuerMetadata,
          accessToken,
          notification: { notificationId: credentialResponse.notification_id, event: 'credential_accepted' },
        }),
      );
      notified = true;
    }
    credentials.push({
      credential_identifier: g.id,
      credential_configuration_id: g.configurationId,
      credential: received[0],
      notification_id: credentialResponse.notification_id ?? null,
      notified,
    });
  }

  process.stdout.write(
    `${JSON.stringify(
      {
        holder_jwk: key.publicJwk,
        credential_issuer: issuerMetadata.credentialIssuer.credential_issuer,
        version: issuerMetadata.originalDraftVersion,
        offer,
        token: { token_type: accessTokenResponse.token_type, authorization_details: details },
        default_request: defaultRequest,
        credentials,
        rewrites,
        trace,
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((e) => {
  const where = e instanceof StageError ? e.stage : 'setup';
  process.stderr.write(`FAILED at ${where}: ${e?.message ?? e}\n`);
  if (e?.cause?.stack) process.stderr.write(`${e.cause.stack}\n`);
  if (e instanceof StageError && e.oauth) {
    process.stdout.write(`${JSON.stringify({ stage: e.stage, ...e.oauth })}\n`);
  }
  process.exit(1);
});
