//! Queued and sent e-mails under retention, subject access and erasure.
//!
//! An `outbox_mail` row holds a recipient address and bodies that name the person and carry a
//! link (an invitation's request, a new offer) or a transaction code. So:
//! - A delivered e-mail's bodies are deleted when it is delivered (`outbox/claim.rs`): the
//!   worker has sent them and nothing sends them again (only dead e-mails are re-queued).
//!   [`Store::apply_mail_retention`] also clears any left from before that rule.
//! - What stays of a delivered or dead e-mail (recipient, subject, attempts, last error) is
//!   kept for troubleshooting for the mail retention period after it finished (sent, or given
//!   up on), then the row is deleted. A dead e-mail keeps its bodies until then, so an
//!   administrator can re-queue it.
//! - A pending e-mail is never touched by retention: it is still to be sent.
//! - Subject access lists the e-mails to the person's address (letter case aside; never by
//!   name), without bodies (they carry links and codes, as offers' codes are never exported);
//!   erasure deletes the same rows, pending ones included (their requests are closed).
use crate::governance::cutoff;
use crate::outbox::{mail_view, MailView};
use crate::{Result, Store};
use sqlx::AnyConnection;

/// Rows changed per statement of a run, so a run never holds SQLite's writer for long.
const BATCH: i64 = 1000;

/// The addresses e-mails about a person went to: their own `email` and the address typed on
/// each of their transfer requests `request_ids` (a rotation list may give another address than
/// the person's record), lower-cased, each once. Read before the requests are purged.
pub(crate) async fn addresses_about(
    conn: &mut AnyConnection,
    org: &str,
    email: Option<&str>,
    request_ids: &[String],
) -> Result<Vec<String>> {
    let mut out: Vec<String> = email.into_iter().map(str::to_string).collect();
    for id in request_ids {
        let typed: Option<String> = sqlx::query_scalar(
            "SELECT person_email FROM transfer_requests WHERE org = $1 AND id = $2",
        )
        .bind(org)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        out.extend(typed);
    }
    let mut out: Vec<String> = out
        .iter()
        .map(|a| a.trim().to_lowercase())
        .filter(|a| !a.is_empty())
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// The e-mails of `org` to `address` (letter case aside), oldest first.
pub(crate) async fn mails_to(
    conn: &mut AnyConnection,
    org: &str,
    address: &str,
) -> Result<Vec<MailView>> {
    let rows = sqlx::query(
        "SELECT id, to_addr, subject, state, attempts, last_error, created_at, finished_at \
         FROM outbox_mail WHERE org = $1 AND LOWER(to_addr) = LOWER($2) \
         ORDER BY created_at, id",
    )
    .bind(org)
    .bind(address)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(mail_view).collect()
}

/// Deletes the e-mails of `org` to `address` (the rows [`mails_to`] lists), on the caller's
/// transaction; returns how many.
pub(crate) async fn delete_mails_to(
    conn: &mut AnyConnection,
    org: &str,
    address: &str,
) -> Result<u64> {
    let done = sqlx::query("DELETE FROM outbox_mail WHERE org = $1 AND LOWER(to_addr) = LOWER($2)")
        .bind(org)
        .bind(address)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

impl Store {
    /// Deletes `org`'s delivered and dead e-mails that finished more than `days` days before
    /// `now` (at least 1), and clears the bodies of any delivered one still holding them;
    /// pending e-mails are left alone. Returns how many e-mails were deleted.
    pub async fn apply_mail_retention(&self, org: &str, days: i64, now: i64) -> Result<u64> {
        let cutoff = cutoff(days, now)?;
        let mut deleted = 0;
        loop {
            let n = sqlx::query(
                "DELETE FROM outbox_mail WHERE id IN (SELECT id FROM outbox_mail \
                 WHERE org = $1 AND state IN ('delivered', 'dead') AND finished_at < $2 \
                 ORDER BY finished_at, id LIMIT $3)",
            )
            .bind(org)
            .bind(cutoff)
            .bind(BATCH)
            .execute(&self.pool)
            .await?
            .rows_affected();
            deleted += n;
            if n < BATCH as u64 {
                break;
            }
        }
        loop {
            let n = sqlx::query(
                "UPDATE outbox_mail SET text_body = '', html_body = NULL WHERE id IN \
                 (SELECT id FROM outbox_mail WHERE org = $1 AND state = 'delivered' \
                 AND (text_body <> '' OR html_body IS NOT NULL) LIMIT $2)",
            )
            .bind(org)
            .bind(BATCH)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if n < BATCH as u64 {
                return Ok(deleted);
            }
        }
    }
}
