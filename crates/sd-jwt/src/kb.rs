//! Key Binding JWTs (RFC 9901 section 4.3): proof that the holder of `cnf.jwk` presents this
//! SD-JWT to this verifier, now.
use crate::{sha256_b64, SdJwtError, KB_TYP};
use passport_jose::jws::{self, CompactJws, JwsHeader};
use passport_jose::{Signer, VerifyingKey};
use serde_json::json;

/// Signs a KB-JWT over `presentation_prefix` (`<JWT>~<D1>~...~<Dn>~`).
pub(crate) fn sign(
    presentation_prefix: &str,
    aud: &str,
    nonce: &str,
    iat: i64,
    holder: &dyn Signer,
) -> Result<String, SdJwtError> {
    let header = JwsHeader {
        typ: Some(KB_TYP.into()),
        extra: Default::default(),
        with_kid: false,
    };
    let payload = json!({
        "iat": iat,
        "aud": aud,
        "nonce": nonce,
        "sd_hash": sha256_b64(presentation_prefix),
    });
    jws::sign(&header, &payload, holder).map_err(|e| SdJwtError::Issuance(e.to_string()))
}

/// What the verifier expects of the KB-JWT.
#[derive(Debug, Clone)]
pub struct KbExpectation {
    /// The verifier's identifier (OpenID4VP: the client_id, with its prefix).
    pub aud: String,
    /// The fresh nonce of this presentation request.
    pub nonce: String,
    /// How old the KB-JWT may be, in seconds.
    pub max_age_secs: i64,
}

/// RFC 9901 section 7.3 step 5: typ, signature with the holder key, iat window, nonce, aud, sd_hash.
pub(crate) fn verify(
    kb_jwt: &str,
    presentation_prefix: &str,
    holder_key: &VerifyingKey,
    expect: &KbExpectation,
    now: i64,
    leeway: i64,
) -> Result<KbClaims, SdJwtError> {
    let jws = CompactJws::<KbClaims>::parse_typed(kb_jwt).map_err(SdJwtError::KbJwt)?;
    if jws.typ() != Some(KB_TYP) {
        return Err(SdJwtError::WrongTyp {
            expected: KB_TYP,
            found: jws.typ().map(str::to_string),
        });
    }
    jws.verify(holder_key)
        .map_err(|_| SdJwtError::KbSignature)?;
    let p = jws.payload;
    let iat = p.iat.ok_or(SdJwtError::MissingClaim("iat"))?;
    if iat > now + leeway || iat < now - expect.max_age_secs - leeway {
        return Err(SdJwtError::KbFreshness { iat, now });
    }
    let nonce = p
        .nonce
        .as_deref()
        .ok_or(SdJwtError::MissingClaim("nonce"))?;
    if !constant_time_eq(nonce.as_bytes(), expect.nonce.as_bytes()) {
        return Err(SdJwtError::KbNonce);
    }
    if p.aud.as_deref().ok_or(SdJwtError::MissingClaim("aud"))? != expect.aud {
        return Err(SdJwtError::KbAudience);
    }
    let mut expected = [0u8; crate::disclosure::DIGEST_LEN];
    passport_jose::b64::encode_into(
        &crate::sha256(presentation_prefix.as_bytes()),
        &mut expected,
    );
    if p.sd_hash
        .as_deref()
        .ok_or(SdJwtError::MissingClaim("sd_hash"))?
        .as_bytes()
        != expected
    {
        return Err(SdJwtError::KbSdHash);
    }
    Ok(p)
}

/// The claims of a Key Binding JWT. Read into fields (missing ones reported by name above);
/// a wrongly typed or duplicated member is a JSON error.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct KbClaims {
    pub iat: Option<i64>,
    pub aud: Option<String>,
    pub nonce: Option<String>,
    pub sd_hash: Option<String>,
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
