//! `passport user`: portal accounts from the command line, so an operator can create the first
//! users of a new deployment, give a user memberships at several organisations, link a single
//! sign-on identity, and lift a lockout.
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use passport_server::Config;
use passport_store::{Membership, Store, NO_PASSWORD, ROLES};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum UserAction {
    /// Create a portal user (or reset an existing one: its memberships become exactly the ones
    /// given). The password comes from PASSPORT_USER_PASSWORD, never from an argument; a user
    /// with a single sign-on identity (--oidc-subject) may have none.
    Add {
        #[arg(long, env = "PASSPORT_CONFIG")]
        config: Option<PathBuf>,
        /// With --role: the user's organisation (ODS code, one this node serves).
        #[arg(long, requires = "role")]
        org: Option<String>,
        #[arg(long)]
        username: String,
        /// The name shown in the portal header.
        #[arg(long)]
        name: String,
        /// With --org: the role there (admin, hr, medical-staffing, training, oh, auditor,
        /// registry-admin).
        #[arg(long, requires = "org")]
        role: Option<String>,
        /// ORG:ROLE, e.g. R0A:hr; repeat for each organisation the user acts for.
        #[arg(long = "membership", value_name = "ORG:ROLE")]
        memberships: Vec<String>,
        /// Link this single sign-on identity (the value of the configured claim, `sub` by
        /// default) to the user.
        #[arg(long)]
        oidc_subject: Option<String>,
        /// The identity's issuer; default the configured `[oidc]` issuer.
        #[arg(long, requires = "oidc_subject")]
        oidc_issuer: Option<String>,
    },
    /// Link a single sign-on identity to an existing user.
    Link {
        #[arg(long, env = "PASSPORT_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        username: String,
        /// The value of the configured claim (`sub` by default) that names the person.
        #[arg(long)]
        oidc_subject: String,
        /// Default: the configured `[oidc]` issuer.
        #[arg(long)]
        oidc_issuer: Option<String>,
    },
    /// Lift a lockout after failed sign-ins now, instead of waiting for it to run out.
    Unlock {
        #[arg(long, env = "PASSPORT_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        username: String,
    },
}

/// `ORG:ROLE` as a membership, the role one the portal knows.
pub fn parse_membership(text: &str) -> Result<Membership> {
    let Some((org, role)) = text.split_once(':') else {
        bail!("--membership {text:?}: write ORG:ROLE, e.g. R0A:hr");
    };
    if org.is_empty() || !ROLES.contains(&role) {
        bail!(
            "--membership {text:?}: the role must be one of {}",
            ROLES.join(", ")
        );
    }
    Ok(Membership::new(org, role))
}

fn issuer_of(config: &Config, given: Option<String>) -> Result<String> {
    match (given, &config.oidc) {
        (Some(issuer), _) => Ok(issuer.trim_end_matches('/').to_string()),
        (None, Some(oidc)) => Ok(oidc.issuer.trim_end_matches('/').to_string()),
        (None, None) => bail!("no [oidc] issuer is configured: give --oidc-issuer"),
    }
}

async fn open(config: &Config) -> Result<Store> {
    Ok(Store::open(&config.database_url()).await?)
}

pub fn run(action: UserAction) -> Result<()> {
    match action {
        UserAction::Add {
            config,
            org,
            username,
            name,
            role,
            memberships,
            oidc_subject,
            oidc_issuer,
        } => {
            let mut all = Vec::new();
            if let (Some(org), Some(role)) = (org, role) {
                all.push(parse_membership(&format!("{org}:{role}"))?);
            }
            for m in &memberships {
                all.push(parse_membership(m)?);
            }
            if all.is_empty() {
                bail!("give --org and --role, or --membership ORG:ROLE (repeatable)");
            }
            let password = std::env::var("PASSPORT_USER_PASSWORD").ok();
            match (&password, &oidc_subject) {
                (Some(p), _) if p.chars().count() < 12 => {
                    bail!("the password must be at least 12 characters")
                }
                (None, None) => bail!(
                    "set PASSPORT_USER_PASSWORD to the new user's password (or give --oidc-subject for a single sign-on account)"
                ),
                _ => {}
            }
            let config = Config::load(config.as_deref())?;
            for m in &all {
                if !config.organisations.iter().any(|o| o.ods_code == m.org) {
                    bail!("organisation {} is not served by this node ([[organisations]] in the configuration)", m.org);
                }
            }
            let identity = match oidc_subject {
                Some(subject) => Some((issuer_of(&config, oidc_issuer)?, subject)),
                None => None,
            };
            crate::serve::runtime()?.block_on(async move {
                let store = open(&config).await?;
                for m in &all {
                    if store.org(&m.org).await?.is_none() {
                        bail!("organisation {} has not been set up yet: start `passport serve` once first", m.org);
                    }
                }
                let hash = match password {
                    Some(p) => passport_server::portal::hash_password(&p).await?,
                    None => NO_PASSWORD.to_string(),
                };
                let now = passport_server::now();
                let id = store.upsert_account(&username, &name, &hash, &all, now).await?;
                let list: Vec<String> = all.iter().map(|m| format!("{}:{}", m.org, m.role)).collect();
                println!("user {username} ({}) is {id}", list.join(", "));
                if let Some((issuer, subject)) = identity {
                    store.link_identity(&id, &issuer, &subject, now).await?;
                    println!("linked to single sign-on identity {subject} at {issuer}");
                }
                Ok(())
            })
        }
        UserAction::Link {
            config,
            username,
            oidc_subject,
            oidc_issuer,
        } => {
            let config = Config::load(config.as_deref())?;
            let issuer = issuer_of(&config, oidc_issuer)?;
            crate::serve::runtime()?.block_on(async move {
                let store = open(&config).await?;
                let account = store
                    .account_by_username(&username)
                    .await?
                    .with_context(|| format!("no user {username}"))?;
                store
                    .link_identity(&account.id, &issuer, &oidc_subject, passport_server::now())
                    .await?;
                println!(
                    "{username} is linked to single sign-on identity {oidc_subject} at {issuer}"
                );
                Ok(())
            })
        }
        UserAction::Unlock { config, username } => {
            let config = Config::load(config.as_deref())?;
            crate::serve::runtime()?.block_on(async move {
                let store = open(&config).await?;
                let account = store
                    .account_by_username(&username)
                    .await?
                    .with_context(|| format!("no user {username}"))?;
                store.unlock_account(&account.id).await?;
                println!("{username} is unlocked");
                Ok(())
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn memberships_are_org_colon_a_known_role() {
        assert_eq!(
            parse_membership("R0A:medical-staffing").unwrap(),
            Membership::new("R0A", "medical-staffing")
        );
        for bad in ["R0A", "R0A:root", ":hr", "R0A:HR", "R0A:hr:x"] {
            assert!(parse_membership(bad).is_err(), "{bad}");
        }
    }
}
