// A minimal, independent OpenID4VP 1.0 wallet (HAIP profile, SD-JWT VC), built only from npm
// registry packages: `jose` (panva) for the signed Request Object and the encrypted response,
// `dcql` (OpenWallet Foundation) for the DCQL query, `@sd-jwt/sd-jwt-vc` and
// `@sd-jwt/crypto-nodejs` (OpenWallet Foundation) to read the credentials and to present them
// with a Key Binding JWT. Nothing here comes from the passport's own code: it is the other side
// of crates/server/tests/interop_oid4vp.rs.
//
// Usage: node vp-wallet.mjs INPUT.json        (or `-` for stdin)
//        node vp-wallet.mjs --new-holder-key  prints a fresh P-256 private JWK (node:crypto), so
//                                             that a test can have credentials issued to it
// INPUT: {
//   "url": "openid4vp://?client_id=...&request_uri=...",
//   "credentials": ["<SD-JWT VC>~<D1>~...~<Dn>~", ...],   // issued to holder_private_jwk's key
//   "holder_private_jwk": {"kty": "EC", "crv": "P-256", "x", "y", "d"},
//   "enc": "A256GCM",        // optional: the content encryption to use, if the verifier offers it
//   "kb_nonce": "..."        // optional, for negative tests: the nonce put in every KB-JWT
// }
// Prints one JSON line: {"status": <HTTP status of the POST>, "response": <server's JSON answer
// (or {"text": ...} if not JSON)>, "enc", "client_id", "response_uri", "presented": [{query_id,
// vct, claim_set, disclose}]}. Exits 1 with "FAILED at <step>: ..." on stderr if the wallet itself
// refuses the request (bad signature, client_id mismatch, unsatisfiable query, ...); an error
// answer of the verifier is not a failure of the wallet: it is printed with its status.
//
// Steps, and which library does each:
//  1. parse the invocation URL                              WHATWG URL (Node)
//  2. GET request_uri (Accept: application/oauth-authz-req+jwt)   fetch (Node)
//  3. verify the Request Object: x5c[0] -> importX509, jwtVerify (ES256, typ
//     oauth-authz-req+jwt, aud https://self-issued.me/v2, exp)     jose
//     x509_hash = base64url(SHA-256(DER of x5c[0]))             node:crypto (jose has no x509_hash)
//  4. read every credential (vct + all claims)                  @sd-jwt/sd-jwt-vc getClaims
//  5. DCQL: parse, validate, query                               dcql
//  6. present only the claims of the chosen claim set, with a KB-JWT (aud = client_id, nonce,
//     iat; sd_hash computed by the library)                      @sd-jwt/sd-jwt-vc present,
//                                                                @sd-jwt/crypto-nodejs ES256 signer
//  7. encrypt {vp_token, state}: ECDH-ES + A128GCM/A256GCM, kid   jose CompactEncrypt
//  8. POST response=<JWE> (application/x-www-form-urlencoded)   fetch (Node)
import { readFileSync } from 'node:fs'
import { createHash, generateKeyPairSync } from 'node:crypto'
import {
  CompactEncrypt,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  importJWK,
  importX509,
  jwtVerify,
} from 'jose'
import { DcqlQuery } from 'dcql'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { digest, ES256 } from '@sd-jwt/crypto-nodejs'

const REQUEST_TYP = 'oauth-authz-req+jwt'
// OpenID4VP 1.0 section 5.8 (static discovery): the Request Object's audience.
const SELF_ISSUED_AUD = 'https://self-issued.me/v2'
const SUPPORTED_ENC = ['A128GCM', 'A256GCM']

class WalletError extends Error {
  constructor(step, message) {
    super(message)
    this.step = step
  }
}

const fail = (step, message) => {
  throw new WalletError(step, message)
}

// Step 1: the invocation URL (OpenID4VP 1.0 section 5 and 5.10: a Request Object by reference).
function parseInvocation(url) {
  let u
  try {
    u = new URL(url)
  } catch (e) {
    fail('url', `not a URL: ${e.message}`)
  }
  const clientId = u.searchParams.get('client_id')
  const requestUri = u.searchParams.get('request_uri')
  if (!clientId) fail('url', 'no client_id')
  if (!requestUri) fail('url', 'no request_uri (HAIP: the request is passed by reference)')
  if (u.searchParams.has('request')) fail('url', 'both request and request_uri')
  const method = u.searchParams.get('request_uri_method') ?? 'get'
  if (method !== 'get') fail('url', `request_uri_method ${method} is not supported by this wallet`)
  return { clientId, requestUri }
}

// Step 2.
async function fetchRequestObject(requestUri) {
  const r = await fetch(requestUri, { headers: { accept: 'application/oauth-authz-req+jwt' } })
  const text = await r.text()
  if (r.status !== 200) fail('request_uri', `GET ${requestUri} answered ${r.status}: ${text}`)
  // RFC 9101 section 5.2 / OpenID4VP 1.0 section 5.10.1: the Request Object is served as
  // application/oauth-authz-req+jwt.
  const type = (r.headers.get('content-type') ?? '').split(';')[0].trim()
  if (type !== 'application/oauth-authz-req+jwt') {
    fail('request_uri', `content-type ${JSON.stringify(type)}, not application/oauth-authz-req+jwt`)
  }
  return text.trim()
}

// Step 3.
async function verifyRequestObject(jwt, urlClientId) {
  let header
  try {
    header = decodeProtectedHeader(jwt)
  } catch (e) {
    fail('request_object', `not a JWS: ${e.message}`)
  }
  if (!Array.isArray(header.x5c) || header.x5c.length < 1 || typeof header.x5c[0] !== 'string') {
    fail('request_object', 'no x5c certificate in the header')
  }
  // jose imports an X.509 certificate only as PEM: wrap the x5c DER (standard base64) in PEM.
  const leaf = header.x5c[0]
  const pem = `-----BEGIN CERTIFICATE-----\n${leaf.match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----`
  let payload
  try {
    const key = await importX509(pem, 'ES256')
    ;({ payload } = await jwtVerify(jwt, key, {
      algorithms: ['ES256'],
      typ: REQUEST_TYP,
      audience: SELF_ISSUED_AUD,
    }))
  } catch (e) {
    fail('request_object', `REJECTED by independent library (jose): ${e?.code ?? ''} ${e.message}`)
  }
  // OpenID4VP 1.0 section 5.9.3 (x509_hash Client Identifier Prefix): the base64url SHA-256 of
  // the DER leaf certificate. jose has no helper for this: node:crypto does the hash.
  const der = Buffer.from(leaf, 'base64')
  const hash = createHash('sha256').update(der).digest('base64url')
  const expected = `x509_hash:${hash}`
  if (urlClientId !== expected) {
    fail('client_id', `URL client_id ${urlClientId} is not the x5c leaf's ${expected}`)
  }
  // Section 5.10: the client_id of the Request Object must equal the one of the request.
  if (payload.client_id !== urlClientId) {
    fail('client_id', `Request Object client_id ${payload.client_id} differs from the URL's ${urlClientId}`)
  }
  if (payload.response_type !== 'vp_token') fail('request_object', `response_type ${payload.response_type}`)
  if (payload.response_mode !== 'direct_post.jwt') {
    fail('request_object', `response_mode ${payload.response_mode}: this wallet answers direct_post.jwt only`)
  }
  if (typeof payload.response_uri !== 'string') fail('request_object', 'no response_uri')
  // Section 8.2: with direct_post, redirect_uri MUST NOT be present.
  if (payload.redirect_uri !== undefined) fail('request_object', 'redirect_uri with direct_post.jwt')
  if (typeof payload.nonce !== 'string' || !payload.nonce) fail('request_object', 'no nonce')
  if (!payload.dcql_query) fail('request_object', 'no dcql_query')
  if (!payload.client_metadata?.jwks?.keys?.length) fail('request_object', 'no client_metadata.jwks')
  return payload
}

// Step 4: the credentials the wallet holds, read with the SD-JWT library.
async function readCredentials(credentials, holderJwk) {
  const sdjwt = new SDJwtVcInstance({ hasher: digest, hashAlg: 'sha-256' })
  const holderThumbprint = await calculateJwkThumbprint(publicPart(holderJwk))
  const out = []
  for (const [i, credential] of credentials.entries()) {
    const decoded = await sdjwt.decode(credential)
    if (decoded.jwt?.header?.typ !== 'dc+sd-jwt') {
      fail('credentials', `credential ${i}: typ ${decoded.jwt?.header?.typ}, not dc+sd-jwt`)
    }
    const claims = await sdjwt.getClaims(credential)
    if (typeof claims.vct !== 'string') fail('credentials', `credential ${i} has no vct`)
    const bound = claims.cnf?.jwk ? await calculateJwkThumbprint(claims.cnf.jwk) : null
    if (bound !== holderThumbprint) {
      fail('credentials', `credential ${i} (${claims.vct}) is not bound to the holder key`)
    }
    out.push({ credential, claims, vct: claims.vct })
  }
  return out
}

const publicPart = ({ kty, crv, x, y }) => ({ kty, crv, x, y })

// Step 5 helper: a DCQL claims path as an @sd-jwt presentation frame. dcql says which claims
// match, not what to disclose: the conversion is ours. A `null` element (every array element)
// is expanded to the indices of the credential's array, filtered by `values` when given.
function addPathToFrame(frame, path, claims, values) {
  const walk = (node, value, rest) => {
    const [head, ...tail] = rest
    const indices =
      head === null
        ? Array.isArray(value)
          ? value
              .map((v, i) => [v, i])
              .filter(([v]) => tail.length > 0 || !values || values.includes(v))
              .map(([, i]) => i)
          : []
        : [head]
    for (const k of indices) {
      if (tail.length === 0) {
        node[k] = true
      } else {
        if (typeof node[k] !== 'object' || node[k] === null) node[k] = {}
        walk(node[k], value?.[k], tail)
      }
    }
  }
  walk(frame, claims, path)
}

// Step 5: which credentials answer which Credential Query, and the claims of each.
function choose(query, result, held) {
  if (!result.can_be_satisfied) fail('dcql', 'the wallet cannot satisfy this query (dcql: can_be_satisfied false)')
  let ids
  if (query.credential_sets) {
    // Section 6.4.2: every required set, and the optional ones the wallet can meet; the first
    // option that can be met (the dcql library lists the options that match, in order).
    ids = result.credential_sets.flatMap((s) => s.matching_options?.[0] ?? [])
  } else {
    ids = query.credentials.map((c) => c.id)
  }
  ids = [...new Set(ids)]
  const chosen = []
  for (const cq of query.credentials) {
    if (!ids.includes(cq.id)) continue
    const match = result.credential_matches[cq.id]
    if (!match?.success) continue
    // Section 8.1: one Presentation per query unless `multiple` is true.
    const take = cq.multiple ? match.valid_credentials : match.valid_credentials.slice(0, 1)
    for (const vc of take) {
      const credential = held[vc.input_credential_index]
      // The first claim set (in the query's order) the credential satisfies (section 6.4.1).
      const sets = [...vc.claims.valid_claim_sets].sort(
        (a, b) => (a.claim_set_index ?? -1) - (b.claim_set_index ?? -1),
      )
      const claimSet = sets[0]?.claim_set_index
      const claimQueries =
        claimSet === undefined
          ? (cq.claims ?? [])
          : (cq.claims ?? []).filter((c) => cq.claim_sets[claimSet].includes(c.id))
      const frame = {}
      for (const c of claimQueries) addPathToFrame(frame, c.path, credential.claims, c.values)
      chosen.push({
        query_id: cq.id,
        credential,
        claim_set: claimSet ?? null,
        disclose: claimQueries.map((c) => c.path),
        frame,
      })
    }
  }
  if (chosen.length === 0) fail('dcql', 'nothing to present')
  return chosen
}

// Step 7: the verifier's key and content encryption (OpenID4VP 1.0 section 8.3).
function encryptionChoice(clientMetadata, wanted) {
  // The first key this wallet can use: EC P-256 for ECDH-ES (HAIP).
  const jwk = clientMetadata.jwks.keys.find(
    (k) =>
      k.kty === 'EC' &&
      k.crv === 'P-256' &&
      (k.alg === undefined || k.alg === 'ECDH-ES') &&
      (k.use === undefined || k.use === 'enc'),
  )
  if (!jwk) fail('encryption', 'no P-256 ECDH-ES key in client_metadata.jwks')
  // Section 5.1: absent means A128GCM.
  const offered = clientMetadata.encrypted_response_enc_values_supported ?? ['A128GCM']
  let enc
  if (wanted) {
    if (!offered.includes(wanted)) fail('encryption', `the verifier does not offer ${wanted}: ${offered}`)
    enc = wanted
  } else {
    enc = offered.find((e) => SUPPORTED_ENC.includes(e))
  }
  if (!enc) fail('encryption', `no content encryption in common: ${offered}`)
  return { jwk, enc }
}

async function main() {
  if (process.argv[2] === '--new-holder-key') {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    return privateKey.export({ format: 'jwk' })
  }
  const path = process.argv[2]
  if (!path) throw new WalletError('usage', 'node vp-wallet.mjs INPUT.json (or - for stdin) | --new-holder-key')
  const input = JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'))
  for (const field of ['url', 'credentials', 'holder_private_jwk']) {
    if (input[field] === undefined) throw new WalletError('input', `no ${field}`)
  }

  const { clientId, requestUri } = parseInvocation(input.url)
  const jwt = await fetchRequestObject(requestUri)
  const request = await verifyRequestObject(jwt, clientId)

  const held = await readCredentials(input.credentials, input.holder_private_jwk)
  let query
  try {
    query = DcqlQuery.parse(request.dcql_query)
    DcqlQuery.validate(query)
  } catch (e) {
    fail('dcql', `REJECTED by independent library (dcql): ${e.message}`)
  }
  const result = DcqlQuery.query(
    query,
    held.map((h) => ({
      credential_format: 'dc+sd-jwt',
      vct: h.vct,
      claims: h.claims,
      cryptographic_holder_binding: h.claims.cnf !== undefined,
    })),
  )
  const chosen = choose(query, result, held)

  // Step 6: present with a KB-JWT. The library adds typ kb+jwt, alg and sd_hash over
  // <JWT>~<D1>~...~<Dn>~; we give it aud, nonce and iat.
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    kbSigner: await ES256.getSigner(input.holder_private_jwk),
    kbSignAlg: ES256.alg,
  })
  const vpToken = {}
  for (const c of chosen) {
    const presentation = await sdjwt.present(c.credential.credential, c.frame, {
      kb: {
        payload: {
          iat: Math.floor(Date.now() / 1000),
          aud: request.client_id,
          nonce: input.kb_nonce ?? request.nonce,
        },
      },
    })
    ;(vpToken[c.query_id] ??= []).push(presentation)
  }
  const response = { vp_token: vpToken }
  if (request.state !== undefined) response.state = request.state

  // Step 7.
  const { jwk, enc } = encryptionChoice(request.client_metadata, input.enc)
  const key = await importJWK({ ...publicPart(jwk), alg: 'ECDH-ES' }, 'ECDH-ES')
  const header = { alg: 'ECDH-ES', enc }
  if (jwk.kid !== undefined) header.kid = jwk.kid
  const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(response)))
    .setProtectedHeader(header)
    .encrypt(key)

  // Step 8 (section 8.3.1: direct_post.jwt sends the JWE as the `response` form parameter).
  const r = await fetch(request.response_uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ response: jwe }).toString(),
  })
  const text = await r.text()
  let answer
  try {
    answer = text ? JSON.parse(text) : {}
  } catch {
    answer = { text }
  }
  return {
    status: r.status,
    response: answer,
    enc,
    client_id: request.client_id,
    response_uri: request.response_uri,
    presented: chosen.map((c) => ({
      query_id: c.query_id,
      vct: c.credential.vct,
      claim_set: c.claim_set,
      disclose: c.disclose,
    })),
  }
}

main().then(
  (out) => process.stdout.write(`${JSON.stringify(out)}\n`),
  (err) => {
    const step = err instanceof WalletError ? err.step : 'internal'
    process.stderr.write(`FAILED at ${step}: ${err?.stack ?? err}\n`)
    process.exitCode = 1
  },
)
