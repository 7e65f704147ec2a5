//! The person's own access log: the transfer requests a wallet key answered at this node, and
//! the audit entries about each.
//!
//! Invariants:
//! - Scoped by the holder key, not by organisation: this is the one read across the node's
//!   organisations, and it is the person's own (the caller has checked a proof of the key).
//!   Each request's entries are still read within that request's own organisation.
//! - Only what concerns the requests the key answered: audit entries whose subject is the
//!   request, or the temporary arrangement made with it, and that were allowed or done.
//! - Bounded: at most `max_requests` requests and `max_entries` entries per request, each with
//!   a flag saying more were left out.
//! - A proof's `jti` is accepted once ([`Store::use_access_log_proof`]); spent ids are dropped
//!   once their proofs would be stale anyway, so the register stays small.
use crate::{Result, Store};
use sqlx::Row;

/// A request answered with the key, as the person may see it: no name, email, registration
/// number, dates or claims (the person knows those; the log is about what others did).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderRequest {
    pub id: String,
    pub org: String,
    pub audience: String,
    /// The role requirement profile (JSON) as it was when the request was made.
    pub profile: String,
    pub created_at: i64,
    pub responded_at: Option<i64>,
    pub decision: Option<String>,
    pub decided_at: Option<i64>,
    pub purged_at: Option<i64>,
    pub purge_reason: Option<String>,
}

/// One audit entry about a request: when, which action (and its detail), in which role, why.
/// The actor's id and name are never read here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderEntry {
    pub at: i64,
    pub action: String,
    pub detail: String,
    pub role: String,
    pub purpose: String,
}

impl Store {
    /// Spends the proof id `jti` until `expires_at`: `true` the first time, `false` for a
    /// replay. Spent ids past their time are dropped first.
    pub async fn use_access_log_proof(&self, jti: &str, expires_at: i64, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM access_log_proofs WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO access_log_proofs (jti, expires_at) VALUES ($1, $2) \
             ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// The requests answered with the key of thumbprint `jkt`, newest answer first, at most
    /// `max`; `true` when there were more.
    pub async fn requests_of_holder(
        &self,
        jkt: &str,
        max: usize,
    ) -> Result<(Vec<HolderRequest>, bool)> {
        let limit = one_more_than(max);
        let rows = sqlx::query(
            "SELECT id, org, audience, profile, created_at, responded_at, decision, decided_at, \
             purged_at, purge_reason FROM transfer_requests WHERE holder_jkt = $1 \
             ORDER BY responded_at DESC, created_at DESC, id LIMIT $2",
        )
        .bind(jkt)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let out = rows
            .iter()
            .map(|r| {
                Ok(HolderRequest {
                    id: r.try_get("id")?,
                    org: r.try_get("org")?,
                    audience: r.try_get("audience")?,
                    profile: r.try_get("profile")?,
                    created_at: r.try_get("created_at")?,
                    responded_at: r.try_get("responded_at")?,
                    decision: r.try_get("decision")?,
                    decided_at: r.try_get("decided_at")?,
                    purged_at: r.try_get("purged_at")?,
                    purge_reason: r.try_get("purge_reason")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(at_most(out, max))
    }

    /// The audit entries of `org` about request `id` (or the temporary arrangement made with
    /// it) that were allowed or done, oldest first, at most `max`; `true` when there were more.
    pub async fn entries_about_request(
        &self,
        org: &str,
        id: &str,
        max: usize,
    ) -> Result<(Vec<HolderEntry>, bool)> {
        let limit = one_more_than(max);
        let rows = sqlx::query(
            "SELECT at, action, detail, role, purpose FROM audit_log \
             WHERE org = $1 AND outcome IN ('allowed', 'done') AND (subject = $2 OR subject IN \
             (SELECT m.id FROM temporary_movements m WHERE m.org = $1 AND m.request_id = $2)) \
             ORDER BY seq LIMIT $3",
        )
        .bind(org)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let out = rows
            .iter()
            .map(|r| {
                Ok(HolderEntry {
                    at: r.try_get("at")?,
                    action: r.try_get("action")?,
                    detail: r.try_get("detail")?,
                    role: r.try_get("role")?,
                    purpose: r.try_get("purpose")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(at_most(out, max))
    }
}

/// The row limit that fetches one row more than `max`, to tell whether there were more.
fn one_more_than(max: usize) -> i64 {
    i64::try_from(max).unwrap_or(i64::MAX - 1) + 1
}

/// The first `max` rows of a query limited by [`one_more_than`], and whether there were more.
fn at_most<T>(mut rows: Vec<T>, max: usize) -> (Vec<T>, bool) {
    let more = rows.len() > max;
    rows.truncate(max);
    (rows, more)
}
