//! HTTP for the flow: which URLs may be followed, and requests whose failures name the step and
//! carry the issuer's own error code and description.
use crate::error::{HolderError, Step};
use reqwest::header::{ACCEPT, WWW_AUTHENTICATE};
use reqwest::{RequestBuilder, Url};
use serde_json::Value;
use std::net::IpAddr;
use std::time::Duration;

/// Largest response body read (a Credential Response with a batch of SD-JWT VCs is a few KiB).
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// The HTTP client a wallet should use: rustls, no redirects (a token or credential request is
/// never re-sent elsewhere), 30 s timeout.
pub fn http_client() -> Result<reqwest::Client, HolderError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("passport-holder/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| HolderError::Crypto(format!("HTTP client: {e}")))
}

/// Parses a URL the wallet is about to follow: `https`, or `http` to a loopback address
/// (`127.0.0.0/8`, `::1`, `localhost`) for tests; no user information.
pub fn checked_url(text: &str) -> Result<Url, HolderError> {
    let refuse = |why| HolderError::InsecureUrl {
        url: text.into(),
        why,
    };
    let url = Url::parse(text).map_err(|_| refuse("not an absolute URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("URLs with user information are not followed"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(refuse(
            "plain http is allowed only to 127.0.0.1, ::1 or localhost",
        )),
        _ => Err(refuse("only https URLs are followed")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// Sends `request`; a 2xx answer gives its body (at most [`MAX_RESPONSE_BYTES`]), any other
/// status becomes [`HolderError::Server`] with the issuer's `error` and `error_description` (or,
/// for a bare 401, those of its `WWW-Authenticate` header).
pub async fn send(step: Step, url: &Url, request: RequestBuilder) -> Result<Vec<u8>, HolderError> {
    let http_err = |source| HolderError::Http {
        step,
        url: url.to_string(),
        source,
    };
    let mut response = request
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(http_err)?;
    let status = response.status();
    let www_authenticate = response
        .headers()
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(HolderError::response(step, "response too large"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(http_err)? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(HolderError::response(step, "response too large"));
        }
        body.extend_from_slice(&chunk);
    }
    if status.is_success() {
        return Ok(body);
    }
    let (error, error_description) = error_of(&body, www_authenticate.as_deref());
    Err(HolderError::Server {
        step,
        status: status.as_u16(),
        error: error.unwrap_or_else(|| "(no error code)".into()),
        error_description,
    })
}

/// `error` and `error_description` of a JSON error body, else of a `WWW-Authenticate: Bearer`
/// header (RFC 6750 section 3).
fn error_of(body: &[u8], www_authenticate: Option<&str>) -> (Option<String>, Option<String>) {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        let get = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
        if let Some(error) = get("error") {
            return (Some(error), get("error_description"));
        }
    }
    match www_authenticate {
        Some(h) => (auth_param(h, "error"), auth_param(h, "error_description")),
        None => (None, None),
    }
}

/// The quoted value of `name="..."` in a challenge (values with no escaped quotes).
fn auth_param(header: &str, name: &str) -> Option<String> {
    let start = header.find(&format!("{name}=\""))? + name.len() + 2;
    let len = header[start..].find('"')?;
    Some(header[start..start + len].to_string())
}

/// Parses a JSON body of a 2xx answer into `T`.
pub fn json<T: serde::de::DeserializeOwned>(step: Step, body: &[u8]) -> Result<T, HolderError> {
    let value = passport_jose::strict_json::from_slice(body)
        .map_err(|e| HolderError::response(step, format!("not JSON: {e}")))?;
    serde_json::from_value(value).map_err(|e| HolderError::response(step, e.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://passport.example.nhs.uk/issuers/RHQ",
            "http://127.0.0.1:8080/issuers/RHQ",
            "http://127.1.2.3/x",
            "http://[::1]:9/x",
            "http://localhost:3000/x",
        ] {
            assert!(checked_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://passport.example.nhs.uk/issuers/RHQ",
            "http://10.0.0.1/x",
            "http://localhost.evil.example/x",
            "ftp://127.0.0.1/x",
            "https://user:pw@passport.example.nhs.uk/x",
            "/relative",
        ] {
            assert!(
                matches!(checked_url(bad), Err(HolderError::InsecureUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn error_bodies_and_challenges() {
        assert_eq!(
            error_of(
                br#"{"error":"invalid_grant","error_description":"wrong code"}"#,
                None
            ),
            (Some("invalid_grant".into()), Some("wrong code".into()))
        );
        assert_eq!(
            error_of(
                b"",
                Some(r#"Bearer error="invalid_token", error_description="expired""#)
            ),
            (Some("invalid_token".into()), Some("expired".into()))
        );
        assert_eq!(error_of(b"<html>", None), (None, None));
    }
}
