//! Erasure of a person at one organisation (the right to erasure, UK GDPR article 17).
//!
//! In one transaction: every live credential issued to them is revoked (its status list entry
//! set, so wallets' copies stop verifying), and then their personal data is deleted: the
//! person row, identifiers, records of every state, offers with their access tokens and
//! grants, the register of issued credentials (the status entries stay: they hold no link to
//! anybody), the review items about them, and the presentation data of the transfer requests
//! about them (purged as retention does, `governance.rs`; a request still waiting for an
//! answer is closed; a rotation list row made for one loses the names, e-mail and GMC number),
//! and the e-mails to their address, queued or sent (`governance_mail.rs`). What is about them is decided by the rules of `subject.rs`, so a subject
//! access export shows exactly what erasure would delete.
//!
//! What stays: the person's id in `erased_persons` (the tombstone: who erased, when) and the
//! audit entries, which name the person only by that id. The audit chain is not edited: its
//! entries hold ids, actions and counts, never names, identifiers or free text about people.
//!
//! Re-importing the same person later creates a fresh person with a new id: no identifier
//! and no record of theirs is left to match on. An open review item that named them among
//! other candidates goes too; if it was somebody else's record, the next import of its file
//! queues it again.
use crate::governance::{purge_request, PURGED_FOR_ERASURE};
use crate::governance_mail::{addresses_about, delete_mails_to};
use crate::people::identifiers_of;
use crate::status::{set_entry, STATUS_REVOKED};
use crate::subject::{email_of, requests_about, review_items_about};
use crate::{Result, Store};
use sqlx::{AnyConnection, Row};

/// The reason kept on credentials revoked by an erasure (it names nobody).
pub const ERASURE_REVOKE_REASON: &str = "person erased";

/// What an erasure did (counts only: this is what the audit entry says).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErasureOutcome {
    pub identifiers: u64,
    pub records: u64,
    pub offers: u64,
    /// Credentials that were live and are now revoked.
    pub revoked: u64,
    /// Entries removed from the register of issued credentials (revoked before or now).
    pub credentials: u64,
    pub requests: u64,
    pub presented: u64,
    pub review_items: u64,
    /// Rotation list rows (of those requests) whose personal details were deleted.
    pub rotation_rows: u64,
    /// E-mails to their address deleted, queued or sent.
    pub mails: u64,
}

impl ErasureOutcome {
    /// The counts as one line, for the audit log and the page.
    pub fn summary(&self) -> String {
        format!(
            "{} identifiers, {} records, {} offers, {} credentials ({} revoked now), \
             {} transfer requests ({} presented credentials), {} review items, \
             {} rotation list rows, {} e-mails",
            self.identifiers,
            self.records,
            self.offers,
            self.credentials,
            self.revoked,
            self.requests,
            self.presented,
            self.review_items,
            self.rotation_rows,
            self.mails
        )
    }
}

async fn delete(conn: &mut AnyConnection, sql: &str, org: &str, id: &str) -> Result<u64> {
    Ok(sqlx::query(sql)
        .bind(org)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

impl Store {
    /// Erases `person_id` of `org` (module doc); `by` is the user id recorded on the tombstone.
    /// `None` if `org` holds no such person: nothing changes.
    pub async fn erase_person(
        &self,
        org: &str,
        person_id: &str,
        by: &str,
        now: i64,
    ) -> Result<Option<ErasureOutcome>> {
        let mut tx = self.pool.begin().await?;
        let Some(email) = email_of(&mut tx, org, person_id).await? else {
            return Ok(None);
        };
        let ids = identifiers_of(&mut tx, person_id).await?;
        let requests = requests_about(&mut tx, org, email.as_deref(), &ids).await?;
        let items = review_items_about(&mut tx, org, person_id, &ids).await?;
        let mut out = ErasureOutcome::default();

        let live = sqlx::query(
            "UPDATE issued_credentials SET revoked_at = $1, revoke_reason = $2 \
             WHERE org = $3 AND person_id = $4 AND revoked_at IS NULL RETURNING list_id, idx",
        )
        .bind(now)
        .bind(ERASURE_REVOKE_REASON)
        .bind(org)
        .bind(person_id)
        .fetch_all(&mut *tx)
        .await?;
        for r in &live {
            let (list, idx) = (r.try_get("list_id")?, r.try_get("idx")?);
            set_entry(&mut tx, org, list, idx, STATUS_REVOKED).await?;
        }
        out.revoked = live.len() as u64;
        out.credentials = delete(
            &mut tx,
            "DELETE FROM issued_credentials WHERE org = $1 AND person_id = $2",
            org,
            person_id,
        )
        .await?;
        delete(
            &mut tx,
            "DELETE FROM token_grants WHERE token_hash IN \
             (SELECT token_hash FROM access_tokens WHERE org = $1 AND person_id = $2)",
            org,
            person_id,
        )
        .await?;
        for (sql, slot) in [
            (
                "DELETE FROM access_tokens WHERE org = $1 AND person_id = $2",
                None,
            ),
            (
                "DELETE FROM offers WHERE org = $1 AND person_id = $2",
                Some(&mut out.offers),
            ),
            (
                "DELETE FROM records WHERE org = $1 AND person_id = $2",
                Some(&mut out.records),
            ),
            (
                "DELETE FROM person_identifiers WHERE org = $1 AND person_id = $2",
                Some(&mut out.identifiers),
            ),
        ] {
            let n = delete(&mut tx, sql, org, person_id).await?;
            if let Some(slot) = slot {
                *slot = n;
            }
        }
        for item in &items {
            out.review_items += delete(
                &mut tx,
                "DELETE FROM review_queue WHERE org = $1 AND id = $2",
                org,
                &item.id,
            )
            .await?;
        }
        let addresses = addresses_about(&mut tx, org, email.as_deref(), &requests).await?;
        for id in &requests {
            if let Some(p) = purge_request(&mut tx, org, id, PURGED_FOR_ERASURE, now, None).await? {
                out.requests += 1;
                out.presented += p.presented;
                out.rotation_rows += p.rotation_rows;
            }
        }
        for to in &addresses {
            out.mails += delete_mails_to(&mut tx, org, to).await?;
        }
        delete(
            &mut tx,
            "DELETE FROM persons WHERE org = $1 AND id = $2",
            org,
            person_id,
        )
        .await?;
        sqlx::query(
            "INSERT INTO erased_persons (id, org, erased_by, erased_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(person_id)
        .bind(org)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(out))
    }

    /// When `person_id` of `org` was erased, and by whom: the tombstone.
    pub async fn erased_person(&self, org: &str, person_id: &str) -> Result<Option<(i64, String)>> {
        let row = sqlx::query(
            "SELECT erased_at, erased_by FROM erased_persons WHERE org = $1 AND id = $2",
        )
        .bind(org)
        .bind(person_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("erased_at")?, r.try_get("erased_by")?)))
            .transpose()
    }
}
