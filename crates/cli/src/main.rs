//! `passport`: the one binary of the NHS Staff Passport.
use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// mimalloc: issuing and verifying credentials allocate many small JSON values; measured by
/// `passport bench crypto`, it is markedly faster than the system allocator for that pattern.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod audit;
mod bench;
mod bench_changeover;
mod bench_changeover_wallets;
mod bench_issue;
mod bench_verify;
mod fixtures;
mod keys;
mod retention;
mod rotation;
mod serve;
mod users;
mod walkthrough;
mod wallet_access_log;
mod wallet_site;

#[derive(Parser)]
#[command(
    name = "passport",
    version,
    about = "NHS Staff Passport: verifiable credentials for NHS staff moving between trusts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The demo: the server on embedded SQLite with synthetic trusts, NHS England, an OH
    /// provider and 200 staff; prints where to open the portal and the demo logins.
    Demo {
        /// Folder for the demo's database and key store.
        #[arg(long, env = "PASSPORT_DATA_DIR", default_value = "passport-demo")]
        data_dir: PathBuf,
        /// Address to listen on.
        #[arg(long, env = "PASSPORT_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Synthetic staff to seed.
        #[arg(long, default_value_t = 200)]
        staff: usize,
        /// Seed, print the logins and exit instead of serving.
        #[arg(long)]
        seed_only: bool,
    },
    /// Run the server (configuration: file, then PASSPORT_* environment; see the README).
    Serve {
        #[arg(long, env = "PASSPORT_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Import a file from a workforce system into one organisation. The file is validated in
    /// full first: one bad row and nothing is imported (every bad row is listed).
    Import {
        #[arg(long, env = "PASSPORT_CONFIG")]
        config: Option<PathBuf>,
        /// The organisation's ODS code.
        #[arg(long)]
        org: String,
        /// esr-staff, esr-competences, oh, tis or dsp-json.
        #[arg(long)]
        kind: String,
        file: PathBuf,
    },
    /// A command-line wallet (holder) with an encrypted wallet file.
    Wallet {
        #[command(subcommand)]
        action: serve::WalletAction,
    },
    /// Walk through issue -> selective presentation -> verification -> revocation in one
    /// terminal run, without a server, printing each step.
    Walkthrough {
        /// Folder for the walkthrough's key store (default: a fresh temporary folder).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Measure the credential engine against the raw ES256 rates, in one run; prints JSON.
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Print the credential catalogue: SD-JWT VC Type Metadata (and JSON Schema) of each type.
    Catalogue {
        /// One type by record name (e.g. CoreSkillsTraining); all types when omitted.
        #[arg(long = "type")]
        type_name: Option<String>,
        /// Print the JSON Schema instead of the Type Metadata.
        #[arg(long)]
        schema: bool,
    },
    /// Portal user accounts.
    User {
        #[command(subcommand)]
        action: users::UserAction,
    },
    /// Rotations of doctors in training: `passport rotation import` a receiving trust's list.
    Rotation {
        #[command(subcommand)]
        action: rotation::RotationAction,
    },
    /// The audit log: `passport audit verify` checks its hash chain.
    Audit {
        #[command(subcommand)]
        action: audit::AuditAction,
    },
    /// Data retention: `passport retention run` deletes old presentation data once, as the
    /// server's scheduled task does.
    Retention {
        #[command(subcommand)]
        action: retention::RetentionAction,
    },
    /// Manage issuer signing keys in the encrypted key store.
    Keys {
        #[command(subcommand)]
        action: keys::KeysAction,
    },
    /// Write the staff wallet (the files served at /wallet/) into a folder for any static web
    /// host, with a config.json pinning the registry's public key.
    WalletSite {
        /// The folder to write (made if missing).
        #[arg(long)]
        out: PathBuf,
        /// The registry's public key (JWK), e.g. passport-demo/registry.jwk.
        #[arg(long)]
        registry_jwk: PathBuf,
        /// Where the wallet fetches the registry-signed trust list.
        #[arg(long)]
        trust_list_url: String,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Import synthetic staff (20 records each) and issue all their credentials, on SQLite and
    /// PostgreSQL; prints rows/s, credentials/s and peak memory as JSON.
    Issue {
        #[arg(long, default_value_t = 100_000)]
        staff: usize,
        /// PostgreSQL server for a fresh benchmark database (default: PASSPORT_TEST_POSTGRES or
        /// postgres://postgres@127.0.0.1:5432/postgres).
        #[arg(long)]
        postgres: Option<String>,
        /// Concurrent issuing tasks.
        #[arg(long, default_value_t = 4)]
        workers: usize,
    },
    /// Presentation verification against raw ES256 verification, and whole transfers per
    /// second over HTTP (request, response, verification, report stored) on SQLite and
    /// PostgreSQL; prints JSON.
    Verify {
        /// Seconds of load per database.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Concurrent transfers.
        #[arg(long, default_value_t = 4)]
        workers: usize,
        /// PostgreSQL server for a fresh benchmark database (default: PASSPORT_TEST_POSTGRES
        /// or postgres://postgres@127.0.0.1:5432/postgres).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// A national changeover on one machine: doctors' credentials issued at three trusts and
    /// NHS England, the receiving trust's rotation list imported (requests and invitations),
    /// every wallet answering over HTTP, the cohort dashboard and CSV; each stage timed, with
    /// peak memory and database size, on SQLite and PostgreSQL; prints JSON.
    Changeover {
        #[arg(long, default_value_t = 50_000)]
        doctors: usize,
        #[arg(long, default_value_t = 20)]
        credentials_per_doctor: usize,
        /// Concurrent issuing tasks and answering wallets.
        #[arg(long, default_value_t = 4)]
        workers: usize,
        /// PostgreSQL server for a fresh benchmark database, dropped afterwards (default:
        /// PASSPORT_TEST_POSTGRES or postgres://postgres@127.0.0.1:5432/postgres).
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, value_enum, default_value = "both")]
        backend: bench_changeover::Backends,
    },
    /// Raw ES256 sign/verify, credential issuance and presentation verification rates.
    Crypto {
        /// Seconds per measurement.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        /// Rounds; the best round of each figure is reported.
        #[arg(long, default_value_t = 3)]
        rounds: u32,
        /// Skip running `openssl speed ecdsap256` for comparison.
        #[arg(long)]
        no_openssl: bool,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Demo {
            data_dir,
            bind,
            staff,
            seed_only,
        } => serve::demo(data_dir, bind, staff, seed_only),
        Command::Serve { config } => serve::serve(config),
        Command::Import {
            config,
            org,
            kind,
            file,
        } => serve::import(config, &org, &kind, &file),
        Command::Wallet { action } => serve::wallet(action),
        Command::Walkthrough { data_dir } => walkthrough::run(data_dir),
        Command::Bench {
            what:
                BenchWhat::Crypto {
                    seconds,
                    rounds,
                    no_openssl,
                },
        } => {
            let report = bench::crypto(seconds, rounds, !no_openssl)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Bench {
            what:
                BenchWhat::Issue {
                    staff,
                    postgres,
                    workers,
                },
        } => {
            let report = bench_issue::run(staff, postgres, workers)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Bench {
            what:
                BenchWhat::Verify {
                    seconds,
                    workers,
                    postgres,
                },
        } => {
            let report = bench_verify::run(seconds, workers, postgres)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Bench {
            what:
                BenchWhat::Changeover {
                    doctors,
                    credentials_per_doctor,
                    workers,
                    postgres,
                    backend,
                },
        } => {
            let report = bench_changeover::run(&bench_changeover::Options {
                doctors,
                credentials_per_doctor,
                workers,
                postgres,
                backends: backend,
            })?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Keys { action } => keys::run(action),
        Command::Audit { action } => audit::run(action),
        Command::Retention { action } => retention::run(action),
        Command::WalletSite {
            out,
            registry_jwk,
            trust_list_url,
        } => {
            let n = wallet_site::build(&out, &registry_jwk, &trust_list_url)?;
            println!("wrote {n} files of the staff wallet to {}", out.display());
            Ok(())
        }
        Command::User { action } => users::run(action),
        Command::Rotation { action } => rotation::run(action),
        Command::Catalogue { type_name, schema } => {
            let catalogue = passport_catalogue::Catalogue::nhs();
            let docs: Vec<serde_json::Value> = catalogue
                .iter()
                .filter(|t| type_name.as_deref().is_none_or(|n| n == t.name))
                .map(|t| {
                    if schema {
                        t.json_schema().clone()
                    } else {
                        t.type_metadata()
                    }
                })
                .collect();
            if docs.is_empty() {
                anyhow::bail!(
                    "no credential type named {:?}",
                    type_name.unwrap_or_default()
                );
            }
            println!("{}", serde_json::to_string_pretty(&docs)?);
            Ok(())
        }
    }
}
