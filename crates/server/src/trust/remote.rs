//! A consumer node's list: fetched from the registry's URL (or read from a file), verified,
//! and kept in the data folder as the last good list for a restart while the registry is out of
//! reach.
use super::{own_organisations_listed, Published};
use crate::state::Issuer;
use crate::ServerError;
use passport_jose::{Jwk, VerifyingKey};
use passport_trust_list::TrustList;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A list larger than this is not a trust list (hundreds of organisations fit in far less).
const MAX_LIST_BYTES: usize = 4 * 1024 * 1024;
/// How long one fetch may take before it counts as the registry being out of reach.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct Remote {
    pub(super) url: Option<String>,
    pub(super) file: Option<PathBuf>,
    pub(super) last_good: PathBuf,
    http: reqwest::Client,
}

impl Remote {
    pub(super) fn new(
        url: Option<String>,
        file: Option<PathBuf>,
        last_good: PathBuf,
    ) -> Result<Remote, ServerError> {
        if let Some(url) = &url {
            check_url(url).map_err(ServerError::Startup)?;
        }
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ServerError::Startup(format!("HTTP client: {e}")))?;
        Ok(Remote {
            url,
            file,
            last_good,
            http,
        })
    }

    /// The list to start with: of the last good list, the configured file and the URL, the
    /// highest version that verifies and names this node's organisations. Every candidate
    /// refused is logged with its reason; with none left the node does not start.
    pub(super) async fn start(
        &self,
        key: &VerifyingKey,
        issuers: &HashMap<String, Issuer>,
        now: i64,
    ) -> Result<Published, ServerError> {
        let mut candidates = Vec::new();
        let mut reasons = Vec::new();
        if self.last_good.exists() {
            match read(&self.last_good) {
                Ok(t) => candidates.push((format!("{}", self.last_good.display()), t)),
                Err(e) => reasons.push(e),
            }
        }
        if let Some(file) = &self.file {
            match read(file) {
                Ok(t) => candidates.push((format!("{}", file.display()), t)),
                Err(e) => reasons.push(e),
            }
        }
        if let Some(url) = &self.url {
            match self.fetch(url).await {
                Ok(t) => candidates.push((url.clone(), t)),
                Err(e) => reasons.push(format!("{url}: {e}")),
            }
        }
        let mut best: Option<(TrustList, String, String)> = None;
        let mut usable = Vec::new();
        for (origin, token) in candidates {
            let list = match TrustList::verify(&token, key, now) {
                Ok(list) => list,
                Err(e) => {
                    reasons.push(format!("{origin}: {e}"));
                    continue;
                }
            };
            if let Err(why) = own_organisations_listed(&list, issuers.values()) {
                reasons.push(format!("{origin}: version {}: {why}", list.sequence));
                continue;
            }
            usable.push((origin.clone(), list.sequence));
            if best
                .as_ref()
                .is_none_or(|(b, _, _)| list.sequence > b.sequence)
            {
                best = Some((list, token, origin));
            }
        }
        let Some((list, token, origin)) = best else {
            return Err(ServerError::Startup(format!(
                "no usable trust list: {}",
                if reasons.is_empty() {
                    "none found".to_string()
                } else {
                    reasons.join("; ")
                }
            )));
        };
        for (other, version) in usable {
            if version < list.sequence {
                reasons.push(format!(
                    "{other}: version {version} is older than version {} (rollback refused)",
                    list.sequence
                ));
            }
        }
        for reason in &reasons {
            tracing::warn!("trust list not used at startup: {reason}");
        }
        tracing::info!("trust list version {} from {origin}", list.sequence);
        if origin != self.last_good.display().to_string() {
            if let Err(e) = self.keep(&token) {
                tracing::error!("{e}");
            }
        }
        Ok(Published::new(list, &token))
    }

    /// Where a refresh reads from: the URL if there is one, else the file.
    pub(super) fn origin(&self) -> String {
        match (&self.url, &self.file) {
            (Some(url), _) => url.clone(),
            (None, Some(file)) => file.display().to_string(),
            (None, None) => String::new(),
        }
    }

    /// The signed list as the registry serves it now.
    pub(super) async fn get(&self) -> Result<String, String> {
        match (&self.url, &self.file) {
            (Some(url), _) => self.fetch(url).await,
            (None, Some(file)) => read(file),
            (None, None) => Err("no trust_list_url or trust_list_file".into()),
        }
    }

    async fn fetch(&self, url: &str) -> Result<String, String> {
        let mut response = self.http.get(url).send().await.map_err(|e| {
            if e.is_timeout() {
                "timed out".to_string()
            } else {
                format!("cannot reach it ({e})")
            }
        })?;
        if !response.status().is_success() {
            return Err(format!("HTTP status {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            if body.len() + chunk.len() > MAX_LIST_BYTES {
                return Err(format!("larger than {MAX_LIST_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body)
            .map(|t| t.trim().to_string())
            .map_err(|_| "not text".to_string())
    }

    /// Writes `token` as the last good list, replacing the file whole (a crash mid-write
    /// leaves the previous one).
    pub(super) fn keep(&self, token: &str) -> Result<(), String> {
        let tmp = self.last_good.with_extension("jwt.tmp");
        std::fs::write(&tmp, token)
            .and_then(|()| std::fs::rename(&tmp, &self.last_good))
            .map_err(|e| {
                format!(
                    "could not keep the trust list in {}: {e}",
                    self.last_good.display()
                )
            })
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map(|t| t.trim().to_string())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The registry's public key from its JWK file; a private key there is refused.
pub(super) fn read_registry_jwk(path: &Path) -> Result<Jwk, ServerError> {
    let text = read(path).map_err(ServerError::Startup)?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| ServerError::Startup(format!("registry key {}: {e}", path.display())))?;
    Jwk::from_json(&value)
        .map_err(|e| ServerError::Startup(format!("registry key {}: {e}", path.display())))
}

fn check_url(url: &str) -> Result<(), String> {
    super::https_or_loopback(url)
        .map(|_| ())
        .map_err(|why| format!("trust_list_url {url:?}: {why}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_list_comes_over_https_or_from_this_machine() {
        assert!(check_url("https://registry.example/trust-list").is_ok());
        assert!(check_url("http://127.0.0.1:8080/trust-list").is_ok());
        assert!(check_url("http://localhost/trust-list").is_ok());
        assert!(check_url("http://[::1]:9/trust-list").is_ok());
        for bad in [
            "http://registry.example/trust-list",
            "ftp://registry.example/list",
            "not a url",
            "http://127.0.0.1.example/trust-list",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_private_registry_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (signer, _) = passport_jose::Es256Signer::generate().unwrap();
        let public = dir.path().join("registry.jwk");
        let mut value = serde_json::to_value(passport_jose::Signer::public_jwk(&signer)).unwrap();
        std::fs::write(&public, value.to_string()).unwrap();
        assert!(read_registry_jwk(&public).is_ok());
        value["d"] = serde_json::json!("c2VjcmV0");
        std::fs::write(&public, value.to_string()).unwrap();
        assert!(read_registry_jwk(&public).is_err());
    }
}
