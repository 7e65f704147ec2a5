//! Webhook events under retention. An `outbox_events` row's `data` may name the person (a
//! temporary movement's accepted and ended events carry the name, e-mail and registration
//! number HR typed, so that access provisioning and ESR can act). Once every delivery of an
//! event has finished (delivered, or dead with its attempts used up) more than the mail
//! retention period ago, the event and its delivery rows are deleted. An event with a pending
//! delivery is never touched: it is still to be sent. An event nobody subscribed to (no
//! delivery rows) goes the same period after it was queued.
use crate::governance::cutoff;
use crate::{Result, Store};

/// Events deleted per statement of a run, so a run never holds SQLite's writer for long.
const BATCH: i64 = 500;

impl Store {
    /// Deletes `org`'s webhook events whose deliveries all finished more than `days` days
    /// before `now` (at least 1), with their delivery rows; returns how many events.
    pub async fn apply_event_retention(&self, org: &str, days: i64, now: i64) -> Result<u64> {
        let cutoff = cutoff(days, now)?;
        // Deliveries record `finished_at` in seconds; events their `time` in seconds.
        let due = "SELECT e.id FROM outbox_events e WHERE e.org = $1 AND e.time < $2 \
                   AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.event_id = e.id \
                   AND (d.state = 'pending' OR d.finished_at IS NULL OR d.finished_at >= $2)) \
                   ORDER BY e.time, e.id LIMIT $3";
        let mut deleted = 0;
        loop {
            let mut tx = self.pool.begin().await?;
            let ids: Vec<String> = sqlx::query_scalar(due)
                .bind(org)
                .bind(cutoff)
                .bind(BATCH)
                .fetch_all(&mut *tx)
                .await?;
            for id in &ids {
                sqlx::query("DELETE FROM outbox_deliveries WHERE event_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM outbox_events WHERE id = $1 AND org = $2")
                    .bind(id)
                    .bind(org)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            deleted += ids.len() as u64;
            if (ids.len() as i64) < BATCH {
                return Ok(deleted);
            }
        }
    }
}
