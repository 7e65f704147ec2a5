//! The specifications' own examples (RFC 9901 and draft-ietf-oauth-sd-jwt-vc), stored as data
//! files under tests/vectors with their source named in each file: every published presentation
//! must verify to the published processed payload, and every published disclosure must be
//! reproduced byte for byte from its salt, name and value.
#![allow(clippy::unwrap_used)]
use passport_jose::Jwk;
use passport_sd_jwt::disclosure::{Disclosure, Layout};
use passport_sd_jwt::verify::verify;
use passport_sd_jwt::{vc, KbExpectation, KeyBinding, VerifyOptions};
use serde_json::{Map, Value};
use std::path::PathBuf;

fn load(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(rel);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn options(v: &Value) -> VerifyOptions {
    match v.get("kb") {
        Some(kb) => {
            let iat = kb["iat"].as_i64().unwrap();
            VerifyOptions::new(
                iat,
                KeyBinding::Required(KbExpectation {
                    aud: kb["aud"].as_str().unwrap().into(),
                    nonce: kb["nonce"].as_str().unwrap().into(),
                    max_age_secs: 300,
                }),
            )
        }
        None => {
            let iat = v["issuer_signed_payload"]
                .get("iat")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            VerifyOptions::new(iat, KeyBinding::HolderReceipt)
        }
    }
}

/// The processed payload as the specifications print it: our verifier removes `_sd_alg` too.
fn expected(v: &Value) -> Map<String, Value> {
    let mut m = v["expected_processed_payload_presentation"]
        .as_object()
        .unwrap()
        .clone();
    m.remove("_sd_alg");
    m
}

fn check_disclosures_reproduce(v: &Value) {
    // A digest is referenced by the issuer-signed payload or, when nested, by another disclosure.
    let mut haystack = v["issuer_signed_payload"].to_string();
    for d in v["disclosures"].as_array().unwrap() {
        haystack.push_str(&d["claim_value"].to_string());
    }
    for d in v["disclosures"].as_array().unwrap() {
        let name = d["claim_name"].as_str().map(str::to_string);
        let made = Disclosure::new(
            d["salt"].as_str().unwrap().into(),
            name,
            d["claim_value"].clone(),
            Layout::Python,
        )
        .unwrap();
        assert_eq!(
            made.encoded,
            d["disclosure"].as_str().unwrap(),
            "disclosure {}",
            d["contents"]
        );
        assert_eq!(made.digest, d["digest"].as_str().unwrap());
        assert!(
            haystack.contains(made.digest.as_str()),
            "digest {} is referenced",
            made.digest
        );
        let parsed = Disclosure::parse(&made.encoded).unwrap();
        assert_eq!(parsed.value, d["claim_value"]);
    }
}

fn check_sd_jwt(file: &str) {
    let v = load(file);
    let key = Jwk::from_json(&v["issuer_public_jwk"])
        .unwrap()
        .verifying_key()
        .unwrap();
    let resolve = move |_: &passport_jose::jws::HeaderInfo, _: &Map<String, Value>| Ok(key);
    let got = verify(v["presentation"].as_str().unwrap(), &resolve, &options(&v)).unwrap();
    assert_eq!(got.claims, expected(&v), "{file}: processed payload");
    if let Some(issued) = v.get("sd_jwt_issued").and_then(Value::as_str) {
        let now = options(&v).now;
        let all = verify(
            issued,
            &resolve,
            &VerifyOptions::new(now, KeyBinding::HolderReceipt),
        )
        .unwrap();
        assert_eq!(
            all.disclosed.len(),
            v["disclosures"].as_array().unwrap().len()
        );
    }
    check_disclosures_reproduce(&v);
}

#[test]
fn rfc9901_section5_main_example() {
    check_sd_jwt("rfc9901/main_example.json");
}

#[test]
fn rfc9901_appendix_a1_simple_structured() {
    check_sd_jwt("rfc9901/appendix_a1_simple_structured.json");
}

#[test]
fn rfc9901_appendix_a2_complex_structured() {
    check_sd_jwt("rfc9901/appendix_a2_complex_structured.json");
}

#[test]
fn rfc9901_appendix_a3_sd_jwt_vc() {
    check_sd_jwt("rfc9901/appendix_a3_sd_jwt_vc_pid.json");
}

fn check_vc(file: &str) {
    let v = load(file);
    let key = Jwk::from_json(&v["issuer_public_jwk"])
        .unwrap()
        .verifying_key()
        .unwrap();
    let resolve = move |_: &passport_jose::jws::HeaderInfo, _: &Map<String, Value>| Ok(key);
    let got = vc::verify(v["presentation"].as_str().unwrap(), &resolve, &options(&v)).unwrap();
    assert_eq!(got.sd_jwt.claims, expected(&v), "{file}: processed payload");
    assert_eq!(got.vct, v["issuer_signed_payload"]["vct"].as_str().unwrap());
    check_disclosures_reproduce(&v);
}

#[test]
fn sd_jwt_vc_identity_credential() {
    check_vc("sd-jwt-vc/identity_credential.json");
}

#[test]
fn sd_jwt_vc_pid_appendix() {
    check_vc("sd-jwt-vc/pid_appendix_a1.json");
}

#[test]
fn rfc9901_main_example_kb_is_bound_to_its_nonce() {
    let v = load("rfc9901/main_example.json");
    let key = Jwk::from_json(&v["issuer_public_jwk"])
        .unwrap()
        .verifying_key()
        .unwrap();
    let resolve = move |_: &passport_jose::jws::HeaderInfo, _: &Map<String, Value>| Ok(key);
    let mut opts = options(&v);
    if let KeyBinding::Required(e) = &mut opts.key_binding {
        e.nonce = "another".into();
    }
    assert_eq!(
        verify(v["presentation"].as_str().unwrap(), &resolve, &opts).unwrap_err(),
        passport_sd_jwt::SdJwtError::KbNonce
    );
}
