//! The browser wallet's protocol core (crates/server/assets/wallet/core, plain ES modules on
//! WebCrypto) against the real server, on SQLite and PostgreSQL: Node.js runs
//! `test/e2e.mjs` with the core modules and the in-memory store; it receives all of Amara's
//! credentials from RHQ and NHS England over OpenID4VCI, declares Amara's personal details
//! (the wallet's own self-signed credential, `core/declare.js`), answers R0A's transfer request
//! over OpenID4VP with one optional item deselected and one declared detail left out, and
//! declines a second request. The server's records are the judge: every presented row
//! accepted (the declaration on its self-declared path), the deselected requirement Missing,
//! the declared details in the report as declared, without the one left out, the declined
//! request logged as `access_denied`.
//!
//! Needs Node.js >= 20 (`node` on PATH); no npm packages. Never skips.
#![allow(clippy::unwrap_used)]
mod common;

use common::transfer::{
    amara_offer, competences_csv, dsp_json, link, oh_csv, request, staff_csv, tis_csv,
};
use common::{import, servers, TestServer};
use passport_compliance::{Audience, Report, Status};
use passport_records::ImportKind;
use passport_store::RequestStatus;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The optional query the wallet deselects.
const DESELECTED: &str = "occupational_health";
/// The declared detail the wallet leaves out.
const LEFT_OUT: &str = "nationalInsuranceNumber";

fn core_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/wallet/core")
}

/// Imports Amara's records (RHQ; NHS England's placements at X24) and makes one offer per
/// issuing organisation: `{link, tx_code}`.
async fn offers(server: &TestServer) -> Vec<Value> {
    import(server, "RHQ", ImportKind::EsrStaff, &staff_csv()).await;
    import(
        server,
        "RHQ",
        ImportKind::EsrCompetences,
        &competences_csv(),
    )
    .await;
    import(server, "RHQ", ImportKind::OccupationalHealth, &oh_csv()).await;
    import(server, "RHQ", ImportKind::DspJson, &dsp_json()).await;
    import(server, "X24", ImportKind::TisPlacements, &tis_csv()).await;
    let mut out = Vec::new();
    for org in ["RHQ", "X24"] {
        let (link, tx_code) = amara_offer(server, org).await;
        out.push(json!({"link": link, "tx_code": tx_code}));
    }
    out
}

/// Runs `node test/e2e.mjs INPUT` on a blocking thread (the server keeps serving) and returns
/// the JSON it printed.
async fn run_e2e(input: &Value) -> Value {
    let dir = core_dir();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "wallet-core-{}-{}.json",
        std::process::id(),
        passport_server::issuance::random_token()
    ));
    std::fs::write(&path, serde_json::to_vec_pretty(input).unwrap()).unwrap();
    let out = tokio::task::spawn_blocking(move || {
        let out = Command::new("node")
            .arg("test/e2e.mjs")
            .arg(&path)
            .current_dir(&dir)
            .output();
        let _ = std::fs::remove_file(&path);
        out.unwrap_or_else(|e| panic!("Node.js (`node` >= 20) is needed and not available: {e}"))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "e2e.mjs failed:\n{stderr}\n(stdout: {stdout})"
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("e2e.mjs printed no JSON ({e}): {stdout}\n{stderr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_wallet_core_receives_presents_with_a_deselection_and_declines() {
    for server in servers().await {
        let offers = offers(&server).await;
        let present_id = request(&server, Audience::Hr).await;
        let decline_id = request(&server, Audience::Hr).await;
        let input = json!({
            "trust_list_url": format!("{}/trust-list", server.base),
            "registry_jwk": serde_json::to_value(&server.state.registry_jwk).unwrap(),
            "offers": offers,
            "declare": {
                "preferredName": "Amy",
                "email": "amy.okafor@example.com",
                "address": {"lines": ["1 Example Street", "Leeds"], "postcode": "LS1 4AP"},
                "emergencyContacts": [{"name": "Chidi Okafor", "relationship": "Brother", "phone": "07700 900456"}],
                LEFT_OUT: "AB123456C",
            },
            "present": {
                "link": link(&server, &present_id),
                "decline": [DESELECTED],
                "omit": {"self_declared": [LEFT_OUT]},
            },
            "decline_link": link(&server, &decline_id),
        });
        let out = run_e2e(&input).await;

        // Received: every credential both organisations issued, all accepted by the issuer.
        let received = out["received"].as_array().unwrap();
        assert!(received.len() >= 8, "{out}");
        for org in ["RHQ", "X24"] {
            let iss = format!("{}/issuers/{org}", server.base);
            assert!(received.iter().any(|c| c["issuer"] == iss), "{org}: {out}");
        }
        assert_eq!(out["verifier"]["ods"], "R0A", "{out}");
        assert!(out["redirect_uri"]
            .as_str()
            .unwrap()
            .contains("response_code="));
        assert_eq!(out["history"], json!(["shared", "declined"]));
        // The deselected query was optional and never left the device.
        let shared = out["shared"].as_array().unwrap();
        assert!(!shared.is_empty());
        assert!(shared.iter().all(|s| s["query_id"] != DESELECTED), "{out}");
        assert!(shared
            .iter()
            .all(|s| !s["vct"].as_str().unwrap().contains("/vaccination/")));

        // The server's report: every presented row accepted; the deselected requirement Missing.
        let store = &server.state.store;
        let stored = store
            .transfer_request("R0A", &present_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, RequestStatus::Responded);
        let presented = store.presented("R0A", &present_id).await.unwrap();
        assert_eq!(presented.len(), shared.len());
        assert!(
            presented.iter().all(|p| p.accepted),
            "every presentation verifies: {presented:?}"
        );
        assert!(presented.iter().all(|p| p.query_id != DESELECTED));
        let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
        // The declaration the web wallet made and signed: verified on the self-declared path,
        // shown as declared, without the detail left out.
        let row = presented
            .iter()
            .find(|p| p.query_id == "self_declared")
            .unwrap_or_else(|| panic!("no self-declared row: {presented:?}"));
        assert_eq!(row.reason, "self-declared (not verified)");
        assert!(row
            .iss
            .as_deref()
            .unwrap()
            .starts_with("urn:ietf:params:oauth:jwk-thumbprint:sha-256:"));
        let declared = report.self_declared.clone().unwrap();
        let value =
            |claim: &str| (declared.iter().find(|d| d.claim == claim)).map(|d| d.value.as_str());
        assert_eq!(value("preferredName"), Some("Amy"));
        assert_eq!(value("address"), Some("1 Example Street, Leeds, LS1 4AP"));
        assert_eq!(
            value("emergencyContacts"),
            Some("Chidi Okafor (Brother), 07700 900456")
        );
        assert_eq!(value(LEFT_OUT), None, "{declared:?}");
        assert!(!row.claims.as_deref().unwrap().contains("AB123456C"));
        let line = |key: &str| {
            &(report.lines.iter().find(|l| l.key == key))
                .unwrap_or_else(|| panic!("no line {key}"))
                .status
        };
        assert!(
            matches!(line(DESELECTED), Status::Missing { reason: None }),
            "{:?}",
            line(DESELECTED)
        );
        for key in [
            "identity",
            "right_to_work",
            "employment",
            "training_programme",
        ] {
            assert!(
                matches!(line(key), Status::Met { .. }),
                "{key}: {:?}",
                line(key)
            );
        }

        // The declined request: logged as the wallet's access_denied, and still open.
        let failures = store.response_failures("R0A", &decline_id).await.unwrap();
        assert!(
            failures
                .iter()
                .any(|(why, _)| why.contains("access_denied")),
            "{failures:?}"
        );
        let declined = store
            .transfer_request("R0A", &decline_id)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(declined.status, RequestStatus::Responded);
        assert!(store
            .presented("R0A", &decline_id)
            .await
            .unwrap()
            .is_empty());
    }
}

/// The pure unit tests of the core (`test/*.test.mjs`: base64url, DER on a certificate our Rust
/// code made, JOSE with the RFC 7518 appendix C Concat KDF vector and JWE round trips, SD-JWT
/// against the RFC 9901 examples), run with `node --test` so that `cargo test` covers them.
#[test]
fn the_core_unit_tests_pass_under_node() {
    let dir = core_dir();
    let mut files: Vec<String> = std::fs::read_dir(dir.join("test"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".test.mjs"))
        .map(|n| format!("test/{n}"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    let out = Command::new("node")
        .arg("--test")
        .args(&files)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("Node.js (`node` >= 20) is needed and not available: {e}"));
    assert!(
        out.status.success(),
        "node --test failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
