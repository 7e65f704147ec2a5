//! How long a national-scale rotation list takes (issue 7: about 50,000 doctors change post in
//! August), on SQLite and PostgreSQL: the whole import of `ROTATION_SCALE_DOCTORS` doctors
//! (default 50,000), signing one request per doctor and storing the list, the requests and
//! the invitations in one transaction, then reading the dashboard's cohort back. Prints one
//! JSON line per database. A measurement, not a check of speed: run it on purpose,
//!
//! `cargo test -p passport-server --test rotation_scale -- --ignored --nocapture`
//!
//! (in a release build for production figures: `cargo test --release ...`).
#![allow(clippy::unwrap_used)]
mod common;

use common::rotation::{cohort, rotation_csv, RECEIVING};
use passport_server::portal::{import_list, ListImport};
use passport_store::ChangeoverTarget;
use std::time::Instant;

#[tokio::test]
#[ignore = "a measurement: run with --ignored --nocapture"]
async fn a_national_changeover_list_imports_in_one_transaction() {
    let doctors: usize = std::env::var("ROTATION_SCALE_DOCTORS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let csv = rotation_csv(&cohort(doctors));
    for db in passport_store::testing::both().await.unwrap() {
        let backend = db.backend.as_str();
        let server = common::start(db).await;
        let org_name = server.state.issuer(RECEIVING).unwrap().name.clone();
        let how = ListImport {
            org: RECEIVING,
            org_name: &org_name,
            created_by: "scale-test",
            role: "medical-staffing",
            target: ChangeoverTarget::New {
                name: "August (scale)",
                date: "2026-08-05",
            },
        };
        let started = Instant::now();
        let imported = import_list(&server.state, &how, &csv, passport_server::now())
            .await
            .unwrap()
            .unwrap();
        let done = imported.rotation;
        let import_s = started.elapsed().as_secs_f64();
        assert_eq!(done.doctors as usize, doctors);
        let read = Instant::now();
        let members = server
            .state
            .store
            .cohort(RECEIVING, &done.changeover_id)
            .await
            .unwrap();
        let cohort_s = read.elapsed().as_secs_f64();
        assert_eq!(members.len(), doctors);
        let request = server
            .state
            .store
            .transfer_request(RECEIVING, &members[0].request_id)
            .await
            .unwrap()
            .unwrap();
        println!(
            "{}",
            serde_json::json!({
                "database": backend,
                "doctors": doctors,
                "import_seconds": (import_s * 100.0).round() / 100.0,
                "doctors_per_second": (doctors as f64 / import_s).round(),
                "signing_seconds": (imported.signing.as_secs_f64() * 100.0).round() / 100.0,
                "transaction_seconds": (imported.storing.as_secs_f64() * 100.0).round() / 100.0,
                "cohort_read_seconds": (cohort_s * 100.0).round() / 100.0,
                "request_object_bytes": request.request_object.len(),
                "profile_bytes": request.profile.len(),
                "build": if cfg!(debug_assertions) { "debug" } else { "release" },
            })
        );
    }
}
