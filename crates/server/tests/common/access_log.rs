//! The staff of the receiving trust (R0A) at work on a transfer request, through the portal as
//! people would, and the person's access log asked for by hand: what the access log tests
//! check the log against.
#![allow(dead_code, clippy::unwrap_used)]
use super::portal::{sign_in, user};
use super::TestServer;
use reqwest::StatusCode;
use serde_json::Value;

/// What R0A's staff did, for the log to show: (what, role, format or decision).
pub type Expected = Vec<(&'static str, &'static str, Option<&'static str>)>;

/// An HR user of R0A opens the report of request `id`, downloads its CSV and accepts it.
/// Returns the user's username and id (which the log must never show).
pub async fn hr_reads_exports_and_decides(server: &TestServer, id: &str) -> (String, String) {
    let username = format!("r0a.hr.{}", &id[3..11]);
    let user_id = user(server, "R0A", &username, "hr").await;
    let hr = sign_in(server, &username).await;
    let (status, page) = hr.get(&format!("/portal/transfers/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, csv) = hr.get(&format!("/portal/transfers/{id}/report.csv")).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let decided = hr
        .post(
            &format!("/portal/transfers/{id}/decision"),
            &[("decision", "accepted"), ("note", "")],
        )
        .await;
    assert_eq!(decided, StatusCode::SEE_OTHER);
    (username, user_id)
}

/// The log entries [`hr_reads_exports_and_decides`] leaves.
pub fn hr_expected() -> Expected {
    vec![
        ("viewed", "hr", None),
        ("exported", "hr", Some("csv")),
        ("decided", "hr", Some("accepted")),
    ]
}

/// R0A's occupational health team opens the report of its request `id` (with the OH detail).
pub async fn oh_reads(server: &TestServer, id: &str) -> (String, String) {
    let username = format!("r0a.oh.{}", &id[3..11]);
    let user_id = user(server, "R0A", &username, "oh").await;
    let oh = sign_in(server, &username).await;
    let (status, page) = oh.get(&format!("/portal/transfers/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    (username, user_id)
}

/// POSTs `body` to the node's `/access-log`: the status and the JSON answer.
pub async fn post(server: &TestServer, body: String) -> (u16, Value) {
    let r = super::http()
        .post(format!("{}/access-log", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// A proof by `key` for `aud` issued at `iat`, with a fresh `jti`.
pub fn proof(key: &passport_jose::Es256Signer, aud: &str, iat: i64) -> String {
    let jti = passport_server::issuance::random_token();
    passport_access_log::make_proof(key, aud, &jti, iat).unwrap()
}

/// The (what, role, format or decision) of each entry of a logged request, oldest first.
pub fn entries_of(
    request: &passport_access_log::SharedRequest,
) -> Vec<(String, String, Option<String>)> {
    request
        .entries
        .iter()
        .map(|e| {
            let what = serde_json::to_value(e.what).unwrap();
            let extra = e.format.clone().or_else(|| e.decision.clone());
            (what.as_str().unwrap().to_string(), e.role.clone(), extra)
        })
        .collect()
}

/// `expected` in the shape of [`entries_of`].
pub fn owned(expected: &Expected) -> Vec<(String, String, Option<String>)> {
    expected
        .iter()
        .map(|(w, r, x)| (w.to_string(), r.to_string(), x.map(str::to_owned)))
        .collect()
}

/// Imports Amara's records (RHQ; NHS England's placements at X24) and makes one offer per
/// issuing organisation, as `{link, tx_code}` for the web wallet's core.
pub async fn web_offers(server: &TestServer) -> Vec<Value> {
    use super::transfer::{competences_csv, dsp_json, oh_csv, staff_csv, tis_csv};
    use passport_records::ImportKind;
    super::import(server, "RHQ", ImportKind::EsrStaff, &staff_csv()).await;
    let competences = competences_csv();
    super::import(server, "RHQ", ImportKind::EsrCompetences, &competences).await;
    super::import(server, "RHQ", ImportKind::OccupationalHealth, &oh_csv()).await;
    super::import(server, "RHQ", ImportKind::DspJson, &dsp_json()).await;
    super::import(server, "X24", ImportKind::TisPlacements, &tis_csv()).await;
    let mut out = Vec::new();
    for org in ["RHQ", "X24"] {
        let (link, tx_code) = super::transfer::amara_offer(server, org).await;
        out.push(serde_json::json!({"link": link, "tx_code": tx_code}));
    }
    out
}

/// Runs `node test/{script} INPUT` in the wallet core's folder on a blocking thread (the server
/// keeps serving) and returns the JSON it printed.
pub async fn run_node(script: &str, input: &Value) -> Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/wallet/core");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "access-log-{}-{}.json",
        std::process::id(),
        passport_server::issuance::random_token()
    ));
    std::fs::write(&path, serde_json::to_vec_pretty(input).unwrap()).unwrap();
    let script = format!("test/{script}");
    let out = tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new("node")
            .arg(&script)
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
        "node failed:\n{stderr}\n(stdout: {stdout})"
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("node printed no JSON ({e}): {stdout}\n{stderr}"))
}
