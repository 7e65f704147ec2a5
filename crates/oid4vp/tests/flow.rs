//! One presentation from start to end, with real SD-JWT VCs (`passport-sd-jwt`): the Verifier
//! signs a request, the Wallet reads the invocation URL, verifies the request against the trust
//! list, selects with DCQL, presents with a KB-JWT whose `aud` is the full `client_id` and whose
//! `nonce` is the request's (appendix B.3.6), encrypts the response; the Verifier decrypts it,
//! checks `state`, the VP Token and every Presentation.
mod common;

use common::*;
use passport_jose::{Es256Signer, Signer, VerifyingKey};
use passport_oid4vp::*;
use passport_sd_jwt::issue::RandomSalts;
use passport_sd_jwt::vc::{self, Envelope};
use passport_sd_jwt::{
    ClaimPath, KbExpectation, KeyBinding, PathSegment, SdJwt, SdJwtError, VerifyOptions,
};
use serde_json::{json, Map, Value};

fn claim_path(path: &[PathElement]) -> ClaimPath {
    ClaimPath(
        path.iter()
            .map(|p| match p {
                PathElement::Key(k) => PathSegment::Key(k.clone()),
                PathElement::Index(i) => PathSegment::Index(*i as usize),
                PathElement::All => PathSegment::AllElements,
            })
            .collect(),
    )
}

struct Issued {
    issuer: Es256Signer,
    holder: Es256Signer,
    credential: String,
}

fn issue_cstf() -> Issued {
    let (issuer, _) = Es256Signer::generate().expect("key");
    let (holder, _) = Es256Signer::generate().expect("key");
    let env = Envelope {
        iss: "https://passport.example.nhs.uk/issuers/RHQ".into(),
        vct: CSTF_VCT.into(),
        iat: NOW - 86_400,
        exp: Some(NOW + 365 * 86_400),
        nbf: None,
        holder: Some(holder.public_jwk().clone()),
        status: None,
    };
    let claims = obj(json!({
        "recordType": "CoreSkillsTraining",
        "competencyName": "NHS|CSTF|Fire Safety|3 Years",
        "expiryDate": "2027-03-31",
        "staffNumber": "90000001"
    }));
    let sd: Vec<ClaimPath> = ["competencyName", "expiryDate", "staffNumber"]
        .iter()
        .map(|k| ClaimPath::keys(&[k]))
        .collect();
    let issued =
        vc::issue(&issuer, &env, claims, &sd, &mut RandomSalts::default(), 2).expect("issued");
    Issued {
        issuer,
        holder,
        credential: issued.compact(),
    }
}

fn resolver(
    key: VerifyingKey,
) -> impl Fn(&passport_jose::jws::HeaderInfo, &Map<String, Value>) -> Result<VerifyingKey, SdJwtError>
{
    move |_, _| Ok(key)
}

#[test]
fn present_and_verify_end_to_end() {
    // Verifier: certificate on the trust list, a fresh encryption key, a signed request.
    let v = verifier("RR8");
    let trust = trust_list(vec![organisation(&v, true)]);
    let key = EncryptionKey::generate().expect("key");
    let stored_key = key.to_bytes();
    let nonce = random_value().expect("nonce");
    let state = random_value().expect("state");
    let req = AuthorizationRequest::new(
        v.client_id.clone(),
        RESPONSE_URI,
        nonce.clone(),
        state.clone(),
        cstf_query(),
        ClientMetadata::for_request(&key),
        NOW,
        NOW + 300,
    );
    let request_object = sign_request(&req, &v.signer, &v.cert).expect("signed");
    let request_uri = "https://passport.example.nhs.uk/verifiers/RR8/requests/7Hq2";
    let link = authorization_url(OPENID4VP_SCHEME, &v.client_id, request_uri);

    // Wallet: the link, the fetched Request Object, the credential it holds.
    let (client_id, uri) = parse_authorization_url(&link).expect("link");
    assert_eq!(uri, request_uri);
    let (request, org) =
        verify_request(&request_object, Some(&client_id), &trust, NOW + 5, 60).expect("trusted");
    assert_eq!(org.ods_code, "RR8");
    let held = issue_cstf();
    let issuer_key = held.issuer.public_jwk().verifying_key().expect("key");
    let receipt = vc::verify(
        &held.credential,
        &resolver(issuer_key),
        &VerifyOptions::new(NOW, KeyBinding::HolderReceipt),
    )
    .expect("holder's own check");
    let wallet = [(receipt.vct.clone(), receipt.sd_jwt.claims.clone())];
    let selection = select(&request.dcql_query, &wallet);
    assert!(selection.satisfied);
    let mut vp_token = VpToken::new();
    for (id, matches) in selection.answer() {
        for m in matches {
            let paths: Vec<ClaimPath> = m.disclose.iter().map(|p| claim_path(p)).collect();
            let presentation = SdJwt::parse(&held.credential)
                .expect("parses")
                .present(
                    &paths,
                    &request.client_id,
                    &request.nonce,
                    NOW + 6,
                    &held.holder,
                )
                .expect("presented");
            vp_token
                .entry(id.to_string())
                .or_default()
                .push(presentation);
        }
    }
    let payload = ResponsePayload::from(AuthorizationResponse {
        vp_token,
        state: Some(request.state.clone()),
    });
    let jwe = encrypt_response(&payload, &request.client_metadata).expect("encrypted");
    let body = response_form(&jwe);

    // Verifier: the POSTed form, the stored key, the VP Token, every Presentation.
    let ResponseForm::Encrypted(jwe) = parse_response_form(body.as_bytes()).expect("form") else {
        panic!("an encrypted response was sent");
    };
    let key = EncryptionKey::from_bytes(&stored_key).expect("stored key");
    let received = decrypt_response(&jwe, &key).expect("decrypts");
    assert_eq!(received, payload);
    received.expect_state(&state).expect("state is ours");
    let ResponsePayload::Success(response) = received else {
        panic!("not an error");
    };
    check_response(&req.dcql_query, &response.vp_token).expect("VP Token shape");
    let expect = KeyBinding::Required(KbExpectation {
        aud: v.client_id.clone(),
        nonce: nonce.clone(),
        max_age_secs: 300,
    });
    for (id, presentations) in &response.vp_token {
        let query = req.dcql_query.credential(id).expect("asked for");
        for p in presentations {
            let verified = vc::verify(
                p,
                &resolver(issuer_key),
                &VerifyOptions::new(NOW + 8, expect.clone()),
            )
            .expect("the presentation verifies");
            check_presentation(query, &verified.vct, &verified.sd_jwt.claims)
                .expect("meets the query");
            let claims = &verified.sd_jwt.claims;
            assert_eq!(claims["competencyName"], "NHS|CSTF|Fire Safety|3 Years");
            assert_eq!(claims["expiryDate"], "2027-03-31");
            assert!(
                claims.get("staffNumber").is_none(),
                "not requested, not disclosed"
            );
        }
    }

    // Appendix B.3.6: a KB-JWT whose aud is the client_id without its prefix, or another nonce,
    // is refused by the Verifier.
    let bare_aud = v.client_id.trim_start_matches("x509_hash:");
    let paths = [
        ClaimPath::keys(&["competencyName"]),
        ClaimPath::keys(&["expiryDate"]),
    ];
    for (aud, n, err) in [
        (bare_aud, nonce.as_str(), SdJwtError::KbAudience),
        (
            v.client_id.as_str(),
            "another-nonce-0123456789",
            SdJwtError::KbNonce,
        ),
    ] {
        let p = SdJwt::parse(&held.credential)
            .expect("parses")
            .present(&paths, aud, n, NOW + 6, &held.holder)
            .expect("presented");
        let r = vc::verify(
            &p,
            &resolver(issuer_key),
            &VerifyOptions::new(NOW + 8, expect.clone()),
        );
        assert_eq!(r.map(|_| ()), Err(err));
    }
}

#[test]
fn wallet_declines_with_an_encrypted_error() {
    let v = verifier("RR8");
    let key = EncryptionKey::generate().expect("key");
    let req = request(&v, &key);
    let selection = select(&req.dcql_query, &[]);
    assert!(!selection.satisfied);
    let error = ErrorResponse::from_error(
        &Oid4vpError::AccessDenied("no matching credential".into()),
        Some(&req.state),
    );
    let jwe = encrypt_response(&error.clone().into(), &req.client_metadata).expect("encrypted");
    let back = decrypt_response(&jwe, &key).expect("decrypts");
    assert_eq!(back, ResponsePayload::Error(error));
    back.expect_state(&req.state).expect("state");
}
