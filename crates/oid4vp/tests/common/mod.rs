//! Shared by the integration tests: spec vectors, a synthetic trust list and Verifier.
#![allow(dead_code)]
use passport_jose::{Es256Signer, Jwks, Signer};
use passport_oid4vp::{
    client_id_for, verifier_certificate, AuthorizationRequest, ClientMetadata, DcqlQuery,
    EncryptionKey,
};
use passport_trust_list::{OrgKind, Organisation, TrustList};
use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// A fixed "now" for everything time-dependent (2025-06-15T12:00:00Z).
pub const NOW: i64 = 1_750_000_000;
pub const CSTF_VCT: &str = "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1";
pub const RESPONSE_URI: &str = "https://passport.example.nhs.uk/verifiers/RR8/response";

/// A vector file of tests/vectors, after checking that it names its source section.
pub fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("vector file is readable");
    let v: Value = serde_json::from_str(&text).expect("vector file is JSON");
    let source = v["source"].as_str().expect("vector names its source");
    assert!(
        source.contains("section") || source.contains("appendix"),
        "{name} names its section"
    );
    v
}

pub fn example(name: &str) -> Value {
    load(name)["example"].clone()
}

pub fn obj(v: Value) -> Map<String, Value> {
    v.as_object().expect("a JSON object").clone()
}

/// A Verifier organisation: its signing key, its certificate and Client Identifier.
pub struct Verifier {
    pub ods: String,
    pub signer: Es256Signer,
    pub cert: Vec<u8>,
    pub client_id: String,
}

pub fn verifier(ods: &str) -> Verifier {
    let (signer, _) = Es256Signer::generate().expect("key generation");
    let cert = verifier_certificate(
        &signer,
        &format!("{ods} Staff Passport Verifier"),
        ods,
        NOW - 86_400,
        NOW + 365 * 86_400,
    )
    .expect("certificate");
    let client_id = client_id_for(&cert);
    Verifier {
        ods: ods.into(),
        signer,
        cert,
        client_id,
    }
}

pub fn organisation(v: &Verifier, may_verify: bool) -> Organisation {
    Organisation {
        ods_code: v.ods.clone(),
        name: format!("{} NHS Foundation Trust", v.ods),
        kind: OrgKind::Trust,
        issuer: format!("https://passport.example.nhs.uk/issuers/{}", v.ods),
        jwks: Jwks {
            keys: vec![v.signer.public_jwk().clone()],
        },
        may_issue: vec![CSTF_VCT.into()],
        may_verify,
    }
}

/// A registry-signed trust list holding `orgs`, verified as a node would load it.
pub fn trust_list(orgs: Vec<Organisation>) -> TrustList {
    let (registry, _) = Es256Signer::generate().expect("key generation");
    let list = TrustList::new(1, NOW - 3_600, NOW + 7 * 86_400, orgs);
    let token = list.sign(&registry).expect("signed list");
    let key = registry.public_jwk().verifying_key().expect("registry key");
    TrustList::verify(&token, &key, NOW).expect("valid list")
}

/// A DCQL query for one Core Skills Training credential.
pub fn cstf_query() -> DcqlQuery {
    DcqlQuery::from_value(json!({"credentials": [{
        "id": "cstf",
        "format": "dc+sd-jwt",
        "meta": {"vct_values": [CSTF_VCT]},
        "claims": [{"path": ["competencyName"]}, {"path": ["expiryDate"]}]
    }]}))
    .expect("valid query")
}

/// A request of `v`, with a fresh encryption key, valid for five minutes from [`NOW`].
pub fn request(v: &Verifier, key: &EncryptionKey) -> AuthorizationRequest {
    AuthorizationRequest::new(
        v.client_id.clone(),
        RESPONSE_URI,
        "n-0S6_WzA2Mj-nonce-value-1234",
        "state-4f1e2d3c-b5a6-7788-9900",
        cstf_query(),
        ClientMetadata::for_request(key),
        NOW,
        NOW + 300,
    )
}
