//! The changes of state of a temporary movement (see the parent module for the invariants):
//! each is one transaction holding the request's decision or the end, the conditional UPDATE of
//! the state it leaves, and the webhook event it queues.
use super::{read, TemporaryMovement};
use crate::outbox::{enqueue_event, NewEvent};
use crate::{EndReason, MovementState, Result, Store, StoreError};
use sqlx::{AnyConnection, Row};

/// An event type and the data made from the movement as the transaction reads it.
pub struct MovementEvent<'a, F: FnOnce(&TemporaryMovement) -> serde_json::Value> {
    pub event_type: &'a str,
    pub data: F,
}

async fn emit<F: FnOnce(&TemporaryMovement) -> serde_json::Value>(
    conn: &mut AnyConnection,
    movement: &TemporaryMovement,
    event: MovementEvent<'_, F>,
    now: i64,
) -> Result<String> {
    let data = (event.data)(movement);
    let new = NewEvent {
        org: &movement.org,
        event_type: event.event_type,
        subject: &movement.id,
        data: &data,
    };
    enqueue_event(conn, &new, now).await
}

impl Store {
    /// HR accepts the passport for movement `id` of `org`: the request's decision is recorded,
    /// the movement becomes active, and `event` is queued, all in one transaction. `Conflict`
    /// unless the movement is `requested` and its request has an undecided response.
    pub async fn accept_temporary_movement<F: FnOnce(&TemporaryMovement) -> serde_json::Value>(
        &self,
        org: &str,
        id: &str,
        note: &str,
        by: &str,
        now: i64,
        event: MovementEvent<'_, F>,
    ) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let movement = read(&mut tx, org, id).await?;
        settle(&mut tx, &movement, Settled::Accepted, note, by, now).await?;
        let event_id = emit(&mut tx, &movement, event, now).await?;
        tx.commit().await?;
        Ok(event_id)
    }

    /// HR does not accept the passport for movement `id` of `org`: the request's decision is
    /// recorded and the movement becomes `rejected`, in one transaction. No event: nothing
    /// was provisioned.
    pub async fn reject_temporary_movement(
        &self,
        org: &str,
        id: &str,
        note: &str,
        by: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let movement = read(&mut tx, org, id).await?;
        settle(&mut tx, &movement, Settled::Rejected, note, by, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends the active movement `id` of `org` (`by`: the user, or `None` for the scheduled
    /// task) and queues `event`, in one transaction; returns the event id. `Conflict` when it
    /// is not active (already ended, never accepted), so it ends, and is announced, once.
    #[allow(clippy::too_many_arguments)] // one change and its event
    pub async fn end_temporary_movement<F: FnOnce(&TemporaryMovement) -> serde_json::Value>(
        &self,
        org: &str,
        id: &str,
        by: Option<&str>,
        reason: EndReason,
        note: &str,
        now: i64,
        event: MovementEvent<'_, F>,
    ) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let mut movement = read(&mut tx, org, id).await?;
        let ended = sqlx::query(
            "UPDATE temporary_movements SET state = 'ended', ended_by = $3, ended_at = $4, \
             end_reason = $5, end_note = $6 WHERE org = $1 AND id = $2 AND state = 'active'",
        )
        .bind(org)
        .bind(id)
        .bind(by)
        .bind(now)
        .bind(reason.as_str())
        .bind(note)
        .execute(&mut *tx)
        .await?;
        if ended.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "temporary movement {id} is not active"
            )));
        }
        movement.state = MovementState::Ended;
        movement.ended_by = by.map(str::to_owned);
        movement.ended_at = Some(now);
        movement.end_reason = Some(reason.as_str().to_owned());
        movement.end_note = Some(note.to_owned());
        let event_id = emit(&mut tx, &movement, event, now).await?;
        tx.commit().await?;
        Ok(event_id)
    }

    /// Active movements of every organisation whose end date is before `today` (`YYYY-MM-DD`):
    /// (organisation, movement id), earliest end first, at most `limit`. For the scheduled task.
    pub async fn due_temporary_movements(
        &self,
        today: &str,
        limit: i64,
    ) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT org, id FROM temporary_movements WHERE state = 'active' AND end_date < $1 \
             ORDER BY end_date, id LIMIT $2",
        )
        .bind(today)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("org")?, r.try_get("id")?)))
            .collect()
    }
}

/// Records `decision` on the movement's request, which must have an undecided response.
async fn decide(
    conn: &mut AnyConnection,
    movement: &TemporaryMovement,
    decision: &str,
    note: &str,
    by: &str,
    now: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE transfer_requests SET decision = $3, decision_note = $4, decided_by = $5, \
         decided_at = $6 WHERE org = $1 AND id = $2 AND status = 'responded' \
         AND decision IS NULL AND purged_at IS NULL",
    )
    .bind(&movement.org)
    .bind(&movement.request_id)
    .bind(decision)
    .bind(note)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "temporary movement {}: the passport has not been shared yet, or is already decided",
            movement.id
        )));
    }
    Ok(())
}

/// HR's decision on a movement that is still `requested`.
#[derive(Clone, Copy)]
enum Settled {
    Accepted,
    Rejected,
}

/// Records HR's decision on the movement's request and moves the movement from `requested` to
/// `active` (accepted) or `rejected`, on the caller's transaction. `Conflict` if it is no
/// longer awaiting a decision.
async fn settle(
    conn: &mut AnyConnection,
    movement: &TemporaryMovement,
    settled: Settled,
    note: &str,
    by: &str,
    now: i64,
) -> Result<()> {
    let (decision, state) = match settled {
        Settled::Accepted => ("accepted", "active"),
        Settled::Rejected => ("rejected", "rejected"),
    };
    decide(conn, movement, decision, note, by, now).await?;
    let moved = sqlx::query(
        "UPDATE temporary_movements SET state = $3, decided_by = $4, decided_at = $5 \
         WHERE org = $1 AND id = $2 AND state = 'requested'",
    )
    .bind(&movement.org)
    .bind(&movement.id)
    .bind(state)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "temporary movement {} is not awaiting a decision",
            movement.id
        )));
    }
    Ok(())
}
