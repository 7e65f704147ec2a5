//! `jwt` key proofs (OpenID4VCI 1.0 appendix F.1, checked as F.4 lists): the wallet proves it
//! holds the private key of the `jwk` in the header, for this issuer (`aud`), fresh (`iat`) and
//! after this challenge (`nonce`, a `c_nonce` from the Nonce Endpoint).
use crate::Oid4vciError;
use passport_jose::jws::{self, CompactJws, JwsHeader};
use passport_jose::{JoseError, Jwk, Signer, ES256};
use serde_json::{json, Map, Value};

/// JOSE `typ` of a key proof (appendix F.1).
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";
/// How far in the future a proof's `iat` may be, for clock skew.
pub const IAT_LEEWAY_SECS: i64 = 60;
/// Longest key proof accepted, in bytes (a P-256 proof is about 600).
pub const MAX_PROOF_BYTES: usize = 8 * 1024;

/// JWK members that only a private key has: none may appear in a proof's header key.
const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
/// Header members that name a key some other way: refused, the key must come as `jwk`.
const OTHER_KEY_HEADERS: [&str; 6] = ["kid", "x5c", "x5u", "jku", "trust_chain", "key_attestation"];

/// What a checked key proof establishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The holder key to bind the Credential to (`cnf.jwk`).
    pub jwk: Jwk,
    /// The `c_nonce` the proof answers. The server checks it issued it and it is unused.
    pub nonce: String,
    pub iat: i64,
    /// `iss` (the client_id), if the wallet set one; anonymous pre-authorized flows omit it.
    pub iss: Option<String>,
}

/// Signs a key proof for `audience` (the Credential Issuer Identifier) answering `nonce`:
/// header `{"alg":"ES256","typ":"openid4vci-proof+jwt","jwk":{public key}}`, payload
/// `{"aud","iat","nonce"}` (no `iss`: the Pre-Authorized Code Flow is anonymous here).
pub fn make_proof(
    signer: &dyn Signer,
    audience: &str,
    nonce: &str,
    iat: i64,
) -> Result<String, JoseError> {
    sign_proof(signer, audience, Some(nonce), iat)
}

/// A key proof without `nonce`, for an issuer that publishes no Nonce Endpoint.
pub fn make_proof_without_nonce(
    signer: &dyn Signer,
    audience: &str,
    iat: i64,
) -> Result<String, JoseError> {
    sign_proof(signer, audience, None, iat)
}

fn sign_proof(
    signer: &dyn Signer,
    audience: &str,
    nonce: Option<&str>,
    iat: i64,
) -> Result<String, JoseError> {
    let key = signer.public_jwk();
    let mut extra = Map::new();
    extra.insert(
        "jwk".into(),
        json!({ "kty": key.kty, "crv": key.crv, "x": key.x, "y": key.y }),
    );
    let header = JwsHeader {
        typ: Some(PROOF_TYP.into()),
        extra,
        with_kid: false,
    };
    let mut payload = json!({ "aud": audience, "iat": iat });
    if let Some(n) = nonce {
        payload["nonce"] = n.into();
    }
    jws::sign(&header, &payload, signer)
}

/// Checks a `jwt` key proof for the issuer `audience` at time `now`, accepting proofs up to
/// `max_age_secs` old and [`IAT_LEEWAY_SECS`] in the future. Every failure is `invalid_proof`
/// with a description naming the rule:
/// - ES256 only (`none`, HMAC and every other `alg` refused before any key is used), no `crit`;
/// - `typ` exactly `openid4vci-proof+jwt`;
/// - the key comes as `jwk` in the header: `kid`, `x5c`, `x5u`, `jku`, `trust_chain` and
///   `key_attestation` are refused; the `jwk` is a public P-256 key with no private member;
/// - the signature verifies with that key (before any claim is read);
/// - `aud` is `audience`; `iat` is an integer within the window; `nonce` is a non-empty string.
///
/// Whether the nonce was issued by this server and is still unused is the caller's check.
pub fn verify_proof(
    jwt: &str,
    audience: &str,
    now: i64,
    max_age_secs: i64,
) -> Result<VerifiedProof, Oid4vciError> {
    let bad = |s: String| Oid4vciError::InvalidProof(s);
    if jwt.len() > MAX_PROOF_BYTES {
        return Err(bad(format!(
            "key proof longer than {MAX_PROOF_BYTES} bytes"
        )));
    }
    let jws = CompactJws::parse(jwt).map_err(|e| match e {
        JoseError::AlgorithmNotAllowed(alg) => bad(format!(
            "alg {alg} is not allowed: key proofs must use {ES256}"
        )),
        other => bad(format!("not a valid compact JWS: {other}")),
    })?;
    match jws.typ() {
        Some(PROOF_TYP) => {}
        Some(other) => return Err(bad(format!("typ is {other}, expected {PROOF_TYP}"))),
        None => return Err(bad(format!("typ is missing, expected {PROOF_TYP}"))),
    }
    if let Some(h) = OTHER_KEY_HEADERS
        .iter()
        .find(|h| jws.header.contains_key(**h))
    {
        return Err(bad(format!(
            "header {h} is not accepted: send the public key as jwk"
        )));
    }
    let Some(jwk_value) = jws.header.get("jwk") else {
        return Err(bad("header has no jwk".into()));
    };
    let Some(jwk_object) = jwk_value.as_object() else {
        return Err(bad("header jwk is not an object".into()));
    };
    if let Some(m) = PRIVATE_JWK_MEMBERS
        .iter()
        .find(|m| jwk_object.contains_key(**m))
    {
        return Err(bad(format!(
            "header jwk contains the private key member {m}"
        )));
    }
    let jwk = Jwk::from_json(jwk_value).map_err(|e| bad(format!("header jwk: {e}")))?;
    let key = jwk
        .verifying_key()
        .map_err(|e| bad(format!("header jwk: {e}")))?;
    jws.verify(&key)
        .map_err(|_| bad("signature does not verify with the header jwk".into()))?;

    let claims = &jws.payload;
    match claims.get("aud") {
        Some(Value::String(aud)) if aud == audience => {}
        Some(Value::Array(auds)) if auds.iter().any(|a| a.as_str() == Some(audience)) => {}
        Some(_) => return Err(bad(format!("aud is not this issuer ({audience})"))),
        None => return Err(bad("aud is missing".into())),
    }
    let iat = match claims.get("iat") {
        Some(v) => v
            .as_i64()
            .ok_or_else(|| bad("iat is not an integer".into()))?,
        None => return Err(bad("iat is missing".into())),
    };
    if iat > now.saturating_add(IAT_LEEWAY_SECS) {
        return Err(bad(format!(
            "iat is {}s in the future (leeway {IAT_LEEWAY_SECS}s)",
            iat - now
        )));
    }
    if iat < now.saturating_sub(max_age_secs) {
        return Err(bad(format!(
            "iat is {}s old (at most {max_age_secs}s accepted)",
            now - iat
        )));
    }
    let nonce = match claims.get("nonce") {
        Some(Value::String(n)) if !n.is_empty() => n.clone(),
        Some(_) => return Err(bad("nonce is not a non-empty string".into())),
        None => {
            return Err(bad(
                "nonce is missing: fetch a c_nonce from the nonce endpoint".into(),
            ))
        }
    };
    let iss = match claims.get("iss") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad("iss is not a string".into())),
    };
    Ok(VerifiedProof {
        jwk,
        nonce,
        iat,
        iss,
    })
}
