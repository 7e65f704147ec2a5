//! Reminders to the doctors of a changeover who have not answered: who they are, and queueing
//! their e-mails in one transaction that re-checks, row by row, that each still has not.
use crate::outbox::{enqueue_mail, NewMail};
use crate::rotations::MailText;
use crate::{Result, Store};
use sqlx::Row;

/// A doctor who has not answered and whose request is still open: whom a reminder goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderTarget {
    pub row_id: String,
    pub request_id: String,
    pub forenames: String,
    pub surname: String,
    pub email: String,
    pub start_date: String,
    pub expires_at: i64,
    /// The signed request object: the reminder's link must carry the `client_id` it was
    /// signed under.
    pub request_object: String,
}

impl Store {
    /// The doctors of changeover `id` of `org` who have not answered (neither shared nor
    /// declined) while their request is still open at `now`.
    pub async fn reminder_targets(
        &self,
        org: &str,
        id: &str,
        now: i64,
    ) -> Result<Vec<ReminderTarget>> {
        let rows = sqlx::query(
            "SELECT r.id AS row_id, r.request_id, r.forenames, r.surname, r.email, r.start_date, \
             t.expires_at, t.request_object FROM rotation_rows r \
             JOIN transfer_requests t ON t.id = r.request_id AND t.org = r.org \
             WHERE r.org = $1 AND r.changeover_id = $2 AND t.status IN ('open', 'fetched') \
             AND t.expires_at > $3 AND r.purged_at IS NULL ORDER BY r.imported_at, r.line, r.id",
        )
        .bind(org)
        .bind(id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReminderTarget {
                    row_id: r.try_get("row_id")?,
                    request_id: r.try_get("request_id")?,
                    forenames: r.try_get("forenames")?,
                    surname: r.try_get("surname")?,
                    email: r.try_get("email")?,
                    start_date: r.try_get("start_date")?,
                    expires_at: r.try_get("expires_at")?,
                    request_object: r.try_get("request_object")?,
                })
            })
            .collect()
    }

    /// Queues `reminders` (target, e-mail) of changeover `id` of `org` in one transaction.
    /// Each goes only if its doctor has still not answered and the request is still open (an
    /// answer that arrived since the targets were read wins); returns how many were queued.
    pub async fn queue_reminders(
        &self,
        org: &str,
        id: &str,
        reminders: &[(ReminderTarget, MailText)],
        now: i64,
    ) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let mut queued = 0u64;
        for (target, mail) in reminders {
            let done = sqlx::query(
                "UPDATE rotation_rows SET reminders = reminders + 1, last_reminded_at = $4 \
                 WHERE org = $1 AND changeover_id = $2 AND id = $3 AND purged_at IS NULL AND EXISTS (\
                 SELECT 1 FROM transfer_requests t WHERE t.org = $1 AND t.id = rotation_rows.request_id \
                 AND t.status IN ('open', 'fetched') AND t.expires_at > $4)",
            )
            .bind(org)
            .bind(id)
            .bind(&target.row_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                continue;
            }
            let new = NewMail {
                org,
                to: &target.email,
                subject: &mail.subject,
                text: &mail.text,
                html: mail.html.as_deref(),
            };
            enqueue_mail(&mut tx, &new, now).await?;
            queued += 1;
        }
        tx.commit().await?;
        Ok(queued)
    }
}
