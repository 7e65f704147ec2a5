//! The issuing trust end to end, on SQLite and PostgreSQL: import the sample files, offer,
//! receive with the Rust holder over OpenID4VCI, verify every credential with the credential
//! engine and the trust list, change a record and see the old credential revoked in the
//! served status list, then offer again.
#![allow(clippy::unwrap_used)]
mod common;

use common::{import, sample, servers, TestServer};
use passport_credentials::{EngineError, PresentationVerifier, StatusLists};
use passport_holder::{ReceivedCredential, Wallet};
use passport_records::{IdScheme, Identifier, ImportKind};
use passport_sd_jwt::SdJwt;
use serde_json::Value;

async fn person(server: &TestServer, esr: &str) -> String {
    let id = Identifier {
        scheme: IdScheme::EsrPerson,
        value: esr.into(),
    };
    server
        .state
        .store
        .person_by_identifier("RHQ", &id)
        .await
        .unwrap()
        .unwrap()
}

async fn receive(
    server: &TestServer,
    wallet: &mut Wallet,
    person: &str,
) -> Vec<ReceivedCredential> {
    let offer = passport_server::issuance::create_offer(
        &server.state,
        "RHQ",
        person,
        "rhq.hr",
        passport_server::now(),
    )
    .await
    .unwrap();
    assert!(offer
        .link
        .starts_with("openid-credential-offer://?credential_offer_uri="));
    let http = passport_holder::http_client().unwrap();
    wallet
        .receive(
            &offer.link,
            Some(&offer.tx_code),
            &http,
            passport_server::now(),
        )
        .await
        .unwrap()
}

/// Fetches the credential's status list from the server and checks its entry.
async fn status_of(server: &TestServer, credential: &str) -> Result<(), EngineError> {
    let payload = SdJwt::parse(credential)
        .unwrap()
        .unverified_payload()
        .unwrap();
    let uri = payload["status"]["status_list"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    let idx = payload["status"]["status_list"]["idx"].as_u64().unwrap();
    let iss = payload["iss"].as_str().unwrap().to_string();
    let response = common::http().get(&uri).send().await.unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/statuslist+jwt"
    );
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let token = response.text().await.unwrap();
    let mut lists = StatusLists::default();
    lists
        .add_token(
            &uri,
            &token,
            &server.state.trust_list(),
            passport_server::now(),
        )
        .unwrap();
    lists.check(&uri, idx, &iss)
}

fn subject(c: &ReceivedCredential) -> Value {
    c.claims()
        .unwrap()
        .get("subjectName")
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn import_offer_receive_verify_change_revoke_and_reoffer() {
    for server in servers().await {
        for (kind, file) in [
            (ImportKind::EsrStaff, "esr-staff.csv"),
            (ImportKind::EsrCompetences, "esr-competences.csv"),
            (ImportKind::OccupationalHealth, "oh.csv"),
            (ImportKind::DspJson, "dsp.json"),
        ] {
            let out = import(&server, "RHQ", kind, &sample(file)).await;
            assert_eq!(out.superseded + out.revoked, 0, "{file}: {out:?}");
        }
        let tis = import(
            &server,
            "X24",
            ImportKind::TisPlacements,
            &sample("tis.csv"),
        )
        .await;
        assert!(tis.created > 0);

        let amara = person(&server, "10000101").await;
        let records = server
            .state
            .store
            .person("RHQ", &amara)
            .await
            .unwrap()
            .unwrap()
            .records;
        let mut wallet = Wallet::in_memory().unwrap();
        let received = receive(&server, &mut wallet, &amara).await;
        assert_eq!(
            received.len(),
            records.len(),
            "one credential per current record"
        );
        let types: std::collections::BTreeSet<&str> = received
            .iter()
            .map(|c| c.configuration_id.as_str())
            .collect();
        for t in [
            "Identity",
            "Employment",
            "RightToWork",
            "DBSCheckOutcome",
            "ProfessionalRegistration",
            "CoreSkillsTraining",
            "OccupationalHealthClearance",
            "Vaccination",
        ] {
            assert!(types.contains(t), "{t} missing from {types:?}");
        }

        // Every credential verifies with the engine: issuer on the trust list and allowed for
        // its type, signature, disclosures, holder binding to the wallet's key; status valid.
        let verifier = PresentationVerifier {
            trust: &server.state.trust_list(),
            statuses: &StatusLists::default(),
            catalogue: server.state.catalogue,
            leeway_secs: 60,
        };
        for c in &received {
            let (iss, _) = verifier
                .check_received(&c.sd_jwt, passport_server::now())
                .unwrap();
            assert_eq!(iss, format!("{}/issuers/RHQ", server.base));
            let payload = SdJwt::parse(&c.sd_jwt)
                .unwrap()
                .unverified_payload()
                .unwrap();
            assert_eq!(
                payload["cnf"]["jwk"]["x"],
                serde_json::to_value(wallet.device_jwk()).unwrap()["x"]
            );
            status_of(&server, &c.sd_jwt).await.unwrap();
        }
        // The wallet's notification reached the issuer.
        let issued = server.state.store.issued_to("RHQ", &amara).await.unwrap();
        assert_eq!(issued.len(), received.len());
        assert!(issued
            .iter()
            .all(|c| c.wallet_event.as_deref() == Some("credential_accepted")));

        // Fire Safety is renewed in ESR: the old credential is revoked, the others are not.
        let comps = sample("esr-competences.csv");
        let changed = comps.replace(
            "10000101,Amara,Okafor,NHS|CSTF|Fire Safety - 2 Years|,2025-08-06",
            "10000101,Amara,Okafor,NHS|CSTF|Fire Safety - 2 Years|,2026-08-01",
        );
        let out = import(&server, "RHQ", ImportKind::EsrCompetences, &changed).await;
        assert_eq!((out.superseded, out.revoked), (1, 1), "{out:?}");
        passport_server::status::invalidate(&server.state, "RHQ");
        for c in &received {
            let result = status_of(&server, &c.sd_jwt).await;
            if subject(c) == "Fire Safety" {
                assert!(
                    matches!(result, Err(EngineError::Revoked { .. })),
                    "{result:?}"
                );
            } else {
                result.unwrap();
            }
        }

        // A fresh offer gives the renewed credential.
        let again = receive(&server, &mut wallet, &amara).await;
        let fire = again.iter().find(|c| subject(c) == "Fire Safety").unwrap();
        assert_eq!(fire.claims().unwrap()["dateLastAwarded"], "2026-08-01");
        status_of(&server, &fire.sd_jwt).await.unwrap();

        // NHS England issues the doctor's programme and placements to the same wallet.
        let gmc = Identifier {
            scheme: IdScheme::Gmc,
            value: "9100001".into(),
        };
        let trainee = server
            .state
            .store
            .person_by_identifier("X24", &gmc)
            .await
            .unwrap()
            .unwrap();
        let offer = passport_server::issuance::create_offer(
            &server.state,
            "X24",
            &trainee,
            "x24.training",
            passport_server::now(),
        )
        .await
        .unwrap();
        let http = passport_holder::http_client().unwrap();
        let nhse = wallet
            .receive(
                &offer.link,
                Some(&offer.tx_code),
                &http,
                passport_server::now(),
            )
            .await
            .unwrap();
        assert!(nhse
            .iter()
            .any(|c| c.configuration_id == "TrainingPlacement"));
        assert!(nhse
            .iter()
            .any(|c| c.configuration_id == "TrainingProgramme"));
        for c in &nhse {
            verifier
                .check_received(&c.sd_jwt, passport_server::now())
                .unwrap();
        }
    }
}

#[tokio::test]
async fn metadata_is_served_where_wallets_look_for_it() {
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    let http = common::http();
    let issuer = format!("{}/issuers/RHQ", server.base);
    let meta: Value = http
        .get(format!(
            "{}/.well-known/openid-credential-issuer/issuers/RHQ",
            server.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["credential_issuer"], issuer);
    assert_eq!(meta["credential_endpoint"], format!("{issuer}/credential"));
    assert_eq!(meta["nonce_endpoint"], format!("{issuer}/nonce"));
    assert_eq!(
        meta["credential_configurations_supported"]["CoreSkillsTraining"]["format"],
        "dc+sd-jwt"
    );
    let asm: Value = http
        .get(format!(
            "{}/.well-known/oauth-authorization-server/issuers/RHQ",
            server.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(asm["token_endpoint"], format!("{issuer}/token"));
    let jwks: Value = http
        .get(format!(
            "{}/.well-known/jwt-vc-issuer/issuers/RHQ",
            server.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["issuer"], issuer);
    assert_eq!(jwks["jwks"]["keys"].as_array().unwrap().len(), 1);
    let missing = http
        .get(format!(
            "{}/.well-known/openid-credential-issuer/issuers/ZZZ",
            server.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let trust = http
        .get(format!("{}/trust-list", server.base))
        .send()
        .await
        .unwrap();
    let token = trust.text().await.unwrap();
    let list = passport_trust_list::TrustList::verify(
        &token,
        &server.state.registry_jwk.verifying_key().unwrap(),
        passport_server::now(),
    )
    .unwrap();
    assert_eq!(list.organisations.len(), 5);
}
