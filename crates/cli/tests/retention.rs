//! `passport retention run --config FILE` as an operator runs it from cron, on SQLite and
//! PostgreSQL: R0A has a request decided 100 days ago and one decided yesterday; with a 30-day
//! policy the command purges the first, prints the counts per organisation, records the run in
//! the audit log, and `passport audit verify` then reports the chain intact. A second run
//! deletes nothing; a policy under a day is refused and deletes nothing.
#![allow(clippy::unwrap_used)]
use passport_store::testing::{postgres, sqlite, TestDb};
use passport_store::{NewTransferRequest, OrgRow, PresentedRow, Store};
use std::path::Path;
use std::process::{Command, Output};

const DAY: i64 = 86_400;

fn passport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passport"))
        .args(args)
        .env_remove("PASSPORT_CONFIG")
        .env_remove("PASSPORT_DATABASE_URL")
        .env_remove("PASSPORT_RETENTION_DAYS")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A request of R0A made `age` days ago, answered, and decided `decided` days ago.
async fn decided(store: &Store, age: i64, decided: i64) -> String {
    let now = passport_server::now();
    let created = now - age * DAY;
    let new = NewTransferRequest {
        org: "R0A".into(),
        created_by: "u-hr".into(),
        person_name: "Sam Synthetic".into(),
        person_email: "sam@example.invalid".into(),
        registration_number: None,
        profile_id: "fy2".into(),
        profile: "{}".into(),
        start_date: "2030-01-01".into(),
        end_date: "2030-06-01".into(),
        move_kind: "rotation".into(),
        lead_employer: None,
        audience: "hr".into(),
        nonce: passport_store::new_id("n-"),
        state: passport_store::new_id("s-"),
        enc_key: "k".into(),
        expires_at: created + 14 * DAY,
    };
    let id = store
        .create_transfer_request(&new, created, |id| Ok(format!("jwt-{id}")))
        .await
        .unwrap();
    let row = PresentedRow {
        query_id: "identity".into(),
        vct: None,
        iss: None,
        issuer_ods: None,
        accepted: true,
        reason: "verified".into(),
        claims: Some(r#"{"familyName":"Synthetic"}"#.into()),
    };
    let rows = [row];
    let answered = store.record_response("R0A", &id, &id, &rows, "{}", None, created + 60);
    assert_eq!(answered.await.unwrap(), Ok(()));
    let at = now - decided * DAY;
    (store.decide_transfer("R0A", &id, "accepted", "", "u-hr", at))
        .await
        .unwrap();
    id
}

fn config(dir: &Path, url: &str, days: i64) -> String {
    let file = dir.join(format!("passport-{days}.toml"));
    std::fs::write(
        &file,
        format!("database_url = {url:?}\nretention_days = {days}\n"),
    )
    .unwrap();
    file.to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_command_purges_what_is_due_records_it_and_the_chain_verifies() {
    for db in [sqlite().unwrap(), postgres().await.unwrap()] {
        run_on(&db).await;
    }
}

async fn run_on(db: &TestDb) {
    let store = Store::open(&db.url).await.unwrap();
    let org = OrgRow {
        ods_code: "R0A".into(),
        name: "Synthetic Trust".into(),
        kind: "trust".into(),
        issuer: "https://x/issuers/R0A".into(),
    };
    store.upsert_org(&org, 1).await.unwrap();
    let old = decided(&store, 120, 100).await;
    let recent = decided(&store, 10, 1).await;
    let dir = tempfile::tempdir().unwrap();

    // A policy under a day is refused; nothing is deleted.
    let out = passport(&[
        "retention",
        "run",
        "--config",
        &config(dir.path(), &db.url, 0),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 1"));
    let r = store.transfer_request("R0A", &old).await.unwrap().unwrap();
    assert_eq!(r.purged_at, None);

    let file = config(dir.path(), &db.url, 30);
    let out = passport(&["retention", "run", "--config", &file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout(&out).trim(),
        "R0A: retention 30 days: 1 transfer requests purged (0 undecided); \
         1 presented credentials and 0 refused responses deleted; \
         0 rotation list rows' personal details deleted; mail 30 days: 0 e-mails and 0 webhook events deleted"
    );
    let r = store.transfer_request("R0A", &old).await.unwrap().unwrap();
    assert!(r.purged_at.is_some() && r.person_name.is_empty());
    assert_eq!(r.decision.as_deref(), Some("accepted"));
    let r = store
        .transfer_request("R0A", &recent)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (r.purged_at, r.person_name.as_str()),
        (None, "Sam Synthetic")
    );
    let log = store.audit_entries("R0A", None, None, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor_name, "passport retention run");

    let again = passport(&["retention", "run", "--config", &file]);
    assert!(stdout(&again).contains("0 transfer requests purged"));
    let verify = passport(&["audit", "verify", "--config", &file]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    assert!(
        stdout(&verify).starts_with("OK: 2 audit entries"),
        "{}",
        stdout(&verify)
    );
    store.pool().close().await;
}
