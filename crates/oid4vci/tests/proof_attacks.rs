//! Forged and malformed `jwt` key proofs (OpenID4VCI 1.0 appendix F.1 and F.4): after a baseline
//! shows the same setup passes, each is refused with `invalid_proof` and a description naming the
//! rule it breaks.
#![allow(clippy::unwrap_used)]
use passport_jose::jws::{self, JwsHeader};
use passport_jose::{b64, Es256Signer, Signer};
use passport_oid4vci::{make_proof, verify_proof, Oid4vciError, PROOF_TYP};
use serde_json::{json, Map, Value};

const ISSUER: &str = "https://passport.example.nhs.uk/issuers/RHQ";
const NOW: i64 = 1_750_000_000;
const MAX_AGE: i64 = 300;

fn key() -> Es256Signer {
    Es256Signer::generate().unwrap().0
}

fn public_jwk(signer: &Es256Signer) -> Value {
    let k = signer.public_jwk();
    json!({"kty": k.kty, "crv": k.crv, "x": k.x, "y": k.y})
}

fn claims() -> Value {
    json!({"aud": ISSUER, "iat": NOW, "nonce": "n-0S6_WzA2Mj"})
}

/// Signs `payload` with `signer`, header `typ` and extra members as given (`alg` is ES256).
fn signed(signer: &Es256Signer, typ: Option<&str>, extra: Value, payload: Value) -> String {
    let extra: Map<String, Value> = extra.as_object().cloned().unwrap_or_default();
    let header = JwsHeader {
        typ: typ.map(str::to_string),
        extra,
        with_kid: false,
    };
    jws::sign(&header, &payload, signer).unwrap()
}

fn proof_with(signer: &Es256Signer, payload: Value) -> String {
    signed(
        signer,
        Some(PROOF_TYP),
        json!({"jwk": public_jwk(signer)}),
        payload,
    )
}

/// A JWS with an arbitrary header and signature bytes (for algorithms we cannot sign with).
fn forged(header: Value, payload: Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64::encode(header.to_string()),
        b64::encode(payload.to_string()),
        b64::encode(signature)
    )
}

fn refused(jwt: &str, because: &str) {
    match verify_proof(jwt, ISSUER, NOW, MAX_AGE) {
        Err(e @ Oid4vciError::InvalidProof(_)) => {
            assert_eq!(e.code(), "invalid_proof");
            assert_eq!(e.http_status(), 400);
            assert!(
                e.description().contains(because),
                "expected a description containing {because:?}, got {:?}",
                e.description()
            );
        }
        other => panic!("expected invalid_proof ({because}), got {other:?}"),
    }
}

#[test]
fn baseline_proof_verifies() {
    let k = key();
    let p = verify_proof(
        &make_proof(&k, ISSUER, "n-0S6_WzA2Mj", NOW).unwrap(),
        ISSUER,
        NOW,
        MAX_AGE,
    )
    .unwrap();
    assert_eq!(p.nonce, "n-0S6_WzA2Mj");
    assert_eq!(p.iat, NOW);
    assert_eq!(p.iss, None);
    assert_eq!(p.jwk.thumbprint(), k.public_jwk().thumbprint());
    // The helpers below build the same proof.
    assert!(verify_proof(&proof_with(&k, claims()), ISSUER, NOW, MAX_AGE).is_ok());
    // The edges of the time window are inside it.
    assert!(verify_proof(
        &proof_with(
            &k,
            json!({"aud": ISSUER, "iat": NOW - MAX_AGE, "nonce": "n"})
        ),
        ISSUER,
        NOW,
        MAX_AGE
    )
    .is_ok());
    assert!(verify_proof(
        &proof_with(&k, json!({"aud": ISSUER, "iat": NOW + 60, "nonce": "n"})),
        ISSUER,
        NOW,
        MAX_AGE
    )
    .is_ok());
    // An iss (client_id) is returned, not refused; aud as a one-member array is accepted.
    let p = verify_proof(
        &proof_with(
            &k,
            json!({"iss": "wallet", "aud": [ISSUER], "iat": NOW, "nonce": "n"}),
        ),
        ISSUER,
        NOW,
        MAX_AGE,
    )
    .unwrap();
    assert_eq!(p.iss.as_deref(), Some("wallet"));
}

#[test]
fn wrong_or_missing_typ() {
    let k = key();
    let jwk = json!({"jwk": public_jwk(&k)});
    refused(
        &signed(&k, Some("JWT"), jwk.clone(), claims()),
        "typ is JWT",
    );
    refused(
        &signed(&k, Some("kb+jwt"), jwk.clone(), claims()),
        "expected openid4vci-proof+jwt",
    );
    refused(
        &signed(
            &k,
            Some("application/openid4vci-proof+jwt"),
            jwk.clone(),
            claims(),
        ),
        "typ is",
    );
    refused(&signed(&k, None, jwk, claims()), "typ is missing");
}

#[test]
fn alg_none_hmac_and_others() {
    let k = key();
    let h = |alg: &str| json!({"alg": alg, "typ": PROOF_TYP, "jwk": public_jwk(&k)});
    refused(&forged(h("none"), claims(), b""), "alg none is not allowed");
    refused(
        &forged(h("HS256"), claims(), &[7; 32]),
        "alg HS256 is not allowed",
    );
    refused(
        &forged(h("ES384"), claims(), &[7; 96]),
        "alg ES384 is not allowed",
    );
    refused(
        &forged(h("RS256"), claims(), &[7; 256]),
        "alg RS256 is not allowed",
    );
    let mut no_alg = h("ES256");
    no_alg.as_object_mut().unwrap().remove("alg");
    refused(
        &forged(no_alg, claims(), &[7; 64]),
        "not a valid compact JWS",
    );
    let mut crit = h("ES256");
    crit["crit"] = json!(["exp"]);
    refused(&forged(crit, claims(), &[7; 64]), "crit");
    refused(&forged(h("ES256"), claims(), &[7; 63]), "64 bytes");
}

#[test]
fn wrong_audience() {
    let k = key();
    let other =
        json!({"aud": "https://passport.example.nhs.uk/issuers/RXX", "iat": NOW, "nonce": "n"});
    refused(&proof_with(&k, other), "aud is not this issuer");
    refused(
        &proof_with(&k, json!({"aud": [], "iat": NOW, "nonce": "n"})),
        "aud is not this issuer",
    );
    refused(
        &proof_with(
            &k,
            json!({"aud": format!("{ISSUER}/"), "iat": NOW, "nonce": "n"}),
        ),
        "aud is not this issuer",
    );
    refused(
        &proof_with(&k, json!({"iat": NOW, "nonce": "n"})),
        "aud is missing",
    );
}

#[test]
fn stale_future_or_missing_iat() {
    let k = key();
    let at = |iat: Value| json!({"aud": ISSUER, "iat": iat, "nonce": "n"});
    refused(
        &proof_with(&k, at(json!(NOW - MAX_AGE - 1))),
        "iat is 301s old",
    );
    refused(&proof_with(&k, at(json!(NOW - 86_400))), "old");
    refused(
        &proof_with(&k, at(json!(NOW + 61))),
        "iat is 61s in the future",
    );
    refused(
        &proof_with(&k, at(json!(NOW as f64 + 0.5))),
        "iat is not an integer",
    );
    refused(
        &proof_with(&k, at(json!(NOW.to_string()))),
        "iat is not an integer",
    );
    refused(
        &proof_with(&k, json!({"aud": ISSUER, "nonce": "n"})),
        "iat is missing",
    );
}

#[test]
fn missing_or_malformed_nonce() {
    let k = key();
    refused(
        &proof_with(&k, json!({"aud": ISSUER, "iat": NOW})),
        "nonce is missing",
    );
    refused(
        &proof_with(&k, json!({"aud": ISSUER, "iat": NOW, "nonce": ""})),
        "nonce is not a non-empty string",
    );
    refused(
        &proof_with(&k, json!({"aud": ISSUER, "iat": NOW, "nonce": 42})),
        "nonce is not a non-empty string",
    );
}

#[test]
fn private_key_in_header_jwk() {
    let k = key();
    let mut jwk = public_jwk(&k);
    jwk["d"] = json!("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI");
    refused(
        &signed(&k, Some(PROOF_TYP), json!({"jwk": jwk}), claims()),
        "private key member d",
    );
    let mut sym = public_jwk(&k);
    sym["k"] = json!("c2VjcmV0");
    refused(
        &signed(&k, Some(PROOF_TYP), json!({"jwk": sym}), claims()),
        "private key member k",
    );
}

#[test]
fn key_named_other_than_by_jwk() {
    let k = key();
    // `jws::sign` writes the signer's kid when asked to.
    let with_kid = |extra: Value| {
        let header = JwsHeader {
            typ: Some(PROOF_TYP.into()),
            extra: extra.as_object().cloned().unwrap_or_default(),
            with_kid: true,
        };
        jws::sign(&header, &claims(), &k).unwrap()
    };
    refused(&with_kid(json!({})), "header kid is not accepted");
    refused(
        &with_kid(json!({"jwk": public_jwk(&k)})),
        "header kid is not accepted",
    );
    refused(
        &signed(&k, Some(PROOF_TYP), json!({"x5c": ["MIIB"]}), claims()),
        "header x5c is not accepted",
    );
    refused(
        &signed(
            &k,
            Some(PROOF_TYP),
            json!({"jku": "https://evil.example/jwks"}),
            claims(),
        ),
        "header jku",
    );
    refused(
        &signed(&k, Some(PROOF_TYP), json!({}), claims()),
        "header has no jwk",
    );
    refused(
        &signed(&k, Some(PROOF_TYP), json!({"jwk": "eyJ..."}), claims()),
        "jwk is not an object",
    );
}

#[test]
fn header_key_not_p256() {
    let k = key();
    let mut p384 = public_jwk(&k);
    p384["crv"] = json!("P-384");
    refused(
        &signed(&k, Some(PROOF_TYP), json!({"jwk": p384}), claims()),
        "only EC P-256",
    );
    let rsa = json!({"kty": "RSA", "n": "0vx7", "e": "AQAB"});
    refused(
        &signed(&k, Some(PROOF_TYP), json!({"jwk": rsa}), claims()),
        "header jwk",
    );
    let mut hs = public_jwk(&k);
    hs["alg"] = json!("HS256");
    refused(
        &signed(&k, Some(PROOF_TYP), json!({"jwk": hs}), claims()),
        "HS256",
    );
}

#[test]
fn tampered_payload() {
    let k = key();
    let jwt = make_proof(&k, ISSUER, "n-0S6_WzA2Mj", NOW).unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let other = b64::encode(json!({"aud": ISSUER, "iat": NOW, "nonce": "attacker"}).to_string());
    refused(
        &format!("{}.{}.{}", parts[0], other, parts[2]),
        "signature does not verify",
    );
    // Same for a changed header (e.g. swapping in the attacker's key).
    let attacker = key();
    let header = b64::encode(
        json!({"alg": "ES256", "typ": PROOF_TYP, "jwk": public_jwk(&attacker)}).to_string(),
    );
    refused(
        &format!("{}.{}.{}", header, parts[1], parts[2]),
        "signature does not verify",
    );
}

#[test]
fn signature_by_another_key() {
    let holder = key();
    let attacker = key();
    // The header claims the holder's key; the attacker signs.
    let jwt = signed(
        &attacker,
        Some(PROOF_TYP),
        json!({"jwk": public_jwk(&holder)}),
        claims(),
    );
    refused(&jwt, "signature does not verify with the header jwk");
}

#[test]
fn oversized_and_garbage() {
    refused(&"a".repeat(9000), "longer than");
    refused("not-a-jwt", "not a valid compact JWS");
    refused("a.b.c.d", "not a valid compact JWS");
    let k = key();
    let jwt = make_proof(&k, ISSUER, "n", NOW).unwrap();
    refused(&jwt.replacen('.', "=.", 1), "not a valid compact JWS");
}
