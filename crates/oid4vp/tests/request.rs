//! Request Objects (OpenID4VP 1.0 sections 5, 5.8, 5.9.3, 5.10.1, 8.2; HAIP 1.0 section 5):
//! the Verifier's certificate and signed request, the Wallet's `verify_request` accepting it,
//! then one refusal per rule, each from a request that differs from the accepted one in that
//! rule only.
mod common;

use common::*;
use passport_jose::jws::{self, JwsHeader};
use passport_jose::{b64, Es256Signer, Signer};
use passport_oid4vp::*;
use serde_json::{json, Map, Value};

struct Setup {
    v: Verifier,
    key: EncryptionKey,
    trust: passport_trust_list::TrustList,
}

fn setup() -> Setup {
    let v = verifier("RR8");
    let trust = trust_list(vec![organisation(&v, true)]);
    Setup {
        key: EncryptionKey::generate().expect("key"),
        v,
        trust,
    }
}

/// A Request Object with `edit` applied to its claims and `header` to its JOSE header, signed
/// by `signer`, with `cert` in `x5c`.
fn forge(
    signer: &dyn Signer,
    cert: &[u8],
    claims: Value,
    edit_header: impl FnOnce(&mut Map<String, Value>),
) -> String {
    use base64::Engine;
    let mut extra = Map::new();
    extra.insert(
        "x5c".into(),
        json!([base64::engine::general_purpose::STANDARD.encode(cert)]),
    );
    let mut header = JwsHeader {
        typ: Some(REQUEST_TYP.into()),
        extra,
        with_kid: false,
    };
    edit_header(&mut header.extra);
    if let Some(Value::String(typ)) = header.extra.remove("typ") {
        header.typ = Some(typ);
    }
    jws::sign(&header, &claims, signer).expect("signed")
}

impl Setup {
    fn claims(&self) -> Value {
        request(&self.v, &self.key).to_json()
    }

    fn signed_with(&self, edit: impl FnOnce(&mut Value)) -> String {
        let mut claims = self.claims();
        edit(&mut claims);
        forge(&self.v.signer, &self.v.cert, claims, |_| {})
    }

    fn verify(&self, jwt: &str) -> Result<(AuthorizationRequest, String), Oid4vpError> {
        verify_request(jwt, Some(&self.v.client_id), &self.trust, NOW + 10, 60)
            .map(|(r, org)| (r, org.ods_code.clone()))
    }
}

#[test]
fn signed_request_round_trips() {
    let s = setup();
    let req = request(&s.v, &s.key);
    let jwt = sign_request(&req, &s.v.signer, &s.v.cert).expect("signed");
    let header: Value = serde_json::from_slice(
        &b64::decode(jwt.split('.').next().expect("header")).expect("base64url"),
    )
    .expect("JSON");
    assert_eq!(header["typ"], "oauth-authz-req+jwt");
    assert_eq!(header["alg"], "ES256");
    assert!(header.get("kid").is_none());
    let (back, ods) = s.verify(&jwt).expect("accepted");
    assert_eq!(back, req);
    assert_eq!(ods, "RR8");
    assert_eq!(
        back.client_metadata.encryption().expect("key").0,
        &s.key.public_jwk()
    );
    // Without a URL client_id (e.g. a request object obtained otherwise) it is accepted too.
    assert!(verify_request(&jwt, None, &s.trust, NOW, 0).is_ok());
    // Plain http to a loopback address is accepted (tests).
    let local = s.signed_with(|c| c["response_uri"] = json!("http://127.0.0.1:8080/response"));
    assert!(s.verify(&local).is_ok());
    // Keys a Wallet cannot use are dropped, the P-256 one kept.
    let okp = s.signed_with(|c| {
        let keys = c["client_metadata"]["jwks"]["keys"]
            .as_array_mut()
            .expect("keys");
        keys.insert(
            0,
            json!({"kty": "OKP", "crv": "X25519", "kid": "x", "x": "AAAA", "alg": "ECDH-ES"}),
        );
    });
    let (r, _) = s.verify(&okp).expect("accepted");
    assert_eq!(r.client_metadata.jwks.keys.len(), 1);
}

#[test]
fn sign_request_refuses_a_mismatched_certificate() {
    let s = setup();
    let other = verifier("RR8");
    let req = request(&s.v, &s.key);
    assert!(matches!(
        sign_request(&req, &other.signer, &s.v.cert),
        Err(Oid4vpError::Signing(_))
    ));
    assert_eq!(
        sign_request(&req, &other.signer, &other.cert),
        Err(Oid4vpError::ClientIdHashMismatch)
    );
}

#[test]
fn each_broken_rule_is_refused() {
    use Oid4vpError::*;
    let s = setup();
    let good = s.signed_with(|_| {});
    assert!(s.verify(&good).is_ok(), "baseline");

    // Tampered payload: another nonce with the original signature.
    let mut p: Vec<String> = good.split('.').map(str::to_string).collect();
    let mut claims = s.claims();
    claims["nonce"] = json!("attacker-chosen-nonce-0123456");
    p[1] = b64::encode(claims.to_string());
    assert_eq!(s.verify(&p.join(".")).map(|_| ()), Err(BadRequestSignature));

    // alg none, and HS256.
    let none = format!(
        "{}.{}.",
        b64::encode(r#"{"alg":"none","typ":"oauth-authz-req+jwt"}"#),
        p[1]
    );
    assert_eq!(
        s.verify(&none).map(|_| ()),
        Err(RequestAlgorithmNotAllowed("none".into()))
    );
    let hs = format!(
        "{}.{}.{}",
        b64::encode(r#"{"alg":"HS256"}"#),
        p[1],
        b64::encode([0u8; 32])
    );
    assert_eq!(
        s.verify(&hs).map(|_| ()),
        Err(RequestAlgorithmNotAllowed("HS256".into()))
    );
    assert!(matches!(
        s.verify("a.b").map(|_| ()),
        Err(MalformedRequestObject(_))
    ));

    // Header rules: typ, x5c.
    let signer = &s.v.signer;
    let cert = &s.v.cert;
    let wrong_typ = forge(signer, cert, s.claims(), |h| {
        h.insert("typ".into(), json!("JWT"));
    });
    assert_eq!(s.verify(&wrong_typ).map(|_| ()), Err(WrongRequestTyp));
    let no_x5c = forge(signer, cert, s.claims(), |h| {
        h.remove("x5c");
    });
    assert_eq!(s.verify(&no_x5c).map(|_| ()), Err(MissingX5c));
    let two = forge(signer, cert, s.claims(), |h| {
        let leaf = h["x5c"][0].clone();
        h.insert("x5c".into(), json!([leaf.clone(), leaf]));
    });
    assert_eq!(s.verify(&two).map(|_| ()), Err(X5cNotSingleCertificate));

    // Wrong hash: a client_id for another certificate, signed by the right key.
    let other = verifier("RR8");
    let wrong_hash = s.signed_with(|c| c["client_id"] = json!(other.client_id));
    let r = verify_request(&wrong_hash, None, &s.trust, NOW, 60).map(|_| ());
    assert_eq!(r, Err(ClientIdHashMismatch));
    let san = s.signed_with(|c| c["client_id"] = json!("x509_san_dns:verifier.example.nhs.uk"));
    assert!(matches!(
        s.verify(&san).map(|_| ()),
        Err(UnsupportedClientIdPrefix(_))
    ));

    // client_id of the URL differs from the Request Object's.
    let r = verify_request(&good, Some(&other.client_id), &s.trust, NOW, 60).map(|_| ());
    assert_eq!(r, Err(ClientIdMismatch));

    // Trust: a key not on the list, an organisation without may_verify, an unknown one.
    let stranger = verifier("RR8");
    let jwt = forge(&stranger.signer, &stranger.cert, json!({}), |_| {});
    assert_eq!(
        s.verify(&jwt).map(|_| ()),
        Err(KeyNotOnTrustList("RR8".into()))
    );
    let no_verify = trust_list(vec![organisation(&s.v, false)]);
    let r = verify_request(&good, None, &no_verify, NOW, 60).map(|_| ());
    assert_eq!(r, Err(NotAuthorisedToVerify("RR8".into())));
    let unknown = verifier("RHQ");
    let jwt = forge(&unknown.signer, &unknown.cert, json!({}), |_| {});
    assert_eq!(
        s.verify(&jwt).map(|_| ()),
        Err(UnknownVerifier("RHQ".into()))
    );
    let r = verify_request(&good, None, &s.trust, s.trust.exp + 1, 60).map(|_| ());
    assert!(matches!(r, Err(TrustListExpired { .. })));

    // Time: expired request, issued in the future, expired certificate; within leeway is fine.
    let expired = s.signed_with(|c| c["exp"] = json!(NOW - 61));
    assert!(matches!(
        s.verify(&expired).map(|_| ()),
        Err(RequestObjectExpired(_))
    ));
    let in_leeway = s.signed_with(|c| c["exp"] = json!(NOW - 40));
    assert!(s.verify(&in_leeway).is_ok());
    let extreme = s.signed_with(|c| c["nbf"] = json!(i64::MIN));
    assert!(s.verify(&extreme).is_ok(), "no overflow on extreme values");
    let extreme = s.signed_with(|c| c["iat"] = json!(i64::MAX));
    assert!(matches!(
        s.verify(&extreme).map(|_| ()),
        Err(RequestObjectExpired(_))
    ));
    let future = s.signed_with(|c| c["iat"] = json!(NOW + 3_600));
    assert!(matches!(
        s.verify(&future).map(|_| ()),
        Err(RequestObjectExpired(_))
    ));
    let no_exp = s.signed_with(|c| {
        c.as_object_mut().expect("object").remove("exp");
    });
    assert!(matches!(
        s.verify(&no_exp).map(|_| ()),
        Err(RequestObjectExpired(_))
    ));
    let old = Es256Signer::generate().expect("key").0;
    let old_cert = verifier_certificate(&old, "CN", "RR8", NOW - 1_000, NOW - 500).expect("cert");
    let old_org = Verifier {
        ods: "RR8".into(),
        signer: old,
        cert: old_cert.clone(),
        client_id: client_id_for(&old_cert),
    };
    let old_trust = trust_list(vec![organisation(&old_org, true)]);
    let jwt = forge(&old_org.signer, &old_cert, json!({}), |_| {});
    let r = verify_request(&jwt, None, &old_trust, NOW, 60).map(|_| ());
    assert!(matches!(r, Err(CertificateNotValidNow { .. })));

    // Claims.
    type Edit = fn(&mut Value);
    let cases: Vec<(Edit, Oid4vpError)> = vec![
        (
            |c| c["aud"] = json!("https://wallet.example"),
            WrongAudience,
        ),
        (
            |c| c["response_type"] = json!("code"),
            UnsupportedResponseType("code".into()),
        ),
        (
            |c| c["response_mode"] = json!("direct_post"),
            UnsupportedResponseMode("direct_post".into()),
        ),
        (
            |c| c["response_mode"] = json!("fragment"),
            UnsupportedResponseMode("fragment".into()),
        ),
        (
            |c| c["transaction_data"] = json!(["e30"]),
            TransactionDataUnsupported,
        ),
        (|c| c["scope"] = json!("com.example.cstf"), MissingDcqlQuery),
        (
            |c| {
                c.as_object_mut().expect("object").remove("dcql_query");
            },
            MissingDcqlQuery,
        ),
        (
            |c| c["dcql_query"]["credentials"][0]["format"] = json!("mso_mdoc"),
            UnsupportedFormat {
                id: "cstf".into(),
                format: "mso_mdoc".into(),
            },
        ),
        (
            |c| c["dcql_query"]["credentials"] = json!([]),
            EmptyCredentialQueries,
        ),
        (
            |c| c["client_metadata"]["vp_formats_supported"] = json!({"mso_mdoc": {}}),
            VpFormatsNotSupported,
        ),
        (
            |c| {
                c["client_metadata"]["vp_formats_supported"]["dc+sd-jwt"]["kb-jwt_alg_values"] =
                    json!(["ES384"])
            },
            VpFormatsNotSupported,
        ),
    ];
    for (edit, expected) in cases {
        let jwt = s.signed_with(edit);
        assert_eq!(
            s.verify(&jwt).map(|_| ()),
            Err(expected.clone()),
            "{expected}"
        );
    }
    type Check = fn(&Oid4vpError) -> bool;
    let kinds: Vec<(Edit, Check)> = vec![
        (
            |c| c["response_uri"] = json!("http://verifier.example.nhs.uk/response"),
            |e| matches!(e, InvalidResponseUri(_)),
        ),
        (
            |c| c["response_uri"] = json!("https://user:pw@verifier.example/response"),
            |e| matches!(e, InvalidResponseUri(_)),
        ),
        (
            |c| {
                c.as_object_mut().expect("object").remove("response_uri");
            },
            |e| matches!(e, InvalidResponseUri(_)),
        ),
        (
            |c| c["redirect_uri"] = json!(RESPONSE_URI),
            |e| matches!(e, InvalidResponseUri(_)),
        ),
        (
            |c| c["nonce"] = json!("short"),
            |e| matches!(e, InvalidNonce(_)),
        ),
        (
            |c| c["nonce"] = json!("has spaces in the nonce value"),
            |e| matches!(e, InvalidNonce(_)),
        ),
        (
            |c| {
                c.as_object_mut().expect("object").remove("nonce");
            },
            |e| matches!(e, InvalidNonce(_)),
        ),
        (
            |c| c["state"] = json!("x".repeat(257)),
            |e| matches!(e, InvalidState(_)),
        ),
        (
            |c| c["state"] = json!("state/with/slashes/0123"),
            |e| matches!(e, InvalidState(_)),
        ),
        (
            |c| {
                c.as_object_mut().expect("object").remove("client_metadata");
            },
            |e| matches!(e, InvalidClientMetadata(_)),
        ),
        (
            |c| c["client_metadata"]["jwks"]["keys"][0]["alg"] = json!("ECDH-ES+A128KW"),
            |e| matches!(e, InvalidClientMetadata(_)),
        ),
        (
            |c| {
                c["client_metadata"]["jwks"]["keys"][0]
                    .as_object_mut()
                    .expect("key")
                    .remove("kid");
            },
            |e| matches!(e, InvalidClientMetadata(_)),
        ),
        (
            |c| {
                c["client_metadata"]["encrypted_response_enc_values_supported"] =
                    json!(["A128CBC-HS256"])
            },
            |e| matches!(e, InvalidClientMetadata(_)),
        ),
    ];
    for (i, (edit, is_expected)) in kinds.into_iter().enumerate() {
        let jwt = s.signed_with(edit);
        let err = s.verify(&jwt).map(|_| ()).expect_err("refused");
        assert!(is_expected(&err), "case {i}: {err}");
    }
}
