//! The proof a wallet signs to ask for its access log (see the crate doc for its shape).
use crate::AccessLogError;
use passport_jose::jws::{self, CompactJws, JwsHeader};
use passport_jose::{JoseError, Jwk, Signer};
use serde_json::{json, Map, Value};

/// JOSE `typ` of the proof.
pub const PROOF_TYP: &str = "passport-access-log+jwt";
/// How old a proof may be when it arrives: long enough for a slow phone network, short
/// enough that the replay register stays small.
pub const MAX_AGE_SECS: i64 = 60;
/// How far in the future `iat` may be, for a phone's clock running fast.
pub const IAT_LEEWAY_SECS: i64 = 60;
/// Longest proof accepted (a P-256 proof is about 500 bytes).
pub const MAX_PROOF_BYTES: usize = 4096;

/// JWK members only a private key has.
const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
/// Header members that name a key some other way: refused, the key is the header's `jwk`.
const OTHER_KEY_HEADERS: [&str; 5] = ["kid", "x5c", "x5u", "jku", "trust_chain"];

/// What a checked proof establishes: the key (its thumbprint) whose log is asked for, and the
/// single-use id the node must not accept again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// RFC 7638 thumbprint (SHA-256, base64url) of the header key.
    pub thumbprint: String,
    pub jti: String,
    pub iat: i64,
}

impl VerifiedProof {
    /// Until when the node must remember `jti`: afterwards the proof is refused as stale anyway.
    pub fn replay_until(&self) -> i64 {
        self.iat.saturating_add(MAX_AGE_SECS)
    }
}

/// Signs a proof for `node` (its public URL, the `aud`) with the device key.
pub fn make_proof(
    signer: &dyn Signer,
    node: &str,
    jti: &str,
    iat: i64,
) -> Result<String, AccessLogError> {
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
    let payload = json!({ "aud": node, "iat": iat, "jti": jti });
    jws::sign(&header, &payload, signer).map_err(|e| AccessLogError::Signing(e.to_string()))
}

/// Checks a proof for this node (`node`, its public URL) at `now`, in this order: size; ES256
/// compact JWS without `crit` (so `none` and HMAC never reach a key); `typ`; the key only as a
/// public P-256 `jwk` (no `kid`, `x5c`, ...; no private member); the signature with that key,
/// before any claim is read; `aud` exactly `node`; `iat` an integer within
/// [`MAX_AGE_SECS`] back and [`IAT_LEEWAY_SECS`] ahead; `jti` 16 to 256 URL-safe characters.
/// Whether `jti` was seen before is the node's check ([`VerifiedProof::replay_until`]).
pub fn verify_proof(jwt: &str, node: &str, now: i64) -> Result<VerifiedProof, AccessLogError> {
    if jwt.len() > MAX_PROOF_BYTES {
        return Err(AccessLogError::TooLong(MAX_PROOF_BYTES));
    }
    let jws = CompactJws::parse(jwt).map_err(|e| AccessLogError::Malformed(e.to_string()))?;
    if jws.typ() != Some(PROOF_TYP) {
        return Err(AccessLogError::WrongType(jws.typ().map(str::to_owned)));
    }
    if let Some(h) = OTHER_KEY_HEADERS
        .iter()
        .find(|h| jws.header.contains_key(**h))
    {
        return Err(AccessLogError::KeyNamedElsewhere(h));
    }
    let Some(Value::Object(jwk_object)) = jws.header.get("jwk") else {
        return Err(AccessLogError::NoKey);
    };
    if let Some(m) = PRIVATE_JWK_MEMBERS
        .iter()
        .find(|m| jwk_object.contains_key(**m))
    {
        return Err(AccessLogError::PrivateKeyMember(m));
    }
    let bad_key = |e: JoseError| AccessLogError::BadKey(e.to_string());
    let jwk = Jwk::from_json(&Value::Object(jwk_object.clone())).map_err(bad_key)?;
    let key = jwk.verifying_key().map_err(bad_key)?;
    jws.verify(&key).map_err(|_| AccessLogError::BadSignature)?;
    let claims = &jws.payload;
    if claims.get("aud").and_then(Value::as_str) != Some(node) {
        return Err(AccessLogError::WrongAudience(node.to_string()));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(AccessLogError::BadClaim("iat"))?;
    if iat < now.saturating_sub(MAX_AGE_SECS) {
        return Err(AccessLogError::Stale(now.saturating_sub(iat)));
    }
    if iat > now.saturating_add(IAT_LEEWAY_SECS) {
        return Err(AccessLogError::FromTheFuture(iat.saturating_sub(now)));
    }
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .ok_or(AccessLogError::BadClaim("jti"))?;
    let url_safe = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
    if !(16..=256).contains(&jti.len()) || !jti.chars().all(url_safe) {
        return Err(AccessLogError::BadJti);
    }
    Ok(VerifiedProof {
        thumbprint: jwk.thumbprint(),
        jti: jti.to_string(),
        iat,
    })
}

#[cfg(test)]
#[path = "proof_tests.rs"]
mod tests;
