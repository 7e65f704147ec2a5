//! The outbox: events for organisations' webhooks and e-mails, written in the same transaction
//! as the change that causes them and delivered later by the server's background worker.
//!
//! Invariants:
//! - An event or e-mail is queued by the transaction of its cause ([`enqueue_event`] and
//!   [`enqueue_mail`] take that transaction's connection): a committed change always has its
//!   rows, a rolled-back one never does. The `Store` methods of the same names are for causes
//!   that change nothing else.
//! - An event is fanned out when queued: one delivery row per enabled subscription of its
//!   organisation whose types match. A subscription added later does not receive older events.
//! - Delivery is at least once: a row leaves `pending` only when the worker holding its lease
//!   records the outcome. Receivers deduplicate on the CloudEvents `id` (the event id), which
//!   is the same on every attempt.
//! - Every call is scoped by organisation except the worker's claims, which serve the node.
//! - What a caller gives is checked before anything is written (types, lengths, control
//!   characters, URL scheme, addresses); a refusal is `StoreError::Invalid` and writes nothing.
use crate::{new_id, Result, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

mod claim;
mod mail;
mod subscriptions;

pub use claim::{ClaimedDelivery, ClaimedMail, Outcome};
pub(crate) use mail::mail_view;
pub use mail::{enqueue_mail, MailView, NewMail};
pub use subscriptions::{Subscription, MAX_EVENT_TYPES};

/// Longest `data` of an event, as JSON text. Events carry identifiers and dates for systems to
/// act on, not documents.
pub const MAX_EVENT_DATA_BYTES: usize = 64 * 1024;
/// Longest event type and subject.
const MAX_TYPE_CHARS: usize = 200;
const MAX_SUBJECT_CHARS: usize = 500;
/// Longest last error kept on a row.
const MAX_ERROR_CHARS: usize = 500;

/// Where a delivery or an e-mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its next attempt (or being attempted now, under a lease).
    Pending,
    /// Accepted by the receiver (2xx) or the SMTP server.
    Delivered,
    /// Attempts used up: the dead-letter record. An administrator may re-queue it.
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => DeliveryState::Pending,
            "delivered" => DeliveryState::Delivered,
            "dead" => DeliveryState::Dead,
            other => return Err(StoreError::Corrupt(format!("delivery state {other:?}"))),
        })
    }
}

/// The two queues the worker serves; they share their delivery columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Webhooks,
    Mail,
}

impl Queue {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Queue::Webhooks => "outbox_deliveries",
            Queue::Mail => "outbox_mail",
        }
    }
}

/// An event as its cause describes it. It becomes a CloudEvent when delivered: `event_type` is
/// its `type` (e.g. `uk.nhs.passport.temporary-movement.accepted.v1`), `subject` its `subject`
/// (e.g. a transfer request id), `data` its `data`; `id`, `source` and `time` are the server's.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    pub org: &'a str,
    pub event_type: &'a str,
    pub subject: &'a str,
    pub data: &'a serde_json::Value,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub id: String,
    pub org: String,
    pub event_type: String,
    pub subject: String,
    /// Seconds since the epoch.
    pub time: i64,
    pub data: serde_json::Value,
}

/// One delivery of an event to a subscription, for the portal and for tests.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryView {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub subject: String,
    pub subscription_id: String,
    pub url: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub next_attempt_at_ms: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// A CloudEvents type: letters, digits, `.`, `-`, `_`; reverse-DNS by convention.
pub fn valid_event_type(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= MAX_TYPE_CHARS
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Text a person or system gave, refused (not cleaned) when it breaks a rule, so what is stored
/// is exactly what was asked for.
pub(crate) fn check_text(what: &str, text: &str, max_chars: usize) -> Result<()> {
    if text.chars().count() > max_chars {
        return Err(StoreError::Invalid(format!(
            "{what} is longer than {max_chars} characters"
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "{what} contains control characters"
        )));
    }
    Ok(())
}

/// An error as kept on a row: control characters out, cut to a bounded length.
pub(crate) fn clean_error(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_ERROR_CHARS)
        .collect()
}

/// Queues `event` on `conn`, the transaction of the change that causes it; returns the event
/// id. Fans out to the organisation's enabled, matching subscriptions as they are now.
pub async fn enqueue_event(
    conn: &mut AnyConnection,
    event: &NewEvent<'_>,
    now: i64,
) -> Result<String> {
    if !valid_event_type(event.event_type) {
        return Err(StoreError::Invalid(format!(
            "event type {:?}: use 1 to {MAX_TYPE_CHARS} letters, digits, '.', '-' or '_'",
            event.event_type
        )));
    }
    check_text("event subject", event.subject, MAX_SUBJECT_CHARS)?;
    let data = serde_json::to_string(event.data).map_err(|e| StoreError::Invalid(e.to_string()))?;
    if data.len() > MAX_EVENT_DATA_BYTES {
        return Err(StoreError::Invalid(format!(
            "event data is longer than {MAX_EVENT_DATA_BYTES} bytes"
        )));
    }
    let id = new_id("ev-");
    sqlx::query(
        "INSERT INTO outbox_events (id, org, event_type, subject, time, data) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(event.org)
    .bind(event.event_type)
    .bind(event.subject)
    .bind(now)
    .bind(&data)
    .execute(&mut *conn)
    .await?;
    let subs = sqlx::query(
        "SELECT id, event_types FROM webhook_subscriptions WHERE org = $1 AND enabled = 1 ORDER BY id",
    )
    .bind(event.org)
    .fetch_all(&mut *conn)
    .await?;
    for sub in &subs {
        let types: String = sub.try_get("event_types")?;
        if !subscriptions::matches(&types, event.event_type)? {
            continue;
        }
        let sub_id: String = sub.try_get("id")?;
        sqlx::query(
            "INSERT INTO outbox_deliveries (id, org, event_id, subscription_id, state, attempts, \
             next_attempt_at_ms, lease_owner, lease_until_ms, last_error, created_at, finished_at) \
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, NULL, 0, NULL, $6, NULL)",
        )
        .bind(new_id("dl-"))
        .bind(event.org)
        .bind(&id)
        .bind(&sub_id)
        .bind(now.saturating_mul(1000))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

const DELIVERY_COLUMNS: &str = "d.id, d.event_id, e.event_type, e.subject, d.subscription_id, \
     s.url, d.state, d.attempts, d.next_attempt_at_ms, d.last_error, d.created_at, d.finished_at";

fn delivery_view(r: &AnyRow) -> Result<DeliveryView> {
    Ok(DeliveryView {
        id: r.try_get("id")?,
        event_id: r.try_get("event_id")?,
        event_type: r.try_get("event_type")?,
        subject: r.try_get("subject")?,
        subscription_id: r.try_get("subscription_id")?,
        url: r.try_get("url")?,
        state: DeliveryState::parse(&r.try_get::<String, _>("state")?)?,
        attempts: r.try_get("attempts")?,
        next_attempt_at_ms: r.try_get("next_attempt_at_ms")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

pub(crate) fn stored_event(r: &AnyRow) -> Result<StoredEvent> {
    let data: String = r.try_get("data")?;
    Ok(StoredEvent {
        id: r.try_get("event_id")?,
        org: r.try_get("org")?,
        event_type: r.try_get("event_type")?,
        subject: r.try_get("subject")?,
        time: r.try_get("time")?,
        data: serde_json::from_str(&data)
            .map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?,
    })
}

impl Store {
    /// [`enqueue_event`] in a transaction of its own, for a cause that changes nothing else.
    pub async fn enqueue_event(&self, event: &NewEvent<'_>, now: i64) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let id = enqueue_event(&mut tx, event, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The event `id` of `org`.
    pub async fn outbox_event(&self, org: &str, id: &str) -> Result<StoredEvent> {
        let row = sqlx::query(
            "SELECT id AS event_id, org, event_type, subject, time, data FROM outbox_events \
             WHERE org = $1 AND id = $2",
        )
        .bind(org)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("event {id}")))?;
        stored_event(&row)
    }

    /// Deliveries of `org` in `state` (all states when `None`), newest first, at most `limit`.
    pub async fn deliveries(
        &self,
        org: &str,
        state: Option<DeliveryState>,
        limit: i64,
    ) -> Result<Vec<DeliveryView>> {
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM outbox_deliveries d \
             JOIN outbox_events e ON e.id = d.event_id \
             JOIN webhook_subscriptions s ON s.id = d.subscription_id \
             WHERE d.org = $1 AND ($2 = '' OR d.state = $2) \
             ORDER BY d.created_at DESC, d.id LIMIT $3"
        ))
        .bind(org)
        .bind(state.map_or("", DeliveryState::as_str))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_view).collect()
    }

    /// The deliveries of one event of `org`, by subscription id.
    pub async fn event_deliveries(&self, org: &str, event_id: &str) -> Result<Vec<DeliveryView>> {
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM outbox_deliveries d \
             JOIN outbox_events e ON e.id = d.event_id \
             JOIN webhook_subscriptions s ON s.id = d.subscription_id \
             WHERE d.org = $1 AND d.event_id = $2 ORDER BY d.subscription_id"
        ))
        .bind(org)
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_view).collect()
    }

    /// Puts a dead delivery or e-mail of `org` back in the queue with its attempts reset, due
    /// at `now_ms`. Its last error stays until the next attempt replaces it.
    pub async fn requeue(&self, queue: Queue, org: &str, id: &str, now_ms: i64) -> Result<()> {
        let done = sqlx::query(&format!(
            "UPDATE {} SET state = 'pending', attempts = 0, next_attempt_at_ms = $1, \
             lease_owner = NULL, lease_until_ms = 0, finished_at = NULL \
             WHERE org = $2 AND id = $3 AND state = 'dead'",
            queue.table()
        ))
        .bind(now_ms)
        .bind(org)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("dead-lettered item {id}")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
