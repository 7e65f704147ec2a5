//! `passport retention run`: applies the retention policy once, as the server's scheduled task
//! does (`passport_server::retention`), on the database of the server's configuration and with
//! its `retention_days`; for operators who run it from cron (or with the server stopped).
//! Prints what it deleted per organisation, in counts; each organisation's audit log records
//! the run.
use anyhow::{bail, Result};
use clap::Subcommand;
use passport_server::retention::{describe, run as apply, Runner};
use passport_server::Config;
use passport_store::Store;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum RetentionAction {
    /// Delete the presentation data of transfer requests decided (or, undecided, expired) more
    /// than `retention_days` ago, keeping the decisions.
    Run {
        /// The server's configuration file (its database and `retention_days`).
        #[arg(long, env = "PASSPORT_CONFIG")]
        config: Option<PathBuf>,
    },
}

pub fn run(action: RetentionAction) -> Result<()> {
    let RetentionAction::Run { config } = action;
    let config = Config::load(config.as_deref())?;
    let days = config.retention_days;
    if days < 1 {
        bail!("retention_days is {days}: it must be at least 1");
    }
    let url = config.database_url();
    let done = crate::serve::runtime()?.block_on(async move {
        let store = Store::open(&url).await?;
        anyhow::Ok(apply(&store, days, Runner::CommandLine, passport_server::now()).await?)
    })?;
    for (org, outcome) in &done {
        println!("{org}: {}", describe(days, outcome));
    }
    Ok(())
}
