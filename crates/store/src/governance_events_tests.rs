//! Webhook event retention, on SQLite and on PostgreSQL: an event whose deliveries all finished
//! (delivered or dead) before the period goes with its deliveries; one with a pending delivery,
//! or finished within the period, stays; an unsubscribed event goes a period after it was
//! queued; another organisation's events are untouched; a period under a day deletes nothing.
#![allow(clippy::unwrap_used)]
use crate::governance_tests::stores;
use crate::outbox::{NewEvent, Outcome, Queue};
use crate::{Store, StoreError, SECONDS_PER_DAY};
use serde_json::json;

const DAY: i64 = SECONDS_PER_DAY;
const NOW: i64 = 1_000 * DAY;
const TYPE: &str = "uk.nhs.passport.temporary-movement.accepted.v1";

/// Queues one event of `org` 40 days before NOW naming a person; returns its id.
async fn event(store: &Store, org: &str) -> String {
    let data = json!({"person": {"name": "Alex Example", "email": "alex.example@nhs.example"}});
    let new = NewEvent {
        org,
        event_type: TYPE,
        subject: "tm-1",
        data: &data,
    };
    store.enqueue_event(&new, NOW - 40 * DAY).await.unwrap()
}

/// Claims the due deliveries and ends the one of `event_id` with `outcome`, `days` before NOW;
/// the others go back to the queue.
async fn finish(store: &Store, event_id: &str, outcome: Outcome, days: i64) {
    let at_ms = (NOW - days * DAY) * 1000;
    let owner = crate::new_id("w-");
    let claimed = store
        .claim_deliveries(&owner, at_ms, 60_000, 100)
        .await
        .unwrap();
    assert!(claimed.iter().any(|d| d.event.id == event_id));
    for d in &claimed {
        let o = if d.event.id == event_id {
            outcome.clone()
        } else {
            Outcome::Retry {
                error: "later".into(),
                next_attempt_at_ms: 0,
            }
        };
        assert!(store
            .finish_attempt(Queue::Webhooks, &d.id, &owner, &o, at_ms)
            .await
            .unwrap());
    }
}

async fn exists(store: &Store, org: &str, id: &str) -> bool {
    match store.outbox_event(org, id).await {
        Ok(_) => true,
        Err(StoreError::NotFound(_)) => false,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn finished_events_go_after_the_period_with_their_deliveries_pending_ones_stay() {
    for store in stores().await {
        // An event queued before any subscription has no delivery rows.
        let unsubscribed = event(&store, "R0A").await;
        for org in ["R0A", "RHQ"] {
            store
                .add_subscription(
                    org,
                    "https://esr.example.nhs.uk/hook",
                    &[TYPE],
                    NOW - 50 * DAY,
                )
                .await
                .unwrap();
        }
        let old_delivered = event(&store, "R0A").await;
        finish(&store, &old_delivered, Outcome::Delivered, 35).await;
        let old_dead = event(&store, "R0A").await;
        let dead = Outcome::Dead {
            error: "503".into(),
        };
        finish(&store, &old_dead, dead, 35).await;
        let recent = event(&store, "R0A").await;
        finish(&store, &recent, Outcome::Delivered, 5).await;
        let pending = event(&store, "R0A").await;
        let other_org = event(&store, "RHQ").await;
        finish(&store, &other_org, Outcome::Delivered, 35).await;

        // A period under a day is refused and deletes nothing.
        assert!(store.apply_event_retention("R0A", 0, NOW).await.is_err());
        assert!(exists(&store, "R0A", &old_delivered).await);

        assert_eq!(
            store.apply_event_retention("R0A", 30, NOW).await.unwrap(),
            3
        );
        for gone in [&unsubscribed, &old_delivered, &old_dead] {
            assert!(!exists(&store, "R0A", gone).await, "{gone}");
            assert!(store
                .event_deliveries("R0A", gone)
                .await
                .unwrap()
                .is_empty());
        }
        for kept in [&recent, &pending] {
            assert!(exists(&store, "R0A", kept).await, "{kept}");
        }
        assert!(exists(&store, "RHQ", &other_org).await);
        // Nothing more to do on a second run; the pending one stays however old it grows.
        assert_eq!(
            store.apply_event_retention("R0A", 30, NOW).await.unwrap(),
            0
        );
        let later = store
            .apply_event_retention("R0A", 30, NOW + 400 * DAY)
            .await
            .unwrap();
        assert_eq!(later, 1, "the recent delivered one, not the pending one");
        assert!(exists(&store, "R0A", &pending).await);
    }
}
