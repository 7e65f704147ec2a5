//! `passport user add`: portal accounts from the command line, so an operator can create the
//! first users of a new deployment (single sign-on is issue 6's work).
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use passport_server::Config;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum UserAction {
    /// Create a portal user (or reset an existing one). The password comes from
    /// PASSPORT_USER_PASSWORD, never from an argument.
    Add {
        #[arg(long, env = "PASSPORT_CONFIG")]
        config: Option<PathBuf>,
        /// The user's organisation (ODS code, one this node serves).
        #[arg(long)]
        org: String,
        #[arg(long)]
        username: String,
        /// The name shown in the portal header.
        #[arg(long)]
        name: String,
        /// hr, training, oh or admin.
        #[arg(long)]
        role: String,
    },
}

pub fn run(action: UserAction) -> Result<()> {
    let UserAction::Add {
        config,
        org,
        username,
        name,
        role,
    } = action;
    if !["hr", "training", "oh", "admin"].contains(&role.as_str()) {
        bail!("--role must be hr, training, oh or admin");
    }
    let password = std::env::var("PASSPORT_USER_PASSWORD")
        .context("set PASSPORT_USER_PASSWORD to the new user's password")?;
    if password.len() < 12 {
        bail!("the password must be at least 12 characters");
    }
    let config = Config::load(config.as_deref())?;
    if !config.organisations.iter().any(|o| o.ods_code == org) {
        bail!("organisation {org} is not served by this node ([[organisations]] in the configuration)");
    }
    crate::serve::runtime()?.block_on(async move {
        let store = passport_store::Store::open(&config.database_url()).await?;
        if store.org(&org).await?.is_none() {
            bail!("organisation {org} has not been set up yet: start `passport serve` once first");
        }
        let hash = passport_server::portal::hash_password(&password).await?;
        let id = store
            .upsert_user(&org, &username, &name, &role, &hash, passport_server::now())
            .await?;
        println!("user {username} ({role}, {org}) is {id}");
        Ok(())
    })
}
