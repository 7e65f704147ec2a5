//! Bad OpenID4VCI requests against the real server, on SQLite and PostgreSQL: each gets the
//! specification's error and changes nothing it should not.
#![allow(clippy::unwrap_used)]
mod common;

use common::{import, sample, servers, TestServer};
use passport_jose::{Es256Signer, Signer};
use passport_records::ImportKind;
use passport_server::issuance::create_offer;
use serde_json::{json, Value};

/// The first person of the ESR sample at `org`, with their records imported.
async fn seeded_person(server: &TestServer, org: &str) -> String {
    import(server, org, ImportKind::EsrStaff, &sample("esr-staff.csv")).await;
    import(
        server,
        org,
        ImportKind::EsrCompetences,
        &sample("esr-competences.csv"),
    )
    .await;
    let people = server
        .state
        .store
        .search_people(org, "", 500)
        .await
        .unwrap();
    let mut best = None;
    for p in people {
        let view = server
            .state
            .store
            .person(org, &p.id)
            .await
            .unwrap()
            .unwrap();
        if view.records.len() >= 2 {
            best = Some(p.id);
            break;
        }
    }
    best.expect("a sample person with at least two records")
}

async fn offer(server: &TestServer, org: &str, person: &str) -> (String, String) {
    let o = create_offer(&server.state, org, person, "test", passport_server::now())
        .await
        .unwrap();
    let code = o.offer_uri.rsplit('/').next().unwrap().to_string();
    (code, o.tx_code)
}

async fn token(
    server: &TestServer,
    org: &str,
    code: &str,
    tx: &str,
) -> (reqwest::StatusCode, Value) {
    let r = common::http()
        .post(format!("{}/issuers/{org}/token", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(passport_oid4vci::TokenRequest::new(code, Some(tx)).to_form())
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn nonce(server: &TestServer, org: &str) -> String {
    let r: Value = common::http()
        .post(format!("{}/issuers/{org}/nonce", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["c_nonce"].as_str().unwrap().to_string()
}

async fn credential(
    server: &TestServer,
    org: &str,
    access_token: &str,
    body: Value,
) -> (reqwest::StatusCode, Value) {
    let r = common::http()
        .post(format!("{}/issuers/{org}/credential", server.base))
        .bearer_auth(access_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn first_identifier(token_response: &Value) -> String {
    token_response["authorization_details"][0]["credential_identifiers"][0]
        .as_str()
        .unwrap()
        .to_string()
}

fn issuer(server: &TestServer, org: &str) -> String {
    format!("{}/issuers/{org}", server.base)
}

#[tokio::test]
async fn token_endpoint_refuses_wrong_reused_and_expired_codes() {
    for server in servers().await {
        let person = seeded_person(&server, "RHQ").await;
        let (code, tx) = offer(&server, "RHQ", &person).await;

        let wrong = if tx == "000000" { "111111" } else { "000000" };
        let (status, body) = token(&server, "RHQ", &code, wrong).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "invalid_grant");
        assert!(body["error_description"]
            .as_str()
            .unwrap()
            .contains("wrong transaction code"));

        // The wrong code changed nothing but the attempt count: the right one still works once.
        let (status, body) = token(&server, "RHQ", &code, &tx).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = token(&server, "RHQ", &code, &tx).await;
        assert_eq!(
            (status.as_u16(), body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert!(body["error_description"]
            .as_str()
            .unwrap()
            .contains("already been used"));

        // A code of RHQ is unknown at R0A.
        let (code2, tx2) = offer(&server, "RHQ", &person).await;
        let (status, body) = token(&server, "R0A", &code2, &tx2).await;
        assert_eq!(
            (status.as_u16(), body["error"].as_str()),
            (400, Some("invalid_grant"))
        );

        // Expired.
        let now = passport_server::now();
        server
            .state
            .store
            .create_offer(
                "RHQ",
                &person,
                "expired-code-for-test",
                "123456",
                "t",
                now - 100,
                10,
            )
            .await
            .unwrap();
        let (status, body) = token(&server, "RHQ", "expired-code-for-test", "123456").await;
        assert_eq!(
            (status.as_u16(), body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert!(body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired"));

        // Five wrong codes lock the offer, even for the right code afterwards.
        let (code3, tx3) = offer(&server, "RHQ", &person).await;
        let wrong = if tx3 == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            token(&server, "RHQ", &code3, wrong).await;
        }
        let (status, body) = token(&server, "RHQ", &code3, &tx3).await;
        assert_eq!(
            (status.as_u16(), body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert!(body["error_description"]
            .as_str()
            .unwrap()
            .contains("too many"));
    }
}

#[tokio::test]
async fn credential_endpoint_refuses_bad_proofs_nonces_and_other_peoples_datasets() {
    for server in servers().await {
        let person = seeded_person(&server, "RHQ").await;
        let (code, tx) = offer(&server, "RHQ", &person).await;
        let (_, tr) = token(&server, "RHQ", &code, &tx).await;
        let at = tr["access_token"].as_str().unwrap().to_string();
        let ci = first_identifier(&tr);
        let (wallet, _) = Es256Signer::generate().unwrap();
        let now = passport_server::now();
        let aud = issuer(&server, "RHQ");
        let issued_before = server
            .state
            .store
            .issued_to("RHQ", &person)
            .await
            .unwrap()
            .len();

        // A nonce the server never issued.
        let proof = passport_oid4vci::make_proof(&wallet, &aud, "made-up-nonce", now).unwrap();
        let (s, b) = credential(
            &server,
            "RHQ",
            &at,
            json!({"credential_identifier": ci, "proofs": {"jwt": [proof]}}),
        )
        .await;
        assert_eq!(
            (s.as_u16(), b["error"].as_str()),
            (400, Some("invalid_nonce")),
            "{b}"
        );

        // Wrong audience.
        let n = nonce(&server, "RHQ").await;
        let proof =
            passport_oid4vci::make_proof(&wallet, &issuer(&server, "R0A"), &n, now).unwrap();
        let (s, b) = credential(
            &server,
            "RHQ",
            &at,
            json!({"credential_identifier": ci, "proofs": {"jwt": [proof]}}),
        )
        .await;
        assert_eq!(
            (s.as_u16(), b["error"].as_str()),
            (400, Some("invalid_proof")),
            "{b}"
        );

        // Signed by another key than the one in its header.
        let (other, _) = Es256Signer::generate().unwrap();
        let good = passport_oid4vci::make_proof(&wallet, &aud, &n, now).unwrap();
        let forged = passport_oid4vci::make_proof(&other, &aud, &n, now).unwrap();
        let (h, _) = good.split_once('.').unwrap();
        let (_, rest) = forged.split_once('.').unwrap();
        let (s, b) = credential(
            &server,
            "RHQ",
            &at,
            json!({"credential_identifier": ci, "proofs": {"jwt": [format!("{h}.{rest}")]}}),
        )
        .await;
        assert_eq!(
            (s.as_u16(), b["error"].as_str()),
            (400, Some("invalid_proof")),
            "{b}"
        );

        // The nonce survived the bad proofs: a good proof with it works, once.
        let (s, b) = credential(
            &server,
            "RHQ",
            &at,
            json!({"credential_identifier": ci, "proofs": {"jwt": [good.clone()]}}),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["credentials"].as_array().unwrap().len(), 1);
        let (s, b) = credential(
            &server,
            "RHQ",
            &at,
            json!({"credential_identifier": ci, "proofs": {"jwt": [good]}}),
        )
        .await;
        assert_eq!(
            (s.as_u16(), b["error"].as_str()),
            (400, Some("invalid_nonce")),
            "replayed nonce: {b}"
        );

        // Another person's dataset through this person's token.
        let other_person = {
            let people = server
                .state
                .store
                .search_people("RHQ", "", 500)
                .await
                .unwrap();
            let mut found = None;
            for p in people {
                if p.id != person
                    && !server
                        .state
                        .store
                        .person("RHQ", &p.id)
                        .await
                        .unwrap()
                        .unwrap()
                        .records
                        .is_empty()
                {
                    found = Some(p.id);
                    break;
                }
            }
            found.unwrap()
        };
        let (code_b, tx_b) = offer(&server, "RHQ", &other_person).await;
        let (_, tr_b) = token(&server, "RHQ", &code_b, &tx_b).await;
        let ci_b = first_identifier(&tr_b);
        let n = nonce(&server, "RHQ").await;
        let proof = passport_oid4vci::make_proof(&wallet, &aud, &n, now).unwrap();
        let (s, b) = credential(
            &server,
            "RHQ",
            &at,
            json!({"credential_identifier": ci_b, "proofs": {"jwt": [proof]}}),
        )
        .await;
        assert_eq!(
            (s.as_u16(), b["error"].as_str()),
            (400, Some("unknown_credential_identifier")),
            "{b}"
        );

        // No token, a made-up token, and RHQ's token at R0A.
        let (s, b) = credential(
            &server,
            "RHQ",
            "not-a-token",
            json!({"credential_identifier": ci, "proofs": {"jwt": ["x"]}}),
        )
        .await;
        assert_eq!(
            (s.as_u16(), b["error"].as_str()),
            (401, Some("invalid_token")),
            "{b}"
        );
        let (s, b) = credential(
            &server,
            "R0A",
            &at,
            json!({"credential_identifier": ci, "proofs": {"jwt": ["x"]}}),
        )
        .await;
        assert_eq!(
            (s.as_u16(), b["error"].as_str()),
            (401, Some("invalid_token")),
            "{b}"
        );

        // The old single `proof` shape and a configuration id instead of an identifier.
        let n = nonce(&server, "RHQ").await;
        let proof = passport_oid4vci::make_proof(&wallet, &aud, &n, now).unwrap();
        let (s, b) = credential(
            &server,
            "RHQ",
            &at,
            json!({"credential_identifier": ci, "proof": {"proof_type": "jwt", "jwt": proof}}),
        )
        .await;
        assert_eq!(s, 400, "{b}");

        // Only the one good request issued anything.
        let issued_after = server
            .state
            .store
            .issued_to("RHQ", &person)
            .await
            .unwrap()
            .len();
        assert_eq!(issued_after, issued_before + 1);
        assert!(server
            .state
            .store
            .issued_to("RHQ", &other_person)
            .await
            .unwrap()
            .is_empty());
        let _ = wallet.public_jwk();
    }
}

#[tokio::test]
async fn one_request_with_several_proofs_gives_one_credential_per_key() {
    for server in servers().await {
        let person = seeded_person(&server, "RHQ").await;
        let (code, tx) = offer(&server, "RHQ", &person).await;
        let (_, tr) = token(&server, "RHQ", &code, &tx).await;
        let at = tr["access_token"].as_str().unwrap().to_string();
        let ci = first_identifier(&tr);
        let aud = issuer(&server, "RHQ");
        let now = passport_server::now();
        let keys: Vec<Es256Signer> = (0..3).map(|_| Es256Signer::generate().unwrap().0).collect();
        let n = nonce(&server, "RHQ").await;
        let proofs: Vec<String> = keys
            .iter()
            .map(|k| passport_oid4vci::make_proof(k, &aud, &n, now).unwrap())
            .collect();
        let (s, b) = credential(
            &server,
            "RHQ",
            &at,
            json!({"credential_identifier": ci, "proofs": {"jwt": proofs}}),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        let creds = b["credentials"].as_array().unwrap();
        assert_eq!(creds.len(), 3);
        for (c, k) in creds.iter().zip(&keys) {
            let sd = passport_sd_jwt::SdJwt::parse(c["credential"].as_str().unwrap()).unwrap();
            let payload = sd.unverified_payload().unwrap();
            assert_eq!(
                payload["cnf"]["jwk"]["x"],
                serde_json::to_value(k.public_jwk()).unwrap()["x"]
            );
        }
        // More proofs than the advertised batch size is refused, and nothing is issued.
        let before = server
            .state
            .store
            .issued_to("RHQ", &person)
            .await
            .unwrap()
            .len();
        let n = nonce(&server, "RHQ").await;
        let four: Vec<String> = (0..4)
            .map(|_| passport_oid4vci::make_proof(&keys[0], &aud, &n, now).unwrap())
            .collect();
        let (s, b) = credential(
            &server,
            "RHQ",
            &at,
            json!({"credential_identifier": ci, "proofs": {"jwt": four}}),
        )
        .await;
        assert_eq!(
            (s.as_u16(), b["error"].as_str()),
            (400, Some("invalid_credential_request")),
            "{b}"
        );
        assert_eq!(
            server
                .state
                .store
                .issued_to("RHQ", &person)
                .await
                .unwrap()
                .len(),
            before
        );
    }
}
