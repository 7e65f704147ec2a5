//! E-mail retention, on SQLite and on PostgreSQL: a delivered e-mail loses its bodies at once;
//! delivered and dead e-mails go after the mail period, pending ones never; other
//! organisations' are untouched; a period under a day is refused and deletes nothing.
#![allow(clippy::unwrap_used)]
use crate::governance_tests::stores;
use crate::outbox::{NewMail, Outcome, Queue};
use crate::{Store, StoreError, SECONDS_PER_DAY};

const DAY: i64 = SECONDS_PER_DAY;
const NOW: i64 = 1_000 * DAY;

/// How each test e-mail ends: delivered, dead, or left pending; and when (days before NOW).
#[derive(Clone, Copy)]
enum End {
    Delivered(i64),
    Dead(i64),
    Pending,
}

/// Queues one e-mail of `org` 40 days before NOW and ends it as `end`; returns its id.
async fn mail(store: &Store, org: &str, end: End) -> String {
    let new = NewMail {
        org,
        to: "alex.example@nhs.example",
        subject: "Your rotation",
        text: "Dear Dr Example, your link: openid4vp://...",
        html: Some("<p>Dear Dr Example</p>"),
    };
    let id = store.enqueue_mail(&new, NOW - 40 * DAY).await.unwrap();
    let (outcome, days) = match end {
        End::Delivered(days) => (Outcome::Delivered, days),
        End::Dead(days) => (
            Outcome::Dead {
                error: "550 mailbox unavailable".into(),
            },
            days,
        ),
        End::Pending => return id,
    };
    let at_ms = (NOW - days * DAY) * 1000;
    let owner = crate::new_id("w-");
    let claimed = store.claim_mail(&owner, at_ms, 60_000, 100).await.unwrap();
    assert!(claimed.iter().any(|m| m.id == id));
    for m in &claimed {
        let outcome = if m.id == id {
            outcome.clone()
        } else {
            // Others claimed with it go back to the queue as they were.
            Outcome::Retry {
                error: "later".into(),
                next_attempt_at_ms: 0,
            }
        };
        let finished = store.finish_attempt(Queue::Mail, &m.id, &owner, &outcome, at_ms);
        assert!(finished.await.unwrap());
    }
    id
}

/// (text body, HTML body) of e-mail `id`, or `None` once it is deleted.
async fn bodies(store: &Store, id: &str) -> Option<(String, Option<String>)> {
    sqlx::query_as("SELECT text_body, html_body FROM outbox_mail WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn delivered_mail_loses_its_bodies_at_once_and_finished_mail_goes_after_the_period() {
    for store in stores().await {
        let old_delivered = mail(&store, "R0A", End::Delivered(35)).await;
        let old_dead = mail(&store, "R0A", End::Dead(35)).await;
        let recent_delivered = mail(&store, "R0A", End::Delivered(5)).await;
        let recent_dead = mail(&store, "R0A", End::Dead(5)).await;
        let pending = mail(&store, "R0A", End::Pending).await;
        let other_org = mail(&store, "RHQ", End::Delivered(35)).await;

        // Delivered: the bodies went when it was sent; a dead one keeps them to be re-queued.
        assert_eq!(
            bodies(&store, &recent_delivered).await,
            Some((String::new(), None))
        );
        let full = bodies(&store, &recent_dead).await.unwrap();
        assert!(full.0.contains("Dear Dr Example") && full.1.is_some());
        assert_eq!(bodies(&store, &pending).await, Some(full.clone()));

        let deleted = store.apply_mail_retention("R0A", 30, NOW).await.unwrap();
        assert_eq!(deleted, 2);
        for gone in [&old_delivered, &old_dead] {
            assert_eq!(bodies(&store, gone).await, None, "{gone}");
        }
        // Recent ones stay for troubleshooting (the dead one still re-queueable); pending
        // mail is never touched, however old; another organisation's is its own business.
        let listed = store.mail_items("R0A", None, 100).await.unwrap();
        let ids: Vec<&str> = listed.iter().map(|m| m.id.as_str()).collect();
        for kept in [&recent_delivered, &recent_dead, &pending] {
            assert!(ids.contains(&kept.as_str()), "{kept}");
        }
        assert_eq!(bodies(&store, &pending).await, Some(full.clone()));
        assert!(bodies(&store, &other_org).await.is_some());
        store
            .requeue(Queue::Mail, "R0A", &recent_dead, NOW * 1000)
            .await
            .unwrap();
        assert_eq!(bodies(&store, &recent_dead).await, Some(full));

        // A delivered e-mail still holding bodies (sent before that rule) is cleared by a run.
        sqlx::query("UPDATE outbox_mail SET text_body = 'old body', html_body = 'x' WHERE id = $1")
            .bind(&recent_delivered)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(store.apply_mail_retention("R0A", 30, NOW).await.unwrap(), 0);
        assert_eq!(
            bodies(&store, &recent_delivered).await,
            Some((String::new(), None))
        );
        // 26 days on, the recently delivered one is 31 days old and goes; pending stays.
        assert_eq!(
            store
                .apply_mail_retention("R0A", 30, NOW + 26 * DAY)
                .await
                .unwrap(),
            1
        );
        assert!(bodies(&store, &pending).await.is_some());
    }
}

#[tokio::test]
async fn a_mail_period_under_a_day_is_refused_and_deletes_nothing() {
    for store in stores().await {
        let old = mail(&store, "R0A", End::Delivered(35)).await;
        for days in [0, -1, i64::MAX] {
            let refused = store.apply_mail_retention("R0A", days, NOW).await;
            assert!(matches!(refused, Err(StoreError::Invalid(_))), "{days}");
        }
        assert!(bodies(&store, &old).await.is_some());
        // Baseline: a day is a valid period.
        assert_eq!(store.apply_mail_retention("R0A", 1, NOW).await.unwrap(), 1);
        assert_eq!(bodies(&store, &old).await, None);
    }
}
