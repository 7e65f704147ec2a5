//! Interoperability of our OpenID4VP 1.0 verifier (the receiving trust) with an independent
//! wallet: interop/vp-wallet.mjs, built only from npm registry packages (`jose`, `dcql`,
//! `@sd-jwt/sd-jwt-vc`, `@sd-jwt/crypto-nodejs`, pinned in interop/package-lock.json) and run
//! with Node.js. Nothing of the wallet side is ours: it fetches the signed Request Object by
//! `request_uri`, verifies it (x5c leaf, `typ`, `x509_hash` client identifier), evaluates the
//! DCQL query, presents only the requested claims with a KB-JWT, encrypts the response
//! (ECDH-ES, A128GCM/A256GCM) and POSTs it (`direct_post.jwt`).
//!
//! On SQLite and PostgreSQL: RHQ and NHS England issue Amara's credentials (the synthetic doctor
//! of tests/common/transfer.rs) to a holder key made by Node.js, through the same function as
//! the credential endpoint (`issuance::issue_record`: status entry first, then the engine). The
//! same credentials are also received by the Rust holder, which answers an identical request,
//! so that the independent wallet's answer can be compared with ours line by line.
//!
//! Setup: `npm ci --prefix interop` from the workspace root. Without Node.js or
//! interop/node_modules these tests fail (never skip) and say so.
#![allow(clippy::unwrap_used)]
mod common;

use common::transfer::{amara_wallet, link, request};
use common::TestServer;
use passport_compliance::{Audience, Report};
use passport_jose::Jwk;
use passport_records::{IdScheme, Identifier, ImportKind};
use passport_store::{PresentedRow, RequestStatus};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const SETUP: &str =
    "run `npm ci --prefix interop` in the workspace root (needs Node.js >= 20 and npm; \
     the interop tests never skip)";

/// interop/ beside the crates, after checking that Node.js and the pinned packages are there.
fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../interop");
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("`node --version` failed ({}): {SETUP}", out.status),
        Err(e) => panic!("Node.js (`node`) is not available ({e}): {SETUP}"),
    }
    for package in ["jose", "dcql", "@sd-jwt/sd-jwt-vc", "@sd-jwt/crypto-nodejs"] {
        let marker = dir.join("node_modules").join(package).join("package.json");
        assert!(marker.is_file(), "{} is missing: {SETUP}", marker.display());
    }
    dir
}

/// What a run of vp-wallet.mjs produced.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert!(
            self.ok,
            "the independent wallet failed:\n{}\nstdout: {}",
            self.stderr, self.stdout
        );
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "vp-wallet.mjs printed no JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// `node vp-wallet.mjs ARG` on a blocking thread, so that the server keeps serving.
async fn node_wallet(arg: String) -> Run {
    let dir = interop_dir();
    tokio::task::spawn_blocking(move || {
        let out = Command::new("node")
            .arg("vp-wallet.mjs")
            .arg(&arg)
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run node vp-wallet.mjs ({e}): {SETUP}"));
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

/// The independent wallet's key: a P-256 private JWK made by Node.js, and its public part.
async fn holder_key() -> (Value, Jwk) {
    let private = node_wallet("--new-holder-key".into()).await.json();
    let mut public = private.clone();
    public.as_object_mut().unwrap().remove("d");
    (private, Jwk::from_json(&public).unwrap())
}

/// Runs the independent wallet on `url` with `credentials`; `options` are merged into its
/// input (`enc`, `kb_nonce`).
async fn answer(url: &str, credentials: &[String], holder: &Value, options: Value) -> Run {
    static N: AtomicUsize = AtomicUsize::new(0);
    let mut input = json!({
        "url": url,
        "credentials": credentials,
        "holder_private_jwk": holder,
    });
    for (k, v) in options.as_object().unwrap() {
        input[k] = v.clone();
    }
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "vp-wallet-{}-{}.json",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, serde_json::to_vec(&input).unwrap()).unwrap();
    let run = node_wallet(path.to_string_lossy().into_owned()).await;
    let _ = std::fs::remove_file(&path);
    run
}

/// Amara's person id at `org` (by her GMC number, as in common::transfer).
async fn amara(server: &TestServer, org: &str) -> String {
    let id = Identifier {
        scheme: IdScheme::Gmc,
        value: "9100001".into(),
    };
    server
        .state
        .store
        .person_by_identifier(org, &id)
        .await
        .unwrap()
        .unwrap()
}

/// Imports Amara's records at RHQ and X24 without receiving anything (common::transfer's
/// `amara_wallet` does the same imports and then receives into the Rust holder).
async fn import_amara(server: &TestServer) {
    use common::transfer::{competences_csv, dsp_json, oh_csv, staff_csv, tis_csv};
    common::import(server, "RHQ", ImportKind::EsrStaff, &staff_csv()).await;
    common::import(
        server,
        "RHQ",
        ImportKind::EsrCompetences,
        &competences_csv(),
    )
    .await;
    common::import(server, "RHQ", ImportKind::OccupationalHealth, &oh_csv()).await;
    common::import(server, "RHQ", ImportKind::DspJson, &dsp_json()).await;
    common::import(server, "X24", ImportKind::TisPlacements, &tis_csv()).await;
}

/// Every current credential of Amara at RHQ and X24, issued to `holder` exactly as the
/// credential endpoint issues (`issuance::issue_record`: status entry and register first).
async fn issue_to(server: &TestServer, holder: &Jwk) -> Vec<String> {
    let mut out = Vec::new();
    for org in ["RHQ", "X24"] {
        let person = amara(server, org).await;
        let view = server
            .state
            .store
            .person(org, &person)
            .await
            .unwrap()
            .unwrap();
        for record in &view.records {
            out.push(
                passport_server::issuance::issue_record(
                    &server.state,
                    org,
                    &person,
                    record,
                    holder,
                    &passport_store::new_id("n-"),
                    passport_server::now(),
                )
                .await
                .unwrap(),
            );
        }
    }
    assert!(out.len() > 10, "Amara has many records: {}", out.len());
    out
}

async fn stored(server: &TestServer, id: &str) -> passport_store::TransferRequest {
    server
        .state
        .store
        .transfer_request("R0A", id)
        .await
        .unwrap()
        .unwrap()
}

fn report_of(req: &passport_store::TransferRequest) -> Report {
    serde_json::from_str(req.report.as_deref().unwrap()).unwrap()
}

/// `v` as JSON text with every object's members sorted (disclosures arrive in any order).
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let sorted: std::collections::BTreeMap<&String, String> =
                m.iter().map(|(k, v)| (k, canonical(v))).collect();
            let members: Vec<String> = sorted
                .iter()
                .map(|(k, v)| format!("{}:{v}", Value::String((*k).clone())))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

/// A presented row without its order: (query id, vct, issuer, disclosed claims).
fn row_key(r: &PresentedRow) -> (String, String, String, String) {
    let claims: Value = serde_json::from_str(r.claims.as_deref().unwrap()).unwrap();
    (
        r.query_id.clone(),
        r.vct.clone().unwrap(),
        r.issuer_ods.clone().unwrap(),
        canonical(&claims),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_wallet_answers_and_gets_the_same_report_as_the_rust_holder() {
    for (n, server) in servers_numbered().await {
        // The Rust holder: receives Amara's credentials over OpenID4VCI and answers request A.
        let wallet = amara_wallet(&server).await;
        let http = passport_holder::http_client().unwrap();
        let ours = request(&server, Audience::Hr).await;
        let req = wallet
            .fetch_presentation_request(
                &link(&server, &ours),
                &server.state.trust_list(),
                &http,
                passport_server::now(),
            )
            .await
            .unwrap();
        let (shared, _) = wallet
            .respond(&req, &[], &http, passport_server::now())
            .await
            .unwrap();
        let our_report = report_of(&stored(&server, &ours).await);

        // The independent wallet: the same records, issued to its own key; answers request B.
        let (private, public) = holder_key().await;
        let credentials = issue_to(&server, &public).await;
        let theirs = request(&server, Audience::Hr).await;
        let url = link(&server, &theirs);
        assert!(
            url.starts_with("openid4vp://?client_id=x509_hash%3A"),
            "{url}"
        );
        // Both content encryptions our verifier offers: A256GCM on one database, A128GCM
        // (the wallet's default: the first the verifier lists) on the other.
        let options = if n == 0 {
            json!({"enc": "A256GCM"})
        } else {
            json!({})
        };
        let out = answer(&url, &credentials, &private, options).await.json();
        assert_eq!(out["status"], 200, "our server refused: {out}");
        assert_eq!(out["enc"], if n == 0 { "A256GCM" } else { "A128GCM" });
        let identity = server.state.verifier("R0A").unwrap();
        assert_eq!(out["client_id"], identity.client_id.as_str());
        let redirect = out["response"]["redirect_uri"].as_str().unwrap();
        assert!(
            redirect.starts_with(&format!(
                "{}/verifiers/R0A/requests/{theirs}/done?response_code=",
                server.base
            )),
            "{redirect}"
        );
        let page = common::http().get(redirect).send().await.unwrap();
        assert_eq!(page.status(), 200, "the same-device page knows the code");

        let answered = stored(&server, &theirs).await;
        assert_eq!(answered.status, RequestStatus::Responded);
        let presented = server.state.store.presented("R0A", &theirs).await.unwrap();
        assert!(!presented.is_empty());
        assert!(
            presented.iter().all(|p| p.accepted),
            "every presentation of the independent wallet verifies: {presented:?}"
        );
        assert!(
            presented
                .iter()
                .all(|p| !p.vct.as_deref().unwrap().contains("/vaccination/")),
            "HR never receives OH detail"
        );
        let failures = server
            .state
            .store
            .response_failures("R0A", &theirs)
            .await
            .unwrap();
        assert!(failures.is_empty(), "{failures:?}");

        // The same answer as the Rust holder's: the same queries answered with the same claim
        // paths (the dcql library's selection and ours agree), the same claims received, and
        // the same report, line for line.
        let their_paths: BTreeSet<(String, String)> = out["presented"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| {
                let q = p["query_id"].as_str().unwrap().to_string();
                p["disclose"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |d| (q.clone(), d.to_string()))
            })
            .collect();
        let our_paths: BTreeSet<(String, String)> = shared
            .iter()
            .flat_map(|s| s.disclosed.iter().map(|d| (s.query_id.clone(), d.clone())))
            .collect();
        assert_eq!(their_paths, our_paths, "disclosed claim paths per query");
        assert_eq!(
            out["presented"].as_array().unwrap().len(),
            shared.len(),
            "one presentation per credential shared, as the Rust holder"
        );

        let ours_presented = server.state.store.presented("R0A", &ours).await.unwrap();
        let a: BTreeSet<_> = ours_presented.iter().map(row_key).collect();
        let b: BTreeSet<_> = presented.iter().map(row_key).collect();
        assert_eq!(
            a, b,
            "the verifier received the same claims from both wallets"
        );

        let their_report = report_of(&answered);
        assert_eq!(their_report.lines.len(), our_report.lines.len());
        for (t, o) in their_report.lines.iter().zip(&our_report.lines) {
            assert_eq!(t.key, o.key);
            assert_eq!(t.status, o.status, "{}", t.key);
            assert_eq!(t, o, "{}", t.key);
        }
        assert_eq!(their_report.summary, our_report.summary);
        // And the report is the one transfer_flow.rs expects (spot checks).
        let status = |key: &str| {
            &their_report
                .lines
                .iter()
                .find(|l| l.key == key)
                .unwrap()
                .status
        };
        use passport_compliance::Status;
        assert!(matches!(status("identity"), Status::Met { .. }));
        assert!(matches!(
            status("cstf_fire_safety_l1"),
            Status::ExpiresDuringPlacement { .. }
        ));
        assert!(matches!(status("dbs"), Status::NotPortable { .. }));
        assert!(matches!(
            status("professional_registration"),
            Status::NotPortable { .. }
        ));

        // Answered: the independent wallet cannot fetch the request again.
        let again = answer(&url, &credentials, &private, json!({})).await;
        assert!(!again.ok);
        assert!(
            again.stderr.contains("FAILED at request_uri") && again.stderr.contains("400"),
            "{}",
            again.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_wallet_with_a_wrong_kb_nonce_is_refused_and_logged() {
    for server in common::servers().await {
        import_amara(&server).await;
        let (private, public) = holder_key().await;
        let credentials = issue_to(&server, &public).await;
        let id = request(&server, Audience::Hr).await;
        let url = link(&server, &id);

        let out = answer(
            &url,
            &credentials,
            &private,
            json!({"kb_nonce": "not-the-nonce-of-this-request"}),
        )
        .await
        .json();
        assert_eq!(out["status"], 400, "{out}");
        assert_eq!(out["response"]["error"], "invalid_request", "{out}");
        let description = out["response"]["error_description"].as_str().unwrap();
        assert!(
            description.contains("no presented credential verified"),
            "{description}"
        );
        let n = out["presented"].as_array().unwrap().len();
        assert!(n > 5, "{out}");

        // Nothing stored; the reason is logged against the request, naming the nonce for every
        // presentation.
        let req = stored(&server, &id).await;
        assert_eq!(req.status, RequestStatus::Fetched);
        assert!(req.report.is_none());
        assert!(server
            .state
            .store
            .presented("R0A", &id)
            .await
            .unwrap()
            .is_empty());
        let failures = server
            .state
            .store
            .response_failures("R0A", &id)
            .await
            .unwrap();
        assert_eq!(failures.len(), 1, "{failures:?}");
        // One rule named per presentation, the whole cut to the log's bounded length.
        let why = &failures[0].0;
        let named = why.matches("KB-JWT nonce does not match").count();
        assert!(
            (1..=n).contains(&named) && why.chars().count() <= 300,
            "{why}"
        );

        // A refused response does not use the request up: the honest answer still succeeds.
        let out = answer(&url, &credentials, &private, json!({})).await.json();
        assert_eq!(out["status"], 200, "{out}");
        assert_eq!(stored(&server, &id).await.status, RequestStatus::Responded);
    }
}

/// common::servers() with each server's position (0 = SQLite, 1 = PostgreSQL).
async fn servers_numbered() -> Vec<(usize, TestServer)> {
    common::servers().await.into_iter().enumerate().collect()
}
