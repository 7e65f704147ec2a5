//! Subject access on the real server, on SQLite and PostgreSQL: R0A's administrator downloads
//! everything R0A holds about Amara as one JSON document (every section, her transfer request
//! with what she presented, the audit entries about her), with no protocol secret in it and the
//! occupational health detail withheld and counted; the download is recorded. Other roles are
//! refused (403) and another trust's administrator does not find her (404), each recorded.
#![allow(clippy::unwrap_used)]
mod common;

use common::governance::{amara_at_r0a, Held};
use common::portal::sign_in;
use common::TestServer;
use reqwest::StatusCode;
use serde_json::Value;

/// GET `path` as `who`: status, headers and body.
async fn download(
    server: &TestServer,
    who: &common::portal::Signed,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let r = who
        .client
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    let headers = r.headers().clone();
    (r.status(), headers, r.text().await.unwrap())
}

fn export_path(held: &Held) -> String {
    format!("/portal/staff/{}/export.json", held.person)
}

#[tokio::test]
async fn an_admin_downloads_everything_held_about_a_person_and_no_secret() {
    for server in common::servers().await {
        let held = amara_at_r0a(&server).await;
        let admin = sign_in(&server, "r0a.admin").await;
        let hr = sign_in(&server, "r0a.hr").await;
        let page_path = format!("/portal/staff/{}", held.person);
        let (status, page) = admin.get(&page_path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Export everything we hold (JSON)") && page.contains("Erase this person")
        );
        let (_, hr_page) = hr.get(&page_path).await;
        assert!(
            !hr_page.contains("export-subject-data"),
            "HR is not offered the export"
        );
        // HR reads her transfer request: an audit entry about the request, not about her id.
        let report = format!("/portal/transfers/{}", held.request);
        assert_eq!(hr.get(&report).await.0, StatusCode::OK);

        let (status, headers, body) = download(&server, &admin, &export_path(&held)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        assert_eq!(
            headers["content-disposition"],
            format!(
                "attachment; filename=\"subject-access-{}.json\"",
                held.person
            )
            .as_str()
        );
        let doc: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(doc["schema_version"], 1);
        assert!(doc["generated_at"].as_i64().unwrap() > 0);
        assert_eq!(doc["organisation"]["ods_code"], "R0A");
        assert_eq!(doc["person"]["family_name"], "Okafor");
        let ids = doc["identifiers"].as_array().unwrap();
        assert!(ids
            .iter()
            .any(|i| i["scheme"] == "gmc" && i["value"] == "9100001"));
        assert!(!doc["records"].as_array().unwrap().is_empty());
        assert_eq!(doc["offers"].as_array().unwrap().len(), 1);
        assert!(doc["offers"][0]["collected_at"].is_i64());
        let catalogue = passport_catalogue::Catalogue::nhs();
        let oh_only = |vct: &str| catalogue.by_vct(vct).unwrap().is_occupational_health_only();
        let seen = held.issued.iter().filter(|c| !oh_only(&c.vct)).count();
        let credentials = doc["credentials"].as_array().unwrap();
        assert_eq!(credentials.len(), seen);
        assert!(credentials.iter().all(|c| c["status"] == "valid"));
        let requests = doc["transfer_requests"].as_array().unwrap();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0]["id"], held.request.as_str());
        assert!(!requests[0]["presented"].as_array().unwrap().is_empty());
        assert!(requests[0]["report"].is_object());
        assert_eq!(doc["review_items"][0]["id"], held.item.as_str());
        let audit = doc["audit_entries"].as_array().unwrap();
        assert!(audit
            .iter()
            .any(|e| e["who"] == "r0a.admin" && e["action"] == "view-staff"));
        assert!(audit
            .iter()
            .any(|e| e["about"] == held.request.as_str() && e["who"] == "r0a.hr"));
        // Occupational health detail is the OH team's: withheld, counted, and not in the text.
        let withheld = doc["withheld"].as_array().unwrap();
        assert!(!withheld.is_empty());
        for w in withheld {
            let what = w["what"].as_str().unwrap();
            let oh = catalogue
                .by_name(what)
                .is_some_and(|t| t.is_occupational_health_only());
            assert!(oh || what == "occupational-health", "{w}");
        }
        assert!(!body.contains("BCG Scar Evident"));

        // No protocol secret: not the offer's code, not the request's nonce, state or key.
        let code = held.offer.0.rsplit('/').next().unwrap();
        let code = code.rsplit("%2F").next().unwrap();
        assert!(
            code.len() > 30 && !body.contains(code),
            "pre-authorised code"
        );
        let stored = server
            .state
            .store
            .transfer_request("R0A", &held.request)
            .await;
        let stored = stored.unwrap().unwrap();
        for secret in [
            &stored.nonce,
            &stored.state,
            &stored.enc_key,
            &stored.request_object,
        ] {
            assert!(!body.contains(secret.as_str()), "{secret}");
        }
        for key in ["code_hash", "tx_code", "nonce", "enc_key", "request_object"] {
            assert!(!body.contains(&format!("\"{key}\"")), "{key}");
        }

        // The download is recorded: the access and what was exported, in counts.
        let log = server
            .state
            .store
            .audit_entries("R0A", Some(&held.person), None, 50);
        let log = log.await.unwrap();
        let allowed = log
            .iter()
            .find(|e| e.action == "export-subject-data")
            .unwrap();
        assert_eq!(
            (allowed.outcome.as_str(), allowed.purpose.as_str()),
            ("allowed", "subject-access")
        );
        let done = log
            .iter()
            .find(|e| e.action == "subject-data-exported")
            .unwrap();
        assert_eq!(
            (done.outcome.as_str(), done.actor_name.as_str()),
            ("done", "r0a.admin")
        );
        assert!(done.detail.contains("1 transfer requests") && !done.detail.contains("Okafor"));
    }
}

#[tokio::test]
async fn the_export_is_refused_to_other_roles_and_not_found_from_another_trust() {
    for server in common::servers().await {
        let held = amara_at_r0a(&server).await;
        let path = export_path(&held);
        // Baseline: R0A's administrator gets it.
        let admin = sign_in(&server, "r0a.admin").await;
        assert_eq!(download(&server, &admin, &path).await.0, StatusCode::OK);
        for who in ["r0a.hr", "r0a.oh", "r0a.auditor"] {
            let signed = sign_in(&server, who).await;
            let (status, _, body) = download(&server, &signed, &path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
            assert!(!body.contains("Okafor"), "{who}");
        }
        let other = sign_in(&server, "rhq.admin").await;
        let (status, _, body) = download(&server, &other, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!body.contains("Okafor"));
        let guessed = "/portal/staff/p-00000000000000000000000000000000/export.json";
        assert_eq!(
            download(&server, &admin, guessed).await.0,
            StatusCode::NOT_FOUND
        );

        let store = &server.state.store;
        let log = store
            .audit_entries("R0A", Some(&held.person), None, 100)
            .await;
        let log = log.unwrap();
        for who in ["r0a.hr", "r0a.oh", "r0a.auditor"] {
            assert!(
                log.iter().any(|e| e.actor_name == who
                    && e.action == "export-subject-data"
                    && e.outcome == "refused"),
                "{who}"
            );
        }
        let theirs = store
            .audit_entries("RHQ", Some(&held.person), None, 10)
            .await;
        let theirs = theirs.unwrap();
        assert!(theirs
            .iter()
            .any(|e| e.actor_name == "rhq.admin" && e.outcome == "not-found"));
        // Only R0A's administrator exported anything.
        let exported = log.iter().filter(|e| e.action == "subject-data-exported");
        assert_eq!(exported.count(), 1);
    }
}
