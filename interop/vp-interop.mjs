// OpenID4VP 1.0 interoperability checks of crates/oid4vp against independent implementations:
// `jose` (panva) for JWE (ECDH-ES, A128GCM/A256GCM) and the signed Request Object (JWS, x5c),
// Node's own X509Certificate for the certificate, and `dcql` (OpenWallet Foundation) for DCQL.
//
// Usage: node vp-interop.mjs INPUT.json   (or `-` for stdin)
// INPUT: {"tasks": [task, ...]}; prints {"results": [result, ...]}, one per task, in order.
// A result is {"ok": true, ...} or {"ok": false, "error": "REJECTED by independent library
// (<name>): <its error>"}. Tasks:
//   {"task": "decrypt", "jwe", "private_jwk"}            -> {header, plaintext}
//   {"task": "encrypt", "recipient_jwk", "plaintext", "enc", "alg"?, "apu"?, "apv"?} -> {jwe}
//   {"task": "verify_request", "jwt", "now"}             -> {header, payload, x509_hash,
//        subject, issuer, valid_from, valid_to, self_signed_verifies, public_jwk}
//   {"task": "dcql", "query", "credentials"}             -> {can_be_satisfied, matches} or a
//        rejection by the library's parse/validate
import { readFileSync } from 'node:fs'
import { X509Certificate, createHash } from 'node:crypto'
import {
  CompactEncrypt,
  compactDecrypt,
  decodeProtectedHeader,
  exportJWK,
  importJWK,
  importX509,
  jwtVerify,
} from 'jose'
import { DcqlQuery } from 'dcql'

const rejected = (library, e) => ({
  ok: false,
  error: `REJECTED by independent library (${library}): ${e?.code ?? e?.constructor?.name ?? ''} ${e?.message ?? e}`,
})

async function decrypt({ jwe, private_jwk }) {
  try {
    const key = await importJWK(private_jwk, 'ECDH-ES')
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, {
      keyManagementAlgorithms: ['ECDH-ES'],
      contentEncryptionAlgorithms: ['A128GCM', 'A256GCM'],
    })
    return { ok: true, header: protectedHeader, plaintext: new TextDecoder().decode(plaintext) }
  } catch (e) {
    return rejected('jose', e)
  }
}

async function encrypt({ recipient_jwk, plaintext, enc, alg, apu, apv }) {
  try {
    const algorithm = alg ?? 'ECDH-ES'
    const key = await importJWK({ ...recipient_jwk, alg: algorithm }, algorithm)
    let builder = new CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({
      alg: algorithm,
      enc,
      kid: recipient_jwk.kid,
    })
    if (apu || apv) {
      builder = builder.setKeyManagementParameters({
        apu: new TextEncoder().encode(apu ?? ''),
        apv: new TextEncoder().encode(apv ?? ''),
      })
    }
    return { ok: true, jwe: await builder.encrypt(key) }
  } catch (e) {
    return rejected('jose', e)
  }
}

async function verifyRequest({ jwt, now }) {
  try {
    const header = decodeProtectedHeader(jwt)
    if (!Array.isArray(header.x5c) || header.x5c.length !== 1) {
      throw new Error('x5c must hold exactly the leaf certificate')
    }
    const der = Buffer.from(header.x5c[0], 'base64')
    const pem = `-----BEGIN CERTIFICATE-----\n${header.x5c[0].match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----`
    const key = await importX509(pem, 'ES256')
    const { payload } = await jwtVerify(jwt, key, {
      algorithms: ['ES256'],
      typ: 'oauth-authz-req+jwt',
      audience: 'https://self-issued.me/v2',
      currentDate: new Date(now * 1000),
    })
    // OpenID4VP 1.0 section 5.9.3, computed here independently of the Rust code.
    const x509_hash = 'x509_hash:' + createHash('sha256').update(der).digest('base64url')
    const cert = new X509Certificate(der)
    return {
      ok: true,
      header,
      payload,
      x509_hash,
      subject: cert.subject,
      issuer: cert.issuer,
      valid_from: Date.parse(cert.validFrom) / 1000,
      valid_to: Date.parse(cert.validTo) / 1000,
      self_signed_verifies: cert.verify(cert.publicKey),
      public_jwk: await exportJWK(key),
    }
  } catch (e) {
    return rejected('jose', e)
  }
}

function dcql({ query, credentials }) {
  let parsed
  try {
    parsed = DcqlQuery.parse(query)
    DcqlQuery.validate(parsed)
  } catch (e) {
    return rejected('dcql', e)
  }
  const result = DcqlQuery.query(parsed, credentials)
  const matches = {}
  for (const [id, match] of Object.entries(result.credential_matches)) {
    matches[id] = match.success
      ? match.valid_credentials.map((c) => ({
          index: c.input_credential_index,
          claim_set_index: c.claims?.valid_claim_sets?.[0]?.claim_set_index ?? null,
        }))
      : []
  }
  return { ok: true, can_be_satisfied: result.can_be_satisfied, matches }
}

const tasks = { decrypt, encrypt, verify_request: verifyRequest, dcql }

const path = process.argv[2]
if (!path) {
  console.error('usage: node vp-interop.mjs INPUT.json (or - for stdin)')
  process.exit(2)
}
const input = JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'))
const results = []
for (const task of input.tasks) {
  const run = tasks[task.task]
  if (!run) {
    console.error(`unknown task ${task.task}`)
    process.exit(2)
  }
  results.push(await run(task))
}
process.stdout.write(JSON.stringify({ results }))
