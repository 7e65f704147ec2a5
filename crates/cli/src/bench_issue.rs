//! `passport bench issue`: import synthetic staff with 20 records each through the real parser
//! and store, then issue every credential through the issuer's own path (offer, token grants,
//! status list entry, SD-JWT VC signature), on SQLite and on PostgreSQL. Prints JSON.
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use passport_jose::Es256Signer;
use passport_keystore::KdfParams;
use passport_server::{AppState, Config, Shared};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;

/// People per imported file: one import transaction each.
const FILE_PEOPLE: usize = 5_000;

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
pub(crate) fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Resets the peak so each database's run is measured alone (Linux: write 5 to clear_refs).
pub(crate) fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub(crate) fn bar(len: u64, msg: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(msg);
    bar
}

pub fn run(staff: usize, postgres: Option<String>, workers: usize) -> Result<Value> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let mut results = Vec::new();
        let sqlite = passport_store::testing::sqlite()?;
        results.push(one(&sqlite.url, "sqlite", staff, workers).await?);
        let pg = match postgres {
            Some(url) => {
                std::env::set_var("PASSPORT_TEST_POSTGRES", url);
                passport_store::testing::postgres().await?
            }
            None => passport_store::testing::postgres().await?,
        };
        results.push(one(&pg.url, "postgres", staff, workers).await?);
        Ok(json!({
            "staff": staff,
            "records_per_person": 20,
            "workers": workers,
            "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "results": results,
        }))
    })
}

async fn one(url: &str, backend: &str, staff: usize, workers: usize) -> Result<Value> {
    reset_peak();
    let dir = tempfile::tempdir()?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        database_url: Some(url.to_string()),
        keystore_passphrase: Some("benchmark passphrase, not a secret".into()),
        organisations: passport_server::orgs::demo_orgs(),
        ..Config::default()
    };
    let fast_kdf = KdfParams {
        m_kib: 1024,
        t: 1,
        p: 1,
    };
    let now = passport_server::now();
    let state: Shared = Arc::new(AppState::build(config, fast_kdf, now).await?);

    // Import.
    let files = passport_server::demo::bench_files(staff, FILE_PEOPLE);
    let rows: u64 = files
        .iter()
        .map(|f| f.text.lines().count().saturating_sub(1) as u64)
        .sum();
    let progress = bar(rows, "import");
    let started = Instant::now();
    let mut parse_secs = 0.0;
    for f in &files {
        let t = Instant::now();
        let records =
            passport_records::parse(f.kind, &f.text, &f.org).map_err(|e| anyhow::anyhow!("{e}"))?;
        parse_secs += t.elapsed().as_secs_f64();
        let base = progress.position();
        state
            .store
            .apply_import(&f.org, f.kind.as_str(), "bench", &records, now, |n| {
                progress.set_position(base + n)
            })
            .await?;
    }
    let import_secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();

    // Issue: every person's offer redeemed and each granted record issued to a wallet key.
    let people = state.store.search_people("RHQ", "", i64::MAX).await?;
    let (wallet, _) = Es256Signer::generate()?;
    let holder = passport_jose::Signer::public_jwk(&wallet).clone();
    let progress = Arc::new(bar(people.len() as u64, "issue"));
    let started = Instant::now();
    let ids: Vec<String> = people.into_iter().map(|p| p.id).collect();
    let per = ids.len().div_ceil(workers.max(1)).max(1);
    let mut tasks = Vec::new();
    for chunk in ids.chunks(per) {
        let chunk = chunk.to_vec();
        let state = state.clone();
        let holder = holder.clone();
        let progress = progress.clone();
        tasks.push(tokio::spawn(async move {
            let mut issued = 0u64;
            for person in chunk {
                let code = passport_server::issuance::random_token();
                state
                    .store
                    .create_offer("RHQ", &person, &code, "123456", "bench", now, 600)
                    .await?;
                let token = passport_server::issuance::random_token();
                let (_, grants) = state
                    .store
                    .redeem_offer("RHQ", &code, Some("123456"), &token, now, 600)
                    .await?
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                for grant in grants {
                    let (_, record) = state
                        .store
                        .granted_record(&token, &grant.credential_identifier)
                        .await?
                        .context("granted record")?;
                    passport_server::issuance::issue_record(
                        &state, "RHQ", &person, &record, &holder, "n-bench", now,
                    )
                    .await?;
                    issued += 1;
                }
                progress.inc(1);
            }
            anyhow::Ok(issued)
        }));
    }
    let mut credentials = 0u64;
    for t in tasks {
        credentials += t.await??;
    }
    let issue_secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    Ok(json!({
        "database": backend,
        "rows": rows,
        "import_seconds": round(import_secs),
        "parse_seconds": round(parse_secs),
        "rows_per_sec": round(rows as f64 / import_secs),
        "credentials": credentials,
        "issue_seconds": round(issue_secs),
        "credentials_per_sec": round(credentials as f64 / issue_secs),
        "peak_rss_mib": peak_mib().map(round),
    }))
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
