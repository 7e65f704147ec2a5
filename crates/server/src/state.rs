//! What every handler shares: configuration, the store, each served organisation's issuer
//! identity and key, the trust list, and the cache of signed status list tokens.
use crate::config::Config;
use crate::orgs;
use crate::trust::TrustState;
use crate::verifier::statuses::StatusFetcher;
use crate::verifier::VerifierIdentity;
use crate::ServerError;
use passport_catalogue::Catalogue;
use passport_jose::Es256Signer;
use passport_keystore::{KdfParams, KeyStore};
use passport_store::{OrgRow, Store};
use passport_trust_list::TrustList;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One organisation this server issues for.
pub struct Issuer {
    pub ods: String,
    pub name: String,
    pub kind: passport_trust_list::OrgKind,
    pub issuer_id: String,
    pub signer: Es256Signer,
}

pub struct AppState {
    pub config: Config,
    pub base_url: String,
    pub store: Store,
    pub catalogue: &'static Catalogue,
    pub issuers: HashMap<String, Issuer>,
    /// The trust list in force (swapped whole when a newer version is taken), the registry
    /// key, and where new versions come from: read it through [`AppState::trust_list`].
    pub trust: TrustState,
    /// The registry's public key, for wallets and other nodes to pin (not a secret).
    pub registry_jwk: passport_jose::Jwk,
    /// (org, list id) -> (signed token, time it was made).
    pub status_cache: Mutex<HashMap<(String, i64), (String, i64)>>,
    /// Other issuers' status list tokens, fetched for verification and cached.
    pub statuses: StatusFetcher,
    /// Sign-in: the key sealing TOTP secrets, failed sign-ins per address, single sign-on.
    pub sign_in: crate::portal::signin::SignInState,
    /// The OpenID4VP identity of each served organisation the trust list lets verify.
    pub verifiers: HashMap<String, VerifierIdentity>,
    /// Requests to `/access-log` per client address (every request counts).
    pub access_log_limiter: crate::portal::limiter::IpLimiter,
}

pub type Shared = Arc<AppState>;

impl AppState {
    /// Opens the store, loads or creates each organisation's key in the key store, records the
    /// organisations and signs the trust list.
    pub async fn build(config: Config, kdf: KdfParams, now: i64) -> Result<AppState, ServerError> {
        let base_url = config.public_url();
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            ServerError::Startup(format!("data folder {}: {e}", config.data_dir.display()))
        })?;
        let passphrase = config.keystore_passphrase.clone().ok_or_else(|| {
            ServerError::Startup("no key store passphrase: set PASSPORT_KEYSTORE_PASSPHRASE".into())
        })?;
        let mut keys = KeyStore::open_or_create(
            &config.data_dir.join("issuers.keystore"),
            passphrase.as_bytes(),
            kdf,
        )
        .map_err(|e| ServerError::Startup(format!("key store: {e}")))?;
        let store = Store::open(&config.database_url()).await?;
        let mut issuers = HashMap::new();
        if config.organisations.is_empty() {
            return Err(ServerError::Startup(
                "no organisations configured: add [[organisations]] to the configuration file"
                    .into(),
            ));
        }
        for org in &config.organisations {
            let (ods, name) = (org.ods_code.as_str(), org.name.as_str());
            let kind = org.org_kind().ok_or_else(|| {
                ServerError::Startup(format!(
                    "organisation {ods}: kind {:?} is not trust, nhs-england or oh-provider",
                    org.kind
                ))
            })?;
            let signer = keys
                .signer_or_generate(ods, now)
                .map_err(|e| ServerError::Startup(format!("key of {ods}: {e}")))?;
            let issuer_id = orgs::issuer_id(&base_url, ods);
            store
                .upsert_org(
                    &OrgRow {
                        ods_code: ods.into(),
                        name: name.into(),
                        kind: orgs::kind_str(kind).into(),
                        issuer: issuer_id.clone(),
                    },
                    now,
                )
                .await?;
            issuers.insert(
                ods.to_string(),
                Issuer {
                    ods: ods.into(),
                    name: name.into(),
                    kind,
                    issuer_id,
                    signer,
                },
            );
        }
        let trust = TrustState::load(&config, &mut keys, &store, &issuers, now).await?;
        let trust_list = trust.current().list;
        let registry_jwk = trust.registry_jwk().clone();
        // The registry's public key, for wallets and other nodes to pin (not a secret).
        let jwk_path = config.data_dir.join("registry.jwk");
        let jwk_text = serde_json::to_string_pretty(&registry_jwk)
            .map_err(|e| ServerError::Startup(e.to_string()))?;
        std::fs::write(&jwk_path, jwk_text)
            .map_err(|e| ServerError::Startup(format!("{}: {e}", jwk_path.display())))?;
        let statuses = StatusFetcher::new(config.status_ttl_secs).map_err(ServerError::Startup)?;
        let mut verifiers = HashMap::new();
        let defaults = passport_compliance::default_profiles()
            .map_err(|e| ServerError::Startup(format!("default role profiles: {e}")))?
            .into_iter()
            .map(|p| {
                let body = serde_json::to_string(&p)
                    .map_err(|e| ServerError::Startup(format!("role profile {}: {e}", p.id)))?;
                Ok((p.id, p.name, body))
            })
            .collect::<Result<Vec<_>, ServerError>>()?;
        for issuer in issuers.values() {
            if trust_list.authorise_verifier(&issuer.ods).is_ok() {
                let identity =
                    VerifierIdentity::new(&issuer.signer, &issuer.name, &issuer.ods, now)?;
                verifiers.insert(issuer.ods.clone(), identity);
                store.seed_profiles(&issuer.ods, &defaults, now).await?;
            }
        }
        let sign_in = crate::portal::signin::SignInState::build(&config, &store, kdf).await?;
        Ok(AppState {
            sign_in,
            config,
            base_url,
            store,
            catalogue: Catalogue::nhs(),
            issuers,
            trust,
            registry_jwk,
            status_cache: Mutex::new(HashMap::new()),
            statuses,
            verifiers,
            access_log_limiter: crate::access_log::limiter(),
        })
    }

    pub fn issuer(&self, ods: &str) -> Result<&Issuer, ServerError> {
        self.issuers
            .get(ods)
            .ok_or_else(|| ServerError::NotFound(format!("no issuer {ods} on this server")))
    }

    /// The trust list in force now. Hold the `Arc` for the whole of one check: a refresh
    /// swaps in a new list for the next caller, never part-way through.
    pub fn trust_list(&self) -> Arc<TrustList> {
        self.trust.current().list
    }

    /// The trust list in force as the registry signed it, served at `/trust-list`.
    pub fn trust_list_jwt(&self) -> Arc<str> {
        self.trust.current().jwt
    }

    /// The OpenID4VP identity of `ods`, while the trust list in force lets it verify (a
    /// refreshed list may have taken that away).
    pub fn verifier(&self, ods: &str) -> Result<&VerifierIdentity, ServerError> {
        self.verifiers
            .get(ods)
            .filter(|_| self.trust_list().authorise_verifier(ods).is_ok())
            .ok_or_else(|| {
                ServerError::Forbidden(format!("{ods} is not allowed to verify on the trust list"))
            })
    }

    pub fn status_uri(&self, ods: &str, list_id: i64) -> String {
        format!("{}/status/{list_id}", orgs::issuer_id(&self.base_url, ods))
    }
}
