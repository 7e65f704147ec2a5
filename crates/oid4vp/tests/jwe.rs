//! Encrypted responses (OpenID4VP 1.0 section 8.3; RFC 7516; RFC 7518 sections 4.6 and 5.3):
//! round trips with both `enc` values and a stored key, then every refusal of `decrypt` and of
//! `encrypt`, each after a baseline that the same JWE decrypts.
use passport_jose::{b64, Jwk};
use passport_oid4vp::{decrypt, encrypt, Enc, EncryptionKey, Oid4vpError};
use serde_json::{json, Value};

const PLAINTEXT: &[u8] = br#"{"vp_token":{"cstf":["eyJhbGciOiJFUzI1NiJ9.e30.sig~"]},"state":"s"}"#;

fn key() -> EncryptionKey {
    EncryptionKey::generate().expect("key")
}

fn parts(jwe: &str) -> Vec<String> {
    jwe.split('.').map(str::to_string).collect()
}

fn header(jwe: &str) -> Value {
    serde_json::from_slice(&b64::decode(&parts(jwe)[0]).expect("base64url")).expect("JSON")
}

/// `jwe` with its protected header replaced by `edit(header)` (the tag no longer matches, so
/// only a check made before decryption can give another error than `JweDecryptionFailed`).
fn with_header(jwe: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut h = header(jwe);
    edit(&mut h);
    let mut p = parts(jwe);
    p[0] = b64::encode(h.to_string());
    p.join(".")
}

#[test]
fn round_trips_with_both_enc_values_and_a_stored_key() {
    let k = key();
    for enc in [Enc::A128GCM, Enc::A256GCM] {
        let jwe = encrypt(PLAINTEXT, &k.public_jwk(), enc).expect("encrypts");
        let h = header(&jwe);
        assert_eq!(h["alg"], "ECDH-ES");
        assert_eq!(h["enc"], enc.name());
        assert_eq!(h["kid"], k.kid());
        assert_eq!(h["epk"]["crv"], "P-256");
        assert!(h.get("epk").and_then(|e| e.get("d")).is_none());
        assert_eq!(parts(&jwe)[1], "", "ECDH-ES has an empty encrypted key");
        assert_eq!(decrypt(&jwe, &k).expect("decrypts"), PLAINTEXT);
        // The Verifier stores the key with the request and reads it back later.
        let stored = EncryptionKey::from_bytes(&k.to_bytes()).expect("stored key");
        assert_eq!(stored.kid(), k.kid());
        assert_eq!(decrypt(&jwe, &stored).expect("decrypts"), PLAINTEXT);
    }
    // Every encryption uses a fresh ephemeral key and IV.
    let a = encrypt(PLAINTEXT, &k.public_jwk(), Enc::A128GCM).expect("encrypts");
    let b = encrypt(PLAINTEXT, &k.public_jwk(), Enc::A128GCM).expect("encrypts");
    assert_ne!(header(&a)["epk"], header(&b)["epk"]);
    assert_ne!(parts(&a)[2], parts(&b)[2]);
    // The published key: kid is the RFC 7638 thumbprint, alg ECDH-ES, use enc.
    let jwk = k.public_jwk();
    assert_eq!(jwk.kid.as_deref(), Some(jwk.thumbprint().as_str()));
    assert_eq!(
        (jwk.alg.as_deref(), jwk.use_.as_deref()),
        (Some("ECDH-ES"), Some("enc"))
    );
    assert!(format!("{k:?}").contains(k.kid()), "Debug shows the kid");
    assert!(!format!("{k:?}").contains("secret"), "and never the secret");
}

#[test]
fn decrypt_refuses_each_broken_rule() {
    use Oid4vpError::*;
    let k = key();
    let jwe = encrypt(PLAINTEXT, &k.public_jwk(), Enc::A256GCM).expect("encrypts");
    assert_eq!(decrypt(&jwe, &k).expect("baseline"), PLAINTEXT);
    let refused = |bad: &str| decrypt(bad, &k).expect_err("must be refused");

    let set = |name: &'static str, v: Value| with_header(&jwe, move |h| h[name] = v);
    assert_eq!(
        refused(&set("alg", json!("ECDH-ES+A128KW"))),
        JweAlgorithmNotAllowed("\"ECDH-ES+A128KW\"".into())
    );
    assert_eq!(
        refused(&set("alg", json!("RSA-OAEP-256"))),
        JweAlgorithmNotAllowed("\"RSA-OAEP-256\"".into())
    );
    assert!(matches!(
        refused(&set("enc", json!("A128CBC-HS256"))),
        JweEncryptionNotAllowed(_)
    ));
    assert_eq!(refused(&set("zip", json!("DEF"))), JweCompression);
    assert_eq!(refused(&set("crit", json!(["exp"]))), JweCrit);
    assert_eq!(refused(&set("kid", json!("someone-else"))), JweKidMismatch);
    assert_eq!(
        refused(&with_header(&jwe, |h| {
            h.as_object_mut().expect("object").remove("kid");
        })),
        JweKidMismatch
    );

    // epk: off the curve, another curve, with a private part, missing.
    let off_curve = {
        let mut y = b64::decode(header(&jwe)["epk"]["y"].as_str().expect("y")).expect("y");
        y[31] ^= 1;
        b64::encode(y)
    };
    let bad_epk = [
        with_header(&jwe, |h| h["epk"]["y"] = json!(off_curve)),
        with_header(&jwe, |h| h["epk"]["crv"] = json!("P-384")),
        with_header(&jwe, |h| h["epk"]["d"] = json!("AAAA")),
        with_header(&jwe, |h| {
            h.as_object_mut().expect("object").remove("epk");
        }),
    ];
    for bad in &bad_epk {
        assert!(matches!(refused(bad), JweInvalidEpk(_)), "{bad}");
    }

    // A non-empty encrypted key (key wrapping instead of direct agreement).
    let mut p = parts(&jwe);
    p[1] = b64::encode([1u8; 40]);
    assert_eq!(refused(&p.join(".")), JweEncryptedKeyNotEmpty);

    // Tampering: ciphertext, tag, IV, or any header change (the header is the AAD).
    for i in [2, 3, 4] {
        let mut p = parts(&jwe);
        let mut bytes = b64::decode(&p[i]).expect("base64url");
        bytes[0] ^= 0x80;
        p[i] = b64::encode(bytes);
        assert_eq!(refused(&p.join(".")), JweDecryptionFailed, "part {i}");
    }
    assert_eq!(
        refused(&set("typ", json!("JWT"))),
        JweDecryptionFailed,
        "an added header member changes the AAD"
    );
    let mut p = parts(&jwe);
    p[2] = b64::encode([0u8; 16]);
    assert_eq!(
        refused(&p.join(".")),
        JweDecryptionFailed,
        "IV must be 96 bits"
    );

    // Another key under the same kid: the tag does not verify.
    let other = key().with_kid(k.kid());
    assert_eq!(decrypt(&jwe, &other), Err(JweDecryptionFailed));

    // Shape: parts, base64url, header JSON with repeated members.
    let p = parts(&jwe);
    let dup = format!(
        "{}.{}",
        b64::encode(r#"{"alg":"ECDH-ES","alg":"ECDH-ES","enc":"A128GCM"}"#),
        p[1..].join(".")
    );
    for bad in [
        p[..4].join("."),
        format!("{jwe}.x"),
        jwe.replacen('.', "+.", 1),
        dup,
        "x".repeat(passport_oid4vp::jwe::MAX_JWE_BYTES + 1),
    ] {
        assert!(matches!(refused(&bad), MalformedJwe(_)));
    }
}

#[test]
fn encrypt_refuses_unusable_recipient_keys() {
    let good = key().public_jwk();
    let mut cases: Vec<Jwk> = Vec::new();
    let mut no_alg = good.clone();
    no_alg.alg = None;
    cases.push(no_alg);
    let mut wrong_alg = good.clone();
    wrong_alg.alg = Some("ES256".into());
    cases.push(wrong_alg);
    let mut sig = good.clone();
    sig.use_ = Some("sig".into());
    cases.push(sig);
    let mut p384 = good.clone();
    p384.crv = "P-384".into();
    cases.push(p384);
    let mut off_curve = good.clone();
    off_curve.x = good.y.clone();
    cases.push(off_curve);
    for bad in cases {
        assert!(matches!(
            encrypt(PLAINTEXT, &bad, Enc::A128GCM),
            Err(Oid4vpError::InvalidEncryptionKey(_))
        ));
    }
    for bad in [
        vec![0u8; 31],
        [vec![0u8; 32], b"kid".to_vec()].concat(),
        vec![1u8; 32],
    ] {
        assert!(matches!(
            EncryptionKey::from_bytes(&bad),
            Err(Oid4vpError::InvalidEncryptionKey(_))
        ));
    }
}
