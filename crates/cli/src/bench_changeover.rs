//! `passport bench changeover`: a national August changeover on one machine, on SQLite and on
//! PostgreSQL. The real server runs in this process on loopback; four stages, each timed:
//!
//! 1. **issue**: every doctor's records (ESR, OH, DSP at one of three issuing trusts; TIS at
//!    NHS England) go through the real parsers and import, then each doctor's credentials are
//!    issued to their own wallet key through the issuer's own path (offer, token grants, status
//!    list entry, SD-JWT VC), as `/token` and `/credential` do, without HTTP or key proofs;
//! 2. **invite**: the receiving trust's medical staffing uploads the rotation list in the portal
//!    (one transfer request per doctor, signed, and one invitation e-mail each, queued in the
//!    outbox in the same transaction), and the real outbox worker delivers every invitation to
//!    an in-process inbox ([`Inbox`]);
//! 3. **present + verify**: every doctor's wallet follows the link in their invitation over
//!    HTTP (request object, trust list, DCQL, KB-JWTs, JWE, `direct_post.jwt`), `workers` at a
//!    time; the server verifies every presentation (status lists fetched over HTTP, cached) and
//!    stores the report before it answers;
//! 4. **report**: the cohort dashboard and its CSV export, fetched from the portal.
//!
//! Figures are checked as they are taken: every doctor is invited once, answers, is counted in
//! the dashboard and has a row in the CSV, or the run fails. Prints JSON.
use crate::bench_changeover_wallets::{issue_all, present_all, Inbox};
use crate::bench_issue::{bar, peak_mib, reset_peak};
use anyhow::{bail, ensure, Context, Result};
use passport_jose::{Es256Signer, Signer};
use passport_keystore::KdfParams;
use passport_server::demo::changeover::{self as data, RECEIVING};
use passport_server::mail::Mailer;
use passport_server::{AppState, Config, Shared};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Doctors per set of imported files: one import transaction per file.
const CHUNK_DOCTORS: usize = 3_000;
/// The receiving trust's medical staffing account the portal stages use.
const USER: &str = "r0a.medical-staffing";
const STANDINGS: [&str; 4] = ["ready", "gaps", "not-responded", "declined"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backends {
    Sqlite,
    Postgres,
    Both,
}

pub struct Options {
    pub doctors: usize,
    pub credentials_per_doctor: usize,
    pub workers: usize,
    pub postgres: Option<String>,
    pub backends: Backends,
}

pub fn run(o: &Options) -> Result<Value> {
    ensure!(
        (1..=passport_records::MAX_ROTATION_ROWS).contains(&o.doctors),
        "--doctors must be 1 to {} (one rotation list)",
        passport_records::MAX_ROTATION_ROWS
    );
    ensure!(
        (data::NON_COMPETENCE..=data::MAX_CREDENTIALS).contains(&o.credentials_per_doctor),
        "--credentials-per-doctor must be {} to {}",
        data::NON_COMPETENCE,
        data::MAX_CREDENTIALS
    );
    ensure!(o.workers >= 1, "--workers must be at least 1");
    let raw = raw_verify_per_sec()?;
    let mut results = Vec::new();
    if o.backends != Backends::Postgres {
        let db = passport_store::testing::sqlite()?;
        results.push(one(&db.url, "sqlite", o, raw)?);
    }
    if o.backends != Backends::Sqlite {
        if let Some(url) = &o.postgres {
            std::env::set_var("PASSPORT_TEST_POSTGRES", url);
        }
        let rt = tokio::runtime::Runtime::new()?;
        let db = rt.block_on(passport_store::testing::postgres())?;
        let result = one(&db.url, "postgres", o, raw);
        rt.block_on(db.remove())?;
        results.push(result?);
    }
    Ok(json!({
        "doctors": o.doctors,
        "credentials_per_doctor": o.credentials_per_doctor,
        "workers": o.workers,
        "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "raw_es256_verify_per_sec": raw.round(),
        "results": results,
    }))
}

/// Raw ES256 verification on one thread, best of two 2-second runs.
fn raw_verify_per_sec() -> Result<f64> {
    let (signer, _) = Es256Signer::generate()?;
    let message =
        b"eyJhbGciOiJFUzI1NiJ9.eyJ0eXBpY2FsIjoiand0IHNpZ25pbmcgaW5wdXQgb2YgYSBjcmVkZW50aWFsIn0";
    let signature = signer.sign(message)?;
    let key = signer.public_jwk().verifying_key()?;
    let mut best = 0f64;
    for _ in 0..2 {
        best = best.max(crate::bench::rate(2.0, || {
            key.verify(std::hint::black_box(message), &signature)?;
            Ok(())
        })?);
    }
    Ok(best)
}

/// The one-, five- and fifteen-minute load averages (other work on the machine).
fn load_average() -> Value {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let avg: Vec<f64> = text
        .split_whitespace()
        .take(3)
        .filter_map(|v| v.parse().ok())
        .collect();
    json!(avg)
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn per_sec(count: u64, seconds: f64) -> f64 {
    round(count as f64 / seconds.max(1e-9), 1)
}

/// One backend, start to finish.
fn one(url: &str, backend: &str, o: &Options, raw: f64) -> Result<Value> {
    reset_peak();
    let load_before = load_average();
    let n = o.doctors as u64;
    let dir = tempfile::tempdir()?;
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let mut organisations = passport_server::orgs::demo_orgs();
    organisations.push(data::third_trust());
    let mut config = Config {
        bind: addr.to_string(),
        public_url: Some(format!("http://{addr}")),
        data_dir: dir.path().join("server"),
        database_url: Some(url.to_string()),
        keystore_passphrase: Some("benchmark passphrase, synthetic".into()),
        secure_cookies: false,
        organisations,
        ..Config::default()
    };
    // The inbox takes each invitation at once: look again soon.
    config.outbox.poll_interval_ms = 20;
    std::fs::create_dir_all(&config.data_dir)?;
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
    let password = passport_server::issuance::random_token();
    server_rt.block_on(portal_user(&state, &password))?;
    let load_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let base = state.base_url.clone();
    let spill = dir.path().join("wallets.jsonl");

    // 1. Issue.
    let started = Instant::now();
    let records = server_rt.block_on(import_records(&state, o))?;
    let import_secs = started.elapsed().as_secs_f64();
    let progress = bar(n, "issue");
    let issuing = Instant::now();
    let credentials = server_rt.block_on(issue_all(
        &state,
        o.doctors,
        o.credentials_per_doctor,
        o.workers,
        &spill,
        &progress,
    ))?;
    progress.finish_and_clear();
    let issue_secs = issuing.elapsed().as_secs_f64();
    let stage1 = started.elapsed().as_secs_f64();
    let peak1 = peak_mib();

    // 2. Invite.
    let portal = load_rt.block_on(crate::bench_verify::sign_in(&base, USER, &password))?;
    let started = Instant::now();
    let list = data::rotation_csv(&(0..o.doctors).map(data::doctor).collect::<Vec<_>>());
    let changeover = load_rt.block_on(upload(&base, &portal, &list))?;
    drop(list);
    let upload_secs = started.elapsed().as_secs_f64();
    let inbox = Arc::new(Inbox::default());
    let worker = {
        let _runtime = server_rt.enter();
        let mailer: Arc<dyn Mailer> = inbox.clone();
        passport_server::webhooks::spawn(state.clone(), Some(mailer))?
    };
    let limit = Duration::from_secs(120 + n / 20);
    while (inbox.recipients() as u64) < n {
        if started.elapsed() > limit {
            bail!(
                "{backend}: {} of {n} invitations delivered after {limit:?}",
                inbox.recipients()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Delivered is what the outbox records once the inbox has taken the last one.
    let delivered = loop {
        let delivered = server_rt.block_on(delivered_invitations(&state, n))?;
        if delivered >= n || started.elapsed() > limit {
            break delivered;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stage2 = started.elapsed().as_secs_f64();
    drop(worker);
    ensure!(
        delivered == n,
        "{backend}: the outbox holds {delivered} delivered invitations for {n} doctors"
    );
    let peak2 = peak_mib();

    // 3. Present and verify.
    let progress = bar(n, "present");
    let started = Instant::now();
    let answered = load_rt.block_on(present_all(
        &state,
        inbox.clone(),
        &spill,
        o.workers,
        &progress,
    ))?;
    progress.finish_and_clear();
    let stage3 = started.elapsed().as_secs_f64();
    std::fs::remove_file(&spill)?;
    ensure!(
        answered.transfers == n,
        "{backend}: {} of {n} doctors answered",
        answered.transfers
    );
    let peak3 = peak_mib();

    // 4. Report.
    let started = Instant::now();
    let report = load_rt.block_on(report(&base, &portal, &changeover, n))?;
    let stage4 = started.elapsed().as_secs_f64();
    let peak4 = peak_mib();

    let total = stage1 + stage2 + stage3 + stage4;
    let bytes = server_rt.block_on(state.store.database_bytes())?;
    let presentations_per_sec = per_sec(answered.presentations, stage3);
    drop(server_rt);
    Ok(json!({
        "database": backend,
        "total_seconds": round(total, 1),
        "transfers_per_sec": per_sec(n, stage3),
        "transfers_per_sec_whole_changeover": per_sec(n, total),
        "credentials_issued_per_sec": per_sec(credentials, issue_secs),
        "presentations_verified_per_sec": presentations_per_sec,
        "ratio_presentations_verified_to_raw_es256_verify": round(presentations_per_sec / raw.max(1.0), 3),
        "peak_rss_mib": peak_mib().map(|m| round(m, 1)),
        "database_mib": round(bytes as f64 / 1_048_576.0, 1),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "stages": {
            "issue": {
                "seconds": round(stage1, 1),
                "records_imported": records,
                "import_seconds": round(import_secs, 1),
                "records_per_sec": per_sec(records, import_secs),
                "credentials_issued": credentials,
                "issue_seconds": round(issue_secs, 1),
                "credentials_per_sec": per_sec(credentials, issue_secs),
                "peak_rss_mib_so_far": peak1.map(|m| round(m, 1)),
            },
            "invite": {
                "seconds": round(stage2, 1),
                "transfer_requests": n,
                "upload_seconds": round(upload_secs, 1),
                "invitations_delivered": delivered,
                "inbox_accepted": inbox.delivered(),
                "delivery_seconds": round(stage2 - upload_secs, 1),
                "doctors_per_sec": per_sec(n, stage2),
                "peak_rss_mib_so_far": peak2.map(|m| round(m, 1)),
            },
            "present_verify": {
                "seconds": round(stage3, 1),
                "transfers": answered.transfers,
                "transfers_per_sec": per_sec(answered.transfers, stage3),
                "presentations_verified": answered.presentations,
                "presentations_verified_per_sec": presentations_per_sec,
                "peak_rss_mib_so_far": peak3.map(|m| round(m, 1)),
            },
            "report": {
                "seconds": round(stage4, 1),
                "peak_rss_mib_so_far": peak4.map(|m| round(m, 1)),
                "figures": report,
            },
        },
    }))
}

/// Invitations the outbox records as delivered (at most `n + 1` counted).
async fn delivered_invitations(state: &Shared, n: u64) -> Result<u64> {
    let delivered = passport_store::outbox::DeliveryState::Delivered;
    let limit = i64::try_from(n + 1)?;
    let items = state
        .store
        .mail_items(RECEIVING, Some(delivered), limit)
        .await?;
    Ok(items.len() as u64)
}

/// The receiving trust's medical staffing account.
async fn portal_user(state: &Shared, password: &str) -> Result<()> {
    let hash = passport_server::portal::hash_password(password).await?;
    let name = "Benchmark medical staffing (synthetic)";
    let role = "medical-staffing";
    let now = passport_server::now();
    state
        .store
        .upsert_user(RECEIVING, USER, name, role, &hash, now)
        .await?;
    Ok(())
}

/// Records of every doctor, imported through the parsers and the store in chunks; returns
/// how many.
async fn import_records(state: &Shared, o: &Options) -> Result<u64> {
    let progress = bar(o.doctors as u64, "import");
    let mut records = 0u64;
    let now = passport_server::now();
    for first in (0..o.doctors).step_by(CHUNK_DOCTORS) {
        let last = (first + CHUNK_DOCTORS).min(o.doctors);
        let doctors: Vec<data::Doctor> = (first..last).map(data::doctor).collect();
        let doctors: Vec<&data::Doctor> = doctors.iter().collect();
        let awards = data::awards(o.credentials_per_doctor - data::NON_COMPETENCE);
        for f in data::record_files(&doctors, &|_| awards.clone()) {
            let parsed = passport_records::parse(f.kind, &f.text, &f.org)
                .map_err(|e| anyhow::anyhow!("synthetic {:?} file: {e}", f.kind))?;
            let sha = passport_store::sha256_hex(f.text.as_bytes());
            state
                .store
                .apply_import(&f.org, f.kind.as_str(), &sha, &parsed, now, |_| {})
                .await?;
            records += parsed.len() as u64;
        }
        progress.set_position(last as u64);
    }
    progress.finish_and_clear();
    Ok(records)
}

/// Uploads the rotation list into a new changeover as the portal's form does; returns its id.
async fn upload(
    base: &str,
    (client, csrf): &(reqwest::Client, String),
    csv: &str,
) -> Result<String> {
    let boundary = "----passport-bench-changeover-4f1c9a";
    let mut body = String::with_capacity(csv.len() + 1024);
    for (name, value) in [
        ("csrf", csrf.as_str()),
        ("changeover", "new"),
        ("name", "August changeover (synthetic benchmark)"),
        ("date", &data::doctor(1).start),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rotation.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    let r = client
        .post(format!("{base}/portal/rotations/import"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await?;
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let Some(location) = location.filter(|_| status == reqwest::StatusCode::SEE_OTHER) else {
        let page = r.text().await.unwrap_or_default();
        let from = page.find("id=\"problems\"").unwrap_or(0);
        let excerpt: String = page[from..].chars().take(600).collect();
        bail!("the rotation list was refused (HTTP {status}): {excerpt}");
    };
    let tail = location
        .strip_prefix("/portal/rotations/")
        .context("the import did not lead to its changeover")?;
    Ok(tail.split('?').next().unwrap_or(tail).to_string())
}

/// The first `data-count` after `marker` in `html`.
fn count_after(html: &str, marker: &str) -> Result<u64> {
    let at = html
        .find(marker)
        .with_context(|| format!("{marker} on the dashboard"))?;
    let tail = &html[at..];
    let key = "data-count=\"";
    let start = tail.find(key).context("a data-count")? + key.len();
    let len = tail[start..].find('"').context("a data-count")?;
    Ok(tail[start..start + len].parse()?)
}

/// The dashboard's totals and the CSV export, each timed and checked against `n` doctors.
async fn report(
    base: &str,
    (client, _): &(reqwest::Client, String),
    changeover: &str,
    n: u64,
) -> Result<Value> {
    let started = Instant::now();
    let r = client
        .get(format!("{base}/portal/rotations/{changeover}"))
        .send()
        .await?;
    ensure!(r.status() == 200, "dashboard: HTTP {}", r.status());
    let page = r.text().await?;
    let dashboard_secs = started.elapsed().as_secs_f64();
    let totals_at = page.find("id=\"totals\"").context("the totals table")?;
    let totals = &page[totals_at..];
    let mut dashboard = BTreeMap::new();
    for s in STANDINGS {
        dashboard.insert(s, count_after(totals, &format!("data-standing=\"{s}\">"))?);
    }
    let total = count_after(totals, "data-standing=\"total\">")?;
    ensure!(total == n, "the dashboard counts {total} doctors, not {n}");

    let started = Instant::now();
    let r = client
        .get(format!("{base}/portal/rotations/{changeover}/cohort.csv"))
        .send()
        .await?;
    ensure!(r.status() == 200, "CSV export: HTTP {}", r.status());
    let text = r.text().await?;
    let csv_secs = started.elapsed().as_secs_f64();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("CSV column {name}"))
    };
    let (gmc, standing) = (column("gmc_number")?, column("standing")?);
    let mut doctors = HashSet::new();
    let mut in_csv: BTreeMap<String, u64> = BTreeMap::new();
    for row in reader.records() {
        let row = row?;
        doctors.insert(row.get(gmc).unwrap_or_default().to_string());
        *in_csv
            .entry(row.get(standing).unwrap_or_default().to_string())
            .or_default() += 1;
    }
    ensure!(
        doctors.len() as u64 == n,
        "the CSV has {} distinct doctors, not {n}",
        doctors.len()
    );
    for s in STANDINGS {
        let rows = in_csv.get(s).copied().unwrap_or(0);
        ensure!(
            rows == dashboard[s],
            "{s}: {rows} in the CSV, {} on the dashboard",
            dashboard[s]
        );
    }
    let answered = dashboard["ready"] + dashboard["gaps"];
    ensure!(answered == n, "{answered} of {n} doctors reported");
    Ok(json!({
        "dashboard_seconds": round(dashboard_secs, 2),
        "dashboard_bytes": page.len(),
        "csv_seconds": round(csv_secs, 2),
        "csv_bytes": text.len(),
        "csv_rows": doctors.len(),
        "standings": dashboard,
    }))
}
