//! The ID token rules, each broken by a forged token after a baseline shows the same setup
//! verifies; RS256 checked against the RFC 7515 Appendix A.2 example.
#![allow(clippy::unwrap_used)]
use super::*;
use passport_jose::{Es256Signer, Signer};
use serde_json::json;

const ISS: &str = "https://idp.example";
const CLIENT: &str = "passport";
const NONCE: &str = "n-0S6_WzA2Mj";
const NOW: i64 = 1_800_000_000;

fn jwks_of(signers: &[&Es256Signer]) -> Vec<IdTokenKey> {
    let keys: Vec<Value> = signers
        .iter()
        .map(|s| {
            let j = s.public_jwk();
            json!({"kty": "EC", "crv": "P-256", "x": j.x, "y": j.y, "kid": s.kid(), "use": "sig", "alg": "ES256"})
        })
        .collect();
    parse_jwks(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
}

fn sign(signer: &Es256Signer, header: Value, claims: Value) -> String {
    let input = format!(
        "{}.{}",
        b64::encode(header.to_string()),
        b64::encode(claims.to_string())
    );
    let sig = signer.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64::encode(sig))
}

fn claims() -> Value {
    json!({
        "iss": ISS, "aud": CLIENT, "sub": "staff-0001", "nonce": NONCE,
        "iat": NOW - 5, "exp": NOW + 300, "email": "a@example.nhs.uk", "email_verified": true,
    })
}

fn expected() -> Expected<'static> {
    Expected {
        issuer: ISS,
        client_id: CLIENT,
        nonce: NONCE,
        now: NOW,
    }
}

#[test]
fn a_good_es256_token_verifies_and_each_broken_rule_is_refused() {
    let (provider, _) = Es256Signer::generate().unwrap();
    let (intruder, _) = Es256Signer::generate().unwrap();
    let keys = jwks_of(&[&provider]);
    let header = json!({"alg": "ES256", "kid": provider.kid(), "typ": "JWT"});
    let good = sign(&provider, header.clone(), claims());
    let verified = verify(&good, &keys, &expected()).unwrap();
    assert_eq!(verified["sub"], "staff-0001");
    assert_eq!(user_name_claim(&verified, "sub").unwrap(), "staff-0001");
    assert_eq!(
        user_name_claim(&verified, "email").unwrap(),
        "a@example.nhs.uk"
    );

    let with = |name: &str, value: Value| {
        let mut c = claims();
        c[name] = value;
        sign(&provider, header.clone(), c)
    };
    let without = |name: &str| {
        let mut c = claims();
        c.as_object_mut().unwrap().remove(name);
        sign(&provider, header.clone(), c)
    };
    let cases: Vec<(&str, String, IdTokenError)> = vec![
        (
            "wrong nonce",
            with("nonce", json!("another")),
            IdTokenError::Nonce,
        ),
        ("no nonce", without("nonce"), IdTokenError::Nonce),
        (
            "wrong audience",
            with("aud", json!("someone-else")),
            IdTokenError::Audience,
        ),
        (
            "audience list without us",
            with("aud", json!(["a", "b"])),
            IdTokenError::Audience,
        ),
        ("no audience", without("aud"), IdTokenError::Audience),
        (
            "wrong issuer",
            with("iss", json!("https://idp.example/")),
            IdTokenError::Issuer,
        ),
        (
            "expired",
            with("exp", json!(NOW - LEEWAY_SECS - 1)),
            IdTokenError::Expired,
        ),
        ("no exp", without("exp"), IdTokenError::Expired),
        (
            "issued in the future",
            with("iat", json!(NOW + LEEWAY_SECS + 5)),
            IdTokenError::IssuedAt,
        ),
        (
            "issued long ago",
            with("iat", json!(NOW - MAX_AGE_SECS - LEEWAY_SECS - 1)),
            IdTokenError::IssuedAt,
        ),
        (
            "no sub",
            without("sub"),
            IdTokenError::MissingClaim("sub".into()),
        ),
        (
            "signed by another key with the provider's kid",
            sign(&intruder, header.clone(), claims()),
            IdTokenError::Signature,
        ),
        (
            "signed by another key, its own kid",
            sign(
                &intruder,
                json!({"alg": "ES256", "kid": intruder.kid()}),
                claims(),
            ),
            IdTokenError::UnknownKey,
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64::encode(json!({"alg": "none"}).to_string()),
                b64::encode(claims().to_string())
            ),
            IdTokenError::Algorithm("none".into()),
        ),
        (
            "alg HS256",
            sign(
                &provider,
                json!({"alg": "HS256", "kid": provider.kid()}),
                claims(),
            ),
            IdTokenError::Algorithm("HS256".into()),
        ),
        (
            "alg RS256 with an EC key",
            sign(
                &provider,
                json!({"alg": "RS256", "kid": provider.kid()}),
                claims(),
            ),
            IdTokenError::UnknownKey,
        ),
        (
            "crit",
            sign(
                &provider,
                json!({"alg": "ES256", "kid": provider.kid(), "crit": ["x"], "x": 1}),
                claims(),
            ),
            IdTokenError::Critical,
        ),
    ];
    for (name, token, error) in cases {
        assert_eq!(verify(&token, &keys, &expected()), Err(error), "{name}");
    }
    // Several audiences: azp must be us.
    let mut c = claims();
    c["aud"] = json!([CLIENT, "other"]);
    let no_azp = sign(&provider, header.clone(), c.clone());
    assert_eq!(
        verify(&no_azp, &keys, &expected()),
        Err(IdTokenError::AuthorisedParty)
    );
    c["azp"] = json!(CLIENT);
    assert!(verify(&sign(&provider, header.clone(), c), &keys, &expected()).is_ok());
    // A tampered payload under a good signature.
    let mut parts: Vec<&str> = good.split('.').collect();
    let mut evil = claims();
    evil["sub"] = json!("staff-0002");
    let evil_payload = b64::encode(evil.to_string());
    parts[1] = &evil_payload;
    assert_eq!(
        verify(&parts.join("."), &keys, &expected()),
        Err(IdTokenError::Signature)
    );
    // A duplicate member name is refused, not resolved.
    let dup = format!(
        "{}.{}",
        b64::encode(header.to_string()),
        b64::encode(r#"{"sub":"a","sub":"b"}"#)
    );
    let sig = provider.sign(dup.as_bytes()).unwrap();
    assert_eq!(
        verify(&format!("{dup}.{}", b64::encode(sig)), &keys, &expected()),
        Err(IdTokenError::Malformed("payload"))
    );
    // Unverified email names nobody.
    let mut unverified = verified.clone();
    unverified.insert("email_verified".into(), json!(false));
    assert_eq!(
        user_name_claim(&unverified, "email"),
        Err(IdTokenError::EmailNotVerified)
    );
    assert_eq!(
        user_name_claim(&verified, "preferred_username"),
        Err(IdTokenError::MissingClaim("preferred_username".into()))
    );
}

/// RFC 7515 Appendix A.2: the RS256 example JWS and its RSA public key (n, e).
const A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const A2_JWS: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

#[test]
fn rs256_verifies_the_rfc7515_a2_example_and_nothing_altered() {
    let keys = parse_jwks(
        json!({"keys": [{"kty": "RSA", "n": A2_N, "e": "AQAB"}]})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let payload = verify_jws(A2_JWS, &keys).unwrap();
    assert_eq!(payload["iss"], "joe");
    assert_eq!(payload["exp"], 1300819380);
    // One character in the middle of the signature changed.
    let at = A2_JWS.len() - 20;
    let was = &A2_JWS[at..=at];
    let altered = format!(
        "{}{}{}",
        &A2_JWS[..at],
        if was == "A" { "B" } else { "A" },
        &A2_JWS[at + 1..]
    );
    assert_eq!(verify_jws(&altered, &keys), Err(IdTokenError::Signature));
    // The same token against an EC key only: no key of its algorithm.
    let (ec, _) = Es256Signer::generate().unwrap();
    assert_eq!(
        verify_jws(A2_JWS, &jwks_of(&[&ec])),
        Err(IdTokenError::UnknownKey)
    );
    // A JWK that says it is for another algorithm is not used for RS256.
    let ps = parse_jwks(
        json!({"keys": [{"kty": "RSA", "n": A2_N, "e": "AQAB", "alg": "PS256"}]})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(verify_jws(A2_JWS, &ps), Err(IdTokenError::UnknownKey));
}

#[test]
fn jwks_parsing_keeps_signing_keys_and_refuses_private_ones() {
    let doc = json!({"keys": [
        {"kty": "RSA", "n": A2_N, "e": "AQAB", "kid": "r1"},
        {"kty": "RSA", "n": A2_N, "e": "AQAB", "use": "enc"},
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
    ]});
    let e = parse_jwks(doc.to_string().as_bytes()).unwrap_err();
    assert!(e.contains("private"), "{e}");
    let doc = json!({"keys": [
        {"kty": "RSA", "n": A2_N, "e": "AQAB", "kid": "r1"},
        {"kty": "RSA", "n": A2_N, "e": "AQAB", "use": "enc"},
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
    ]});
    let keys = parse_jwks(doc.to_string().as_bytes()).unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].kid.as_deref(), Some("r1"));
    assert!(parse_jwks(br#"{"keys": {}}"#).is_err());
    assert!(parse_jwks(br#"{"keys": [], "keys": []}"#).is_err());
    assert!(
        parse_jwks(br#"{"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]}"#).is_err()
    );
}
