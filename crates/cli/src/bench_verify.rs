//! `passport bench verify`: presentation verification against raw ES256 verification (same run),
//! and whole transfers per second over HTTP on SQLite and on PostgreSQL: the receiving trust's
//! portal creates the request (HTTP POST, signed request object), the holder fetches it by
//! `request_uri`, checks it against the trust list, presents every matching credential with
//! key binding, encrypts and POSTs the response; the server decrypts, verifies every
//! presentation (status lists fetched over HTTP and cached), evaluates the report and stores it.
//! The load generator is a separate runtime on loopback. Prints JSON.
use anyhow::{bail, Context, Result};
use passport_holder::Wallet;
use passport_keystore::KdfParams;
use passport_server::demo::amara;
use passport_server::{AppState, Config, Shared};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn run(seconds: f64, workers: usize, postgres: Option<String>) -> Result<Value> {
    let crypto = crate::bench::crypto(seconds.min(2.0), 2, false)?;
    let mut e2e = Vec::new();
    let sqlite = passport_store::testing::sqlite()?;
    e2e.push(transfers(&sqlite.url, "sqlite", seconds, workers)?);
    if let Some(url) = postgres {
        std::env::set_var("PASSPORT_TEST_POSTGRES", url);
    }
    let pg = tokio::runtime::Runtime::new()?.block_on(passport_store::testing::postgres())?;
    e2e.push(transfers(&pg.url, "postgres", seconds, workers)?);
    let raw = crypto["raw_es256_verify_per_sec"].as_f64().unwrap_or(0.0);
    for run in &mut e2e {
        let verified = run["presentations_verified_per_sec"]
            .as_f64()
            .unwrap_or(0.0);
        if raw > 0.0 {
            run["ratio_presentations_verified_to_raw_verify"] =
                json!((verified / raw * 1000.0).round() / 1000.0);
        }
    }
    Ok(json!({
        "raw_es256_verify_per_sec": crypto["raw_es256_verify_per_sec"],
        "presentation_verification_per_sec": crypto["presentation_verification_per_sec"],
        "ratio_presentation_verification_to_raw_verify": crypto["ratio_verification_to_verify"],
        "presentation": crypto["credential"],
        "end_to_end": e2e,
        "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    }))
}

/// One backend: boots the server on its own runtime, seeds Amara, then runs `workers`
/// concurrent transfers for `seconds`.
fn transfers(url: &str, backend: &str, seconds: f64, workers: usize) -> Result<Value> {
    let dir = tempfile::tempdir()?;
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let config = Config {
        bind: addr.to_string(),
        public_url: Some(format!("http://{addr}")),
        data_dir: dir.path().to_path_buf(),
        database_url: Some(url.to_string()),
        keystore_passphrase: Some("benchmark passphrase, synthetic".into()),
        secure_cookies: false,
        organisations: passport_server::orgs::demo_orgs(),
        ..Config::default()
    };
    let kdf = KdfParams {
        m_kib: 1024,
        t: 1,
        p: 1,
    };
    let state: Shared =
        Arc::new(server_rt.block_on(AppState::build(config, kdf, passport_server::now()))?);
    let serving = state.clone();
    server_rt.spawn(async move {
        let _ = passport_server::serve(serving, listener).await;
    });
    let seeded = server_rt.block_on(passport_server::demo::seed(
        &state,
        0,
        passport_server::now(),
        |_, _| {},
    ))?;
    let base = state.base_url.clone();
    let load_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let wallet = Arc::new(load_rt.block_on(amara_wallet(&state, &server_rt))?);
    let held = wallet.credentials().len();
    let done = Arc::new(AtomicU64::new(0));
    let presented = Arc::new(AtomicU64::new(0));
    let (elapsed, first_error) = load_rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..workers.max(1) {
            let (wallet, state, base, done, presented, password) = (
                wallet.clone(),
                state.clone(),
                base.clone(),
                done.clone(),
                presented.clone(),
                seeded.password.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let portal = sign_in(&base, "r0a.hr", &password).await?;
                let http = passport_holder::http_client()?;
                while Instant::now() < deadline {
                    let n = one_transfer(&state, &portal, &wallet, &http).await?;
                    presented.fetch_add(n as u64, Ordering::Relaxed);
                    done.fetch_add(1, Ordering::Relaxed);
                }
                anyhow::Ok(())
            }));
        }
        let mut first_error = None;
        for t in tasks {
            if let Err(e) = t.await.map_err(anyhow::Error::from).and_then(|r| r) {
                first_error.get_or_insert(e.to_string());
            }
        }
        (start.elapsed().as_secs_f64(), first_error)
    });
    if let Some(e) = first_error {
        bail!("{backend}: a transfer failed: {e}");
    }
    let n = done.load(Ordering::Relaxed);
    let p = presented.load(Ordering::Relaxed);
    drop(server_rt);
    Ok(json!({
        "backend": backend,
        "workers": workers,
        "seconds": (elapsed * 100.0).round() / 100.0,
        "transfers": n,
        "transfers_per_sec": ((n as f64 / elapsed) * 10.0).round() / 10.0,
        "credentials_held": held,
        "presentations_per_transfer": p.checked_div(n).unwrap_or(0),
        "presentations_verified_per_sec": (p as f64 / elapsed).round(),
    }))
}

/// Imports Amara at RHQ and X24 and receives her credentials over OpenID4VCI.
async fn amara_wallet(state: &Shared, server_rt: &tokio::runtime::Runtime) -> Result<Wallet> {
    use passport_records::ImportKind;
    let now = passport_server::now();
    for (org, kind, text) in [
        ("RHQ", ImportKind::EsrStaff, amara::staff_csv()),
        ("RHQ", ImportKind::EsrCompetences, amara::competences_csv()),
        ("RHQ", ImportKind::OccupationalHealth, amara::oh_csv()),
        ("RHQ", ImportKind::DspJson, amara::dsp_json()),
        ("X24", ImportKind::TisPlacements, amara::tis_csv()),
    ] {
        let records = passport_records::parse(kind, &text, org)?;
        let store = state.store.clone();
        let sha = passport_store::sha256_hex(text.as_bytes());
        let org = org.to_string();
        server_rt
            .spawn(async move {
                store
                    .apply_import(&org, kind.as_str(), &sha, &records, now, |_| {})
                    .await
            })
            .await??;
    }
    let mut wallet = Wallet::in_memory()?;
    let http = passport_holder::http_client()?;
    for org in ["RHQ", "X24"] {
        let id = passport_records::Identifier {
            scheme: passport_records::IdScheme::Gmc,
            value: "9100001".into(),
        };
        let person = state
            .store
            .person_by_identifier(org, &id)
            .await?
            .context("Amara was imported")?;
        let offer =
            passport_server::issuance::create_offer(state, org, &person, "bench", now).await?;
        wallet
            .receive(&offer.link, Some(&offer.tx_code), &http, now)
            .await?;
    }
    Ok(wallet)
}

/// Signs in; returns the client (with the session cookie) and the session's CSRF token.
pub(crate) async fn sign_in(
    base: &str,
    username: &str,
    password: &str,
) -> Result<(reqwest::Client, String)> {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let form = c
        .get(format!("{base}/portal/login"))
        .send()
        .await?
        .text()
        .await?;
    let r = c
        .post(format!("{base}/portal/login"))
        .form(&[
            ("csrf", csrf(&form)?),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await?;
    if r.status() != 303 {
        bail!("signing in as {username}: HTTP {}", r.status());
    }
    let home = c.get(format!("{base}/portal")).send().await?.text().await?;
    let token = csrf(&home)?.to_string();
    Ok((c, token))
}

pub(crate) fn csrf(html: &str) -> Result<&str> {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).context("a CSRF field")? + marker.len();
    let len = html[start..].find('"').context("a CSRF field")?;
    Ok(&html[start..start + len])
}

/// One transfer; returns the number of presentations verified.
async fn one_transfer(
    state: &Shared,
    (portal, token): &(reqwest::Client, String),
    wallet: &Wallet,
    http: &reqwest::Client,
) -> Result<usize> {
    let base = &state.base_url;
    let (start, end) = amara::placement();
    let created = portal
        .post(format!("{base}/portal/transfers"))
        .form(&[
            ("csrf", token.as_str()),
            ("name", "Amara Okafor"),
            ("email", "amara.okafor@nhs.example"),
            ("registration", "9100001"),
            ("profile", "foundation-doctor-medicine"),
            ("start", &start.to_string()),
            ("end", &end.to_string()),
            ("kind", "rotation"),
        ])
        .send()
        .await?;
    let location = created
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .context("the request was not created")?;
    let id = location.rsplit('/').next().context("request id")?;
    let identity = state.verifier("R0A")?;
    let link =
        passport_server::verifier::request::invocation_url(state, "R0A", id, &identity.client_id);
    let now = passport_server::now();
    let req = wallet
        .fetch_presentation_request(&link, &state.trust_list(), http, now)
        .await?;
    let (shared, _) = wallet.respond(&req, &[], http, now).await?;
    Ok(shared.len())
}
