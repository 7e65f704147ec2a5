//! The non-normative examples of OpenID4VCI 1.0, stored as data files under tests/vectors with
//! their section named in each file, read by our types (and written back where we also produce
//! the message).
#![allow(clippy::unwrap_used)]
use passport_oid4vci::*;
use serde_json::Value;
use std::path::PathBuf;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        v["source"].as_str().unwrap().contains("section"),
        "{name} names its section"
    );
    v
}

fn example(name: &str) -> Value {
    load(name)["example"].clone()
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

#[test]
fn credential_offers_4_1() {
    let v = example("credential_offer_multiple_credentials.json");
    let offer = CredentialOffer::parse(&bytes(&v)).unwrap();
    assert_eq!(
        offer.credential_issuer,
        "https://credential-issuer.example.com"
    );
    assert_eq!(
        offer.credential_configuration_ids,
        ["UniversityDegreeCredential", "org.iso.18013.5.1.mDL"]
    );
    let grant = offer.grants.pre_authorized_code.as_ref().unwrap();
    assert_eq!(grant.pre_authorized_code, "oaKazRN8I0IbtZ0C7JuMn5");
    let tx = grant.tx_code.as_ref().unwrap();
    assert_eq!(
        (tx.input_mode, tx.length),
        (Some(InputMode::Numeric), Some(4))
    );
    assert!(tx.accepts("4711"));
    // Written back: the same object without the unknown member.
    let mut expected = v.clone();
    expected
        .as_object_mut()
        .unwrap()
        .remove("issuer_redirect_uri");
    assert_eq!(serde_json::to_value(&offer).unwrap(), expected);

    let v = example("credential_offer_by_reference.json");
    let offer = CredentialOffer::parse(&bytes(&v)).unwrap();
    let grant = offer.grants.pre_authorized_code.as_ref().unwrap();
    assert_eq!(
        grant.tx_code,
        Some(TxCode::default()),
        "empty tx_code still requires a code"
    );
    assert_eq!(serde_json::to_value(&offer).unwrap(), v);
}

#[test]
fn credential_offer_links_4_1_2_and_4_1_3() {
    let link = example("credential_offer_link_by_value.json");
    let OfferRef::ByValue(offer) = parse_offer_link(link.as_str().unwrap()).unwrap() else {
        panic!("by value");
    };
    assert_eq!(
        offer.credential_configuration_ids,
        ["org.iso.18013.5.1.mDL"]
    );
    let tx = offer.grants.pre_authorized_code.unwrap().tx_code.unwrap();
    assert_eq!(tx.input_mode, Some(InputMode::Text));
    assert_eq!(
        tx.description.as_deref(),
        Some("Please enter the serial number of your physical drivers license")
    );

    let v = load("credential_offer_link_by_reference.json");
    let uri = v["credential_offer_uri"].as_str().unwrap();
    assert_eq!(
        parse_offer_link(v["example"].as_str().unwrap()).unwrap(),
        OfferRef::ByReference(uri.into())
    );
    // Our link for the same URI reads back the same.
    assert_eq!(
        parse_offer_link(&offer_link(uri)).unwrap(),
        OfferRef::ByReference(uri.into())
    );
}

#[test]
fn token_request_6_1() {
    let form = example("token_request_pre_authorized.json");
    let req = TokenRequest::parse_form(form.as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(req.pre_authorized_code, "SplxlOBeZQQYbYS6WxSbIA");
    assert_eq!(req.tx_code.as_deref(), Some("493536"));
    let details = req.authorization_details.as_ref().unwrap();
    assert_eq!(details[0].type_, "openid_credential");
    assert_eq!(
        details[0].credential_configuration_id,
        "UniversityDegreeCredential"
    );
    assert_eq!(
        TokenRequest::parse_form(req.to_form().as_bytes()).unwrap(),
        req
    );
}

#[test]
fn token_response_6_2_and_error_6_3() {
    let v = example("token_response.json");
    let resp: TokenResponse = serde_json::from_value(v.clone()).unwrap();
    assert!(resp.is_bearer());
    assert_eq!(resp.expires_in, Some(86400));
    assert_eq!(
        resp.authorization_details[0].credential_identifiers,
        [
            "CivilEngineeringDegree-2023",
            "ElectricalEngineeringDegree-2023"
        ]
    );
    assert_eq!(serde_json::to_value(&resp).unwrap(), v);
    let built = TokenResponse::bearer(
        "eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp..sHQ",
        86400,
        vec![AuthorizationDetail::openid_credential(
            "UniversityDegreeCredential",
            vec![
                "CivilEngineeringDegree-2023".into(),
                "ElectricalEngineeringDegree-2023".into(),
            ],
        )],
    );
    assert_eq!(serde_json::to_value(&built).unwrap(), v);

    let err = example("token_error_response.json");
    assert_eq!(
        Oid4vciError::InvalidRequest("x".into()).to_json()["error"],
        err["error"]
    );
}

#[test]
fn nonce_response_7_2() {
    let v = example("nonce_response.json");
    let r: NonceResponse = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(r.c_nonce, "wKI4LT17ac15ES9bw8ac4");
    assert_eq!(serde_json::to_value(&r).unwrap(), v);
}

#[test]
fn credential_requests_8_2() {
    let v = example("credential_request_sd_jwt_vc.json");
    let req = CredentialRequest::parse(&bytes(&v), BATCH_SIZE).unwrap();
    assert_eq!(
        req.credential,
        RequestedCredential::Identifier("CivilEngineeringDegree-2023".into())
    );
    assert_eq!(req.proofs.len(), 2);
    assert_eq!(req.to_json(), v);
    // Two proofs are more than a batch of one.
    assert_eq!(
        CredentialRequest::parse(&bytes(&v), 1).unwrap_err().code(),
        "invalid_credential_request"
    );

    let v = example("credential_request_mdoc_by_configuration.json");
    let req = CredentialRequest::parse(&bytes(&v), BATCH_SIZE).unwrap();
    assert_eq!(
        req.credential,
        RequestedCredential::Configuration("org.iso.18013.5.1.mDL".into())
    );
    assert_eq!(req.to_json(), v);
}

#[test]
fn credential_responses_8_3_and_a_3_4() {
    let v = load("credential_response_sd_jwt_vc.json");
    let resp: CredentialResponse = serde_json::from_value(v["example"].clone()).unwrap();
    assert_eq!(resp.credentials.len(), 1);
    let text = resp.credentials[0].credential.as_str().unwrap();
    let sd_jwt = passport_sd_jwt::SdJwt::parse(text).unwrap();
    assert_eq!(sd_jwt.disclosures.len(), 9);
    let payload = sd_jwt.unverified_payload().unwrap();
    assert_eq!(payload["iss"], v["expected_iss"]);
    assert_eq!(payload["vct"], v["expected_vct"]);
    assert!(payload["cnf"]["jwk"].is_object());
    assert_eq!(serde_json::to_value(&resp).unwrap(), v["example"]);

    let v = example("credential_response_batch.json");
    let resp: CredentialResponse = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(resp.credentials.len(), 2);
    assert_eq!(resp.notification_id.as_deref(), Some("3fwe98js"));
    let built = CredentialResponse::issued(
        resp.credentials
            .iter()
            .map(|c| c.credential.as_str().unwrap().to_string())
            .collect(),
        Some("3fwe98js".into()),
    );
    assert_eq!(serde_json::to_value(&built).unwrap(), v);

    let v = example("credential_response_deferred.json");
    let resp: CredentialResponse = serde_json::from_value(v.clone()).unwrap();
    assert!(resp.credentials.is_empty());
    assert_eq!(
        (resp.transaction_id.as_deref(), resp.interval),
        (Some("8xLOxBtZp8"), Some(3600))
    );
    assert_eq!(serde_json::to_value(&resp).unwrap(), v);

    let err = example("credential_error_response.json");
    assert_eq!(
        Oid4vciError::UnknownCredentialConfiguration("x".into()).to_json()["error"],
        err["error"]
    );
}

#[test]
fn notifications_11() {
    let v = example("notification_request_accepted.json");
    let n = NotificationRequest::parse(&bytes(&v)).unwrap();
    assert_eq!(
        (n.notification_id.as_str(), n.event),
        ("3fwe98js", NotificationEvent::CredentialAccepted)
    );
    assert_eq!(serde_json::to_value(&n).unwrap(), v);
    let v = example("notification_request_failure.json");
    let n = NotificationRequest::parse(&bytes(&v)).unwrap();
    assert_eq!(n.event, NotificationEvent::CredentialFailure);
    assert_eq!(
        n.event_description.as_deref(),
        Some("Could not store the Credential. Out of storage.")
    );
    assert_eq!(serde_json::to_value(&n).unwrap(), v);
    let err = example("notification_error_response.json");
    let e = Oid4vciError::InvalidNotificationId("x".into());
    assert_eq!(
        (e.to_json()["error"].clone(), e.http_status()),
        (err["error"].clone(), 400)
    );
}

#[test]
fn issuer_metadata_example_12_2() {
    let v = example("credential_issuer_metadata_sd_jwt.json");
    let m = IssuerMetadata::parse(&bytes(&v), "https://credential-issuer.example.com").unwrap();
    assert_eq!(
        m.authorization_servers.as_deref(),
        Some(&["https://server.example.com".to_string()][..])
    );
    assert_eq!(
        m.nonce_endpoint.as_deref(),
        Some("https://credential-issuer.example.com/nonce")
    );
    assert_eq!(m.batch_credential_issuance.unwrap().batch_size, 10);
    let c = &m.credential_configurations_supported["SD_JWT_VC_example_in_OpenID4VCI"];
    assert_eq!(c.format, FORMAT_SD_JWT_VC);
    assert_eq!(c.vct.as_deref(), Some("SD_JWT_VC_example_in_OpenID4VCI"));
    assert_eq!(
        c.proof_types_supported.as_ref().unwrap()["jwt"].proof_signing_alg_values_supported,
        ["ES256"]
    );
    let claims = &c.credential_metadata.as_ref().unwrap()["claims"];
    assert_eq!(claims[0]["display"][0]["name"], "Given Name");
    // Our own metadata puts claim display in the same place, with the same member names.
    let ours = issuer_metadata(
        "https://x.example/issuers/RHQ",
        passport_catalogue::Catalogue::nhs(),
        "X",
    );
    let our_claim = &ours["credential_configurations_supported"]["CoreSkillsTraining"]
        ["credential_metadata"]["claims"][0];
    let keys = |c: &Value| -> Vec<String> {
        c["display"][0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(keys(our_claim), keys(&claims[0]));
}

#[test]
fn jwt_proof_example_f_1_verifies() {
    let v = load("jwt_proof.json");
    let jwt = v["example"].as_str().unwrap();
    let aud = v["audience"].as_str().unwrap();
    let iat = v["iat"].as_i64().unwrap();
    let proof = verify_proof(jwt, aud, iat, 300).unwrap();
    assert_eq!(proof.nonce, v["nonce"].as_str().unwrap());
    assert_eq!(serde_json::to_value(&proof.jwk).unwrap(), v["jwk"]);
    assert_eq!(
        verify_proof(jwt, aud, iat + 301, 300).unwrap_err().code(),
        "invalid_proof"
    );
    assert_eq!(
        verify_proof(jwt, "https://other.example.com", iat, 300)
            .unwrap_err()
            .code(),
        "invalid_proof"
    );
}
