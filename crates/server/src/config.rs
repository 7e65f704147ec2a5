//! The server's configuration: one struct, defaults that run, overridden by a TOML file and
//! then by `PASSPORT_*` environment variables (documented in the README).
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on. `PASSPORT_BIND`.
    pub bind: String,
    /// The URL people and wallets reach this server at (issuer identifiers derive from it).
    /// Defaults to `http://<bind>`. `PASSPORT_PUBLIC_URL`.
    pub public_url: Option<String>,
    /// Folder for the SQLite database and the key store. `PASSPORT_DATA_DIR`.
    pub data_dir: PathBuf,
    /// `postgres://...` to use PostgreSQL; empty = SQLite in `data_dir`. `PASSPORT_DATABASE_URL`.
    pub database_url: Option<String>,
    /// Passphrase of the issuer key store; required outside the demo.
    /// `PASSPORT_KEYSTORE_PASSPHRASE` (never put it in a file in the repository).
    pub keystore_passphrase: Option<String>,
    /// Lifetime of a credential offer. `PASSPORT_OFFER_TTL_SECS`.
    pub offer_ttl_secs: i64,
    /// Lifetime of an OpenID4VCI access token. `PASSPORT_TOKEN_TTL_SECS`.
    pub token_ttl_secs: i64,
    /// Lifetime of a `c_nonce`. `PASSPORT_NONCE_TTL_SECS`.
    pub nonce_ttl_secs: i64,
    /// How long relying parties may cache a status list token (`ttl` claim, Cache-Control).
    /// `PASSPORT_STATUS_TTL_SECS`.
    pub status_ttl_secs: i64,
    /// Portal session lifetime. `PASSPORT_SESSION_TTL_SECS`.
    pub session_ttl_secs: i64,
    /// Lifetime of a transfer request (OpenID4VP authorization request) before the person
    /// answers it. `PASSPORT_REQUEST_TTL_SECS`.
    pub request_ttl_secs: i64,
    /// The national trust list: a file holding the registry-signed list (`nhs-trust-list+jwt`).
    /// Unset = this node signs a list of its own organisations with its own registry key (demo,
    /// single deployment). `PASSPORT_TRUST_LIST_FILE`.
    pub trust_list_file: Option<PathBuf>,
    /// The registry's public key (a JWK file) that the trust list must verify with; required
    /// with `trust_list_file`. `PASSPORT_REGISTRY_JWK_FILE`.
    pub registry_jwk_file: Option<PathBuf>,
    /// Where the registry publishes the signed trust list (`https://.../trust-list`); needs
    /// `registry_jwk_file`. Fetched at startup and every `trust_list_refresh_secs`; the last
    /// good list is kept in `data_dir` for a restart while the registry is out of reach.
    /// `PASSPORT_TRUST_LIST_URL`.
    pub trust_list_url: Option<String>,
    /// How often a node refreshes its trust list (a registry node: re-signs it when half its
    /// life has passed). `PASSPORT_TRUST_LIST_REFRESH_SECS`.
    pub trust_list_refresh_secs: i64,
    /// Mark session cookies `Secure` (on by default; the demo on plain http turns it off).
    /// `PASSPORT_SECURE_COOKIES`.
    pub secure_cookies: bool,
    /// The organisations this node serves (`[[organisations]]` tables in the file).
    pub organisations: Vec<crate::orgs::OrgConfig>,
    /// Failed sign-ins in a row that lock a local account. `PASSPORT_LOCKOUT_THRESHOLD`.
    pub lockout_threshold: i64,
    /// How long a locked account stays locked. `PASSPORT_LOCKOUT_MINUTES`.
    pub lockout_minutes: i64,
    /// Failed sign-ins one client address may make per `ip_failure_window_secs` before its
    /// sign-ins are refused for the rest of the window. `PASSPORT_IP_FAILURE_LIMIT`.
    pub ip_failure_limit: i64,
    /// `PASSPORT_IP_FAILURE_WINDOW_SECS`.
    pub ip_failure_window_secs: i64,
    /// Behind a reverse proxy: the header it puts the client's address in (its last value is
    /// used). Unset: the TCP peer's address. `PASSPORT_CLIENT_IP_HEADER`.
    pub client_ip_header: Option<String>,
    /// Local accounts must set up a TOTP second factor before they use the portal.
    /// `PASSPORT_TOTP_REQUIRED`.
    pub totp_required: bool,
    /// Days a receiving trust keeps a transfer request's presentation data after the decision
    /// (or, undecided, after it expired); then only the decision stays (`crate::retention`).
    /// At least 1. `PASSPORT_RETENTION_DAYS`.
    pub retention_days: i64,
    /// How often the retention job runs (its first run is a minute after start, or sooner if
    /// this is shorter). `PASSPORT_RETENTION_INTERVAL_SECS`.
    pub retention_interval_secs: i64,
    /// Days a delivered or dead e-mail's recipient, subject and last error are kept after it
    /// finished, for troubleshooting; then the retention job deletes it (a delivered e-mail's
    /// bodies go as soon as it is sent; pending e-mails are never touched). At least 1.
    /// `PASSPORT_MAIL_RETENTION_DAYS`.
    pub mail_retention_days: i64,
    /// Single sign-on through an OpenID Connect provider (`[oidc]`); unset: local accounts only.
    pub oidc: Option<crate::portal::oidc_config::OidcConfig>,
    /// Delivery of webhooks and e-mails from the outbox (`[outbox]`): retries and time limits.
    pub outbox: crate::webhooks::OutboxConfig,
    /// SMTP for invitations and reminders (`[mail]`); unset: e-mails stay queued.
    pub mail: Option<crate::mail::MailConfig>,
    /// Temporary movements (`[temporary]`): longest arrangement, how often ended ones are
    /// closed, collaborative banks (`[[temporary.banks]]`).
    pub temporary: crate::temporary::TemporaryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            public_url: None,
            data_dir: PathBuf::from("passport-data"),
            database_url: None,
            keystore_passphrase: None,
            offer_ttl_secs: 7 * 86_400,
            token_ttl_secs: 600,
            nonce_ttl_secs: 300,
            status_ttl_secs: 300,
            session_ttl_secs: 8 * 3600,
            request_ttl_secs: 14 * 86_400,
            trust_list_file: None,
            registry_jwk_file: None,
            trust_list_url: None,
            trust_list_refresh_secs: 3600,
            secure_cookies: true,
            organisations: Vec::new(),
            lockout_threshold: 5,
            lockout_minutes: 15,
            ip_failure_limit: 20,
            ip_failure_window_secs: 900,
            client_ip_header: None,
            totp_required: false,
            retention_days: 90,
            retention_interval_secs: 86_400,
            mail_retention_days: 30,
            oidc: None,
            outbox: crate::webhooks::OutboxConfig::default(),
            mail: None,
            temporary: crate::temporary::TemporaryConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
}

impl Config {
    /// Defaults, then the file (if given), then the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.into(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.into(),
                    message: e.to_string(),
                })?
            }
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// Applies `PASSPORT_*` variables read through `get` (a function, so tests need no process
    /// environment).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn int(name: &str, v: String) -> Result<i64, ConfigError> {
            v.parse().map_err(|_| ConfigError::Env {
                name: name.into(),
                message: format!("{v:?} is not a whole number"),
            })
        }
        if let Some(v) = get("PASSPORT_BIND") {
            self.bind = v;
        }
        if let Some(v) = get("PASSPORT_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        if let Some(v) = get("PASSPORT_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = get("PASSPORT_DATABASE_URL") {
            self.database_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("PASSPORT_TRUST_LIST_FILE") {
            self.trust_list_file = (!v.is_empty()).then(|| v.into());
        }
        if let Some(v) = get("PASSPORT_REGISTRY_JWK_FILE") {
            self.registry_jwk_file = (!v.is_empty()).then(|| v.into());
        }
        if let Some(v) = get("PASSPORT_TRUST_LIST_URL") {
            self.trust_list_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("PASSPORT_KEYSTORE_PASSPHRASE") {
            self.keystore_passphrase = Some(v);
        }
        for (name, slot) in [
            ("PASSPORT_OFFER_TTL_SECS", &mut self.offer_ttl_secs),
            ("PASSPORT_TOKEN_TTL_SECS", &mut self.token_ttl_secs),
            ("PASSPORT_NONCE_TTL_SECS", &mut self.nonce_ttl_secs),
            ("PASSPORT_STATUS_TTL_SECS", &mut self.status_ttl_secs),
            ("PASSPORT_SESSION_TTL_SECS", &mut self.session_ttl_secs),
            ("PASSPORT_REQUEST_TTL_SECS", &mut self.request_ttl_secs),
            (
                "PASSPORT_TRUST_LIST_REFRESH_SECS",
                &mut self.trust_list_refresh_secs,
            ),
            ("PASSPORT_LOCKOUT_THRESHOLD", &mut self.lockout_threshold),
            ("PASSPORT_LOCKOUT_MINUTES", &mut self.lockout_minutes),
            ("PASSPORT_IP_FAILURE_LIMIT", &mut self.ip_failure_limit),
            ("PASSPORT_RETENTION_DAYS", &mut self.retention_days),
            (
                "PASSPORT_MAIL_RETENTION_DAYS",
                &mut self.mail_retention_days,
            ),
            (
                "PASSPORT_RETENTION_INTERVAL_SECS",
                &mut self.retention_interval_secs,
            ),
            (
                "PASSPORT_IP_FAILURE_WINDOW_SECS",
                &mut self.ip_failure_window_secs,
            ),
        ] {
            if let Some(v) = get(name) {
                *slot = int(name, v)?;
            }
        }
        if let Some(v) = get("PASSPORT_SECURE_COOKIES") {
            self.secure_cookies = match v.as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                other => {
                    return Err(ConfigError::Env {
                        name: "PASSPORT_SECURE_COOKIES".into(),
                        message: format!("{other:?} is not true/false"),
                    })
                }
            };
        }
        if let Some(v) = get("PASSPORT_CLIENT_IP_HEADER") {
            self.client_ip_header = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("PASSPORT_TOTP_REQUIRED") {
            self.totp_required = match v.as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                other => {
                    return Err(ConfigError::Env {
                        name: "PASSPORT_TOTP_REQUIRED".into(),
                        message: format!("{other:?} is not true/false"),
                    })
                }
            };
        }
        crate::portal::oidc_config::apply_env(&mut self.oidc, &get)?;
        crate::webhooks::apply_env(&mut self.outbox, &get)?;
        crate::mail::apply_env(&mut self.mail, &get)?;
        crate::temporary::apply_env(&mut self.temporary, &get)?;
        Ok(())
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_string()
    }

    /// The database URL: the configured one, else SQLite in the data folder.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("passport.db").display()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("passport.toml");
        std::fs::write(&file, "bind = \"0.0.0.0:9000\"\noffer_ttl_secs = 60\n").unwrap();
        let mut c: Config = toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(c.bind, "0.0.0.0:9000");
        assert_eq!(c.offer_ttl_secs, 60);
        assert_eq!(c.token_ttl_secs, Config::default().token_ttl_secs);
        c.apply_env(|n| (n == "PASSPORT_OFFER_TTL_SECS").then(|| "120".to_string()))
            .unwrap();
        assert_eq!(c.offer_ttl_secs, 120);
        assert!(c.database_url().starts_with("sqlite://"));
        assert_eq!(c.public_url(), "http://0.0.0.0:9000");
    }

    #[test]
    fn the_trust_list_source_and_schedule_come_from_the_environment() {
        let mut c = Config::default();
        assert_eq!(
            (c.trust_list_url.as_deref(), c.trust_list_refresh_secs),
            (None, 3600)
        );
        c.apply_env(|n| match n {
            "PASSPORT_TRUST_LIST_URL" => Some("https://registry.example/trust-list".into()),
            "PASSPORT_TRUST_LIST_REFRESH_SECS" => Some("60".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            (c.trust_list_url.as_deref(), c.trust_list_refresh_secs),
            (Some("https://registry.example/trust-list"), 60)
        );
        c.apply_env(|n| (n == "PASSPORT_TRUST_LIST_URL").then(String::new))
            .unwrap();
        assert_eq!(c.trust_list_url, None, "empty unsets it");
    }

    #[test]
    fn bad_values_are_refused_with_their_name() {
        let mut c = Config::default();
        let e = c
            .apply_env(|n| (n == "PASSPORT_NONCE_TTL_SECS").then(|| "soon".to_string()))
            .unwrap_err();
        assert!(e.to_string().contains("PASSPORT_NONCE_TTL_SECS"));
        let e = toml::from_str::<Config>("colour = \"blue\"").unwrap_err();
        assert!(e.to_string().contains("colour"));
    }
}
