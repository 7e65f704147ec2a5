//! Verifying an OpenID Connect ID token (OpenID Connect Core 1.0, 3.1.3.7) from the provider's
//! JWKS. Separate from `passport-jose` on purpose: credentials stay ES256-only there, while
//! identity providers sign ID tokens with RS256 (the OIDC default) or ES256.
//!
//! Invariants:
//! - `alg` must be RS256 or ES256 and the key must be of that algorithm's type (and `alg`, if
//!   the JWK names one); `none`, HMAC and `crit` are refused. The key comes from the provider's
//!   JWKS (by `kid` when the header names one), never from the token.
//! - Signatures are checked with ring before any claim is read.
//! - `iss` equals the configured issuer exactly; `aud` contains our client id (and with several
//!   audiences `azp` is our client id); `exp` is in the future and `iat` not in the future nor
//!   older than [`MAX_AGE_SECS`] (leeway [`LEEWAY_SECS`]); `nonce` equals the one sent.
use passport_jose::{b64, strict_json};
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::{Map, Value};

pub const LEEWAY_SECS: i64 = 60;
/// An ID token is used at once; one issued long ago is not believed.
pub const MAX_AGE_SECS: i64 = 600;
const MAX_TOKEN_LEN: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    #[error("the ID token is not a compact JWS: {0}")]
    Malformed(&'static str),
    #[error("the ID token's algorithm {0:?} is not RS256 or ES256")]
    Algorithm(String),
    #[error("the ID token names a critical header extension")]
    Critical,
    #[error("no key of the provider's JWKS matches the ID token")]
    UnknownKey,
    #[error("the ID token's signature does not verify")]
    Signature,
    #[error("the ID token's issuer is not the configured provider")]
    Issuer,
    #[error("the ID token is not for this client (aud)")]
    Audience,
    #[error("the ID token's authorised party (azp) is not this client")]
    AuthorisedParty,
    #[error("the ID token has expired")]
    Expired,
    #[error("the ID token's iat is in the future or too old")]
    IssuedAt,
    #[error("the ID token's nonce is not the one this sign-in sent")]
    Nonce,
    #[error("the ID token has no string claim {0:?}")]
    MissingClaim(String),
    #[error("the ID token's email is not verified")]
    EmailNotVerified,
}

/// A verification key from the provider's JWKS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenKey {
    pub kid: Option<String>,
    /// The JWK's own `alg`, if it names one.
    pub alg: Option<String>,
    pub material: KeyMaterial,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// An uncompressed P-256 point (0x04 || x || y).
    P256(Vec<u8>),
}

impl KeyMaterial {
    fn alg(&self) -> &'static str {
        match self {
            KeyMaterial::Rsa { .. } => "RS256",
            KeyMaterial::P256(_) => "ES256",
        }
    }
}

/// The signing keys of a JWKS document: RSA and P-256 keys not marked for encryption. Other
/// keys are skipped; a key carrying private members is refused (a provider bug to not build on).
pub fn parse_jwks(bytes: &[u8]) -> Result<Vec<IdTokenKey>, String> {
    let doc = strict_json::from_slice(bytes)?;
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("a JWKS needs a keys array")?;
    let mut out = Vec::new();
    for k in keys {
        let text = |name: &str| k.get(name).and_then(Value::as_str);
        if text("use").is_some_and(|u| u != "sig") {
            continue;
        }
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|m| k.get(*m).is_some())
        {
            return Err("a JWKS key carries private members".into());
        }
        let bytes = |name: &str| -> Result<Vec<u8>, String> {
            b64::decode(text(name).ok_or(format!("a JWKS key lacks {name}"))?)
                .map_err(|e| format!("JWKS {name}: {e}"))
        };
        let material = match (text("kty"), text("crv")) {
            (Some("RSA"), _) => KeyMaterial::Rsa {
                n: bytes("n")?,
                e: bytes("e")?,
            },
            (Some("EC"), Some("P-256")) => {
                let (x, y) = (bytes("x")?, bytes("y")?);
                if x.len() != 32 || y.len() != 32 {
                    return Err("a P-256 JWKS key needs 32-byte x and y".into());
                }
                let mut point = vec![4u8];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                KeyMaterial::P256(point)
            }
            _ => continue,
        };
        out.push(IdTokenKey {
            kid: text("kid").map(str::to_string),
            alg: text("alg").map(str::to_string),
            material,
        });
    }
    Ok(out)
}

/// What this sign-in expects of its ID token.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: i64,
}

fn verify_signature(key: &IdTokenKey, message: &[u8], sig: &[u8]) -> bool {
    match &key.material {
        KeyMaterial::Rsa { n, e } => RsaPublicKeyComponents { n, e }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
            .is_ok(),
        KeyMaterial::P256(point) => {
            sig.len() == 64
                && UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, sig)
                    .is_ok()
        }
    }
}

/// Checks the JWS signature with a key of `keys` chosen by the header; returns the payload.
pub fn verify_jws(token: &str, keys: &[IdTokenKey]) -> Result<Map<String, Value>, IdTokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(IdTokenError::Malformed("too long"));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(IdTokenError::Malformed("not three parts"));
    };
    let object = |text: &str, what: &'static str| -> Result<Map<String, Value>, IdTokenError> {
        let bytes = b64::decode(text).map_err(|_| IdTokenError::Malformed(what))?;
        match strict_json::from_slice(&bytes) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(IdTokenError::Malformed(what)),
        }
    };
    let header = object(h, "header")?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg != "RS256" && alg != "ES256" {
        return Err(IdTokenError::Algorithm(alg.into()));
    }
    if header.contains_key("crit") {
        return Err(IdTokenError::Critical);
    }
    let kid = header.get("kid").and_then(Value::as_str);
    let candidates: Vec<&IdTokenKey> = keys
        .iter()
        .filter(|k| k.material.alg() == alg)
        .filter(|k| k.alg.as_deref().is_none_or(|a| a == alg))
        .filter(|k| kid.is_none() || k.kid.as_deref() == kid)
        .collect();
    if candidates.is_empty() {
        return Err(IdTokenError::UnknownKey);
    }
    let sig = b64::decode(s).map_err(|_| IdTokenError::Malformed("signature"))?;
    let message = &token.as_bytes()[..h.len() + 1 + p.len()];
    if !candidates
        .iter()
        .any(|k| verify_signature(k, message, &sig))
    {
        return Err(IdTokenError::Signature);
    }
    object(p, "payload")
}

/// Verifies an ID token and returns its claims.
pub fn verify(
    token: &str,
    keys: &[IdTokenKey],
    expected: &Expected,
) -> Result<Map<String, Value>, IdTokenError> {
    let claims = verify_jws(token, keys)?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let int = |name: &str| claims.get(name).and_then(Value::as_i64);
    if text("iss") != Some(expected.issuer) {
        return Err(IdTokenError::Issuer);
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.contains(&expected.client_id) {
        return Err(IdTokenError::Audience);
    }
    if (audiences.len() > 1 || claims.contains_key("azp"))
        && text("azp") != Some(expected.client_id)
    {
        return Err(IdTokenError::AuthorisedParty);
    }
    let now = expected.now;
    match int("exp") {
        Some(exp) if exp + LEEWAY_SECS > now => {}
        _ => return Err(IdTokenError::Expired),
    }
    match int("iat") {
        Some(iat) if iat <= now + LEEWAY_SECS && iat >= now - MAX_AGE_SECS - LEEWAY_SECS => {}
        _ => return Err(IdTokenError::IssuedAt),
    }
    let nonce = text("nonce").unwrap_or("");
    if !super::auth::same_secret(nonce, expected.nonce) {
        return Err(IdTokenError::Nonce);
    }
    if text("sub").is_none_or(str::is_empty) {
        return Err(IdTokenError::MissingClaim("sub".into()));
    }
    Ok(claims)
}

/// The value of the claim that names the user (`user_claim`). An `email` must come with
/// `email_verified: true`: an unverified address names nobody.
pub fn user_name_claim(
    claims: &Map<String, Value>,
    user_claim: &str,
) -> Result<String, IdTokenError> {
    let value = claims
        .get(user_claim)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| IdTokenError::MissingClaim(user_claim.into()))?;
    if user_claim == "email" && claims.get("email_verified") != Some(&Value::Bool(true)) {
        return Err(IdTokenError::EmailNotVerified);
    }
    Ok(value.to_string())
}

#[cfg(test)]
#[path = "oidc_token_tests.rs"]
mod tests;
