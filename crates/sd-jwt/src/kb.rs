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

/// `{"alg":"ES256","typ":"kb+jwt"}` in either member order, base64url: the header every KB-JWT of
/// this system's wallets has (the Rust holder writes the first, the web wallet the second). A
/// KB-JWT with one of them is split without parsing its header again; any other header takes
/// the general path.
const KNOWN_HEADERS: [&str; 2] = [
    "eyJhbGciOiJFUzI1NiIsInR5cCI6ImtiK2p3dCJ9",
    "eyJ0eXAiOiJrYitqd3QiLCJhbGciOiJFUzI1NiJ9",
];

type Split<'a> = (Vec<u8>, &'a str, [u8; 64]);

fn known_header(kb_jwt: &str) -> Option<Split<'_>> {
    KNOWN_HEADERS
        .iter()
        .find_map(|h| passport_jose::jws::split_known_header(kb_jwt, h))
}

/// The KB-JWT claims, read directly when they are plain (each known claim once, of its type);
/// otherwise by serde, which decides: the same result, and serde's error when there is one.
fn claims(bytes: &[u8]) -> Result<KbClaims, SdJwtError> {
    if let Some(c) = plain_claims(bytes) {
        return Ok(c);
    }
    serde_json::from_slice(bytes).map_err(|e| {
        SdJwtError::KbJwt(passport_jose::JoseError::Json {
            part: "JWS payload",
            reason: e.to_string(),
        })
    })
}

fn plain_claims(bytes: &[u8]) -> Option<KbClaims> {
    let mut r = passport_jose::strict_json::Reader::new(bytes);
    r.begin_object().ok()?;
    let mut c = KbClaims {
        iat: None,
        aud: None,
        nonce: None,
        sd_hash: None,
    };
    let mut first = true;
    while let Some(key) = r.next_key(first).ok()? {
        first = false;
        let value = r.value().ok()?;
        let slot = match key.as_str() {
            "iat" => {
                if c.iat.is_some() {
                    return None;
                }
                c.iat = Some(value.as_i64()?);
                continue;
            }
            "aud" => &mut c.aud,
            "nonce" => &mut c.nonce,
            "sd_hash" => &mut c.sd_hash,
            _ => continue,
        };
        match (value, &slot) {
            (serde_json::Value::String(s), None) => *slot = Some(s),
            _ => return None,
        }
    }
    r.finish().ok()?;
    Some(c)
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
    let p = match known_header(kb_jwt) {
        Some((payload, signing_input, signature)) => {
            let p = claims(&payload)?;
            holder_key
                .verify(signing_input.as_bytes(), &signature)
                .map_err(|_| SdJwtError::KbSignature)?;
            p
        }
        None => {
            let jws = CompactJws::<KbClaims>::parse_typed(kb_jwt).map_err(SdJwtError::KbJwt)?;
            if jws.typ() != Some(KB_TYP) {
                return Err(SdJwtError::WrongTyp {
                    expected: KB_TYP,
                    found: jws.typ().map(str::to_string),
                });
            }
            jws.verify(holder_key)
                .map_err(|_| SdJwtError::KbSignature)?;
            jws.payload
        }
    };
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::KNOWN_HEADERS;
    use passport_jose::b64;

    /// The known headers are what they claim to be, and what the holder writes.
    #[test]
    fn known_headers_decode_to_the_kb_header() {
        for h in KNOWN_HEADERS {
            let v: serde_json::Value = serde_json::from_slice(&b64::decode(h).unwrap()).unwrap();
            assert_eq!(v, serde_json::json!({"alg": "ES256", "typ": "kb+jwt"}));
        }
        let (signer, _) = passport_jose::Es256Signer::generate().unwrap();
        let kb = super::sign("prefix~", "aud", "nonce", 1, &signer).unwrap();
        assert!(kb.starts_with(KNOWN_HEADERS[0]));
    }

    /// The direct read gives serde's result, and leaves to serde what it does not take.
    #[test]
    fn claims_read_like_serde() {
        for text in [
            r#"{"iat":5,"aud":"a","nonce":"n","sd_hash":"h"}"#,
            r#"{"iat":5,"other":{"x":[1,2]},"aud":"a"}"#,
            r#"{"iat":null,"aud":"a"}"#,
            r#"{"iat":5,"iat":6}"#,
            r#"{"aud":"a","aud":"b"}"#,
            r#"{"iat":1.5}"#,
            r#"{"aud":5}"#,
            r#"{"iat":5} x"#,
            r#"[1]"#,
            r#"{"x":{"d":1,"d":2},"iat":7}"#,
        ] {
            let serde: Result<super::KbClaims, _> = serde_json::from_slice(text.as_bytes());
            match (super::claims(text.as_bytes()), serde) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("{text}: {a:?} vs {b:?}"),
            }
        }
    }
}
