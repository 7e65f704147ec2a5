//! `passport retention run`: applies the retention policy once, as the server's scheduled task
//! does (`passport_server::retention`), on the database of the server's configuration and with
//! its `retention_days`; for operators who run it from cron (or with the server stopped).
//! Prints what it deleted per organisation, in counts; each organisation's audit log records
//! the run.
use anyhow::Result;
use clap::Subcommand;
use passport_server::retention::{describe, run_policy as apply, Policy, Runner};
use passport_server::Config;
use passport_store::Store;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum RetentionAction {
    /// Delete the presentation data of transfer requests decided (or, undecided, expired) more
    /// than `retention_days` ago, keeping the decisions, and e-mails sent or given up on more
    /// than `mail_retention_days` ago.
    Run {
        /// The server's configuration file (its database, `retention_days` and
        /// `mail_retention_days`).
        #[arg(long, env = "PASSPORT_CONFIG")]
        config: Option<PathBuf>,
    },
}

pub fn run(action: RetentionAction) -> Result<()> {
    let RetentionAction::Run { config } = action;
    let config = Config::load(config.as_deref())?;
    let policy = Policy::of(&config)?;
    let url = config.database_url();
    let done = crate::serve::runtime()?.block_on(async move {
        let store = Store::open(&url).await?;
        anyhow::Ok(apply(&store, &policy, Runner::CommandLine, passport_server::now()).await?)
    })?;
    for (org, outcome) in &done {
        println!("{org}: {}", describe(&policy, outcome));
    }
    Ok(())
}
