//! Status list tokens of other issuers, fetched over HTTP and cached for at most their `ttl`
//! (capped by `status_ttl_secs`). A token is verified with its issuer's key from the trust list
//! every time it is used ([`StatusLists::add_token`]); a list that cannot be fetched or does not
//! verify makes the credential fail with that reason, never pass.
use passport_credentials::StatusLists;
use passport_trust_list::TrustList;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Largest status list token read (a 1-bit list of 1 million entries compresses to ~125 KiB).
const MAX_TOKEN_BYTES: usize = 2 * 1024 * 1024;

pub struct StatusFetcher {
    http: reqwest::Client,
    /// uri -> (token, fetched at, fresh until).
    cache: Mutex<HashMap<String, (String, i64, i64)>>,
    max_ttl: i64,
}

impl StatusFetcher {
    pub fn new(max_ttl: i64) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(StatusFetcher {
            http,
            cache: Mutex::new(HashMap::new()),
            max_ttl: max_ttl.max(0),
        })
    }

    /// Adds to `lists` a verified token for every `uri`; returns (uri, reason) for those that
    /// could not be obtained or did not verify.
    pub async fn fill(
        &self,
        uris: &[String],
        trust: &TrustList,
        lists: &mut StatusLists,
        now: i64,
    ) -> Vec<(String, String)> {
        let mut failures = Vec::new();
        for uri in uris {
            match self.token(uri, trust, now).await {
                Ok(token) => {
                    if let Err(e) = lists.add_token(uri, &token, trust, now) {
                        self.forget(uri);
                        failures.push((uri.clone(), e.to_string()));
                    }
                }
                Err(why) => failures.push((uri.clone(), why)),
            }
        }
        failures
    }

    fn forget(&self, uri: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(uri);
        }
    }

    async fn token(&self, uri: &str, trust: &TrustList, now: i64) -> Result<String, String> {
        if let Ok(cache) = self.cache.lock() {
            if let Some((token, _, until)) = cache.get(uri) {
                if now < *until {
                    return Ok(token.clone());
                }
            }
        }
        // Only status lists of issuers on the trust list are fetched: the URI must be under an
        // issuer identifier the list names (no requests to arbitrary hosts on a holder's say).
        if !trust
            .organisations
            .iter()
            .any(|o| uri.starts_with(&format!("{}/", o.issuer)))
        {
            return Err(format!(
                "status list {uri} is not under any issuer on the trust list"
            ));
        }
        let mut response = self
            .http
            .get(uri)
            .header("accept", "application/statuslist+jwt")
            .send()
            .await
            .map_err(|e| format!("status list {uri} could not be fetched: {e}"))?;
        if !response.status().is_success() {
            return Err(format!(
                "status list {uri} answered HTTP {}",
                response.status().as_u16()
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("status list {uri}: {e}"))?
        {
            if body.len() + chunk.len() > MAX_TOKEN_BYTES {
                return Err(format!("status list {uri} is too large"));
            }
            body.extend_from_slice(&chunk);
        }
        let token = String::from_utf8(body)
            .map_err(|_| format!("status list {uri} is not text"))?
            .trim()
            .to_string();
        let ttl = token_ttl(&token).unwrap_or(self.max_ttl).min(self.max_ttl);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(uri.to_string(), (token.clone(), now, now + ttl));
        }
        Ok(token)
    }

    /// Drops the cached tokens of one issuer: this node's own revocations are seen at once by
    /// this node's verifiers (other nodes see them within the list's `ttl`).
    pub fn forget_issuer(&self, issuer: &str) {
        let prefix = format!("{issuer}/");
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|uri, _| !uri.starts_with(&prefix));
        }
    }

    /// Drops every cached token (tests, and an operator who knows of a revocation).
    pub fn clear(&self) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.clear();
        }
    }
}

/// The `ttl` claim of a token (unverified: it only shortens caching).
fn token_ttl(token: &str) -> Option<i64> {
    let jws = passport_jose::jws::CompactJws::parse(token).ok()?;
    jws.payload.get("ttl").and_then(serde_json::Value::as_i64)
}
