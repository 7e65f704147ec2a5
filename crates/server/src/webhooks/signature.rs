//! The `Passport-Signature` header: a JWS with detached content (RFC 7515 appendix F) over the
//! exact request body, ES256 with the sending organisation's signing key (the key on the trust
//! list, named by `kid`).
//!
//! For integrators, checking a delivery is: take the raw body bytes as received (before any
//! JSON parsing or re-encoding) and the header value, call [`verify_delivery`] with the current
//! trust list, then act only on the event it returns, deduplicating on (`source`, `id`). In
//! other languages: the header is `BASE64URL(header) + ".." + BASE64URL(signature)`; put
//! `BASE64URL(body)` between the dots and verify the result as a compact ES256 JWS with the key
//! whose `kid` the header names, from the trust list entry whose `issuer` equals the event's
//! `source`.
use passport_jose::{b64, CompactJws, JoseError, Signer, VerifyingKey};
use passport_trust_list::TrustList;
use serde_json::{json, Map, Value};

/// The header the signature travels in.
pub const HEADER: &str = "Passport-Signature";
/// The protected header's `typ`, so a webhook signature cannot be taken for any other JWS the
/// organisation signs (credentials, status lists, request objects).
pub const TYP: &str = "passport-event+jws";

/// Why a delivery's signature was not accepted; each variant one rule.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the signature is not a detached JWS (header..signature)")]
    NotDetached,
    #[error("the signature's header or the body is not acceptable: {0}")]
    Jose(JoseError),
    #[error("the signature's typ is not {TYP}")]
    WrongType,
    #[error("the signature's header names no kid")]
    NoKid,
    #[error("the body is not a CloudEvents 1.0 event with a source")]
    NotCloudEvent,
    #[error("the event's source {0:?} is not an organisation on the trust list")]
    UnknownSource(String),
    #[error("the trust list has no key {kid:?} for {issuer}")]
    UnknownKey { issuer: String, kid: String },
    #[error("the signature does not match the body")]
    BadSignature,
}

/// The header value for `body`, signed by `signer`.
pub fn sign(body: &[u8], signer: &dyn Signer) -> Result<String, JoseError> {
    let header = json!({"alg": passport_jose::ES256, "kid": signer.kid(), "typ": TYP});
    let header = b64::encode(header.to_string());
    let input = format!("{header}.{}", b64::encode(body));
    let signature = signer.sign(input.as_bytes())?;
    Ok(format!("{header}..{}", b64::encode(signature)))
}

/// A delivery whose signature checked out: the sending organisation and the event.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedEvent {
    /// The sender's ODS code, from the trust list.
    pub ods_code: String,
    /// The CloudEvent, parsed strictly (duplicate member names refused).
    pub event: Map<String, Value>,
}

/// Rebuilds the compact JWS from the detached header value and the body, and parses it (ES256
/// only, no `crit`, strict JSON object body).
fn attach<'a>(
    signature: &str,
    body: &[u8],
    compact: &'a mut String,
) -> Result<CompactJws<'a>, SignatureError> {
    let mut parts = signature.split('.');
    let (Some(h), Some(""), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SignatureError::NotDetached);
    };
    *compact = format!("{h}.{}.{s}", b64::encode(body));
    let jws = CompactJws::parse(compact).map_err(SignatureError::Jose)?;
    if jws.typ() != Some(TYP) {
        return Err(SignatureError::WrongType);
    }
    Ok(jws)
}

/// Checks `signature` over `body` with a key the caller already chose.
pub fn verify_with_key(
    signature: &str,
    body: &[u8],
    key: &VerifyingKey,
) -> Result<Map<String, Value>, SignatureError> {
    let mut compact = String::new();
    let jws = attach(signature, body, &mut compact)?;
    jws.verify(key).map_err(|_| SignatureError::BadSignature)?;
    Ok(jws.into_parts().1)
}

/// The receiver's check: the event's `source` must be an organisation's issuer identifier on
/// `trust_list`, the header's `kid` one of that organisation's keys there, and the signature
/// valid with it over exactly `body`.
pub fn verify_delivery(
    signature: &str,
    body: &[u8],
    trust_list: &TrustList,
) -> Result<VerifiedEvent, SignatureError> {
    let mut compact = String::new();
    let jws = attach(signature, body, &mut compact)?;
    let kid = jws.kid().ok_or(SignatureError::NoKid)?.to_string();
    if jws.payload.get("specversion").and_then(Value::as_str) != Some("1.0") {
        return Err(SignatureError::NotCloudEvent);
    }
    let source = jws
        .payload
        .get("source")
        .and_then(Value::as_str)
        .ok_or(SignatureError::NotCloudEvent)?
        .to_string();
    let org = trust_list
        .by_issuer(&source)
        .ok_or_else(|| SignatureError::UnknownSource(source.clone()))?;
    let key =
        trust_list
            .issuer_key(&source, Some(&kid))
            .map_err(|_| SignatureError::UnknownKey {
                issuer: source.clone(),
                kid,
            })?;
    jws.verify(&key).map_err(|_| SignatureError::BadSignature)?;
    Ok(VerifiedEvent {
        ods_code: org.ods_code.clone(),
        event: jws.into_parts().1,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use passport_jose::Es256Signer;

    #[test]
    fn signs_detached_and_verifies_only_the_exact_body() {
        let (signer, _) = Es256Signer::generate().unwrap();
        let key = signer.public_jwk().verifying_key().unwrap();
        let body = br#"{"specversion":"1.0","id":"ev-1","source":"https://x/issuers/RHQ"}"#;
        let sig = sign(body, &signer).unwrap();
        assert_eq!(sig.split('.').nth(1), Some(""));
        let header: Value =
            serde_json::from_slice(&b64::decode(sig.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header["kid"], signer.kid());
        assert_eq!(header["alg"], "ES256");
        // Baseline, then one changed byte, a re-encoded body, another key, an attached payload.
        assert_eq!(verify_with_key(&sig, body, &key).unwrap()["id"], "ev-1");
        let tampered = String::from_utf8(body.to_vec())
            .unwrap()
            .replace("ev-1", "ev-2");
        assert_eq!(
            verify_with_key(&sig, tampered.as_bytes(), &key),
            Err(SignatureError::BadSignature)
        );
        let spaced = String::from_utf8(body.to_vec()).unwrap().replace(',', ", ");
        assert_eq!(
            verify_with_key(&sig, spaced.as_bytes(), &key),
            Err(SignatureError::BadSignature)
        );
        let (other, _) = Es256Signer::generate().unwrap();
        let other_key = other.public_jwk().verifying_key().unwrap();
        assert_eq!(
            verify_with_key(&sig, body, &other_key),
            Err(SignatureError::BadSignature)
        );
        let (h, s) = sig.split_once("..").unwrap();
        let attached = format!("{h}.{}.{s}", b64::encode(body));
        assert_eq!(
            verify_with_key(&attached, body, &key),
            Err(SignatureError::NotDetached)
        );
    }

    #[test]
    fn a_jws_of_another_type_or_algorithm_is_refused() {
        let (signer, _) = Es256Signer::generate().unwrap();
        let key = signer.public_jwk().verifying_key().unwrap();
        let body = br#"{"specversion":"1.0"}"#;
        let forge = |header: Value| {
            let h = b64::encode(header.to_string());
            let input = format!("{h}.{}", b64::encode(body));
            format!(
                "{h}..{}",
                b64::encode(signer.sign(input.as_bytes()).unwrap())
            )
        };
        let kid = signer.kid();
        assert!(verify_with_key(
            &forge(json!({"alg":"ES256","kid":kid,"typ":TYP})),
            body,
            &key
        )
        .is_ok());
        assert_eq!(
            verify_with_key(
                &forge(json!({"alg":"ES256","kid":kid,"typ":"JWT"})),
                body,
                &key
            ),
            Err(SignatureError::WrongType)
        );
        assert!(matches!(
            verify_with_key(
                &forge(json!({"alg":"HS256","kid":kid,"typ":TYP})),
                body,
                &key
            ),
            Err(SignatureError::Jose(_))
        ));
        assert!(matches!(
            verify_with_key(
                &forge(json!({"alg":"ES256","typ":TYP,"crit":["b64"],"b64":false})),
                body,
                &key
            ),
            Err(SignatureError::Jose(_))
        ));
    }
}
