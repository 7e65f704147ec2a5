//! Every rule of [`verify_proof`], each broken on its own after a baseline shows the same
//! setup passes.
#![allow(clippy::unwrap_used)]
use super::*;
use passport_jose::{b64, Es256Signer};

const NODE: &str = "https://node.example";
const NOW: i64 = 1_750_000_000;
const JTI: &str = "0123456789abcdef-single-use";

fn key() -> Es256Signer {
    Es256Signer::generate().unwrap().0
}

fn public(k: &Es256Signer) -> Value {
    let j = k.public_jwk();
    json!({"kty": j.kty, "crv": j.crv, "x": j.x, "y": j.y})
}

/// A proof with this header and payload, signed by `signer` (header `alg` ES256 added).
fn forge(signer: &Es256Signer, mut header: Map<String, Value>, payload: Value) -> String {
    header.insert("alg".into(), "ES256".into());
    let input = format!(
        "{}.{}",
        b64::encode(Value::Object(header).to_string()),
        b64::encode(payload.to_string())
    );
    let sig = signer.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64::encode(sig))
}

fn header(k: &Es256Signer) -> Map<String, Value> {
    let mut h = Map::new();
    h.insert("typ".into(), PROOF_TYP.into());
    h.insert("jwk".into(), public(k));
    h
}

fn payload() -> Value {
    json!({"aud": NODE, "iat": NOW, "jti": JTI})
}

#[test]
fn a_proof_made_here_verifies_and_names_its_key() {
    let k = key();
    let proof = make_proof(&k, NODE, JTI, NOW).unwrap();
    let v = verify_proof(&proof, NODE, NOW + 5).unwrap();
    assert_eq!(v.thumbprint, k.public_jwk().thumbprint());
    assert_eq!(v.jti, JTI);
    assert_eq!(v.replay_until(), NOW + MAX_AGE_SECS);
    // The hand-made baseline the attacks below change one thing of.
    assert!(verify_proof(&forge(&k, header(&k), payload()), NODE, NOW).is_ok());
}

#[test]
fn the_time_window_is_small_and_both_edges_hold() {
    let k = key();
    let proof = make_proof(&k, NODE, JTI, NOW).unwrap();
    assert!(verify_proof(&proof, NODE, NOW + MAX_AGE_SECS).is_ok());
    assert_eq!(
        verify_proof(&proof, NODE, NOW + MAX_AGE_SECS + 1),
        Err(AccessLogError::Stale(MAX_AGE_SECS + 1))
    );
    assert!(verify_proof(&proof, NODE, NOW - IAT_LEEWAY_SECS).is_ok());
    assert_eq!(
        verify_proof(&proof, NODE, NOW - IAT_LEEWAY_SECS - 1),
        Err(AccessLogError::FromTheFuture(IAT_LEEWAY_SECS + 1))
    );
}

#[test]
fn the_audience_is_this_node_exactly() {
    let k = key();
    for aud in [
        json!("https://other.example"),
        json!("https://node.example/"),
        json!([NODE]),
        Value::Null,
    ] {
        let mut p = payload();
        p["aud"] = aud.clone();
        assert_eq!(
            verify_proof(&forge(&k, header(&k), p), NODE, NOW),
            Err(AccessLogError::WrongAudience(NODE.into())),
            "{aud}"
        );
    }
}

#[test]
fn a_signature_by_another_key_than_the_header_key_is_refused() {
    let (victim, attacker) = (key(), key());
    // The victim's public key in the header, signed by the attacker.
    let forged = forge(&attacker, header(&victim), payload());
    assert_eq!(
        verify_proof(&forged, NODE, NOW),
        Err(AccessLogError::BadSignature)
    );
    // A signature changed after signing.
    let good = make_proof(&victim, NODE, JTI, NOW).unwrap();
    let (input, sig) = good.rsplit_once('.').unwrap();
    let mut bytes = b64::decode(sig).unwrap();
    bytes[10] ^= 1;
    let tampered = format!("{input}.{}", b64::encode(bytes));
    assert_eq!(
        verify_proof(&tampered, NODE, NOW),
        Err(AccessLogError::BadSignature)
    );
    // The payload changed after signing (another aud would be caught anyway: a later iat).
    let (h, rest) = good.split_once('.').unwrap();
    let (_, s) = rest.split_once('.').unwrap();
    let later = json!({"aud": NODE, "iat": NOW + 30, "jti": JTI}).to_string();
    let swapped = format!("{h}.{}.{s}", b64::encode(later));
    assert_eq!(
        verify_proof(&swapped, NODE, NOW),
        Err(AccessLogError::BadSignature)
    );
}

#[test]
fn the_key_is_a_public_p256_jwk_in_the_header_and_nowhere_else() {
    let k = key();
    let mut no_key = header(&k);
    no_key.remove("jwk");
    assert_eq!(
        verify_proof(&forge(&k, no_key.clone(), payload()), NODE, NOW),
        Err(AccessLogError::NoKey)
    );
    let mut kid = header(&k);
    kid.insert("kid".into(), "device".into());
    assert_eq!(
        verify_proof(&forge(&k, kid, payload()), NODE, NOW),
        Err(AccessLogError::KeyNamedElsewhere("kid"))
    );
    let mut private = header(&k);
    private["jwk"]["d"] = "AAAA".into();
    assert_eq!(
        verify_proof(&forge(&k, private, payload()), NODE, NOW),
        Err(AccessLogError::PrivateKeyMember("d"))
    );
    let mut other_curve = header(&k);
    other_curve["jwk"]["crv"] = "P-384".into();
    assert!(matches!(
        verify_proof(&forge(&k, other_curve, payload()), NODE, NOW),
        Err(AccessLogError::BadKey(_))
    ));
}

#[test]
fn the_type_the_algorithm_and_the_size_are_checked() {
    let k = key();
    for typ in [json!("openid4vci-proof+jwt"), json!("JWT"), Value::Null] {
        let mut h = header(&k);
        h.insert("typ".into(), typ.clone());
        assert!(
            matches!(
                verify_proof(&forge(&k, h, payload()), NODE, NOW),
                Err(AccessLogError::WrongType(_))
            ),
            "{typ}"
        );
    }
    let good = make_proof(&k, NODE, JTI, NOW).unwrap();
    let (_, rest) = good.split_once('.').unwrap();
    let none = json!({"alg": "none", "typ": PROOF_TYP, "jwk": public(&k)}).to_string();
    let unsigned = format!("{}.{rest}", b64::encode(none));
    assert!(matches!(
        verify_proof(&unsigned, NODE, NOW),
        Err(AccessLogError::Malformed(_))
    ));
    let mut crit = header(&k);
    crit.insert("crit".into(), json!(["exp"]));
    assert!(matches!(
        verify_proof(&forge(&k, crit, payload()), NODE, NOW),
        Err(AccessLogError::Malformed(_))
    ));
    let huge = "a".repeat(MAX_PROOF_BYTES + 1);
    assert_eq!(
        verify_proof(&huge, NODE, NOW),
        Err(AccessLogError::TooLong(MAX_PROOF_BYTES))
    );
}

#[test]
fn iat_and_jti_must_be_there_and_well_formed() {
    let k = key();
    for (name, value, want) in [
        ("iat", json!("1750000000"), AccessLogError::BadClaim("iat")),
        ("iat", json!(1.75e9), AccessLogError::BadClaim("iat")),
        ("jti", json!(42), AccessLogError::BadClaim("jti")),
        ("jti", json!("short"), AccessLogError::BadJti),
        (
            "jti",
            json!("0123456789abcdef/slash"),
            AccessLogError::BadJti,
        ),
        ("jti", json!("x".repeat(257)), AccessLogError::BadJti),
    ] {
        let mut p = payload();
        p[name] = value.clone();
        assert_eq!(
            verify_proof(&forge(&k, header(&k), p), NODE, NOW),
            Err(want),
            "{name} {value}"
        );
    }
    for name in ["iat", "jti"] {
        let mut p = payload();
        p.as_object_mut().unwrap().remove(name);
        assert_eq!(
            verify_proof(&forge(&k, header(&k), p), NODE, NOW),
            Err(AccessLogError::BadClaim(name))
        );
    }
}
