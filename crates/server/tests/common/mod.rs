//! Boots the real server on a random port with a fresh database, for integration tests.
#![allow(dead_code, clippy::unwrap_used)]
use passport_keystore::KdfParams;
use passport_records::ImportKind;
use passport_server::{AppState, Config, Shared};
use passport_store::testing::TestDb;
use std::sync::Arc;

pub mod access_log;
pub mod browser;
pub mod cohort;
pub mod forge;
pub mod governance;
pub mod oidc;
pub mod outbox;
pub mod portal;
pub mod registry;
pub mod rotation;
pub mod smtp_sink;
pub mod temporary;
pub mod transfer;
pub mod webhooks;

pub struct TestServer {
    pub base: String,
    pub state: Shared,
    pub db: TestDb,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Stops serving (open connections are closed once idle): from now on the port refuses
    /// connections, as a server out of reach does. For offline tests.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), &mut self.task).await;
        self.task.abort();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Small KDF parameters: the key store's strength is not under test here.
pub const TEST_KDF: KdfParams = KdfParams {
    m_kib: 256,
    t: 1,
    p: 1,
};

pub async fn start(db: TestDb) -> TestServer {
    start_with(db, |_| {}).await
}

/// [`start`] with the configuration changed by `edit` first (e.g. a short `request_ttl_secs`).
pub async fn start_with(db: TestDb, edit: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start_prepared(db, listener, dir, edit).await
}

/// [`start_with`] on a listener and data folder the test made first: for a node whose address
/// or keys must be known before it starts (its trust list entry is made in advance).
pub async fn start_prepared(
    db: TestDb,
    listener: tokio::net::TcpListener,
    dir: tempfile::TempDir,
    edit: impl FnOnce(&mut Config),
) -> TestServer {
    let addr = listener.local_addr().unwrap();
    let mut config = Config {
        bind: addr.to_string(),
        public_url: Some(format!("http://{addr}")),
        data_dir: dir.path().to_path_buf(),
        database_url: Some(db.url.clone()),
        keystore_passphrase: Some("test passphrase, not a secret".into()),
        secure_cookies: false,
        organisations: passport_server::orgs::demo_orgs(),
        ..Config::default()
    };
    edit(&mut config);
    let state = Arc::new(
        AppState::build(config, TEST_KDF, passport_server::now())
            .await
            .unwrap(),
    );
    let app = passport_server::router(state.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    TestServer {
        base: format!("http://{addr}"),
        state,
        db,
        _dir: dir,
        task,
        stop: Some(stop),
    }
}

/// Both databases, each with its own server.
pub async fn servers() -> Vec<TestServer> {
    let mut out = Vec::new();
    for db in passport_store::testing::both().await.unwrap() {
        out.push(start(db).await);
    }
    out
}

pub fn sample(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Imports `text` of `kind` into `org`, returning the outcome.
pub async fn import(
    server: &TestServer,
    org: &str,
    kind: ImportKind,
    text: &str,
) -> passport_store::ImportOutcome {
    let records = passport_records::parse(kind, text, org).unwrap();
    server
        .state
        .store
        .apply_import(
            org,
            kind.as_str(),
            &passport_store::sha256_hex(text.as_bytes()),
            &records,
            passport_server::now(),
            |_| {},
        )
        .await
        .unwrap()
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
