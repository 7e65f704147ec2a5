//! `passport`: the one binary of the NHS Staff Passport.
use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// mimalloc: issuing and verifying credentials allocate many small JSON values; measured by
/// `passport bench crypto`, it is markedly faster than the system allocator for that pattern.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod demo;
mod fixtures;
mod keys;

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
    /// Walk through issue -> selective presentation -> verification -> revocation with synthetic
    /// trusts and staff, printing each step.
    Demo {
        /// Folder for the demo's key store (default: a fresh temporary folder).
        #[arg(long, env = "PASSPORT_DATA_DIR")]
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
    /// Manage issuer signing keys in the encrypted key store.
    Keys {
        #[command(subcommand)]
        action: keys::KeysAction,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
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
        Command::Demo { data_dir } => demo::run(data_dir),
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
        Command::Keys { action } => keys::run(action),
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
