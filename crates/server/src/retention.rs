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
//!
//! The same run deletes the personal details of the rotation rows made for the purged requests
//! (in each request's transaction), and the delivered or dead e-mails that finished more than
//! `mail_retention_days` ago (`passport_store` `governance_mail.rs`); pending e-mails stay.
use crate::{now, Config, ServerError, Shared};
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

/// What the job keeps, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Days a transfer request's presentation data (and its rotation row's personal details)
    /// is kept after the decision, or after it expired if undecided.
    pub days: i64,
    /// Days a delivered or dead e-mail is kept after it finished.
    pub mail_days: i64,
}

impl Policy {
    /// `days` for requests, with the default mail period.
    pub fn with_days(days: i64) -> Policy {
        Policy {
            days,
            mail_days: Config::default().mail_retention_days,
        }
    }

    /// The configured policy; a period under a day is refused (a configuration mistake must
    /// stop the job, not delete data early).
    pub fn of(config: &Config) -> Result<Policy, ServerError> {
        for (name, days) in [
            ("retention_days", config.retention_days),
            ("mail_retention_days", config.mail_retention_days),
        ] {
            if days < 1 {
                return Err(ServerError::Startup(format!(
                    "{name} is {days}: it must be at least 1"
                )));
            }
        }
        Ok(Policy {
            days: config.retention_days,
            mail_days: config.mail_retention_days,
        })
    }
}

/// What a run did, in words for the audit log and the command line: counts only.
pub fn describe(policy: &Policy, o: &RetentionOutcome) -> String {
    format!(
        "retention {} days: {} transfer requests purged ({} undecided); \
         {} presented credentials and {} refused responses deleted; \
         {} rotation list rows' personal details deleted; \
         mail {} days: {} e-mails and {} webhook events deleted",
        policy.days,
        o.requests,
        o.undecided,
        o.presented,
        o.refused_responses,
        o.rotation_rows,
        policy.mail_days,
        o.mails,
        o.events
    )
}

/// [`run_policy`] with `days` for requests and the default mail period.
pub async fn run(
    store: &Store,
    days: i64,
    runner: Runner,
    now: i64,
) -> Result<Vec<(String, RetentionOutcome)>, ServerError> {
    run_policy(store, &Policy::with_days(days), runner, now).await
}

/// Applies `policy` at every organisation of `store` at time `now`, and records one audit
/// entry for each; returns what it did per organisation (ODS code).
pub async fn run_policy(
    store: &Store,
    policy: &Policy,
    runner: Runner,
    now: i64,
) -> Result<Vec<(String, RetentionOutcome)>, ServerError> {
    let mut done = Vec::new();
    for org in store.orgs().await? {
        let mut outcome = store
            .apply_retention(&org.ods_code, policy.days, now)
            .await?;
        outcome.mails = (store.apply_mail_retention(&org.ods_code, policy.mail_days, now)).await?;
        outcome.events =
            (store.apply_event_retention(&org.ods_code, policy.mail_days, now)).await?;
        let detail = describe(policy, &outcome);
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
    let policy = Policy::of(&state.config)?;
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
            match run_policy(&state.store, &policy, Runner::Scheduled, now()).await {
                Ok(done) => {
                    let busy = |o: &RetentionOutcome| o.requests > 0 || o.mails > 0;
                    for (org, o) in done.iter().filter(|(_, o)| busy(o)) {
                        tracing::info!("{org}: {}", describe(&policy, o));
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
            rotation_rows: 1,
            mails: 40,
            events: 2,
        };
        let policy = Policy {
            days: 90,
            mail_days: 30,
        };
        assert_eq!(
            describe(&policy, &o),
            "retention 90 days: 3 transfer requests purged (1 undecided); \
             12 presented credentials and 2 refused responses deleted; \
             1 rotation list rows' personal details deleted; mail 30 days: 40 e-mails and 2 webhook events deleted"
        );
        assert_eq!(Runner::Scheduled.actor_name(), "retention job");
    }

    #[test]
    fn the_policy_comes_from_defaults_the_file_and_the_environment() {
        let mut c = crate::Config::default();
        assert_eq!((c.retention_days, c.retention_interval_secs), (90, 86_400));
        assert_eq!(Policy::of(&c).ok(), Some(Policy::with_days(90)));
        assert_eq!(c.mail_retention_days, 30);
        c.apply_env(|name| match name {
            "PASSPORT_RETENTION_DAYS" => Some("30".to_string()),
            "PASSPORT_RETENTION_INTERVAL_SECS" => Some("3600".to_string()),
            "PASSPORT_MAIL_RETENTION_DAYS" => Some("7".to_string()),
            _ => None,
        })
        .ok();
        assert_eq!((c.retention_days, c.retention_interval_secs), (30, 3600));
        let policy = Policy {
            days: 30,
            mail_days: 7,
        };
        assert_eq!(Policy::of(&c).ok(), Some(policy));
        // A mail period under a day is refused as the request period is.
        let mut none = c.clone();
        none.mail_retention_days = 0;
        assert!(Policy::of(&none).is_err_and(|e| e.to_string().contains("mail_retention_days")));
        let file: Result<crate::Config, _> = toml::from_str("retention_days = 7");
        assert_eq!(file.map(|c| c.retention_days).ok(), Some(7));
        let bad = c.apply_env(|n| (n == "PASSPORT_RETENTION_DAYS").then(|| "a week".into()));
        assert!(bad.is_err_and(|e| e.to_string().contains("PASSPORT_RETENTION_DAYS")));
    }
}
