//! The scheduled task that ends arrangements whose end date has passed.
//!
//! An arrangement's end date is its last day; it ends on the first check of the next day (UTC),
//! at most `temporary.end_check_interval_secs` later. Which day it is comes from the calendar
//! the task is given (today's UTC date in `crate::serve`; a day moved past the end date in
//! tests); what is recorded (`ended_at`, the event's time) is the server's clock, the one the
//! outbox schedules deliveries on, so an event is never queued for the future. [`end_due`]
//! takes both as parameters and reads no clock itself.
//!
//! Any number of servers may run the task against one database: each end is a conditional
//! change of state (see `passport_store::temporary`), so an arrangement ends, and its `ended`
//! event is queued, exactly once; a server that loses the race skips it.
use super::event_data;
use crate::webhooks::TEMPORARY_MOVEMENT_ENDED;
use crate::{AppState, ServerError, Shared};
use passport_store::{AuditEvent, EndReason, MovementEvent, StoreError, TemporaryMovement};
use std::time::Duration;
use time::Date;

/// Arrangements ended per query.
const BATCH: i64 = 100;

/// Ends every active arrangement, of any organisation this node hosts, whose end date is before
/// `today`, at time `now`; returns how many this call ended. Each gets its `ended` event and an
/// audit entry by the system.
pub async fn end_due(state: &AppState, today: Date, now: i64) -> Result<usize, ServerError> {
    let today = today.to_string();
    let mut ended = 0;
    loop {
        let due = state.store.due_temporary_movements(&today, BATCH).await?;
        let mut progressed = false;
        for (org, id) in &due {
            let event = MovementEvent {
                event_type: TEMPORARY_MOVEMENT_ENDED,
                data: |m: &TemporaryMovement| event_data(m, Some(now)),
            };
            let result = state
                .store
                .end_temporary_movement(org, id, None, EndReason::EndDate, "", now, event)
                .await;
            match result {
                Ok(_) => {}
                // Another server ended it first.
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
            progressed = true;
            ended += 1;
            let entry = AuditEvent {
                org,
                actor_id: "system",
                actor_name: "scheduled task",
                role: "system",
                action: "temporary-movement-ended",
                subject: id,
                purpose: "transfer",
                outcome: "done",
                detail: "end date passed",
            };
            state.store.append_audit(&entry, now).await?;
        }
        if !progressed || due.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(ended);
        }
    }
}

/// The running task. Dropping it stops it.
pub struct EndJob {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for EndJob {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the task: a first pass a second after start (arrangements that ended while the
/// server was down end at once), then one every `temporary.end_check_interval_secs`, each on
/// the day `today` gives.
pub fn spawn(
    state: Shared,
    today: impl Fn() -> Date + Send + Sync + 'static,
) -> Result<EndJob, ServerError> {
    let config = &state.config.temporary;
    config.check().map_err(ServerError::Startup)?;
    let every = Duration::from_secs(config.end_check_interval_secs);
    let task = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        loop {
            match end_due(&state, today(), crate::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(ended = n, "temporary arrangements ended"),
                Err(e) => tracing::warn!("ending temporary arrangements: {e}"),
            }
            tokio::time::sleep(every).await;
        }
    });
    Ok(EndJob { task })
}
