//! `passport audit verify`: checks the audit log's hash chain from the first entry to the head,
//! on the database the server uses (from its configuration) or one named directly. Prints OK
//! with the number of entries and the last hash (worth keeping elsewhere: a later check that
//! still reaches it shows nothing before it changed), or the first broken entry and how it is
//! broken, and then exits non-zero.
use anyhow::{bail, Result};
use clap::Subcommand;
use passport_server::Config;
use passport_store::{ChainCheck, Store};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum AuditAction {
    /// Check that no audit entry was edited, deleted or moved behind the server's back.
    Verify {
        /// The server's configuration file (its database_url, or SQLite in its data_dir).
        #[arg(long, env = "PASSPORT_CONFIG", conflicts_with = "database")]
        config: Option<PathBuf>,
        /// A database URL instead (sqlite://PATH or postgres://...).
        #[arg(long)]
        database: Option<String>,
    },
}

pub fn run(action: AuditAction) -> Result<()> {
    let AuditAction::Verify { config, database } = action;
    let url = match database {
        Some(url) => url,
        None => Config::load(config.as_deref())?.database_url(),
    };
    let check = crate::serve::runtime()?.block_on(async move {
        let store = Store::open(&url).await?;
        anyhow::Ok(store.verify_audit_chain().await?)
    })?;
    match check {
        ChainCheck::Intact { entries, head } => {
            println!("OK: {entries} audit entries, the chain is intact; last hash {head}");
            Ok(())
        }
        ChainCheck::Broken { seq, reason } => {
            println!(
                "BROKEN: audit entry {seq} ({}): {}",
                reason.as_str(),
                reason.explain()
            );
            bail!("the audit log's hash chain is broken at entry {seq}")
        }
    }
}
