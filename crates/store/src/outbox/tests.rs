//! Outbox tests, each on SQLite and on PostgreSQL: fan-out when queued, the caller's
//! transaction decides (a rollback queues nothing), claims under a lease never overlap (also
//! between two pools claiming at once), retries wait for their time, dead letters re-queue, and
//! bad input is refused with nothing written after a baseline shows the same call succeeding.
#![allow(clippy::unwrap_used)]
use super::*;
use crate::testing::{both, TestDb};
use crate::OrgRow;
use serde_json::json;

const ACCEPTED: &str = "uk.nhs.passport.temporary-movement.accepted.v1";
const ENDED: &str = "uk.nhs.passport.temporary-movement.ended.v1";
const LEASE: i64 = 60_000;

async fn stores() -> Vec<(TestDb, Store)> {
    let mut out = Vec::new();
    for db in both().await.unwrap() {
        let store = db.open().await.unwrap();
        for ods in ["RHQ", "R0A"] {
            store
                .upsert_org(
                    &OrgRow {
                        ods_code: ods.into(),
                        name: format!("{ods} (synthetic)"),
                        kind: "trust".into(),
                        issuer: format!("https://x/issuers/{ods}"),
                    },
                    1,
                )
                .await
                .unwrap();
        }
        out.push((db, store));
    }
    out
}

fn event<'a>(org: &'a str, event_type: &'a str, data: &'a serde_json::Value) -> NewEvent<'a> {
    NewEvent {
        org,
        event_type,
        subject: "tr-1",
        data,
    }
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_event_fans_out_to_enabled_matching_subscriptions_of_its_org() {
    for (_db, store) in stores().await {
        let all = store
            .add_subscription("RHQ", "https://a.example/", &[], 10)
            .await
            .unwrap();
        let accepted = store
            .add_subscription("RHQ", "https://b.example/", &[ACCEPTED, ACCEPTED], 10)
            .await
            .unwrap();
        assert_eq!(accepted.event_types, vec![ACCEPTED.to_string()]);
        let off = store
            .add_subscription("RHQ", "https://c.example/", &[], 10)
            .await
            .unwrap();
        store
            .set_subscription_enabled("RHQ", &off.id, false, 11)
            .await
            .unwrap();
        store
            .add_subscription("R0A", "https://d.example/", &[], 10)
            .await
            .unwrap();
        let data = json!({"person": "p-1", "start": "2026-08-05"});
        let id = store
            .enqueue_event(&event("RHQ", ACCEPTED, &data), 100)
            .await
            .unwrap();
        let stored = store.outbox_event("RHQ", &id).await.unwrap();
        assert_eq!((stored.time, &stored.data), (100, &data));
        let subs: Vec<String> = store
            .event_deliveries("RHQ", &id)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.subscription_id)
            .collect();
        let mut want = vec![all.id.clone(), accepted.id.clone()];
        want.sort();
        assert_eq!(subs, want);
        let ended = store
            .enqueue_event(&event("RHQ", ENDED, &data), 101)
            .await
            .unwrap();
        let d = store.event_deliveries("RHQ", &ended).await.unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].subscription_id, all.id);
        assert_eq!(d[0].state, DeliveryState::Pending);
        // Scoped by organisation: R0A sees none of RHQ's.
        assert!(store.outbox_event("R0A", &id).await.is_err());
        assert!(store.event_deliveries("R0A", &id).await.unwrap().is_empty());
        assert!(store.deliveries("R0A", None, 10).await.unwrap().is_empty());
        assert_eq!(store.deliveries("RHQ", None, 10).await.unwrap().len(), 3);
    }
}

#[tokio::test]
async fn the_callers_transaction_decides_whether_anything_is_queued() {
    for (_db, store) in stores().await {
        store
            .add_subscription("RHQ", "https://a.example/", &[], 10)
            .await
            .unwrap();
        let data = json!({});
        // Baseline: committed, the event and its delivery are there.
        let mut tx = store.pool().begin().await.unwrap();
        enqueue_event(&mut tx, &event("RHQ", ACCEPTED, &data), 100)
            .await
            .unwrap();
        let mail = NewMail {
            org: "RHQ",
            to: "a@example.nhs.uk",
            subject: "Your rotation",
            text: "hello",
            html: None,
        };
        enqueue_mail(&mut tx, &mail, 100).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count(&store, "outbox_events").await, 1);
        assert_eq!(count(&store, "outbox_deliveries").await, 1);
        assert_eq!(count(&store, "outbox_mail").await, 1);
        // Rolled back: nothing more.
        let mut tx = store.pool().begin().await.unwrap();
        enqueue_event(&mut tx, &event("RHQ", ACCEPTED, &data), 100)
            .await
            .unwrap();
        enqueue_mail(&mut tx, &mail, 100).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(count(&store, "outbox_events").await, 1);
        assert_eq!(count(&store, "outbox_deliveries").await, 1);
        assert_eq!(count(&store, "outbox_mail").await, 1);
    }
}

#[tokio::test]
async fn bad_input_is_refused_and_writes_nothing() {
    for (_db, store) in stores().await {
        let data = json!({"a": 1});
        // Baselines.
        store
            .enqueue_event(&event("RHQ", ACCEPTED, &data), 1)
            .await
            .unwrap();
        store
            .add_subscription("RHQ", "https://a.example/", &[ACCEPTED], 1)
            .await
            .unwrap();
        let good = NewMail {
            org: "RHQ",
            to: "a@example.nhs.uk",
            subject: "Your rotation",
            text: "hello",
            html: Some("<p>hello</p>"),
        };
        store.enqueue_mail(&good, 1).await.unwrap();
        let before = (
            count(&store, "outbox_events").await,
            count(&store, "webhook_subscriptions").await,
            count(&store, "outbox_mail").await,
        );
        let big = json!({"x": "y".repeat(MAX_EVENT_DATA_BYTES)});
        for bad in [
            event("RHQ", "", &data),
            event("RHQ", "has space", &data),
            event("RHQ", "a/b", &data),
            event("RHQ", ACCEPTED, &big),
            NewEvent {
                subject: "a\nb",
                ..event("RHQ", ACCEPTED, &data)
            },
        ] {
            let e = store.enqueue_event(&bad, 2).await.unwrap_err();
            assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        }
        for (url, types) in [
            ("ftp://a.example/", vec![]),
            ("https://u:p@a.example/", vec![]),
            ("https://a.example/", vec!["bad type"]),
        ] {
            let e = store
                .add_subscription("RHQ", url, &types, 2)
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        }
        let many: Vec<String> = (0..=MAX_EVENT_TYPES).map(|i| format!("t{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(store
            .add_subscription("RHQ", "https://a.example/", &many, 2)
            .await
            .is_err());
        for bad in [
            NewMail {
                to: "a@example.nhs.uk\r\nBcc: b@example.org",
                ..good
            },
            NewMail {
                to: "Amara <a@example.nhs.uk>",
                ..good
            },
            NewMail {
                subject: "Hi\r\nBcc: b@example.org",
                ..good
            },
            NewMail {
                subject: " ",
                ..good
            },
            NewMail {
                text: "a\0b",
                ..good
            },
        ] {
            let e = store.enqueue_mail(&bad, 2).await.unwrap_err();
            assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        }
        let after = (
            count(&store, "outbox_events").await,
            count(&store, "webhook_subscriptions").await,
            count(&store, "outbox_mail").await,
        );
        assert_eq!(before, after);
    }
}

#[tokio::test]
async fn a_claim_leases_counts_the_attempt_and_retries_wait_for_their_time() {
    for (_db, store) in stores().await {
        store
            .add_subscription("RHQ", "https://a.example/", &[], 1)
            .await
            .unwrap();
        let data = json!({"n": 1});
        let id = store
            .enqueue_event(&event("RHQ", ACCEPTED, &data), 1)
            .await
            .unwrap();
        let now = 10_000;
        let got = store.claim_deliveries("w1", now, LEASE, 10).await.unwrap();
        assert_eq!(got.len(), 1);
        let d = &got[0];
        assert_eq!(
            (d.attempt, d.url.as_str(), d.event.id.as_str()),
            (1, "https://a.example/", id.as_str())
        );
        assert_eq!(d.event.data, data);
        // Leased: nobody else gets it, not even the same worker, until the lease ends.
        assert!(store
            .claim_deliveries("w2", now, LEASE, 10)
            .await
            .unwrap()
            .is_empty());
        // Only the lease holder records the outcome.
        let retry = Outcome::Retry {
            error: "HTTP 503\n".into(),
            next_attempt_at_ms: now + 500,
        };
        assert!(!store
            .finish_attempt(Queue::Webhooks, &d.id, "w2", &retry, now)
            .await
            .unwrap());
        assert!(store
            .finish_attempt(Queue::Webhooks, &d.id, "w1", &retry, now)
            .await
            .unwrap());
        let view = &store.event_deliveries("RHQ", &id).await.unwrap()[0];
        assert_eq!(
            (view.attempts, view.last_error.as_deref()),
            (1, Some("HTTP 503 "))
        );
        // Not due before its time; due after.
        assert!(store
            .claim_deliveries("w2", now + 499, LEASE, 10)
            .await
            .unwrap()
            .is_empty());
        let again = store
            .claim_deliveries("w2", now + 500, LEASE, 10)
            .await
            .unwrap();
        assert_eq!(again[0].attempt, 2);
        // A worker that died: its lease runs out and another takes the row.
        assert!(store
            .claim_deliveries("w3", now + 500 + LEASE - 1, LEASE, 10)
            .await
            .unwrap()
            .is_empty());
        let taken = store
            .claim_deliveries("w3", now + 500 + LEASE, LEASE, 10)
            .await
            .unwrap();
        assert_eq!(taken[0].attempt, 3);
        assert!(!store
            .finish_attempt(Queue::Webhooks, &d.id, "w2", &Outcome::Delivered, now)
            .await
            .unwrap());
        assert!(store
            .finish_attempt(
                Queue::Webhooks,
                &d.id,
                "w3",
                &Outcome::Delivered,
                now + 600_000
            )
            .await
            .unwrap());
        let view = &store.event_deliveries("RHQ", &id).await.unwrap()[0];
        assert_eq!(view.state, DeliveryState::Delivered);
        assert_eq!(
            (view.last_error.as_deref(), view.finished_at),
            (None, Some(now / 1000 + 600))
        );
        // Delivered is final.
        assert!(store
            .claim_deliveries("w4", i64::MAX / 2, LEASE, 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn dead_letters_are_kept_listed_and_requeued_by_their_org_only() {
    for (_db, store) in stores().await {
        let sub = store
            .add_subscription("RHQ", "https://a.example/", &[], 1)
            .await
            .unwrap();
        let data = json!({});
        store
            .enqueue_event(&event("RHQ", ACCEPTED, &data), 1)
            .await
            .unwrap();
        let d = store
            .claim_deliveries("w1", 5_000, LEASE, 10)
            .await
            .unwrap()
            .remove(0);
        let dead = Outcome::Dead {
            error: "connection refused".into(),
        };
        assert!(store
            .finish_attempt(Queue::Webhooks, &d.id, "w1", &dead, 5_000)
            .await
            .unwrap());
        let listed = store
            .deliveries("RHQ", Some(DeliveryState::Dead), 10)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_error.as_deref(), Some("connection refused"));
        assert_eq!(listed[0].url, sub.url);
        assert!(store
            .claim_deliveries("w1", i64::MAX / 2, LEASE, 10)
            .await
            .unwrap()
            .is_empty());
        // Another organisation cannot re-queue it; a pending one is not "dead".
        assert!(matches!(
            store.requeue(Queue::Webhooks, "R0A", &d.id, 6_000).await,
            Err(StoreError::NotFound(_))
        ));
        store
            .requeue(Queue::Webhooks, "RHQ", &d.id, 6_000)
            .await
            .unwrap();
        assert!(store
            .requeue(Queue::Webhooks, "RHQ", &d.id, 6_000)
            .await
            .is_err());
        let back = store
            .claim_deliveries("w1", 6_000, LEASE, 10)
            .await
            .unwrap();
        assert_eq!(back[0].attempt, 1);
        // A disabled subscription's deliveries wait.
        store
            .enqueue_event(&event("RHQ", ACCEPTED, &data), 7)
            .await
            .unwrap();
        store
            .set_subscription_enabled("RHQ", &sub.id, false, 7)
            .await
            .unwrap();
        assert!(store
            .claim_deliveries("w1", 8_000, LEASE, 10)
            .await
            .unwrap()
            .is_empty());
        store
            .set_subscription_enabled("RHQ", &sub.id, true, 8)
            .await
            .unwrap();
        assert_eq!(
            store
                .claim_deliveries("w1", 8_000, LEASE, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(store
            .set_subscription_enabled("R0A", &sub.id, false, 8)
            .await
            .is_err());
    }
}

#[tokio::test]
async fn mail_is_claimed_finished_and_listed_like_deliveries() {
    for (_db, store) in stores().await {
        let mail = NewMail {
            org: "R0A",
            to: "amara.okafor@example.nhs.uk",
            subject: "Your rotation to R0A",
            text: "Open the link",
            html: Some("<p>Open the link</p>"),
        };
        let id = store.enqueue_mail(&mail, 1).await.unwrap();
        let got = store.claim_mail("w1", 2_000, LEASE, 10).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(
            (
                got[0].to.as_str(),
                got[0].subject.as_str(),
                got[0].html.as_deref(),
                got[0].attempt
            ),
            (mail.to, mail.subject, mail.html, 1)
        );
        assert!(store
            .claim_mail("w2", 2_000, LEASE, 10)
            .await
            .unwrap()
            .is_empty());
        let dead = Outcome::Dead {
            error: "550 no such user".into(),
        };
        assert!(store
            .finish_attempt(Queue::Mail, &id, "w1", &dead, 3_000)
            .await
            .unwrap());
        let listed = store
            .mail_items("R0A", Some(DeliveryState::Dead), 10)
            .await
            .unwrap();
        assert_eq!(
            (listed[0].id.as_str(), listed[0].last_error.as_deref()),
            (id.as_str(), Some("550 no such user"))
        );
        assert!(store.mail_items("RHQ", None, 10).await.unwrap().is_empty());
        store.requeue(Queue::Mail, "R0A", &id, 4_000).await.unwrap();
        let again = store.claim_mail("w1", 4_000, LEASE, 10).await.unwrap();
        assert!(store
            .finish_attempt(Queue::Mail, &again[0].id, "w1", &Outcome::Delivered, 4_000)
            .await
            .unwrap());
        assert_eq!(
            store.mail_items("R0A", None, 10).await.unwrap()[0].state,
            DeliveryState::Delivered
        );
    }
}

/// Two pools on one database (two server processes) claiming at the same time take disjoint
/// rows, and between them all of them.
#[tokio::test]
async fn concurrent_claims_from_two_pools_never_overlap() {
    for (db, store) in stores().await {
        let other = db.open().await.unwrap();
        store
            .add_subscription("RHQ", "https://a.example/", &[], 1)
            .await
            .unwrap();
        let data = json!({});
        for _ in 0..40 {
            store
                .enqueue_event(&event("RHQ", ACCEPTED, &data), 1)
                .await
                .unwrap();
        }
        let mut tasks = Vec::new();
        for (i, s) in [store.clone(), other.clone(), store.clone(), other]
            .into_iter()
            .enumerate()
        {
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = s
                        .claim_deliveries(&format!("w{i}"), 5_000, LEASE, 3)
                        .await
                        .unwrap();
                    if got.is_empty() {
                        break mine;
                    }
                    mine.extend(got.into_iter().map(|d| d.id));
                }
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!((n, all.len()), (40, 40), "{:?}", db.backend);
    }
}
