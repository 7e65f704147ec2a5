//! The trust list this node acts on, and how it changes while the node runs.
//!
//! A node is one of two kinds:
//! - a **registry** node holds the registry signing key (the demo, a single deployment, or the
//!   national registry itself): it signs versions of the list from the draft its registry
//!   administrators edit in the portal ([`registry`]), re-signs the same organisations as a new
//!   version before half a list's life has passed, and serves the latest at `/trust-list`;
//! - a **consumer** node is configured with the registry's public key and where to get the
//!   list (`trust_list_url`, `trust_list_file`): it fetches it on a schedule, verifies it and
//!   keeps the last good one in its data folder, so a restart while the registry is out of
//!   reach starts with that ([`remote`]).
//!
//! Invariants:
//! - The list in force is swapped whole ([`TrustState::install`]): a reader gets either the old
//!   list or the new one with its signed form, never a mix; and only for a higher version, so
//!   two refreshes racing cannot take the node back.
//! - A list is taken only if it verifies with the registry key, has not expired, is not older
//!   than the one held, and still names every organisation this node serves with this node's
//!   issuer and key. A list that drops this node's own organisation is refused loudly: taking
//!   it would make everything the node issues or asks for unbelievable elsewhere, silently.
//! - A refused or failed refresh changes nothing: the node keeps the list it has.
mod refresh;
pub mod registry;
mod remote;

pub use refresh::{refresh, spawn_refresh, RefreshOutcome, Refusal};

use crate::config::Config;
use crate::state::Issuer;
use crate::ServerError;
use passport_jose::{Es256Signer, Jwk, Signer, VerifyingKey};
use passport_keystore::KeyStore;
use passport_store::Store;
use passport_trust_list::TrustList;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// How long a list the registry signs is valid. It is re-signed at half this, so a consumer
/// refreshing on any sensible schedule never holds an expired list while the registry runs.
pub const LIST_LIFETIME_SECS: i64 = 7 * 86_400;

/// The file in the data folder holding the last good list a consumer took.
pub const LAST_GOOD_FILE: &str = "trust-list.last-good.jwt";

/// A verified list with its signed form, as served at `/trust-list`.
#[derive(Debug, Clone)]
pub struct Published {
    pub list: Arc<TrustList>,
    pub jwt: Arc<str>,
}

impl Published {
    pub fn new(list: TrustList, jwt: &str) -> Published {
        Published {
            list: Arc::new(list),
            jwt: Arc::from(jwt),
        }
    }

    pub fn version(&self) -> u64 {
        self.list.sequence
    }
}

/// Where the list comes from.
pub(crate) enum Source {
    /// This node holds the registry key and signs the list itself.
    Registry(Box<Es256Signer>),
    /// Another node is the registry.
    Remote(remote::Remote),
}

/// The list in force, the registry key it verifies with, and where new versions come from.
pub struct TrustState {
    current: RwLock<Published>,
    registry_jwk: Jwk,
    registry_key: VerifyingKey,
    source: Source,
}

impl TrustState {
    /// Loads the list at startup: a registry node from its database (publishing the first
    /// version, or a re-signed one, as needed); a consumer from the best of its last good
    /// list, the configured file and the URL. Fails if no list names this node's
    /// organisations with their keys.
    pub async fn load(
        config: &Config,
        keys: &mut KeyStore,
        store: &Store,
        issuers: &HashMap<String, Issuer>,
        now: i64,
    ) -> Result<TrustState, ServerError> {
        if config.trust_list_refresh_secs <= 0 {
            return Err(ServerError::Startup(
                "trust_list_refresh_secs must be a positive number of seconds".into(),
            ));
        }
        match (
            &config.trust_list_file,
            &config.trust_list_url,
            &config.registry_jwk_file,
        ) {
            (None, None, None) => {
                let signer = keys
                    .signer_or_generate("registry", now)
                    .map_err(|e| ServerError::Startup(format!("registry key: {e}")))?;
                let registry_jwk = signer.public_jwk().clone();
                let registry_key = verifying(&registry_jwk)?;
                let current = registry::start(store, &signer, config, issuers, now).await?;
                Ok(TrustState {
                    current: RwLock::new(current),
                    registry_jwk,
                    registry_key,
                    source: Source::Registry(Box::new(signer)),
                })
            }
            (_, _, None) => Err(ServerError::Startup(
                "trust_list_file and trust_list_url need registry_jwk_file, the registry's \
                 public key"
                    .into(),
            )),
            (None, None, Some(_)) => Err(ServerError::Startup(
                "registry_jwk_file is set but neither trust_list_url nor trust_list_file: say \
                 where the trust list comes from"
                    .into(),
            )),
            (file, url, Some(jwk)) => {
                let registry_jwk = remote::read_registry_jwk(jwk)?;
                let registry_key = verifying(&registry_jwk)?;
                let remote = remote::Remote::new(
                    url.clone(),
                    file.clone(),
                    config.data_dir.join(LAST_GOOD_FILE),
                )?;
                let current = remote.start(&registry_key, issuers, now).await?;
                Ok(TrustState {
                    current: RwLock::new(current),
                    registry_jwk,
                    registry_key,
                    source: Source::Remote(remote),
                })
            }
        }
    }

    /// The list in force now.
    pub fn current(&self) -> Published {
        match self.current.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The registry's public key (for wallets and other nodes to pin; not a secret).
    pub fn registry_jwk(&self) -> &Jwk {
        &self.registry_jwk
    }

    pub fn registry_key(&self) -> &VerifyingKey {
        &self.registry_key
    }

    /// The registry signing key, on a registry node.
    pub fn registry_signer(&self) -> Option<&Es256Signer> {
        match &self.source {
            Source::Registry(signer) => Some(signer),
            Source::Remote(_) => None,
        }
    }

    /// Whether this node signs the list (its portal has the registry pages).
    pub fn is_registry(&self) -> bool {
        self.registry_signer().is_some()
    }

    pub(crate) fn source(&self) -> &Source {
        &self.source
    }

    /// Puts `next` in force if it is a later version than the one in force; returns whether
    /// it did. The version check and the swap happen under one lock.
    pub fn install(&self, next: Published) -> bool {
        let mut current = match self.current.write() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        if next.version() > current.version() {
            *current = next;
            true
        } else {
            false
        }
    }
}

fn verifying(jwk: &Jwk) -> Result<VerifyingKey, ServerError> {
    jwk.verifying_key()
        .map_err(|e| ServerError::Startup(format!("registry key: {e}")))
}

/// Every organisation this node serves is on `list` with this node's issuer identifier and
/// signing key; otherwise why not, naming the organisation. Nothing a node issues or asks for
/// would be believed elsewhere without it.
pub fn own_organisations_listed<'a>(
    list: &TrustList,
    issuers: impl IntoIterator<Item = &'a Issuer>,
) -> Result<(), String> {
    let mut issuers: Vec<&Issuer> = issuers.into_iter().collect();
    issuers.sort_by(|a, b| a.ods.cmp(&b.ods));
    for issuer in issuers {
        let Some(entry) = list.by_ods(&issuer.ods) else {
            return Err(format!(
                "organisation {} is not on the trust list",
                issuer.ods
            ));
        };
        let ours = issuer.signer.public_jwk();
        let has_key = entry
            .jwks
            .keys
            .iter()
            .any(|k| k.x == ours.x && k.y == ours.y);
        if entry.issuer != issuer.issuer_id || !has_key {
            return Err(format!(
                "the trust list entry of {} does not name this server's issuer {} and key {}",
                issuer.ods,
                issuer.issuer_id,
                issuer.signer.kid()
            ));
        }
    }
    Ok(())
}

/// An address a node fetches from or a list names: `https://`, or plain `http://` to this
/// machine only (development and tests). The list itself is signed, but over plain http a
/// network attacker could still hold a node back, or watch who it talks to.
pub fn https_or_loopback(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not an address ({e})"))?;
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => Err("must start with https:// (plain http only to this machine)".into()),
    }
}

/// The path of the last good list of a node with this data folder.
pub fn last_good_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join(LAST_GOOD_FILE)
}
