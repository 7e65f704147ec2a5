//! `passport audit verify` as an operator runs it, on SQLite and PostgreSQL: the real server
//! writes its audit log (an HR user signs in over HTTP, searches and opens people's pages); the
//! log verifies OK with its count; the same log edited behind the server's back with raw SQL
//! (an UPDATE of an entry's detail, a DELETE of an entry) is reported at the first broken
//! entry, and the command fails.
#![allow(clippy::unwrap_used)]
use passport_keystore::KdfParams;
use passport_records::ImportKind;
use passport_server::{AppState, Config};
use passport_store::testing::{postgres, sqlite, TestDb};
use passport_store::Store;
use std::process::{Command, Output};
use std::sync::Arc;

const PASSWORD: &str = "an audit test password, synthetic";

fn verify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passport"))
        .arg("audit")
        .arg("verify")
        .args(args)
        .env_remove("PASSPORT_CONFIG")
        .env_remove("PASSPORT_DATABASE_URL")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn csrf_of(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Boots the server on `url`, where an HR user of RHQ signs in, searches for staff and opens
/// three people's pages; stops it. Returns the number of audit entries it wrote.
async fn written_by_the_server(url: &str) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        bind: addr.to_string(),
        public_url: Some(format!("http://{addr}")),
        data_dir: dir.path().to_path_buf(),
        database_url: Some(url.to_string()),
        keystore_passphrase: Some("audit test passphrase, not a secret".into()),
        secure_cookies: false,
        organisations: passport_server::orgs::demo_orgs(),
        ..Config::default()
    };
    let kdf = KdfParams {
        m_kib: 256,
        t: 1,
        p: 1,
    };
    let now = passport_server::now();
    let state = Arc::new(AppState::build(config, kdf, now).await.unwrap());
    let store = &state.store;
    let hash = passport_server::portal::hash_password(PASSWORD)
        .await
        .unwrap();
    store
        .upsert_user("RHQ", "rhq.hr", "Hana Reid", "hr", &hash, now)
        .await
        .unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/esr-staff.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let records = passport_records::parse(ImportKind::EsrStaff, &text, "RHQ").unwrap();
    store
        .apply_import("RHQ", "esr-staff", "t", &records, now, |_| {})
        .await
        .unwrap();
    let people = store.search_people("RHQ", "a", 3).await.unwrap();
    assert_eq!(people.len(), 3);
    let task = tokio::spawn(passport_server::serve(state.clone(), listener));

    let base = format!("http://{addr}");
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = c.get(format!("{base}/portal/login")).send().await.unwrap();
    let token = csrf_of(&form.text().await.unwrap());
    let r = c
        .post(format!("{base}/portal/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "rhq.hr"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mut paths = vec!["/portal/staff?q=a".to_string()];
    paths.extend(people.iter().map(|p| format!("/portal/staff/{}", p.id)));
    for path in paths {
        let r = c.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    task.abort();
    let ours = store.audit_entries("RHQ", None, None, 1000).await.unwrap();
    assert!(ours.len() >= 4, "a search and three people: {}", ours.len());
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn databases() -> Vec<TestDb> {
    vec![sqlite().unwrap(), postgres().await.unwrap()]
}

/// The log the server wrote, verified OK, then `tamper` run on it behind the server's back.
async fn tampered(db: &TestDb, tamper: &str) -> Output {
    let count = written_by_the_server(&db.url).await;
    let out = verify(&["--database", &db.url]);
    assert!(out.status.success(), "{}", stdout(&out));
    let ok = format!("OK: {count} audit entries, the chain is intact; last hash ");
    assert!(stdout(&out).starts_with(&ok), "{}", stdout(&out));
    let store = Store::open(&db.url).await.unwrap();
    sqlx::query(tamper).execute(store.pool()).await.unwrap();
    store.pool().close().await;
    verify(&["--database", &db.url])
}

#[tokio::test]
async fn an_edited_entry_is_reported_and_the_command_fails() {
    for db in databases().await {
        let out = tampered(
            &db,
            "UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3",
        )
        .await;
        assert!(!out.status.success(), "{:?}", db.backend);
        assert_eq!(
            stdout(&out).trim(),
            "BROKEN: audit entry 3 (edited): its content does not match its hash (edited)",
            "{:?}",
            db.backend
        );
    }
}

#[tokio::test]
async fn a_deleted_entry_is_reported_and_the_command_fails() {
    for db in databases().await {
        let out = tampered(&db, "DELETE FROM audit_log WHERE seq = 2").await;
        assert!(!out.status.success(), "{:?}", db.backend);
        assert_eq!(
            stdout(&out).trim(),
            "BROKEN: audit entry 2 (deleted): it is missing (deleted)",
            "{:?}",
            db.backend
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("broken at entry 2"));
    }
}

#[tokio::test]
async fn the_database_comes_from_the_servers_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let config = dir.path().join("passport.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n[[organisations]]\nods_code = \"RHQ\"\nname = \"Synthetic Trust\"\nkind = \"trust\"\n",
            data.display().to_string()
        ),
    )
    .unwrap();
    let url = format!("sqlite://{}", data.join("passport.db").display());
    let count = written_by_the_server(&url).await;
    let out = verify(&["--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stdout(&out));
    let ok = format!("OK: {count} audit entries");
    assert!(stdout(&out).starts_with(&ok), "{}", stdout(&out));
    // Both at once is a mistake, not a choice.
    let out = verify(&["--config", config.to_str().unwrap(), "--database", &url]);
    assert!(!out.status.success());
}
