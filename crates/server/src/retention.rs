//! The retention job: at every organisation the node holds, deletes the presentation data of
//! transfer requests decided more than `retention_days` ago (or, never decided, expired more
//! than `retention_days` ago), keeping the decision (`passport_store` `governance.rs` says
//! exactly what goes and what stays).
//!
//! It runs in the server ([`spawn`]: a minute after start, then every
//! `retention_interval_secs`) and from the command line (`passport retention run`, for
//! operators who schedule it with cron); both call [`run`]. Each run writes one audit entry per
//! organisation, `retention-run`, with counts only: the log never holds what was deleted.
//! Running twice does nothing more: a purged request is never due again.
use crate::{now, ServerError, Shared};
use passport_store::{AuditEvent, RetentionOutcome, Store};
use std::sync::Arc;
use std::time::Duration;

/// The audit entry's action and purpose.
pub const ACTION: &str = "retention-run";
pub const PURPOSE: &str = "retention";

/// The longest wait before the server's first run.
const FIRST_RUN_SECS: u64 = 60;

/// Who started a run, as the audit entry names them (`actor_id` is `system` for both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// The server's scheduled task.
    Scheduled,
    /// `passport retention run`.
    CommandLine,
}

impl Runner {
    pub fn actor_name(self) -> &'static str {
        match self {
            Runner::Scheduled => "retention job",
            Runner::CommandLine => "passport retention run",
        }
    }
}

/// What a run did, in words for the audit log and the command line: counts only.
pub fn describe(days: i64, o: &RetentionOutcome) -> String {
    format!(
        "retention {days} days: {} transfer requests purged ({} undecided); \
         {} presented credentials and {} refused responses deleted",
        o.requests, o.undecided, o.presented, o.refused_responses
    )
}

/// Applies the retention policy of `days` at every organisation of `store` at time `now`, and
/// records one audit entry for each; returns what it did per organisation (ODS code).
pub async fn run(
    store: &Store,
    days: i64,
    runner: Runner,
    now: i64,
) -> Result<Vec<(String, RetentionOutcome)>, ServerError> {
    let mut done = Vec::new();
    for org in store.orgs().await? {
        let outcome = store.apply_retention(&org.ods_code, days, now).await?;
        let detail = describe(days, &outcome);
        let event = AuditEvent {
            org: &org.ods_code,
            actor_id: "system",
            actor_name: runner.actor_name(),
            role: "system",
            action: ACTION,
            subject: "",
            purpose: PURPOSE,
            outcome: "done",
            detail: &detail,
        };
        store.append_audit(&event, now).await?;
        done.push((org.ods_code, outcome));
    }
    Ok(done)
}

/// Starts the server's retention task; refuses a period under a day or an interval under a
/// second (a configuration mistake must stop the start, not delete data early).
pub fn spawn(state: &Shared) -> Result<tokio::task::JoinHandle<()>, ServerError> {
    let days = state.config.retention_days;
    if days < 1 {
        return Err(ServerError::Startup(format!(
            "retention_days is {days}: it must be at least 1"
        )));
    }
    let every = u64::try_from(state.config.retention_interval_secs)
        .ok()
        .filter(|s| *s >= 1)
        .ok_or_else(|| {
            ServerError::Startup(format!(
                "retention_interval_secs is {}: it must be at least 1",
                state.config.retention_interval_secs
            ))
        })?;
    let first = Duration::from_secs(every.min(FIRST_RUN_SECS));
    let every = Duration::from_secs(every);
    let weak = Arc::downgrade(state);
    Ok(tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + first, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(state) = weak.upgrade() else {
                break;
            };
            match run(&state.store, days, Runner::Scheduled, now()).await {
                Ok(done) => {
                    for (org, o) in done.iter().filter(|(_, o)| o.requests > 0) {
                        tracing::info!("{org}: {}", describe(days, o));
                    }
                }
                Err(e) => tracing::error!("retention run failed: {e}"),
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_described_by_counts_alone() {
        let o = RetentionOutcome {
            requests: 3,
            undecided: 1,
            presented: 12,
            refused_responses: 2,
        };
        assert_eq!(
            describe(90, &o),
            "retention 90 days: 3 transfer requests purged (1 undecided); \
             12 presented credentials and 2 refused responses deleted"
        );
        assert_eq!(Runner::Scheduled.actor_name(), "retention job");
    }

    #[test]
    fn the_policy_comes_from_defaults_the_file_and_the_environment() {
        let mut c = crate::Config::default();
        assert_eq!((c.retention_days, c.retention_interval_secs), (90, 86_400));
        c.apply_env(|name| match name {
            "PASSPORT_RETENTION_DAYS" => Some("30".to_string()),
            "PASSPORT_RETENTION_INTERVAL_SECS" => Some("3600".to_string()),
            _ => None,
        })
        .ok();
        assert_eq!((c.retention_days, c.retention_interval_secs), (30, 3600));
        let file: Result<crate::Config, _> = toml::from_str("retention_days = 7");
        assert_eq!(file.map(|c| c.retention_days).ok(), Some(7));
        let bad = c.apply_env(|n| (n == "PASSPORT_RETENTION_DAYS").then(|| "a week".into()));
        assert!(bad.is_err_and(|e| e.to_string().contains("PASSPORT_RETENTION_DAYS")));
    }
}
