//! The background worker: claims due webhook deliveries and e-mails from the outbox, attempts
//! them, and records each outcome (delivered, retry later with backoff, or dead).
//!
//! Any number of workers (server processes) may share one database: each claims rows under a
//! lease of its own (see `passport_store::outbox`), so a row is attempted by one worker at a
//! time, and a row whose worker died is taken again when its lease runs out.
use super::{cloudevent, http, signature, OutboxConfig, OutboxError};
use crate::mail::{Email, Mailer};
use crate::{ServerError, Shared};
use passport_store::outbox::{ClaimedDelivery, ClaimedMail, Outcome, Queue};
use std::sync::Arc;
use std::time::Duration;

/// Rows claimed per queue per pass; a full batch means another pass follows at once.
const BATCH: i64 = 16;

/// The running worker. Dropping it stops it (an attempt in flight is abandoned: its row's lease
/// runs out and it is attempted again, by this node after a restart or by another).
pub struct Worker {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Context {
    state: Shared,
    config: OutboxConfig,
    client: reqwest::Client,
    mailer: Option<Arc<dyn Mailer>>,
    /// This worker's lease name: random, so two processes never share one.
    owner: String,
}

/// Starts the worker for `state`'s outbox. Without a `mailer` (no SMTP configured) e-mails
/// stay queued until a server with one runs; webhooks are delivered regardless.
pub fn spawn(state: Shared, mailer: Option<Arc<dyn Mailer>>) -> Result<Worker, ServerError> {
    let config = state.config.outbox.clone();
    config.check().map_err(ServerError::Startup)?;
    let client = http::client(&config).map_err(|e| ServerError::Startup(e.to_string()))?;
    if mailer.is_none() {
        tracing::info!("no [mail] configured: queued e-mails wait until SMTP is configured");
    }
    let ctx = Arc::new(Context {
        state,
        config,
        client,
        mailer,
        owner: passport_store::new_id("worker-"),
    });
    let task = tokio::spawn(async move {
        let idle = Duration::from_millis(ctx.config.poll_interval_ms);
        loop {
            match run_once(&ctx).await {
                Ok(claimed) if claimed >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!("outbox worker: {e}"),
            }
            tokio::time::sleep(idle).await;
        }
    });
    Ok(Worker { task })
}

/// One pass: claims and attempts up to a batch of each queue at once; returns the most rows
/// claimed from either queue.
async fn run_once(ctx: &Arc<Context>) -> Result<i64, ServerError> {
    let lease = ctx.config.lease_ms();
    let store = &ctx.state.store;
    let deliveries = store
        .claim_deliveries(&ctx.owner, super::now_ms(), lease, BATCH)
        .await?;
    let mail = match ctx.mailer {
        Some(_) => {
            store
                .claim_mail(&ctx.owner, super::now_ms(), lease, BATCH)
                .await?
        }
        None => Vec::new(),
    };
    let claimed = i64::try_from(deliveries.len().max(mail.len())).unwrap_or(BATCH);
    let mut running = tokio::task::JoinSet::new();
    for d in deliveries {
        let ctx = ctx.clone();
        running.spawn(async move {
            let result = deliver(&ctx, &d).await;
            finish(&ctx, Queue::Webhooks, &d.id, d.attempt, result).await;
        });
    }
    for m in mail {
        let ctx = ctx.clone();
        running.spawn(async move {
            let result = send_mail(&ctx, &m).await;
            finish(&ctx, Queue::Mail, &m.id, m.attempt, result).await;
        });
    }
    while running.join_next().await.is_some() {}
    Ok(claimed)
}

/// Builds, signs and POSTs one delivery.
async fn deliver(ctx: &Context, d: &ClaimedDelivery) -> Result<(), OutboxError> {
    let issuer = ctx
        .state
        .issuers
        .get(&d.event.org)
        .ok_or_else(|| OutboxError::NotServed(d.event.org.clone()))?;
    let body = cloudevent::body(&d.event, &issuer.issuer_id)?;
    let sig =
        signature::sign(&body, &issuer.signer).map_err(|e| OutboxError::Signing(e.to_string()))?;
    http::post(&ctx.client, &d.url, body, &sig).await
}

async fn send_mail(ctx: &Context, m: &ClaimedMail) -> Result<(), OutboxError> {
    let mailer = ctx
        .mailer
        .as_ref()
        .ok_or_else(|| OutboxError::Mail("no SMTP configured".into()))?;
    let email = Email {
        to: &m.to,
        subject: &m.subject,
        text: &m.text,
        html: m.html.as_deref(),
    };
    mailer.send(&email).await
}

/// Records an attempt: delivered, or retried after the backoff, or dead after the last one.
async fn finish(
    ctx: &Context,
    queue: Queue,
    id: &str,
    attempt: i64,
    result: Result<(), OutboxError>,
) {
    let now = super::now_ms();
    let outcome = match result {
        Ok(()) => Outcome::Delivered,
        Err(e) if attempt >= ctx.config.max_attempts => {
            tracing::warn!("outbox {id}: dead-lettered after {attempt} attempts: {e}");
            Outcome::Dead {
                error: e.to_string(),
            }
        }
        Err(e) => {
            let mut random = [0u8; 8];
            passport_store::fill_random(&mut random);
            let delay = ctx.config.backoff_ms(attempt, u64::from_le_bytes(random));
            Outcome::Retry {
                error: e.to_string(),
                next_attempt_at_ms: now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX)),
            }
        }
    };
    match ctx
        .state
        .store
        .finish_attempt(queue, id, &ctx.owner, &outcome, now)
        .await
    {
        Ok(true) => {}
        Ok(false) => tracing::warn!("outbox {id}: lease lost before the outcome was recorded"),
        Err(e) => tracing::warn!("outbox {id}: outcome not recorded: {e}"),
    }
}
