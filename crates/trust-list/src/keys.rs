//! A JWK Set as a registry administrator pastes it: checked to be what the list may carry
//! before it is stored in a draft.
//!
//! Rules: strict JSON (a repeated member name is refused, as everywhere in the passport); a
//! JWK Set object `{"keys": [...]}` of 1 to [`MAX_KEYS`] keys; no key carries a private member
//! (`d`, or any other key type's secret part), so a private key pasted by mistake is refused
//! and never stored or signed into a public list; every key is an EC P-256 point on the curve,
//! `alg` ES256 if given and `use` `sig` if given; the same key is not listed twice; with more
//! than one key each has its own `kid` (a credential names its key by `kid`).
use crate::TrustError;
use passport_jose::{Jwk, Jwks};
use serde_json::Value;

/// The most keys one organisation may list (a current key and a few being rolled over).
pub const MAX_KEYS: usize = 8;

/// Members that hold secret key material in any JWK key type (RFC 7518 section 6).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Parses and checks a pasted JWK Set; returns it with only the public members this crate
/// knows (`kty crv x y kid alg use`).
pub fn parse_jwks(text: &str) -> Result<Jwks, TrustError> {
    let bad = |why: &str| TrustError::Jwks(why.to_string());
    let value = passport_jose::strict_json::from_slice(text.trim().as_bytes())
        .map_err(|e| TrustError::Jwks(format!("not valid JSON ({e})")))?;
    let Value::Object(set) = &value else {
        return Err(bad("paste a JSON object with a \"keys\" array"));
    };
    if set.contains_key("kty") {
        return Err(bad(
            "this is a single key: paste a JWK Set, {\"keys\": [ ...the key... ]}",
        ));
    }
    let Some(Value::Array(members)) = set.get("keys") else {
        return Err(bad("paste a JSON object with a \"keys\" array"));
    };
    if members.is_empty() {
        return Err(bad(
            "the \"keys\" array is empty: give at least one public key",
        ));
    }
    if members.len() > MAX_KEYS {
        return Err(TrustError::Jwks(format!(
            "{} keys given; at most {MAX_KEYS}",
            members.len()
        )));
    }
    let mut keys: Vec<Jwk> = Vec::with_capacity(members.len());
    for (i, member) in members.iter().enumerate() {
        let index = i + 1;
        let Value::Object(obj) = member else {
            return Err(TrustError::Jwks(format!(
                "key {index} is not a JSON object"
            )));
        };
        if let Some(secret) = PRIVATE_MEMBERS.iter().find(|m| obj.contains_key(**m)) {
            return Err(TrustError::PrivateKeyMember {
                index,
                member: (*secret).to_string(),
            });
        }
        let jwk =
            Jwk::from_json(member).map_err(|e| TrustError::Jwks(format!("key {index}: {e}")))?;
        on_curve(&jwk).map_err(|why| TrustError::Jwks(format!("key {index}: {why}")))?;
        if let Some(u) = &jwk.use_ {
            if u != "sig" {
                return Err(TrustError::Jwks(format!(
                    "key {index}: \"use\" is {u:?}; a signing key has \"sig\""
                )));
            }
        }
        if keys.iter().any(|k| k.x == jwk.x && k.y == jwk.y) {
            return Err(TrustError::Jwks(format!("key {index} is listed twice")));
        }
        keys.push(jwk);
    }
    if keys.len() > 1 {
        let mut kids = std::collections::HashSet::new();
        for (i, k) in keys.iter().enumerate() {
            match &k.kid {
                Some(kid) if !kid.is_empty() && kids.insert(kid.as_str()) => {}
                Some(_) => {
                    return Err(TrustError::Jwks(format!(
                        "key {}: its \"kid\" is empty or used by another key",
                        i + 1
                    )))
                }
                None => {
                    return Err(TrustError::Jwks(format!(
                        "key {}: with more than one key, each needs a \"kid\"",
                        i + 1
                    )))
                }
            }
        }
    }
    Ok(Jwks { keys })
}

/// The point is on P-256 (right lengths alone would let a nonsense key through to a list that
/// every node then believes).
fn on_curve(jwk: &Jwk) -> Result<(), String> {
    let point = jwk.to_uncompressed_point().map_err(|e| e.to_string())?;
    p256::PublicKey::from_sec1_bytes(&point)
        .map(|_| ())
        .map_err(|_| "the point is not on the P-256 curve".to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use passport_jose::{Es256Signer, Signer};
    use serde_json::json;

    fn public(signer: &Es256Signer) -> Value {
        serde_json::to_value(signer.public_jwk()).unwrap()
    }

    fn text(v: Value) -> String {
        v.to_string()
    }

    #[test]
    fn public_p256_keys_are_taken() {
        let (a, _) = Es256Signer::generate().unwrap();
        let (b, _) = Es256Signer::generate().unwrap();
        let one = parse_jwks(&text(json!({"keys": [public(&a)]}))).unwrap();
        assert_eq!(one.keys, vec![a.public_jwk().clone()]);
        let two = parse_jwks(&format!(
            "  {}\n",
            json!({"keys": [public(&a), public(&b)]})
        ))
        .unwrap();
        assert_eq!(two.keys.len(), 2);
        // A key without kid, alone, is fine (credentials then name no kid).
        let mut bare = public(&a);
        bare.as_object_mut().unwrap().remove("kid");
        assert!(parse_jwks(&text(json!({"keys": [bare]}))).is_ok());
    }

    #[test]
    fn a_private_key_is_refused_whatever_it_is_called() {
        let (a, pkcs8) = Es256Signer::generate().unwrap();
        assert!(!pkcs8.is_empty());
        for member in PRIVATE_MEMBERS {
            let mut key = public(&a);
            key[member] = json!("c2VjcmV0");
            assert_eq!(
                parse_jwks(&text(json!({"keys": [key]}))),
                Err(TrustError::PrivateKeyMember {
                    index: 1,
                    member: member.to_string()
                }),
                "{member}"
            );
        }
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        let (a, _) = Es256Signer::generate().unwrap();
        let good = public(&a);
        let with = |k: &str, v: Value| {
            let mut key = good.clone();
            key[k] = v;
            text(json!({"keys": [key]}))
        };
        let refused = |input: String, needle: &str| {
            let e = parse_jwks(&input).unwrap_err();
            assert!(
                matches!(e, TrustError::Jwks(_)) && e.to_string().contains(needle),
                "{input}: {e}"
            );
        };
        refused("not json".into(), "not valid JSON");
        refused("[]".into(), "\"keys\" array");
        refused(text(good.clone()), "single key");
        refused(text(json!({"keys": []})), "empty");
        refused(text(json!({"keys": [1]})), "not a JSON object");
        refused(
            format!(r#"{{"keys": [{}], "keys": []}}"#, good),
            "not valid JSON",
        );
        refused(with("crv", json!("P-384")), "key 1");
        refused(with("kty", json!("RSA")), "key 1");
        refused(with("alg", json!("HS256")), "key 1");
        refused(with("use", json!("enc")), "\"sig\"");
        refused(with("x", json!("AAAA")), "key 1");
        // Right lengths, not a point of the curve.
        refused(
            with("x", json!(passport_jose::b64::encode([7u8; 32]))),
            "not on the P-256 curve",
        );
        refused(text(json!({"keys": [good.clone(), good.clone()]})), "twice");
        let (b, _) = Es256Signer::generate().unwrap();
        let mut b_key = public(&b);
        b_key["kid"] = good["kid"].clone();
        refused(text(json!({"keys": [good.clone(), b_key.clone()]})), "kid");
        b_key.as_object_mut().unwrap().remove("kid");
        refused(text(json!({"keys": [good.clone(), b_key]})), "kid");
        let many: Vec<Value> = (0..=MAX_KEYS)
            .map(|_| public(&Es256Signer::generate().unwrap().0))
            .collect();
        refused(text(json!({ "keys": many })), "at most");
    }
}
