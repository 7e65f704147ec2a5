//! For the outbox tests: a node (the real server through `passport_server::serve`, so the
//! outbox worker runs as in production) that can be dropped and started again on the same
//! database and key store, a webhook receiver that checks each delivery's signature with the
//! sending organisation's key from the trust list, and a bounded wait.
use super::TEST_KDF;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use passport_server::webhooks::{signature, OutboxConfig};
use passport_server::{AppState, Config, Shared};
use passport_trust_list::TrustList;
use serde_json::{Map, Value};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The same public URL for every node of a test, so issuer identifiers (the events' `source`)
/// stay the same across a restart.
pub const PUBLIC_URL: &str = "https://passport.example.nhs.uk";

/// Short delays, so retries happen within a test; the rules are the production ones.
pub fn fast_outbox(max_attempts: i64) -> OutboxConfig {
    OutboxConfig {
        poll_interval_ms: 20,
        max_attempts,
        retry_base_ms: 40,
        retry_cap_ms: 200,
        request_timeout_ms: 2_000,
    }
}

/// A running server. Dropping it stops it and its worker at once, as a crash or kill would.
pub struct Node {
    pub state: Shared,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

impl Node {
    /// Stops the node (and so its worker) without letting it finish anything, and waits until
    /// it has stopped.
    pub async fn kill(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

/// Starts a node on `db_url` with its key store in `data_dir`; `edit` changes its configuration.
pub async fn node(db_url: &str, data_dir: &Path, edit: impl FnOnce(&mut Config)) -> Node {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = Config {
        bind: listener.local_addr().unwrap().to_string(),
        public_url: Some(PUBLIC_URL.into()),
        data_dir: data_dir.to_path_buf(),
        database_url: Some(db_url.into()),
        keystore_passphrase: Some("test passphrase, not a secret".into()),
        secure_cookies: false,
        organisations: passport_server::orgs::demo_orgs(),
        outbox: fast_outbox(10),
        ..Config::default()
    };
    edit(&mut config);
    let state = Arc::new(
        AppState::build(config, TEST_KDF, passport_server::now())
            .await
            .unwrap(),
    );
    let serving = state.clone();
    let task = tokio::spawn(async move {
        passport_server::serve(serving, listener).await.unwrap();
    });
    Node {
        state,
        task: Some(task),
    }
}

/// Waits until `check` holds, polling; fails the test after `secs` seconds.
pub async fn wait_until<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A delivery the receiver accepted: the verified event and what came with it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub content_type: String,
    pub ods_code: String,
    pub event: Map<String, Value>,
    pub body: Vec<u8>,
    pub signature: String,
}

#[derive(Default)]
struct ReceiverState {
    /// Answer 503 to this many more requests before accepting.
    fail_next: usize,
    requests: usize,
    accepted: Vec<Received>,
    refused: Vec<String>,
}

/// A webhook receiver on 127.0.0.1, as an integrator writes one: it checks the signature with
/// `signature::verify_delivery` and the trust list, and answers 401 when that fails.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Mutex<ReceiverState>>,
    task: Arc<tokio::task::JoinHandle<()>>,
}

impl Receiver {
    /// Listens on a new port.
    pub async fn start(trust_list: TrustList) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, trust_list)
    }

    /// Listens on `addr` (one a test kept free to start with nothing listening there).
    pub async fn start_on(addr: SocketAddr, trust_list: TrustList) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        Self::serve(listener, trust_list)
    }

    fn serve(listener: tokio::net::TcpListener, trust_list: TrustList) -> Receiver {
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Mutex::new(ReceiverState::default()));
        let shared = inner.clone();
        let trust = Arc::new(trust_list);
        let app = axum::Router::new().route(
            "/{*path}",
            axum::routing::post(
                move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
                    let shared = shared.clone();
                    let trust = trust.clone();
                    async move { handle(&shared, &trust, uri.path(), &headers, &body) }
                },
            ),
        );
        let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            addr,
            inner,
            task: Arc::new(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.addr)
    }

    /// Answer 503 to the next `n` requests.
    pub fn fail_next(&self, n: usize) {
        self.inner.lock().unwrap().fail_next = n;
    }

    pub fn requests(&self) -> usize {
        self.inner.lock().unwrap().requests
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.inner.lock().unwrap().accepted.clone()
    }

    pub fn refused(&self) -> Vec<String> {
        self.inner.lock().unwrap().refused.clone()
    }

    /// How many times the event `id` was accepted.
    pub fn times(&self, id: &str) -> usize {
        self.accepted()
            .iter()
            .filter(|r| r.event.get("id").and_then(Value::as_str) == Some(id))
            .count()
    }

    /// Stops listening.
    pub fn stop(&self) {
        self.task.abort();
    }
}

fn handle(
    shared: &Mutex<ReceiverState>,
    trust: &TrustList,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> StatusCode {
    let mut s = shared.lock().unwrap();
    s.requests += 1;
    if s.fail_next > 0 {
        s.fail_next -= 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let sig = text(signature::HEADER);
    match signature::verify_delivery(&sig, body, trust) {
        Ok(verified) => {
            s.accepted.push(Received {
                path: path.to_string(),
                content_type: text("content-type"),
                ods_code: verified.ods_code,
                event: verified.event,
                body: body.to_vec(),
                signature: sig,
            });
            StatusCode::NO_CONTENT
        }
        Err(e) => {
            s.refused.push(e.to_string());
            StatusCode::UNAUTHORIZED
        }
    }
}

/// A port on 127.0.0.1 with nothing listening on it (bound, then let go).
pub async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}
