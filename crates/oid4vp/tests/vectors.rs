//! The published examples (tests/vectors, source named in each file): every DCQL example of
//! OpenID4VP 1.0 parsed, validated, written back unchanged and run through the Wallet's
//! selection; the section 8.3 encrypted response decrypted with the key the text gives; the
//! ECDH-ES computation of RFC 7518 appendix C reproduced byte for byte.
mod common;

use common::{example, load, obj};
use p256::ecdh::diffie_hellman;
use p256::{PublicKey, SecretKey};
use passport_jose::b64;
use passport_oid4vp::PathElement::Key;
use passport_oid4vp::*;
use serde_json::{json, Value};

const DCQL: [&str; 7] = [
    "dcql_simple.json",
    "dcql_simple_mdoc.json",
    "dcql_multi_credentials.json",
    "dcql_credentials_alternatives.json",
    "dcql_complex_mdoc.json",
    "dcql_claims_alternatives.json",
    "dcql_value_matching_simple.json",
];

fn query(name: &str) -> DcqlQuery {
    let text = serde_json::to_vec(&example(name)).expect("JSON");
    DcqlQuery::parse(&text).expect("the example parses")
}

fn keys(path: &[&str]) -> Vec<PathElement> {
    path.iter().map(|k| Key(k.to_string())).collect()
}

#[test]
fn every_dcql_example_parses_validates_and_round_trips() {
    for name in DCQL {
        let q = query(name);
        q.validate_structure()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            q.to_json(),
            example(name),
            "{name} is written back unchanged"
        );
        match q.credentials.iter().find(|c| c.format != FORMAT_SD_JWT_VC) {
            None => assert_eq!(q.validate(), Ok(()), "{name}"),
            Some(other) => assert_eq!(
                q.validate(),
                Err(Oid4vpError::UnsupportedFormat {
                    id: other.id.clone(),
                    format: "mso_mdoc".into()
                }),
                "{name}: only dc+sd-jwt is presented"
            ),
        }
    }
}

fn held(vct: &str, claims: Value) -> (String, serde_json::Map<String, Value>) {
    let mut claims = obj(claims);
    claims.insert("cnf".into(), json!({"jwk": {"kty": "EC"}}));
    (vct.to_string(), claims)
}

#[test]
fn simple_example_selects_its_three_claims() {
    let wallet = [held(
        "https://credentials.example.com/identity_credential",
        json!({"family_name": "Doe", "given_name": "John", "birthdate": "1940-01-01",
               "address": {"street_address": "123 Main St", "locality": "Anytown"}}),
    )];
    let s = select(&query("dcql_simple.json"), &wallet);
    assert!(s.satisfied);
    assert_eq!(s.requested, ["my_credential"]);
    let m = &s.matches("my_credential")[0];
    assert_eq!(
        m.disclose,
        [
            keys(&["family_name"]),
            keys(&["given_name"]),
            keys(&["address", "street_address"])
        ]
    );
}

#[test]
fn credentials_alternatives_example() {
    let q = query("dcql_credentials_alternatives.json");
    let pid = held(
        "https://credentials.example.com/identity_credential",
        json!({"given_name": "A", "family_name": "B", "address": {"street_address": "C"}}),
    );
    let reduced = held(
        "https://credentials.example.com/reduced_identity_credential",
        json!({"given_name": "A", "family_name": "B"}),
    );
    let residence = held(
        "https://cred.example/residence_credential",
        json!({"postal_code": "LS1", "locality": "Leeds", "region": "Yorkshire"}),
    );
    let rewards = held(
        "https://company.example/company_rewards",
        json!({"rewards_number": 42}),
    );

    // The first option of the required set; the optional set cannot be met and is skipped.
    let s = select(&q, std::slice::from_ref(&pid));
    assert!(s.satisfied);
    assert_eq!(s.requested, ["pid"]);
    assert_eq!(
        (s.sets[0].option, s.sets[1].option, s.sets[1].required),
        (Some(0), None, false)
    );

    // The third option (two Credentials), and the optional one since it can be met.
    let s = select(&q, &[reduced.clone(), residence, rewards]);
    assert!(s.satisfied);
    assert_eq!(
        s.requested,
        ["pid_reduced_cred_1", "pid_reduced_cred_2", "nice_to_have"]
    );
    assert_eq!(s.sets[0].option, Some(2));
    assert_eq!(s.matches("pid_reduced_cred_2")[0].credential, 1);

    // Half of an option: the required set fails, so nothing may be returned (section 6.4.2).
    let s = select(&q, &[reduced]);
    assert!(!s.satisfied);
    assert!(s.requested.is_empty() && s.answer().is_empty());
    assert_eq!(s.unmet_required_sets(), [0]);
}

#[test]
fn claims_alternatives_example() {
    let q = query("dcql_claims_alternatives.json");
    let vct = "https://credentials.example.com/identity_credential";
    let all = json!({"last_name": "Doe", "postal_code": "90210", "locality": "Beverly Hills",
                     "region": "CA", "date_of_birth": "1970-01-01"});
    let s = select(&q, &[held(vct, all.clone())]);
    let m = &s.matches("pid")[0];
    assert_eq!(m.claim_set, Some(0), "the preferred option first");
    assert_eq!(
        m.disclose,
        [
            keys(&["last_name"]),
            keys(&["locality"]),
            keys(&["region"]),
            keys(&["date_of_birth"])
        ]
    );
    let mut no_region = all.clone();
    no_region.as_object_mut().expect("object").remove("region");
    let s = select(&q, &[held(vct, no_region.clone())]);
    let m = &s.matches("pid")[0];
    assert_eq!(m.claim_set, Some(1));
    assert_eq!(
        m.disclose,
        [
            keys(&["last_name"]),
            keys(&["postal_code"]),
            keys(&["date_of_birth"])
        ]
    );
    no_region
        .as_object_mut()
        .expect("object")
        .remove("postal_code");
    let s = select(&q, &[held(vct, no_region)]);
    assert!(!s.satisfied && s.matches("pid").is_empty());
}

#[test]
fn value_matching_example() {
    let q = query("dcql_value_matching_simple.json");
    let vct = "https://credentials.example.com/identity_credential";
    let claims = |postal: Value| {
        json!({"family_name": "Doe", "given_name": "John",
               "address": {"street_address": "1 Elm"}, "postal_code": postal})
    };
    let s = select(&q, &[held(vct, claims(json!("90211")))]);
    assert!(s.satisfied);
    assert_eq!(s.matches("my_credential")[0].disclose.len(), 4);
    // Another value, or the right digits as a number (type must match too): no match.
    for other in [json!("12345"), json!(90211)] {
        assert!(!select(&q, &[held(vct, claims(other))]).satisfied);
    }
}

#[test]
fn section_8_3_encrypted_response_example_decrypts() {
    let v = example("jwe_response_example.json");
    let jwk = &v["private_jwk"];
    let mut stored = b64::decode(jwk["d"].as_str().expect("d")).expect("base64url");
    stored.extend_from_slice(b"ac");
    let key = EncryptionKey::from_bytes(&stored).expect("the example key");
    assert_eq!(key.public_jwk().x, jwk["x"].as_str().expect("x"));
    assert_eq!(key.public_jwk().y, jwk["y"].as_str().expect("y"));

    let jwe = v["response"].as_str().expect("response");
    let header = jwe.split('.').next().expect("header part");
    let header: Value =
        serde_json::from_slice(&b64::decode(header).expect("base64url")).expect("JSON");
    assert_eq!(header, v["header"]);
    let plaintext = decrypt(jwe, &key).expect("decrypts");
    let payload: Value = serde_json::from_slice(&plaintext).expect("JSON");
    assert_eq!(payload, v["payload"]);
    let ResponsePayload::Success(response) = decrypt_response(jwe, &key).expect("a response")
    else {
        panic!("not an error response");
    };
    assert_eq!(
        response.vp_token["example_credential_id"],
        ["eyJhb...YMetA"]
    );
}

fn secret(jwk: &Value) -> SecretKey {
    let d = b64::decode(jwk["d"].as_str().expect("d")).expect("base64url");
    SecretKey::from_slice(&d).expect("P-256 scalar")
}

fn public(jwk: &Value) -> PublicKey {
    let mut point = vec![4u8];
    for c in ["x", "y"] {
        point.extend(b64::decode(jwk[c].as_str().expect("coordinate")).expect("base64url"));
    }
    PublicKey::from_sec1_bytes(&point).expect("on the curve")
}

#[test]
fn rfc7518_appendix_c_key_agreement() {
    let v = load("rfc7518_appendix_c.json")["example"].clone();
    let z: Vec<u8> = serde_json::from_value(v["z"].clone()).expect("bytes");
    let derived: Vec<u8> = serde_json::from_value(v["derived_key"].clone()).expect("bytes");
    // Z is the same from both sides.
    let from_bob = diffie_hellman(
        secret(&v["bob"]).to_nonzero_scalar(),
        public(&v["alice"]).as_affine(),
    );
    let from_alice = diffie_hellman(
        secret(&v["alice"]).to_nonzero_scalar(),
        public(&v["bob"]).as_affine(),
    );
    assert_eq!(from_bob.raw_secret_bytes().as_slice(), z.as_slice());
    assert_eq!(from_alice.raw_secret_bytes().as_slice(), z.as_slice());
    let key = concat_kdf(&z, "A128GCM", b"Alice", b"Bob", 16);
    assert_eq!(key, derived);
    assert_eq!(b64::encode(&key), v["derived_key_b64"]);

    // A JWE made with that derived key and the example header (apu, apv, epk = Alice's
    // public key, kid added) decrypts with Bob's key: our decrypt applies apu and apv.
    let mut header = v["header"].clone();
    header["kid"] = json!("bob");
    let mut epk = v["alice"].clone();
    epk.as_object_mut().expect("object").remove("d");
    header["epk"] = epk;
    let header_b64 = b64::encode(header.to_string());
    let sealing = ring::aead::LessSafeKey::new(
        ring::aead::UnboundKey::new(&ring::aead::AES_128_GCM, &key).expect("key"),
    );
    let iv = [7u8; 12];
    let mut data = b"{\"vp_token\":{\"a\":[\"b\"]}}".to_vec();
    let tag = sealing
        .seal_in_place_separate_tag(
            ring::aead::Nonce::assume_unique_for_key(iv),
            ring::aead::Aad::from(header_b64.as_bytes()),
            &mut data,
        )
        .expect("sealed");
    let jwe = format!(
        "{header_b64}..{}.{}.{}",
        b64::encode(iv),
        b64::encode(&data),
        b64::encode(tag.as_ref())
    );
    let mut stored = secret(&v["bob"]).to_bytes().to_vec();
    stored.extend_from_slice(b"bob");
    let bob = EncryptionKey::from_bytes(&stored).expect("Bob's key");
    assert_eq!(
        decrypt(&jwe, &bob).expect("decrypts"),
        b"{\"vp_token\":{\"a\":[\"b\"]}}"
    );
}
