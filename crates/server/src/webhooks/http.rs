//! One webhook POST: bounded in time and in what is read back, redirects not followed.
use super::{cloudevent, signature, OutboxConfig, OutboxError};
use std::time::Duration;

/// Reading a receiver's answer stops once this many bytes are in (the start is kept, cut, in
/// the error when the answer is not 2xx); a receiver cannot make the worker hold more.
const MAX_RESPONSE_BYTES: usize = 4096;
/// Characters of a refusing receiver's answer kept in the error.
const MAX_ERROR_BODY_CHARS: usize = 200;

/// The worker's HTTP client. A redirect is an answer like any non-2xx (a receiver's URL is
/// configured, never discovered); every request has the configured time limit.
pub fn client(config: &OutboxConfig) -> Result<reqwest::Client, OutboxError> {
    let limit = Duration::from_millis(config.request_timeout_ms);
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(limit)
        .connect_timeout(limit)
        .user_agent(concat!(
            "nhs-staff-passport/",
            env!("CARGO_PKG_VERSION"),
            " webhooks"
        ))
        .build()
        .map_err(|e| OutboxError::Http(e.to_string()))
}

/// The receiver URL, parsed: `http` or `https` only, with a host.
pub fn parse_url(url: &str) -> Result<reqwest::Url, OutboxError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| OutboxError::Url(format!("{url}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(OutboxError::Url(format!(
            "{url}: only http and https URLs with a host"
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(OutboxError::Url(format!("{url}: no user name or password")));
    }
    Ok(parsed)
}

/// A failed request's error with its causes ("connection refused" sits a few sources down).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// POSTs `body` with its signature to `url`. Ok only for a 2xx answer.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    signature_value: &str,
) -> Result<(), OutboxError> {
    let url = parse_url(url)?;
    let mut response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, cloudevent::CONTENT_TYPE)
        .header(signature::HEADER, signature_value)
        .body(body)
        .send()
        .await
        .map_err(|e| OutboxError::Http(describe(&e)))?;
    let status = response.status();
    let mut read = Vec::new();
    while read.len() < MAX_RESPONSE_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => read.extend_from_slice(&chunk),
            // A receiver that said 2xx and then broke the body still took the event.
            Ok(None) | Err(_) => break,
        }
    }
    if status.is_success() {
        return Ok(());
    }
    read.truncate(MAX_RESPONSE_BYTES);
    let text: String = String::from_utf8_lossy(&read)
        .chars()
        .take(MAX_ERROR_BODY_CHARS)
        .collect();
    Err(OutboxError::Status {
        code: status.as_u16(),
        body: text,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn only_http_and_https_with_a_host_and_no_secret() {
        assert!(parse_url("https://esr.example.nhs.uk/hook").is_ok());
        assert!(parse_url("http://127.0.0.1:9/x").is_ok());
        for bad in [
            "ftp://a.example/",
            "file:///etc/passwd",
            "https://u:p@a.example/",
            "data:text/plain,x",
            "not a url",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
