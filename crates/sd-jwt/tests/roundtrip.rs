//! Issue -> present -> verify with object, array and recursive disclosures.
#![allow(clippy::unwrap_used)]
use passport_jose::{Es256Signer, Signer, VerifyingKey};
use passport_sd_jwt::issue::RandomSalts;
use passport_sd_jwt::vc::{self, Envelope, StatusReference};
use passport_sd_jwt::{ClaimPath, KbExpectation, KeyBinding, SdJwt, SdJwtError, VerifyOptions};
use serde_json::{json, Map, Value};

const NOW: i64 = 1_800_000_000;

fn paths(list: Value) -> Vec<ClaimPath> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| ClaimPath::from_json(p).unwrap())
        .collect()
}

fn issue(issuer: &Es256Signer, holder: &Es256Signer) -> String {
    let claims: Map<String, Value> = serde_json::from_value(json!({
        "given_name": "Ada", "family_name": "Lovelace",
        "address": {"street_address": "1 Test Street", "locality": "Leeds", "country": "GB"},
        "nationalities": ["GB", "IE"]
    }))
    .unwrap();
    let env = Envelope {
        iss: "https://issuer.example/issuers/RHQ".into(),
        vct: "https://example/vct/identity/v1".into(),
        iat: NOW - 10,
        exp: Some(NOW + 3600),
        nbf: None,
        holder: Some(holder.public_jwk().clone()),
        status: Some(StatusReference {
            uri: "https://issuer.example/status/1".into(),
            idx: 7,
        }),
    };
    let sd = paths(json!([
        ["given_name"],
        ["family_name"],
        ["address"],
        ["address", "street_address"],
        ["address", "locality"],
        ["nationalities", null]
    ]));
    vc::issue(issuer, &env, claims, &sd, &mut RandomSalts::default(), 3)
        .unwrap()
        .compact()
}

fn resolver(
    key: VerifyingKey,
) -> impl Fn(&passport_jose::jws::HeaderInfo, &Map<String, Value>) -> Result<VerifyingKey, SdJwtError>
{
    move |_, _| Ok(key)
}

#[test]
fn present_nested_claim_brings_its_parent() {
    let (issuer, _) = Es256Signer::generate().unwrap();
    let (holder, _) = Es256Signer::generate().unwrap();
    let issued = SdJwt::parse(&issue(&issuer, &holder)).unwrap();
    assert_eq!(issued.disclosures.len(), 7);

    let pres = issued
        .present(
            &paths(json!([["address", "locality"], ["nationalities", 1]])),
            "x509_hash:aud",
            "n-1",
            NOW,
            &holder,
        )
        .unwrap();
    let opts = VerifyOptions::new(
        NOW,
        KeyBinding::Required(KbExpectation {
            aud: "x509_hash:aud".into(),
            nonce: "n-1".into(),
            max_age_secs: 300,
        }),
    );
    let key = issuer.public_jwk().verifying_key().unwrap();
    let v = vc::verify(&pres, &resolver(key), &opts).unwrap();
    let c = &v.sd_jwt.claims;
    assert_eq!(c["address"], json!({"locality": "Leeds", "country": "GB"}));
    assert_eq!(c["nationalities"], json!(["IE"]));
    assert!(c.get("given_name").is_none());
    assert_eq!(v.status.unwrap().idx, 7);
    assert_eq!(
        v.sd_jwt.disclosed.len(),
        3,
        "address, locality and one nationality"
    );
}

#[test]
fn select_whole_object_reveals_its_children() {
    let (issuer, _) = Es256Signer::generate().unwrap();
    let (holder, _) = Es256Signer::generate().unwrap();
    let issued = SdJwt::parse(&issue(&issuer, &holder)).unwrap();
    let chosen = issued.select(&paths(json!([["address"]]))).unwrap();
    assert_eq!(chosen.disclosures.len(), 3);
    let key = issuer.public_jwk().verifying_key().unwrap();
    let v = vc::verify(
        &chosen.serialize(),
        &resolver(key),
        &VerifyOptions::new(NOW, KeyBinding::HolderReceipt),
    )
    .unwrap();
    assert_eq!(
        v.sd_jwt.claims["address"]["street_address"],
        "1 Test Street"
    );
}

#[test]
fn envelope_claims_cannot_be_made_disclosable() {
    let (issuer, _) = Es256Signer::generate().unwrap();
    let env = Envelope {
        iss: "i".into(),
        vct: "v".into(),
        iat: NOW,
        exp: None,
        nbf: None,
        holder: None,
        status: None,
    };
    for name in ["iss", "vct", "cnf", "status", "exp"] {
        let mut claims = Map::new();
        claims.insert("x".into(), json!(1));
        let err = vc::issue(
            &issuer,
            &env,
            claims,
            &[ClaimPath::keys(&[name])],
            &mut RandomSalts::default(),
            0,
        )
        .unwrap_err();
        assert_eq!(err, SdJwtError::MustNotBeDisclosable(name.into()));
    }
    let err = vc::issue(
        &issuer,
        &env,
        Map::new(),
        &[ClaimPath::keys(&["nope"])],
        &mut RandomSalts::default(),
        0,
    )
    .unwrap_err();
    assert!(matches!(err, SdJwtError::UnknownPath(_)));
}
