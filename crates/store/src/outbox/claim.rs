//! The worker's side: claiming due rows under a lease and recording each attempt's outcome.
//!
//! A claim is one UPDATE that sets `lease_owner`, `lease_until_ms` and counts the attempt on
//! rows that are pending, due and not leased. On PostgreSQL its subquery locks the rows with
//! `FOR UPDATE SKIP LOCKED`, so two processes claiming at once take disjoint rows without
//! waiting on each other, and a row a concurrent claim has just leased is re-checked and
//! skipped; SQLite has one writer at a time, so the same UPDATE is atomic there as it is. The
//! attempt is counted when claimed, not when finished, so a delivery that crashes the process
//! still uses up its attempts.
use super::{clean_error, stored_event, Queue, StoredEvent};
use crate::{Backend, Result, Store};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A delivery the worker now holds: the event, where to send it, and which attempt this is.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedDelivery {
    pub id: String,
    pub url: String,
    /// 1 for the first attempt.
    pub attempt: i64,
    pub event: StoredEvent,
}

/// An e-mail the worker now holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMail {
    pub id: String,
    pub org: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// 1 for the first attempt.
    pub attempt: i64,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted: the row becomes `delivered`.
    Delivered,
    /// Failed; try again at `next_attempt_at_ms`.
    Retry {
        error: String,
        next_attempt_at_ms: i64,
    },
    /// Failed for the last time: the row becomes `dead`, the error kept.
    Dead { error: String },
}

impl Store {
    /// Leases up to `limit` due rows of `queue` to `owner` until `now_ms + lease_ms`; returns
    /// their ids. Webhook deliveries of disabled subscriptions are left alone.
    async fn claim_ids(
        &self,
        queue: Queue,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<String>> {
        let table = queue.table();
        let enabled = match queue {
            Queue::Webhooks => {
                " AND subscription_id IN (SELECT id FROM webhook_subscriptions WHERE enabled = 1)"
            }
            Queue::Mail => "",
        };
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let ids = sqlx::query_scalar(&format!(
            "UPDATE {table} SET lease_owner = $1, lease_until_ms = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM {table} \
                 WHERE state = 'pending' AND next_attempt_at_ms <= $3 AND lease_until_ms <= $3{enabled} \
                 ORDER BY next_attempt_at_ms, id LIMIT $4{lock}) \
             AND state = 'pending' AND lease_until_ms <= $3 \
             RETURNING id"
        ))
        .bind(owner)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }

    /// Claims up to `limit` due webhook deliveries for `owner`, leased for `lease_ms` (longer
    /// than one attempt can take, or another worker may start the same delivery).
    pub async fn claim_deliveries(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>> {
        let ids = self
            .claim_ids(Queue::Webhooks, owner, now_ms, lease_ms, limit)
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row = sqlx::query(
                "SELECT d.id, d.attempts, s.url, e.id AS event_id, e.org, e.event_type, \
                 e.subject, e.time, e.data FROM outbox_deliveries d \
                 JOIN outbox_events e ON e.id = d.event_id \
                 JOIN webhook_subscriptions s ON s.id = d.subscription_id \
                 WHERE d.id = $1 AND d.lease_owner = $2",
            )
            .bind(&id)
            .bind(owner)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(r) = row {
                out.push(ClaimedDelivery {
                    id: r.try_get("id")?,
                    url: r.try_get("url")?,
                    attempt: r.try_get("attempts")?,
                    event: stored_event(&r)?,
                });
            }
        }
        Ok(out)
    }

    /// Claims up to `limit` due e-mails for `owner`, as [`Store::claim_deliveries`].
    pub async fn claim_mail(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedMail>> {
        let ids = self
            .claim_ids(Queue::Mail, owner, now_ms, lease_ms, limit)
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row = sqlx::query(
                "SELECT id, org, to_addr, subject, text_body, html_body, attempts FROM outbox_mail \
                 WHERE id = $1 AND lease_owner = $2",
            )
            .bind(&id)
            .bind(owner)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(r) = row {
                out.push(claimed_mail(&r)?);
            }
        }
        Ok(out)
    }

    /// Records the outcome of `owner`'s attempt at row `id` of `queue`. False (and nothing
    /// changed) if `owner` no longer holds the lease: it expired and another worker took the
    /// row, whose own outcome will count.
    pub async fn finish_attempt(
        &self,
        queue: Queue,
        id: &str,
        owner: &str,
        outcome: &Outcome,
        now_ms: i64,
    ) -> Result<bool> {
        let (state, error, next) = match outcome {
            Outcome::Delivered => ("delivered", None, None),
            Outcome::Retry {
                error,
                next_attempt_at_ms,
            } => (
                "pending",
                Some(clean_error(error)),
                Some(*next_attempt_at_ms),
            ),
            Outcome::Dead { error } => ("dead", Some(clean_error(error)), None),
        };
        let finished = (state != "pending").then_some(now_ms / 1000);
        // A sent e-mail's bodies name the person and carry a link or code: once delivered
        // nothing sends them again, so they go now (`governance_mail.rs`).
        let clear = match (queue, outcome) {
            (Queue::Mail, Outcome::Delivered) => ", text_body = '', html_body = NULL",
            _ => "",
        };
        let done = sqlx::query(&format!(
            "UPDATE {} SET state = $1, last_error = $2, \
             next_attempt_at_ms = COALESCE($3, next_attempt_at_ms), finished_at = $4, \
             lease_owner = NULL, lease_until_ms = 0{clear} \
             WHERE id = $5 AND lease_owner = $6 AND state = 'pending'",
            queue.table()
        ))
        .bind(state)
        .bind(error)
        .bind(next)
        .bind(finished)
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn claimed_mail(r: &AnyRow) -> Result<ClaimedMail> {
    Ok(ClaimedMail {
        id: r.try_get("id")?,
        org: r.try_get("org")?,
        to: r.try_get("to_addr")?,
        subject: r.try_get("subject")?,
        text: r.try_get("text_body")?,
        html: r.try_get("html_body")?,
        attempt: r.try_get("attempts")?,
    })
}
