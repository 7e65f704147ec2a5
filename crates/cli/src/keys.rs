//! `passport keys`: the encrypted key store from the command line.
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use passport_keystore::{KdfParams, KeyStore};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum KeysAction {
    /// Generate an ES256 key under a label (creates the store on first use).
    Generate {
        #[arg(
            long,
            env = "PASSPORT_KEYSTORE",
            default_value = "data/issuer.keystore"
        )]
        store: PathBuf,
        #[arg(long)]
        label: String,
    },
    /// List the keys (label, kid, created).
    List {
        #[arg(
            long,
            env = "PASSPORT_KEYSTORE",
            default_value = "data/issuer.keystore"
        )]
        store: PathBuf,
    },
    /// Print the public keys as a JWKS.
    Jwks {
        #[arg(
            long,
            env = "PASSPORT_KEYSTORE",
            default_value = "data/issuer.keystore"
        )]
        store: PathBuf,
    },
}

/// The passphrase comes from `PASSPORT_KEYSTORE_PASSPHRASE`: never from an argument (it would
/// show in the process list) and never from the repository.
pub fn passphrase() -> Result<String> {
    match std::env::var("PASSPORT_KEYSTORE_PASSPHRASE") {
        Ok(p) if p.len() >= 12 => Ok(p),
        Ok(_) => bail!("PASSPORT_KEYSTORE_PASSPHRASE must be at least 12 characters"),
        Err(_) => bail!("set PASSPORT_KEYSTORE_PASSPHRASE to the key store passphrase"),
    }
}

fn open(store: &Path) -> Result<KeyStore> {
    KeyStore::open_or_create(store, passphrase()?.as_bytes(), KdfParams::default())
        .with_context(|| format!("opening key store {}", store.display()))
}

pub fn run(action: KeysAction) -> Result<()> {
    let now = crate::walkthrough::now()?;
    match action {
        KeysAction::Generate { store, label } => {
            let info = open(&store)?.generate(&label, now)?;
            println!("generated {} kid={}", info.label, info.kid);
        }
        KeysAction::List { store } => {
            for k in open(&store)?.list() {
                println!("{}\t{}\t{}", k.label, k.kid, k.created);
            }
        }
        KeysAction::Jwks { store } => {
            let keys: Vec<_> = open(&store)?
                .list()
                .into_iter()
                .map(|k| k.public_jwk)
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({ "keys": keys }))?
            );
        }
    }
    Ok(())
}
