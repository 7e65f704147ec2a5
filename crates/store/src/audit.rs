//! The tamper-evident audit log: who read or changed what personal data, when and why, and the
//! server's own security events.
//!
//! Invariants:
//! - Append-only: this module never updates or deletes an entry.
//! - One hash chain for the node: entry `n` stores `prev_hash` = the hash of entry `n - 1` (64
//!   zeros for the first) and `hash` = SHA-256 of [`encode`] (every field, `prev_hash` included).
//!   An edited entry no longer matches its hash; a deleted one leaves a gap in `seq`; a moved or
//!   rewritten-and-rehashed one no longer links to the entry before it; entries cut off the end
//!   no longer reach `audit_head`.
//! - Appends are serialised: each takes the `audit_head` row with an UPDATE before reading it, so
//!   concurrent appends (any number of connections or processes, either database) queue on that
//!   row and each links to the one committed before it.
//! - Text is stored without control characters and cut to a bounded length, so what a user typed
//!   (a revocation reason, a note) can neither break PostgreSQL's TEXT nor flood the log.
use crate::{sha256_hex, Result, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Longest stored text of any field (characters).
const MAX_FIELD_CHARS: usize = 500;

/// Entries read per query when verifying, so a long log never sits in memory at once.
const VERIFY_PAGE: i64 = 1000;

/// Something to record: the organisation whose data it concerns, who acted and in which role,
/// what they did, to what, why, and how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditEvent<'a> {
    /// The organisation (ODS code) whose data or setting it concerns.
    pub org: &'a str,
    /// The user's id (`system` for the server itself).
    pub actor_id: &'a str,
    /// The user's username at the time, kept because ids alone do not read.
    pub actor_name: &'a str,
    /// The role they acted in.
    pub role: &'a str,
    /// What was done, as a short stable name (e.g. `view-staff`, `credential-revoked`).
    pub action: &'a str,
    /// The person id or request id it concerned; empty for none.
    pub subject: &'a str,
    /// Why: the purpose of the access (e.g. `issue`, `transfer`).
    pub purpose: &'a str,
    /// `allowed`, `refused`, `not-found` or `done`.
    pub outcome: &'a str,
    /// Anything else worth keeping (a credential type, a decision); never a secret.
    pub detail: &'a str,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub org: String,
    pub actor_id: String,
    pub actor_name: String,
    pub role: String,
    pub action: String,
    pub subject: String,
    pub purpose: String,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// How the chain is broken at the first bad entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's content no longer matches its hash: it was edited.
    Edited,
    /// The entry is missing: `seq` jumps past it, or the log ends before the head says it does.
    Deleted,
    /// The entry's own hash is right but it does not follow the entry before it: entries were
    /// moved, or an earlier one was rewritten with a recomputed hash.
    Reordered,
    /// The entry lies beyond the last one the head recorded: added behind the server's back.
    Unrecorded,
}

impl ChainBreak {
    pub fn as_str(self) -> &'static str {
        match self {
            ChainBreak::Edited => "edited",
            ChainBreak::Deleted => "deleted",
            ChainBreak::Reordered => "reordered",
            ChainBreak::Unrecorded => "unrecorded",
        }
    }

    /// What it means, for people.
    pub fn explain(self) -> &'static str {
        match self {
            ChainBreak::Edited => "its content does not match its hash (edited)",
            ChainBreak::Deleted => "it is missing (deleted)",
            ChainBreak::Reordered => {
                "it does not follow the entry before it (reordered, or an earlier entry rewritten)"
            }
            ChainBreak::Unrecorded => "it was added after the last entry the server recorded",
        }
    }
}

/// The outcome of [`Store::verify_audit_chain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every entry is in place; `head` is the last entry's hash (worth noting down elsewhere: a
    /// later check that still reaches it proves nothing before it changed).
    Intact { entries: i64, head: String },
    /// The first entry that fails, and how.
    Broken { seq: i64, reason: ChainBreak },
}

/// The canonical text an entry's hash is taken over: a JSON array of a version tag and every
/// field in a fixed order. JSON strings escape unambiguously, so no two entries share a text.
pub fn encode(e: &AuditEvent<'_>, seq: i64, at: i64, prev_hash: &str) -> String {
    serde_json::json!([
        "passport-audit-v1",
        seq,
        at,
        e.org,
        e.actor_id,
        e.actor_name,
        e.role,
        e.action,
        e.subject,
        e.purpose,
        e.outcome,
        e.detail,
        prev_hash
    ])
    .to_string()
}

fn entry_hash(e: &AuditEntry) -> String {
    sha256_hex(encode(&e.event(), e.seq, e.at, &e.prev_hash).as_bytes())
}

/// `text` without control characters, at most [`MAX_FIELD_CHARS`] characters.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_FIELD_CHARS)
        .collect()
}

impl AuditEntry {
    /// The entry's recorded fields, as they were appended.
    pub fn event(&self) -> AuditEvent<'_> {
        AuditEvent {
            org: &self.org,
            actor_id: &self.actor_id,
            actor_name: &self.actor_name,
            role: &self.role,
            action: &self.action,
            subject: &self.subject,
            purpose: &self.purpose,
            outcome: &self.outcome,
            detail: &self.detail,
        }
    }
}

const COLUMNS: &str = "seq, at, org, actor_id, actor_name, role, action, subject, purpose, \
                       outcome, detail, prev_hash, hash";

fn entry_row(r: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        org: r.try_get("org")?,
        actor_id: r.try_get("actor_id")?,
        actor_name: r.try_get("actor_name")?,
        role: r.try_get("role")?,
        action: r.try_get("action")?,
        subject: r.try_get("subject")?,
        purpose: r.try_get("purpose")?,
        outcome: r.try_get("outcome")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

impl Store {
    /// Appends `event` at time `now`; returns its `seq`. One transaction: the head row is locked
    /// first, so this entry links to the last one committed, whoever else is appending.
    pub async fn append_audit(&self, event: &AuditEvent<'_>, now: i64) -> Result<i64> {
        let fields: Vec<String> = [
            event.org,
            event.actor_id,
            event.actor_name,
            event.role,
            event.action,
            event.subject,
            event.purpose,
            event.outcome,
            event.detail,
        ]
        .iter()
        .map(|f| clean(f))
        .collect();
        let e = AuditEvent {
            org: &fields[0],
            actor_id: &fields[1],
            actor_name: &fields[2],
            role: &fields[3],
            action: &fields[4],
            subject: &fields[5],
            purpose: &fields[6],
            outcome: &fields[7],
            detail: &fields[8],
        };
        let mut tx = self.pool.begin().await?;
        let locked = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        if locked.rows_affected() != 1 {
            return Err(StoreError::Corrupt(
                "the audit log's head row is missing".into(),
            ));
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let prev_seq: i64 = head.try_get("seq")?;
        let prev_hash: String = head.try_get("hash")?;
        let seq = prev_seq + 1;
        let hash = sha256_hex(encode(&e, seq, now, &prev_hash).as_bytes());
        sqlx::query(&format!(
            "INSERT INTO audit_log ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(seq)
        .bind(now)
        .bind(e.org)
        .bind(e.actor_id)
        .bind(e.actor_name)
        .bind(e.role)
        .bind(e.action)
        .bind(e.subject)
        .bind(e.purpose)
        .bind(e.outcome)
        .bind(e.detail)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Up to `limit` entries of `org`, newest first, older than `before` (a seq) when given,
    /// only those about `subject` when given.
    pub async fn audit_entries(
        &self,
        org: &str,
        subject: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log \
             WHERE org = $1 AND ($2 = '' OR subject = $2) AND seq < $3 \
             ORDER BY seq DESC LIMIT $4"
        ))
        .bind(org)
        .bind(subject.unwrap_or(""))
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_row).collect()
    }

    /// Checks the whole chain, oldest first, a page at a time: every entry in sequence, matching
    /// its hash and linked to the one before; the last one the one the head recorded. Entries
    /// appended while the check runs are checked too.
    pub async fn verify_audit_chain(&self) -> Result<ChainCheck> {
        let mut last_seq = 0i64;
        let mut last_hash = GENESIS_HASH.to_string();
        loop {
            let mut advanced = false;
            loop {
                let rows = sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                ))
                .bind(last_seq)
                .bind(VERIFY_PAGE)
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    let e = entry_row(row)?;
                    if let Some(reason) = check_link(&e, last_seq, &last_hash) {
                        let seq = if reason == ChainBreak::Deleted {
                            last_seq + 1
                        } else {
                            e.seq
                        };
                        return Ok(ChainCheck::Broken { seq, reason });
                    }
                    last_seq = e.seq;
                    last_hash = e.hash;
                    advanced = true;
                }
            }
            let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::Corrupt("the audit log's head row is missing".into()))?;
            let head_seq: i64 = head.try_get("seq")?;
            let head_hash: String = head.try_get("hash")?;
            if head_seq == last_seq {
                if head_hash != last_hash {
                    return Ok(ChainCheck::Broken {
                        seq: last_seq,
                        reason: ChainBreak::Edited,
                    });
                }
                return Ok(ChainCheck::Intact {
                    entries: last_seq,
                    head: last_hash,
                });
            }
            if head_seq < last_seq {
                return Ok(ChainCheck::Broken {
                    seq: head_seq + 1,
                    reason: ChainBreak::Unrecorded,
                });
            }
            // The head is ahead: entries were appended while we read, or the tail is gone.
            if !advanced && !self.audit_entry_exists(last_seq + 1).await? {
                return Ok(ChainCheck::Broken {
                    seq: last_seq + 1,
                    reason: ChainBreak::Deleted,
                });
            }
        }
    }

    async fn audit_entry_exists(&self, seq: i64) -> Result<bool> {
        let row = sqlx::query("SELECT seq FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }
}

/// Why `e` does not follow the entry (`prev_seq`, `prev_hash`), if it does not.
fn check_link(e: &AuditEntry, prev_seq: i64, prev_hash: &str) -> Option<ChainBreak> {
    if e.seq != prev_seq + 1 {
        return Some(ChainBreak::Deleted);
    }
    if entry_hash(e) != e.hash {
        return Some(ChainBreak::Edited);
    }
    if e.prev_hash != prev_hash {
        return Some(ChainBreak::Reordered);
    }
    None
}
