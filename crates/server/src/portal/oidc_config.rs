//! The `[oidc]` section of the configuration: single sign-on through one OpenID Connect
//! provider per deployment (e.g. NHS Care Identity Service 2). The client secret never goes in
//! the configuration file (a file in a repository): it comes from `PASSPORT_OIDC_CLIENT_SECRET`
//! or from a file named by `client_secret_file`.
use crate::config::ConfigError;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`.
    /// `PASSPORT_OIDC_ISSUER`.
    pub issuer: String,
    /// This deployment's client id at the provider. `PASSPORT_OIDC_CLIENT_ID`.
    pub client_id: String,
    /// The client secret, from the environment only (`PASSPORT_OIDC_CLIENT_SECRET`). Unset (and
    /// no file): a public client, PKCE alone.
    #[serde(skip)]
    pub client_secret: Option<String>,
    /// A file holding the client secret (first line). `PASSPORT_OIDC_CLIENT_SECRET_FILE`.
    pub client_secret_file: Option<PathBuf>,
    /// Where the provider sends the browser back; default `<public_url>/portal/oidc/callback`.
    /// `PASSPORT_OIDC_REDIRECT_URL`.
    pub redirect_url: Option<String>,
    /// Scopes asked for; `openid` is always included. `PASSPORT_OIDC_SCOPES` (space-separated).
    pub scopes: Vec<String>,
    /// The ID token claim that names the user (`sub`, or e.g. `email`, which must then come with
    /// `email_verified: true`). The account is the one linked to (issuer, this claim's value).
    /// `PASSPORT_OIDC_USER_CLAIM`.
    pub user_claim: String,
    /// The sign-in button's text. `PASSPORT_OIDC_LABEL`.
    pub label: String,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: None,
            client_secret_file: None,
            redirect_url: None,
            scopes: vec!["openid".into()],
            user_claim: "sub".into(),
            label: "Sign in with your NHS account".into(),
        }
    }
}

/// Never prints the secret.
impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "(set)"),
            )
            .field("client_secret_file", &self.client_secret_file)
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .field("user_claim", &self.user_claim)
            .field("label", &self.label)
            .finish()
    }
}

/// Applies the `PASSPORT_OIDC_*` variables; any of them makes the section exist.
pub fn apply_env(
    slot: &mut Option<OidcConfig>,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let names = [
        "PASSPORT_OIDC_ISSUER",
        "PASSPORT_OIDC_CLIENT_ID",
        "PASSPORT_OIDC_CLIENT_SECRET",
        "PASSPORT_OIDC_CLIENT_SECRET_FILE",
        "PASSPORT_OIDC_REDIRECT_URL",
        "PASSPORT_OIDC_SCOPES",
        "PASSPORT_OIDC_USER_CLAIM",
        "PASSPORT_OIDC_LABEL",
    ];
    if slot.is_none() && names.iter().all(|n| get(n).is_none()) {
        return Ok(());
    }
    let c = slot.get_or_insert_with(OidcConfig::default);
    if let Some(v) = get("PASSPORT_OIDC_ISSUER") {
        c.issuer = v;
    }
    if let Some(v) = get("PASSPORT_OIDC_CLIENT_ID") {
        c.client_id = v;
    }
    if let Some(v) = get("PASSPORT_OIDC_CLIENT_SECRET") {
        c.client_secret = (!v.is_empty()).then_some(v);
    }
    if let Some(v) = get("PASSPORT_OIDC_CLIENT_SECRET_FILE") {
        c.client_secret_file = (!v.is_empty()).then(|| v.into());
    }
    if let Some(v) = get("PASSPORT_OIDC_REDIRECT_URL") {
        c.redirect_url = (!v.is_empty()).then_some(v);
    }
    if let Some(v) = get("PASSPORT_OIDC_SCOPES") {
        c.scopes = v.split_whitespace().map(str::to_string).collect();
    }
    if let Some(v) = get("PASSPORT_OIDC_USER_CLAIM") {
        c.user_claim = v;
    }
    if let Some(v) = get("PASSPORT_OIDC_LABEL") {
        c.label = v;
    }
    Ok(())
}

/// An `https` URL, or `http` to a loopback host (a provider on the same machine: tests, a
/// developer's laptop).
pub fn acceptable_url(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// The settings the client runs with: checked, secret read, redirect URL and scopes settled.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect_url: String,
    pub scope: String,
    pub user_claim: String,
    pub label: String,
}

impl OidcConfig {
    /// Checks the section and reads the secret file. Errors name the key at fault.
    pub fn settle(&self, public_url: &str) -> Result<OidcSettings, String> {
        let issuer = self.issuer.trim_end_matches('/').to_string();
        if !acceptable_url(&issuer) {
            return Err(format!(
                "oidc.issuer {:?} must be an https URL (http only to a loopback address)",
                self.issuer
            ));
        }
        if self.client_id.is_empty() {
            return Err("oidc.client_id is empty".into());
        }
        let mut client_secret = self.client_secret.clone();
        if let Some(path) = &self.client_secret_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("oidc.client_secret_file {}: {e}", path.display()))?;
            let line = text.lines().next().unwrap_or("").trim().to_string();
            if line.is_empty() {
                return Err(format!(
                    "oidc.client_secret_file {} is empty",
                    path.display()
                ));
            }
            client_secret = Some(line);
        }
        let redirect_url = self
            .redirect_url
            .clone()
            .unwrap_or_else(|| format!("{public_url}/portal/oidc/callback"));
        if !acceptable_url(&redirect_url) && !redirect_url.starts_with("http://") {
            return Err(format!(
                "oidc.redirect_url {redirect_url:?} is not an http(s) URL"
            ));
        }
        let mut scopes = vec!["openid".to_string()];
        for s in &self.scopes {
            if !s
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
                || s.is_empty()
            {
                return Err(format!("oidc.scopes: {s:?} is not a scope token"));
            }
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        if self.user_claim.is_empty() {
            return Err("oidc.user_claim is empty".into());
        }
        Ok(OidcSettings {
            issuer,
            client_id: self.client_id.clone(),
            client_secret,
            redirect_url,
            scope: scopes.join(" "),
            user_claim: self.user_claim.clone(),
            label: self.label.clone(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_or_loopback_http() {
        for ok in [
            "https://idp.example",
            "http://127.0.0.1:9000",
            "http://localhost/x",
            "http://[::1]:80/",
        ] {
            assert!(acceptable_url(ok), "{ok}");
        }
        for bad in [
            "http://idp.example",
            "http://127.0.0.1.evil.example",
            "ftp://x",
            "",
            "http://localhost.evil.example:80",
        ] {
            assert!(!acceptable_url(bad), "{bad}");
        }
    }

    #[test]
    fn the_environment_makes_the_section_and_the_secret_never_comes_from_the_file() {
        let mut slot = None;
        apply_env(&mut slot, &|_| None).unwrap();
        assert!(slot.is_none());
        let env = |n: &str| match n {
            "PASSPORT_OIDC_ISSUER" => Some("https://idp.example/".to_string()),
            "PASSPORT_OIDC_CLIENT_ID" => Some("passport".to_string()),
            "PASSPORT_OIDC_CLIENT_SECRET" => Some("s3cret".to_string()),
            "PASSPORT_OIDC_SCOPES" => Some("email openid".to_string()),
            _ => None,
        };
        apply_env(&mut slot, &env).unwrap();
        let c = slot.unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
        let s = c.settle("https://passport.example").unwrap();
        assert_eq!(s.issuer, "https://idp.example");
        assert_eq!(s.scope, "openid email");
        assert_eq!(s.client_secret.as_deref(), Some("s3cret"));
        assert_eq!(
            s.redirect_url,
            "https://passport.example/portal/oidc/callback"
        );
        let e = toml::from_str::<OidcConfig>("client_secret = \"x\"").unwrap_err();
        assert!(e.to_string().contains("client_secret"), "{e}");
        let bad = OidcConfig {
            issuer: "http://idp.example".into(),
            client_id: "x".into(),
            ..OidcConfig::default()
        };
        let Err(e) = bad.settle("https://p") else {
            panic!("plain http to another host was accepted")
        };
        assert!(e.contains("oidc.issuer"), "{e}");
    }
}
