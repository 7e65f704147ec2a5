//! The periodic refresh: a consumer fetches the registry's list; a registry node takes a version
//! another of its processes published and re-signs the list at half its life. Each run ends in
//! one [`RefreshOutcome`], logged; a refusal keeps the list in force.
use super::remote::Remote;
use super::{own_organisations_listed, registry, Published, Source};
use crate::{now, AppState, Shared};
use passport_jose::Es256Signer;
use passport_trust_list::{TrustError, TrustList, Update};
use std::sync::Arc;
use std::time::Duration;

/// What one refresh did.
#[derive(Debug, Clone, PartialEq)]
pub enum RefreshOutcome {
    /// A later version is now in force.
    Updated { from: u64, to: u64 },
    /// Nothing newer: the version in force stays.
    Unchanged { version: u64 },
    /// Nothing changed, for this reason.
    Refused(Refusal),
}

/// Why a refresh kept the list in force.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The registry (or the file) could not be read: network error, timeout, HTTP error.
    #[error("could not get the trust list from {origin}: {why}; keeping version {held}")]
    Unreachable {
        origin: String,
        why: String,
        held: u64,
    },
    /// The list does not verify, has expired, or is older than the one held (rollback).
    #[error("trust list from {origin} refused: {error}; keeping version {held}")]
    Invalid {
        origin: String,
        error: TrustError,
        held: u64,
    },
    /// A good list that no longer names this node's organisations with their keys.
    #[error(
        "trust list version {version} from {origin} refused: {why}. Keeping version {held}: \
         nothing this node issues or asks for would be believed under it. Ask the registry to \
         restore the entry"
    )]
    DropsOwnOrganisation {
        origin: String,
        version: u64,
        held: u64,
        why: String,
    },
    /// A registry node could not read or sign its list.
    #[error("trust list registry: {0}")]
    Registry(String),
}

/// Runs one refresh now.
pub async fn refresh(state: &AppState, now: i64) -> RefreshOutcome {
    match state.trust.source() {
        Source::Remote(remote) => refresh_remote(state, remote, now).await,
        Source::Registry(signer) => refresh_registry(state, signer, now).await,
    }
}

async fn refresh_remote(state: &AppState, remote: &Remote, now: i64) -> RefreshOutcome {
    let held = state.trust.current().version();
    let origin = remote.origin();
    let token = match remote.get().await {
        Ok(t) => t,
        Err(why) => {
            return RefreshOutcome::Refused(Refusal::Unreachable { origin, why, held });
        }
    };
    let list = match TrustList::verify_update(&token, state.trust.registry_key(), now, held) {
        Ok(Update::Same) => return RefreshOutcome::Unchanged { version: held },
        Ok(Update::Newer(list)) => list,
        Err(error) => {
            return RefreshOutcome::Refused(Refusal::Invalid {
                origin,
                error,
                held,
            })
        }
    };
    if let Err(why) = own_organisations_listed(&list, state.issuers.values()) {
        return RefreshOutcome::Refused(Refusal::DropsOwnOrganisation {
            origin,
            version: list.sequence,
            held,
            why,
        });
    }
    let to = list.sequence;
    // Kept first, so that whatever is in force after a restart is at least this version.
    if let Err(e) = remote.keep(&token) {
        tracing::error!("{e}");
    }
    if state.trust.install(Published::new(list, &token)) {
        RefreshOutcome::Updated { from: held, to }
    } else {
        RefreshOutcome::Unchanged {
            version: state.trust.current().version(),
        }
    }
}

async fn refresh_registry(state: &AppState, signer: &Es256Signer, now: i64) -> RefreshOutcome {
    let held = state.trust.current().version();
    let failed = |e: crate::ServerError| RefreshOutcome::Refused(Refusal::Registry(e.to_string()));
    // A version another process of this registry published (they share the database).
    match state.store.latest_trust_list().await {
        Ok(Some(latest)) if u64::try_from(latest.version).is_ok_and(|v| v > held) => {
            match TrustList::verify(&latest.jwt, state.trust.registry_key(), now) {
                Ok(list) if own_organisations_listed(&list, state.issuers.values()).is_ok() => {
                    state.trust.install(Published::new(list, &latest.jwt));
                }
                Ok(_) => {
                    return RefreshOutcome::Refused(Refusal::Registry(format!(
                        "version {} does not name this node's organisations",
                        latest.version
                    )))
                }
                Err(e) => {
                    return RefreshOutcome::Refused(Refusal::Registry(format!(
                        "version {}: {e}",
                        latest.version
                    )))
                }
            }
        }
        Ok(_) => {}
        Err(e) => return failed(e.into()),
    }
    let current = state.trust.current();
    if current.list.due_for_reissue(now) {
        match registry::reissue(&state.store, signer, &state.issuers, &current, now).await {
            Ok(next) => {
                state.trust.install(next);
            }
            Err(e) => return failed(e),
        }
    }
    let version = state.trust.current().version();
    if version > held {
        RefreshOutcome::Updated {
            from: held,
            to: version,
        }
    } else {
        RefreshOutcome::Unchanged { version }
    }
}

/// Refreshes every `trust_list_refresh_secs` while the server runs (the first run one period
/// after startup, which has just loaded the list). The task ends when the state is dropped.
pub fn spawn_refresh(state: &Shared) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_secs(
        u64::try_from(state.config.trust_list_refresh_secs)
            .unwrap_or(1)
            .max(1),
    );
    let weak = Arc::downgrade(state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(state) = weak.upgrade() else {
                break;
            };
            let at = now();
            log(&refresh(&state, at).await);
            let exp = state.trust.current().list.exp;
            if exp < at {
                tracing::error!(
                    "the trust list in force expired at {exp}: wallets refuse it, and so will \
                     this node when it restarts; it needs a fresh version from the registry"
                );
            }
        }
    })
}

/// One log line per refresh that did or refused something.
pub fn log(outcome: &RefreshOutcome) {
    match outcome {
        RefreshOutcome::Updated { from, to } => {
            tracing::info!("trust list: version {to} now in force (was {from})");
        }
        RefreshOutcome::Unchanged { version } => {
            tracing::debug!("trust list: version {version} is current");
        }
        RefreshOutcome::Refused(r @ Refusal::DropsOwnOrganisation { .. }) => {
            tracing::error!("{r}");
        }
        RefreshOutcome::Refused(r) => tracing::warn!("{r}"),
    }
}
