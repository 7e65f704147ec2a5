//! The OpenID Connect client: discovery (cached), the provider's JWKS (cached, fetched again
//! when an unknown `kid` appears), the authorisation request URL with PKCE S256, and the code
//! exchange at the token endpoint with client authentication (HTTP Basic, RFC 6749 2.3.1, or a
//! public client's `client_id`). The handlers are in [`super::oidc`].
use super::oidc_config::{acceptable_url, OidcSettings};
use super::oidc_token::{self, Expected, IdTokenError, IdTokenKey};
use crate::{now, ServerError};
use axum::http::header;
use serde_json::Value;
use std::time::Duration;

/// Discovery is fetched again after this long.
const DISCOVERY_TTL_SECS: i64 = 3600;
/// An unknown `kid` fetches the JWKS again, at most this often (key rotation).
const JWKS_REFRESH_SECS: i64 = 60;
const MAX_DOCUMENT: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the sign-in service could not be reached: {0}")]
    Unreachable(String),
    #[error("the sign-in service's metadata cannot be used: {0}")]
    Metadata(String),
    #[error("the sign-in service did not accept the sign-in: {0}")]
    Token(String),
    #[error("{0}")]
    IdToken(#[from] IdTokenError),
}

#[derive(Clone)]
pub(super) struct Provider {
    pub(super) authorization_endpoint: String,
    pub(super) token_endpoint: String,
    pub(super) jwks_uri: String,
    pub(super) keys: Vec<IdTokenKey>,
    fetched_at: i64,
    keys_fetched_at: i64,
}

/// The client of one provider: settings, an HTTP client, the cached discovery and keys.
pub struct OidcClient {
    pub settings: OidcSettings,
    http: reqwest::Client,
    cache: tokio::sync::Mutex<Option<Provider>>,
}

impl OidcClient {
    pub fn new(settings: OidcSettings) -> Result<OidcClient, ServerError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            // Sign-ins are rare: a fresh connection each time, never one the provider may have
            // closed while it sat idle in a pool.
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| ServerError::Startup(format!("OpenID Connect HTTP client: {e}")))?;
        Ok(OidcClient {
            settings,
            http,
            cache: tokio::sync::Mutex::new(None),
        })
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, OidcError> {
        let r = self
            .http
            .get(url)
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(unreachable)?;
        if !r.status().is_success() {
            return Err(OidcError::Unreachable(format!(
                "{url}: HTTP {}",
                r.status()
            )));
        }
        let bytes = r.bytes().await.map_err(unreachable)?;
        if bytes.len() > MAX_DOCUMENT {
            return Err(OidcError::Metadata(format!("{url}: too large")));
        }
        Ok(bytes.to_vec())
    }

    async fn fetch_keys(&self, jwks_uri: &str) -> Result<Vec<IdTokenKey>, OidcError> {
        let bytes = self.get(jwks_uri).await?;
        oidc_token::parse_jwks(&bytes).map_err(OidcError::Metadata)
    }

    async fn discover(&self) -> Result<Provider, OidcError> {
        let issuer = &self.settings.issuer;
        let url = format!("{issuer}/.well-known/openid-configuration");
        let doc: Value = serde_json::from_slice(&self.get(&url).await?)
            .map_err(|e| OidcError::Metadata(format!("discovery: {e}")))?;
        if doc.get("issuer").and_then(Value::as_str) != Some(issuer.as_str()) {
            return Err(OidcError::Metadata("discovery names another issuer".into()));
        }
        let endpoint = |name: &str| -> Result<String, OidcError> {
            let url = doc
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| OidcError::Metadata(format!("discovery lacks {name}")))?;
            if !acceptable_url(url) {
                return Err(OidcError::Metadata(format!("{name} {url:?} is not https")));
            }
            Ok(url.to_string())
        };
        if let Some(methods) = doc
            .get("code_challenge_methods_supported")
            .and_then(Value::as_array)
        {
            if !methods.iter().any(|m| m == "S256") {
                return Err(OidcError::Metadata(
                    "the provider does not support PKCE S256".into(),
                ));
            }
        }
        let jwks_uri = endpoint("jwks_uri")?;
        let keys = self.fetch_keys(&jwks_uri).await?;
        let at = now();
        Ok(Provider {
            authorization_endpoint: endpoint("authorization_endpoint")?,
            token_endpoint: endpoint("token_endpoint")?,
            jwks_uri,
            keys,
            fetched_at: at,
            keys_fetched_at: at,
        })
    }

    /// The provider's endpoints and keys, from the cache while fresh.
    pub(super) async fn provider(&self) -> Result<Provider, OidcError> {
        let mut cache = self.cache.lock().await;
        if let Some(p) = cache
            .as_ref()
            .filter(|p| p.fetched_at + DISCOVERY_TTL_SECS > now())
        {
            return Ok(p.clone());
        }
        let fresh = self.discover().await?;
        *cache = Some(fresh.clone());
        Ok(fresh)
    }

    /// Fetches the JWKS again (a key rotated since it was cached), unless it was just fetched.
    async fn refresh_keys(&self) -> Result<Option<Vec<IdTokenKey>>, OidcError> {
        let mut cache = self.cache.lock().await;
        let Some(p) = cache.as_mut() else {
            return Ok(None);
        };
        if p.keys_fetched_at + JWKS_REFRESH_SECS > now() {
            return Ok(None);
        }
        p.keys = self.fetch_keys(&p.jwks_uri).await?;
        p.keys_fetched_at = now();
        Ok(Some(p.keys.clone()))
    }

    /// The authorisation request URL for one flow.
    pub(super) fn authorization_url(
        &self,
        endpoint: &str,
        state: &str,
        nonce: &str,
        verifier: &str,
    ) -> String {
        use super::html::url_part;
        let challenge = passport_jose::b64::encode(ring::digest::digest(
            &ring::digest::SHA256,
            verifier.as_bytes(),
        ));
        let s = &self.settings;
        let separator = if endpoint.contains('?') { '&' } else { '?' };
        format!(
            "{endpoint}{separator}response_type=code&client_id={}&redirect_uri={}&scope={}&state={}&nonce={}&code_challenge={}&code_challenge_method=S256",
            url_part(&s.client_id),
            url_part(&s.redirect_url),
            url_part(&s.scope),
            url_part(state),
            url_part(nonce),
            url_part(&challenge),
        )
    }

    /// Redeems the code at the token endpoint; returns the ID token.
    pub(super) async fn exchange(
        &self,
        endpoint: &str,
        code: &str,
        verifier: &str,
    ) -> Result<String, OidcError> {
        let s = &self.settings;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", s.redirect_url.as_str()),
            ("code_verifier", verifier),
        ];
        let mut request = self
            .http
            .post(endpoint)
            .header(header::ACCEPT, "application/json");
        match &s.client_secret {
            // RFC 6749 2.3.1: each part form-encoded, then HTTP Basic.
            Some(secret) => {
                use super::html::url_part;
                let credentials = format!("{}:{}", url_part(&s.client_id), url_part(secret));
                request = request.header(
                    header::AUTHORIZATION,
                    format!("Basic {}", base64_standard(credentials.as_bytes())),
                );
            }
            None => form.push(("client_id", s.client_id.as_str())),
        }
        let r = request.form(&form).send().await.map_err(unreachable)?;
        let status = r.status();
        let bytes = r.bytes().await.map_err(unreachable)?;
        let doc: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            let error = doc
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("unknown error");
            return Err(OidcError::Token(format!("HTTP {status}, {error}")));
        }
        doc.get("id_token")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| OidcError::Token("the token response has no id_token".into()))
    }

    /// Verifies the ID token with the cached keys, or with freshly fetched ones if no cached key
    /// matched (the provider rotated its keys).
    pub(super) async fn verify(
        &self,
        id_token: &str,
        keys: &[IdTokenKey],
        nonce: &str,
    ) -> Result<serde_json::Map<String, Value>, OidcError> {
        let s = &self.settings;
        let expected = Expected {
            issuer: &s.issuer,
            client_id: &s.client_id,
            nonce,
            now: now(),
        };
        match oidc_token::verify(id_token, keys, &expected) {
            Err(IdTokenError::UnknownKey) => match self.refresh_keys().await? {
                Some(fresh) => Ok(oidc_token::verify(id_token, &fresh, &expected)?),
                None => Err(IdTokenError::UnknownKey.into()),
            },
            other => Ok(other?),
        }
    }
}

/// A transport error with its causes (reqwest's own text names only the URL).
fn unreachable(e: reqwest::Error) -> OidcError {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    OidcError::Unreachable(text)
}

/// Standard base64 with padding (HTTP Basic credentials).
fn base64_standard(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_use_standard_padded_base64() {
        // RFC 4648 section 10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_standard(plain.as_bytes()), encoded);
        }
        assert_eq!(base64_standard(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn the_authorisation_url_carries_pkce_s256_state_and_nonce() {
        let client = OidcClient::new(OidcSettings {
            issuer: "https://idp.example".into(),
            client_id: "passport portal".into(),
            client_secret: None,
            redirect_url: "https://p.example/portal/oidc/callback".into(),
            scope: "openid email".into(),
            user_claim: "sub".into(),
            label: "x".into(),
        })
        .unwrap();
        // RFC 7636 Appendix B's verifier and challenge.
        let url = client.authorization_url(
            "https://idp.example/auth?x=1",
            "st",
            "no",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        );
        assert_eq!(
            url,
            "https://idp.example/auth?x=1&response_type=code&client_id=passport%20portal&redirect_uri=https%3A%2F%2Fp.example%2Fportal%2Foidc%2Fcallback&scope=openid%20email&state=st&nonce=no&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        );
    }
}
