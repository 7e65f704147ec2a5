//! The server-side commands: `serve`, `demo`, `import`, and the command-line wallet.
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use passport_keystore::KdfParams;
use passport_records::ImportKind;
use passport_server::{AppState, Config};
use std::path::{Path, PathBuf};

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// The server's log lines (trust list refreshes and refusals, server errors) on standard error,
/// at `info` and above.
fn log_to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .try_init();
}

pub fn serve(config: Option<PathBuf>) -> Result<()> {
    log_to_stderr();
    let config = Config::load(config.as_deref())?;
    runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("listening on {}", config.bind))?;
        let state = std::sync::Arc::new(
            AppState::build(config, KdfParams::default(), passport_server::now()).await?,
        );
        println!("passport server on {}", state.base_url);
        passport_server::serve(state, listener).await?;
        Ok(())
    })
}

pub fn demo(data_dir: PathBuf, bind: String, staff: usize, seed_only: bool) -> Result<()> {
    log_to_stderr();
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let mut config = Config::default();
    config.apply_env(|n| std::env::var(n).ok())?;
    config.data_dir = data_dir.clone();
    config.bind = bind;
    config.secure_cookies = false;
    config.organisations = passport_server::orgs::demo_orgs();
    if config.keystore_passphrase.is_none() {
        config.keystore_passphrase = Some(crate::walkthrough::demo_passphrase(&data_dir)?);
    }
    runtime()?.block_on(async move {
        let listener = if seed_only {
            None
        } else {
            Some(
                tokio::net::TcpListener::bind(&config.bind)
                    .await
                    .with_context(|| format!("listening on {} (use --bind)", config.bind))?,
            )
        };
        let now = passport_server::now();
        let state = std::sync::Arc::new(AppState::build(config, KdfParams::default(), now).await?);
        let bar = ProgressBar::new(0).with_style(bar_style());
        bar.set_message("seeding synthetic staff");
        let seeded = passport_server::demo::seed(&state, staff, now, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
        bar.finish_and_clear();
        println!("{}", passport_server::demo::instructions(&state, &seeded));
        if let Some(listener) = listener {
            passport_server::serve(state, listener).await?;
        }
        Ok(())
    })
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

pub fn import(config: Option<PathBuf>, org: &str, kind: &str, file: &Path) -> Result<()> {
    let config = Config::load(config.as_deref())?;
    let kind: ImportKind = kind
        .parse()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("--kind")?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let records = match passport_records::parse(kind, &text, org) {
        Ok(records) => records,
        Err(passport_records::RecordsError::Rows(rows)) => {
            eprintln!(
                "{}: {} bad row(s); nothing was imported:",
                file.display(),
                rows.len()
            );
            for row in &rows {
                eprintln!("  line {}: {}", row.line, row.reason);
            }
            bail!("the file was not imported");
        }
        Err(e) => bail!("{}: {e}; nothing was imported", file.display()),
    };
    let sha = passport_store::sha256_hex(text.as_bytes());
    runtime()?.block_on(async move {
        let store = passport_store::Store::open(&config.database_url()).await?;
        if store.org(org).await?.is_none() {
            let Some(conf) = config.organisations.iter().find(|o| o.ods_code == org) else {
                bail!("organisation {org} is not configured ([[organisations]] in the configuration file)");
            };
            store
                .upsert_org(
                    &passport_store::OrgRow {
                        ods_code: conf.ods_code.clone(),
                        name: conf.name.clone(),
                        kind: conf.kind.clone(),
                        issuer: passport_server::orgs::issuer_id(&config.public_url(), org),
                    },
                    passport_server::now(),
                )
                .await?;
        }
        let bar = ProgressBar::new(records.len() as u64).with_style(bar_style());
        bar.set_message(format!("importing {}", kind.as_str()));
        // A changed or deleted training placement revokes its credential and offers the
        // person's current records anew by e-mail (passport_server::reoffer).
        let row = store
            .org(org)
            .await?
            .context("the organisation was just recorded")?;
        let reoffers = passport_server::reoffer::Reoffers {
            org_name: row.name,
            issuer_id: row.issuer,
            ttl_secs: config.offer_ttl_secs,
        };
        let plan = |p: &passport_store::ReofferPerson| reoffers.plan(p);
        let created_by = format!("import:{}", kind.as_str());
        let hook = reoffers.hook(&plan, &created_by);
        let outcome = store
            .apply_import_reoffering(
                org,
                kind.as_str(),
                &sha,
                &records,
                passport_server::now(),
                |n| bar.set_position(n),
                Some(&hook),
            )
            .await?;
        bar.finish_and_clear();
        println!("{}", serde_json::to_string_pretty(&outcome)?);
        Ok(())
    })
}

#[derive(Subcommand)]
pub enum WalletAction {
    /// Receive every credential of an offer (OpenID4VCI pre-authorised code flow).
    Receive {
        /// The offer link (openid-credential-offer://...) or its https credential_offer_uri.
        offer: String,
        /// The transaction code given separately by HR.
        #[arg(long)]
        tx_code: Option<String>,
        /// The encrypted wallet file (created on first use). Its passphrase comes from
        /// PASSPORT_WALLET_PASSPHRASE.
        #[arg(long, default_value = "passport-wallet.json")]
        wallet: PathBuf,
    },
    /// Answer a presentation request (OpenID4VP): check the request against the trust list,
    /// show what it asks for and share only that (all matches, minus --decline).
    Present {
        /// The request link (openid4vp://?client_id=...&request_uri=...).
        request: String,
        /// The registry's public key (a JWK file) the trust list must verify with.
        #[arg(long, env = "PASSPORT_REGISTRY_JWK_FILE")]
        registry_jwk: PathBuf,
        /// Where to fetch the signed trust list (default: /trust-list at the request's host).
        #[arg(long, env = "PASSPORT_TRUST_LIST_URL")]
        trust_list: Option<String>,
        /// A credential query id not to answer (repeat for several).
        #[arg(long)]
        decline: Vec<String>,
        /// Share without asking for confirmation.
        #[arg(long)]
        yes: bool,
        #[arg(long, default_value = "passport-wallet.json")]
        wallet: PathBuf,
    },
    /// Ask each node you shared with who looked at what you shared, and when (your access
    /// log there), with a proof signed by the wallet's key.
    AccessLog {
        /// The node's public URL (e.g. https://passport.example.nhs.uk); repeat for several.
        #[arg(long, required = true)]
        node: Vec<String>,
        #[arg(long, default_value = "passport-wallet.json")]
        wallet: PathBuf,
    },
    /// List the credentials in the wallet.
    List {
        #[arg(long, default_value = "passport-wallet.json")]
        wallet: PathBuf,
    },
}

fn wallet_passphrase() -> Result<String> {
    std::env::var("PASSPORT_WALLET_PASSPHRASE")
        .context("set PASSPORT_WALLET_PASSPHRASE to the wallet file's passphrase")
}

pub fn wallet(action: WalletAction) -> Result<()> {
    match action {
        WalletAction::Receive {
            offer,
            tx_code,
            wallet,
        } => runtime()?.block_on(async move {
            let mut w = passport_holder::Wallet::create_or_open(
                &wallet,
                wallet_passphrase()?.as_bytes(),
                KdfParams::default(),
            )?;
            let http = passport_holder::http_client()?;
            let received = w
                .receive(&offer, tx_code.as_deref(), &http, passport_server::now())
                .await?;
            w.save()?;
            println!("received {} credential(s):", received.len());
            for c in &received {
                println!("  {} from {}", c.vct, c.issuer);
            }
            Ok(())
        }),
        WalletAction::Present {
            request,
            registry_jwk,
            trust_list,
            decline,
            yes,
            wallet,
        } => runtime()?.block_on(async move {
            let w = passport_holder::Wallet::create_or_open(
                &wallet,
                wallet_passphrase()?.as_bytes(),
                KdfParams::default(),
            )?;
            let http = passport_holder::http_client()?;
            let now = passport_server::now();
            let trust = fetch_trust_list(&http, &request, trust_list, &registry_jwk, now).await?;
            let req = w
                .fetch_presentation_request(&request, &trust, &http, now)
                .await?;
            println!(
                "{} ({}) asks, for {}:",
                req.verifier_name, req.verifier_ods, req.request.client_id
            );
            for q in &req.selection.queries {
                let claims: Vec<String> = req
                    .request
                    .dcql_query
                    .credential(&q.id)
                    .and_then(|c| c.claims.as_ref())
                    .map(|cs| {
                        cs.iter()
                            .map(|c| passport_oid4vp::path_to_json(&c.path).to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let held = if q.matches.is_empty() {
                    "you hold none".to_string()
                } else {
                    format!("{} held", q.matches.len())
                };
                let declined = if decline.contains(&q.id) {
                    ", DECLINED"
                } else {
                    ""
                };
                println!("  {:<45} {held}{declined}: {}", q.id, claims.join(" "));
            }
            if !yes {
                use std::io::BufRead;
                println!("Share this? Type yes to share.");
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                if line.trim() != "yes" {
                    w.decline(&req, &http).await?;
                    println!(
                        "nothing shared; {} has been told you declined",
                        req.verifier_name
                    );
                    return Ok(());
                }
            }
            let (shared, redirect) = w
                .respond(&req, &decline, &http, passport_server::now())
                .await?;
            println!(
                "shared {} credential(s) with {}",
                shared.len(),
                req.verifier_name
            );
            if let Some(r) = redirect {
                println!("verifier says: continue at {r}");
            }
            Ok(())
        }),
        WalletAction::AccessLog { node, wallet } => runtime()?.block_on(async move {
            let w = passport_holder::Wallet::create_or_open(
                &wallet,
                wallet_passphrase()?.as_bytes(),
                KdfParams::default(),
            )?;
            crate::wallet_access_log::print_logs(&w, &node).await
        }),
        WalletAction::List { wallet } => {
            let w = passport_holder::Wallet::create_or_open(
                &wallet,
                wallet_passphrase()?.as_bytes(),
                KdfParams::default(),
            )?;
            for c in w.credentials() {
                println!("{}\t{}\t{}", c.received_at, c.vct, c.issuer);
            }
            Ok(())
        }
    }
}

/// Fetches the trust list and verifies it with the registry key the holder was given.
async fn fetch_trust_list(
    http: &reqwest::Client,
    request: &str,
    url: Option<String>,
    registry_jwk: &std::path::Path,
    now: i64,
) -> Result<passport_trust_list::TrustList> {
    let url = match url {
        Some(u) => u,
        None => {
            let (_, request_uri) = passport_oid4vp::parse_authorization_url(request)
                .map_err(|e| anyhow::anyhow!("request link: {e}"))?;
            let parsed = reqwest::Url::parse(&request_uri)?;
            format!("{}/trust-list", parsed.origin().ascii_serialization())
        }
    };
    passport_holder::checked_url(&url)?;
    let jwt = http
        .get(&url)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let jwk: passport_jose::Jwk = serde_json::from_str(
        &std::fs::read_to_string(registry_jwk)
            .with_context(|| format!("registry key {}", registry_jwk.display()))?,
    )?;
    let key = jwk.verifying_key()?;
    Ok(passport_trust_list::TrustList::verify(
        jwt.trim(),
        &key,
        now,
    )?)
}
