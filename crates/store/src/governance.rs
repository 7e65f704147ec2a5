//! Retention of presentation data at a receiving trust.
//!
//! What the person's wallet sent for a transfer request, and what HR typed about the person to
//! ask for it, is needed until HR has decided; after that the decision is what the trust must
//! keep. So, `days` after the decision, a request is *purged*: deleted are the presented
//! credentials (claims included), the report (it quotes them, and the details the person
//! declared), the log of refused responses, the record of the response's hash, the person's
//! name, email and registration number, the placement dates, the decision note (free text)
//! and the request's private decryption key. Kept are the row itself with its id, the
//! profile, the audience, who asked and when, and the decision: who decided, when, accepted
//! or not. `purged_at` says when the rest went.
//!
//! A request made for a rotation list purges its rotation row in the same transaction: the
//! doctor's names, e-mail and GMC number go; the post (grade, specialty, site, dates) and the
//! report's lines cut down to requirement and status kind stay, so the changeover's dashboard
//! still counts its historic figures (`governance_rotations.rs`). Sent e-mails have a period
//! of their own (`governance_mail.rs`).
//!
//! A request nobody decided on (never answered, declined, or answered and left) is purged
//! `days` after it expired: it can no longer be answered, and nobody is going to decide.
//! A request under a temporary movement is held back while the movement runs and counted
//! from the movement's end (`temporary.rs`, [`crate::retention_hold_sql`]).
//!
//! Invariants:
//! - A purged request accepts nothing more: its expiry is brought forward to the purge if it
//!   was later, a decision needs `purged_at IS NULL`, and refused responses are no longer
//!   logged against it. So purging is final and a second run finds nothing to do.
//! - Every call is scoped by organisation; each request is purged in its own transaction, so a
//!   long run never holds SQLite's writer for long and a failure leaves whole requests.
//! - The audit log is untouched: its entries name requests by id and never held their data.
use crate::governance_rotations::purge_rotation_row;
use crate::{retention_hold_sql, Result, Store, StoreError};
use sqlx::{AnyConnection, Row};

/// Seconds in a day, for retention periods given in days.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// Requests read per query of a run.
const BATCH: i64 = 200;

/// What one retention run deleted at one organisation (counts only, for the audit entry).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionOutcome {
    /// Requests purged by this run.
    pub requests: u64,
    /// Of those, requests nobody decided on (purged after their expiry).
    pub undecided: u64,
    /// Presented credentials deleted.
    pub presented: u64,
    /// Refused-response log lines deleted.
    pub refused_responses: u64,
    /// Rotation rows (of the purged requests) whose names, e-mail and GMC number were deleted.
    pub rotation_rows: u64,
    /// Delivered or dead e-mails deleted after the mail retention period
    /// ([`Store::apply_mail_retention`]; 0 from [`Store::apply_retention`]).
    pub mails: u64,
    /// Webhook events (with their deliveries) deleted after the same period
    /// ([`Store::apply_event_retention`]; 0 from [`Store::apply_retention`]).
    pub events: u64,
}

/// What purging one request deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Purged {
    pub presented: u64,
    pub refused_responses: u64,
    /// Rotation rows that lost their personal details (0 or 1: a request has at most one).
    pub rotation_rows: u64,
}

/// Why a request was purged, as stored in `purge_reason`.
pub const PURGED_FOR_RETENTION: &str = "retention";
pub const PURGED_FOR_ERASURE: &str = "erasure";

/// Purges request `id` of `org` on `conn` (the caller's transaction) for `reason` (one of the
/// constants above): see the module doc. `None` if there is no such request or it was purged
/// already. With `due_before` (retention's cutoff), the request must still be due when it is
/// taken: decided before the cutoff, or undecided and expired before it, and not held by a
/// temporary movement. A decision or an acceptance committed since the run chose it wins.
pub(crate) async fn purge_request(
    conn: &mut AnyConnection,
    org: &str,
    id: &str,
    reason: &str,
    now: i64,
    due_before: Option<i64>,
) -> Result<Option<Purged>> {
    let still_due = match due_before {
        None => String::new(),
        Some(_) => format!(
            " AND ((decided_at IS NOT NULL AND decided_at < $5) \
             OR (decided_at IS NULL AND expires_at < $5)) AND {}",
            retention_hold_sql("$5")
        ),
    };
    // The report goes last: this UPDATE first takes the row (PostgreSQL's row lock; SQLite has
    // one writer) and closes it to answers, so the report read next is final, and the rotation
    // row keeps its figures from exactly that report.
    let sql = format!(
        "UPDATE transfer_requests SET person_name = '', person_email = '', \
         registration_number = NULL, start_date = '', end_date = '', \
         decision_note = NULL, enc_key = '', response_code_hash = NULL, \
         expires_at = CASE WHEN expires_at > $3 THEN $3 ELSE expires_at END, purged_at = $3, \
         purge_reason = $4 WHERE org = $1 AND id = $2 AND purged_at IS NULL{still_due}"
    );
    let mut query = sqlx::query(&sql).bind(org).bind(id).bind(now).bind(reason);
    if let Some(cutoff) = due_before {
        query = query.bind(cutoff);
    }
    let updated = query.execute(&mut *conn).await?;
    if updated.rows_affected() != 1 {
        return Ok(None);
    }
    let report: Option<String> =
        sqlx::query_scalar("SELECT report FROM transfer_requests WHERE org = $1 AND id = $2")
            .bind(org)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let rotation_rows = purge_rotation_row(conn, org, id, report.as_deref(), now).await?;
    sqlx::query("UPDATE transfer_requests SET report = NULL WHERE org = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let presented =
        sqlx::query("DELETE FROM presented_credentials WHERE org = $1 AND request_id = $2")
            .bind(org)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    let refused_responses =
        sqlx::query("DELETE FROM response_failures WHERE org = $1 AND request_id = $2")
            .bind(org)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    // The request is `org`'s (the UPDATE above matched it), and request ids are unique.
    sqlx::query("DELETE FROM seen_responses WHERE request_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(Some(Purged {
        presented,
        refused_responses,
        rotation_rows,
    }))
}

/// The time `days` days before `now`: what finished before it is due. `days` must be at
/// least 1 (a shorter period is a configuration mistake, refused before anything is deleted).
pub(crate) fn cutoff(days: i64, now: i64) -> Result<i64> {
    if days < 1 {
        return Err(StoreError::Invalid(format!(
            "retention of {days} days: it must be at least 1"
        )));
    }
    days.checked_mul(SECONDS_PER_DAY)
        .and_then(|span| now.checked_sub(span))
        .ok_or_else(|| StoreError::Invalid(format!("retention of {days} days")))
}

impl Store {
    /// Purges every request of `org` decided more than `days` days before `now`, or never
    /// decided and expired more than `days` days before `now`. `days` must be at least 1.
    pub async fn apply_retention(
        &self,
        org: &str,
        days: i64,
        now: i64,
    ) -> Result<RetentionOutcome> {
        let cutoff = cutoff(days, now)?;
        let mut out = RetentionOutcome::default();
        loop {
            let due = sqlx::query(&format!(
                "SELECT id, decided_at FROM transfer_requests \
                 WHERE org = $1 AND purged_at IS NULL AND \
                 ((decided_at IS NOT NULL AND decided_at < $2) \
                  OR (decided_at IS NULL AND expires_at < $2)) AND {} \
                 ORDER BY created_at, id LIMIT $3",
                retention_hold_sql("$2")
            ))
            .bind(org)
            .bind(cutoff)
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            if due.is_empty() {
                return Ok(out);
            }
            let mut progressed = false;
            for row in &due {
                let id: String = row.try_get("id")?;
                let decided: Option<i64> = row.try_get("decided_at")?;
                let mut tx = self.pool.begin().await?;
                let purged =
                    purge_request(&mut tx, org, &id, PURGED_FOR_RETENTION, now, Some(cutoff))
                        .await?;
                tx.commit().await?;
                if let Some(p) = purged {
                    progressed = true;
                    out.requests += 1;
                    out.undecided += u64::from(decided.is_none());
                    out.presented += p.presented;
                    out.refused_responses += p.refused_responses;
                    out.rotation_rows += p.rotation_rows;
                }
            }
            if !progressed {
                // Another run purged them meanwhile: what is left is somebody else's work.
                return Ok(out);
            }
        }
    }
}
