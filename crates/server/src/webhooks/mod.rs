//! Signed webhooks: CloudEvents 1.0 notifications to the systems an organisation subscribes
//! (access provisioning, ESR), delivered durably from the store's outbox by a background worker
//! that also sends the outbox's e-mails (`crate::mail`).
//!
//! For callers: queue an event in the same store transaction as the change it reports, with
//! `passport_store::outbox::enqueue_event(&mut tx, &NewEvent { .. }, now)`, or with [`emit`]
//! when nothing else changes. Nothing is sent from the request handler; the worker (started by
//! `crate::serve`) delivers it within about `outbox.poll_interval_ms`, retrying with backoff.
//!
//! What a receiver gets: `POST` with `Content-Type: application/cloudevents+json` (structured
//! mode), the body `{specversion, id, source, type, subject, time, datacontenttype, data}` where
//! `source` is the organisation's issuer identifier (`<public_url>/issuers/<ODS>`, as on the
//! trust list), and a `Passport-Signature` header: a detached ES256 JWS over the exact body
//! with the organisation's key ([`signature::verify_delivery`] checks it). A 2xx answer is
//! delivery; anything else, a time-out or a refused connection is retried until
//! `outbox.max_attempts`, then the delivery is dead-lettered with its last error, listed for
//! the organisation's administrators, who may re-queue it. Delivery is at least once: receivers
//! deduplicate on (`source`, `id`).
use crate::{AppState, ServerError};
use passport_store::outbox::{NewEvent, Subscription};

pub mod cloudevent;
mod config;
pub mod http;
pub mod signature;
mod worker;

pub use config::{apply_env, OutboxConfig};
pub use worker::{spawn, Worker};

/// A temporary movement was accepted by both organisations (subject: the movement's id).
pub const TEMPORARY_MOVEMENT_ACCEPTED: &str = "uk.nhs.passport.temporary-movement.accepted.v1";
/// A temporary movement ended (subject: the movement's id).
pub const TEMPORARY_MOVEMENT_ENDED: &str = "uk.nhs.passport.temporary-movement.ended.v1";

/// Why one delivery attempt failed; kept as the row's last error.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("receiver URL {0}")]
    Url(String),
    #[error("request failed: {0}")]
    Http(String),
    #[error("HTTP {code}: {body}")]
    Status { code: u16, body: String },
    #[error("organisation {0} is not served by this node (no signing key)")]
    NotServed(String),
    #[error("event cannot be sent: {0}")]
    Event(String),
    #[error("signing failed: {0}")]
    Signing(String),
    #[error("e-mail: {0}")]
    Mail(String),
}

/// Milliseconds since the epoch: the outbox's retry clock (retries in tests are shorter than
/// the second `crate::now` counts in).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Queues an event of `org` for its webhooks, in a transaction of its own; returns the event
/// id (the CloudEvents `id`). Use `passport_store::outbox::enqueue_event` instead when the
/// event reports a change made in a transaction, so that both commit or neither does.
pub async fn emit(
    state: &AppState,
    org: &str,
    event_type: &str,
    subject: &str,
    data: &serde_json::Value,
) -> Result<String, ServerError> {
    let event = NewEvent {
        org,
        event_type,
        subject,
        data,
    };
    Ok(state.store.enqueue_event(&event, crate::now()).await?)
}

/// Subscribes `url` to `org`'s events of `event_types` (empty: all). The URL is parsed here as
/// the worker will parse it, so a subscription that could never be delivered is refused now.
pub async fn subscribe(
    state: &AppState,
    org: &str,
    url: &str,
    event_types: &[&str],
) -> Result<Subscription, ServerError> {
    http::parse_url(url).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    Ok(state
        .store
        .add_subscription(org, url, event_types, crate::now())
        .await?)
}
