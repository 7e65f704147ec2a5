//! Webhook subscriptions: where an organisation's events go.
use super::valid_event_type;
use crate::{new_id, Result, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Most event types one subscription may name.
pub const MAX_EVENT_TYPES: usize = 32;
const MAX_URL_CHARS: usize = 2000;

/// A stored subscription. `event_types` empty means every type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub org: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The store's own check of a receiver URL: `http` or `https`, a host, no user name or password
/// (a secret would be kept and shown in clear), no fragment, no spaces or control characters.
/// The server parses it fully too before anything is sent.
fn check_url(url: &str) -> Result<()> {
    let bad = |why: &str| Err(StoreError::Invalid(format!("webhook URL: {why}")));
    if url.chars().count() > MAX_URL_CHARS {
        return bad("too long");
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return bad("contains spaces or control characters");
    }
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return bad("only http:// and https:// URLs are allowed");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return bad("no host");
    }
    if authority.contains('@') {
        return bad("a user name or password in the URL is not allowed");
    }
    if url.contains('#') {
        return bad("a fragment is not allowed");
    }
    Ok(())
}

/// Whether a subscription's stored types (JSON array text) take `event_type`.
pub(super) fn matches(types_json: &str, event_type: &str) -> Result<bool> {
    let types: Vec<String> = serde_json::from_str(types_json)
        .map_err(|e| StoreError::Corrupt(format!("subscription event types: {e}")))?;
    Ok(types.is_empty() || types.iter().any(|t| t == event_type))
}

fn subscription(r: &AnyRow) -> Result<Subscription> {
    let types: String = r.try_get("event_types")?;
    Ok(Subscription {
        id: r.try_get("id")?,
        org: r.try_get("org")?,
        url: r.try_get("url")?,
        event_types: serde_json::from_str(&types)
            .map_err(|e| StoreError::Corrupt(format!("subscription event types: {e}")))?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const COLUMNS: &str = "id, org, url, event_types, enabled, created_at, updated_at";

impl Store {
    /// Subscribes `url` to `org`'s events of `event_types` (empty: every type); enabled.
    pub async fn add_subscription(
        &self,
        org: &str,
        url: &str,
        event_types: &[&str],
        now: i64,
    ) -> Result<Subscription> {
        check_url(url)?;
        if event_types.len() > MAX_EVENT_TYPES {
            return Err(StoreError::Invalid(format!(
                "a subscription names at most {MAX_EVENT_TYPES} event types"
            )));
        }
        if let Some(bad) = event_types.iter().find(|t| !valid_event_type(t)) {
            return Err(StoreError::Invalid(format!("event type {bad:?}")));
        }
        let mut types: Vec<String> = event_types.iter().map(|t| t.to_string()).collect();
        types.sort();
        types.dedup();
        let types_json =
            serde_json::to_string(&types).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let sub = Subscription {
            id: new_id("wh-"),
            org: org.into(),
            url: url.into(),
            event_types: types,
            enabled: true,
            created_at: now,
            updated_at: now,
        };
        sqlx::query(&format!(
            "INSERT INTO webhook_subscriptions ({COLUMNS}) VALUES ($1, $2, $3, $4, 1, $5, $5)"
        ))
        .bind(&sub.id)
        .bind(org)
        .bind(url)
        .bind(&types_json)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(sub)
    }

    /// `org`'s subscriptions, oldest first.
    pub async fn subscriptions(&self, org: &str) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_subscriptions WHERE org = $1 ORDER BY created_at, id"
        ))
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(subscription).collect()
    }

    /// Turns a subscription of `org` on or off. While off it gets no new deliveries and its
    /// pending ones wait (they are not claimed) until it is on again.
    pub async fn set_subscription_enabled(
        &self,
        org: &str,
        id: &str,
        enabled: bool,
        now: i64,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE webhook_subscriptions SET enabled = $1, updated_at = $2 WHERE org = $3 AND id = $4",
        )
        .bind(i64::from(enabled))
        .bind(now)
        .bind(org)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("subscription {id}")));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_http_or_https_with_a_host_and_no_secret() {
        assert!(check_url("https://esr.example.nhs.uk/hooks/passport?x=1").is_ok());
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        for bad in [
            "ftp://example.nhs.uk/",
            "file:///etc/passwd",
            "https://",
            "https:///path",
            "https://user:pw@example.nhs.uk/",
            "https://example.nhs.uk/#frag",
            "https://example.nhs.uk/a b",
            "https://example.nhs.uk/\n",
            "javascript:alert(1)",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert!(check_url(&format!("https://e.nhs.uk/{}", "a".repeat(2000))).is_err());
    }

    #[test]
    fn empty_types_match_everything() {
        assert!(matches("[]", "a.b").unwrap());
        assert!(matches("[\"a.b\"]", "a.b").unwrap());
        assert!(!matches("[\"a.b\"]", "a.c").unwrap());
        assert!(matches("{", "a").is_err());
    }
}
