//! The temporary movement events survive trouble, on SQLite and PostgreSQL, with the real server
//! (`passport_server::serve`: its outbox worker and its end-of-arrangement task): a receiver
//! down for a while gets the `accepted` event when it comes back; events pending when the
//! server stops are delivered by the restarted server, every one once, none lost; arrangements
//! ended by the restarted server's task are announced once too.
#![allow(clippy::unwrap_used)]
mod common;

use common::outbox::{closed_port, fast_outbox, node, wait_until, Node, Receiver};
use common::temporary::{answered, create, today};
use passport_server::temporary::{accept, end_due, end_early};
use passport_server::webhooks::{self, TEMPORARY_MOVEMENT_ACCEPTED, TEMPORARY_MOVEMENT_ENDED};
use passport_store::outbox::DeliveryState;
use passport_store::testing::both;
use std::collections::BTreeSet;

/// An accepted secondment of `name` from RHQ to R0A, `start` to `end` days from today;
/// returns (movement id, accepted event id).
async fn accepted(n: &Node, name: &str, start: i64, end: i64) -> (String, String) {
    let (id, request_id) = create(&n.state, name, start, end).await;
    answered(&n.state, &request_id).await;
    let now = passport_server::now();
    let event = accept(&n.state, "R0A", &id, "", "r0a.hr", now)
        .await
        .unwrap();
    (id, event)
}

async fn deliveries(n: &Node) -> Vec<passport_store::outbox::DeliveryView> {
    n.state.store.deliveries("R0A", None, 100).await.unwrap()
}

#[tokio::test]
async fn a_receiver_down_for_a_while_gets_the_accepted_event_when_it_comes_back() {
    for db in both().await.unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let n = node(&db.url, dir.path(), |c| c.outbox = fast_outbox(40)).await;
        let addr = closed_port().await;
        let url = format!("http://{addr}/provisioning");
        webhooks::subscribe(&n.state, "R0A", &url, &[TEMPORARY_MOVEMENT_ACCEPTED])
            .await
            .unwrap();
        let (id, event) = accepted(&n, "Sam Down", 1, 20).await;
        // Down: attempts fail and are retried, the error kept.
        wait_until("three failed attempts", 30, || async {
            let d = deliveries(&n).await;
            d.len() == 1 && d[0].attempts >= 3
        })
        .await;
        let d = &deliveries(&n).await[0];
        assert_eq!(d.state, DeliveryState::Pending);
        assert!(d.last_error.is_some());
        // Up again: delivered, once, signed by R0A.
        let rx = Receiver::start_on(addr, n.state.trust_list().as_ref().clone()).await;
        wait_until("delivery", 30, || async { rx.times(&event) == 1 }).await;
        wait_until("outcome recorded", 30, || async {
            deliveries(&n).await[0].state == DeliveryState::Delivered
        })
        .await;
        let got = &rx.accepted()[0];
        assert_eq!(got.ods_code, "R0A");
        assert_eq!(got.event["subject"], id.as_str());
        assert_eq!(got.event["type"], TEMPORARY_MOVEMENT_ACCEPTED);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(rx.accepted().len(), 1, "{:?}", rx.refused());
    }
}

#[tokio::test]
async fn events_pending_when_the_server_stops_are_delivered_after_a_restart_once_each() {
    for db in both().await.unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let addr = closed_port().await;
        let first = node(&db.url, dir.path(), |c| c.outbox = fast_outbox(1000)).await;
        let trust = first.state.trust_list().as_ref().clone();
        webhooks::subscribe(&first.state, "R0A", &format!("http://{addr}/esr"), &[])
            .await
            .unwrap();
        // Two accepted; a third accepted, then ended early: four events, none deliverable yet.
        let mut sent = BTreeSet::new();
        let mut ids = Vec::new();
        for name in ["Sam One", "Sam Two", "Sam Three"] {
            let (id, event) = accepted(&first, name, 1, 20).await;
            sent.insert(event);
            ids.push(id);
        }
        let now = passport_server::now();
        let ended = end_early(&first.state, "R0A", &ids[2], "", "r0a.hr", now)
            .await
            .unwrap();
        sent.insert(ended);
        wait_until("every event attempted", 30, || async {
            let d = deliveries(&first).await;
            d.len() == 4 && d.iter().all(|d| d.attempts >= 1)
        })
        .await;
        first.kill().await;

        // The receiver comes up; the server restarts on the same database and keys.
        let rx = Receiver::start_on(addr, trust).await;
        let second = node(&db.url, dir.path(), |c| c.outbox = fast_outbox(1000)).await;
        wait_until("every pending event delivered", 60, || async {
            let got: BTreeSet<String> = rx
                .accepted()
                .iter()
                .filter_map(|r| r.event["id"].as_str().map(str::to_owned))
                .collect();
            got == sent
        })
        .await;
        wait_until("outcomes recorded", 30, || async {
            deliveries(&second)
                .await
                .iter()
                .all(|d| d.state == DeliveryState::Delivered)
        })
        .await;
        for event in &sent {
            assert_eq!(rx.times(event), 1, "{event} once");
        }

        // The restarted server's task ends the two still active once their end date passed:
        // announced once each, with nothing sent again.
        let later = today() + time::Duration::days(21);
        let now = passport_server::now();
        assert_eq!(end_due(&second.state, later, now).await.unwrap(), 2);
        assert_eq!(end_due(&second.state, later, now).await.unwrap(), 0);
        wait_until("ended events", 30, || async { rx.accepted().len() == 6 }).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let ends: Vec<String> = rx
            .accepted()
            .iter()
            .filter(|r| r.event["type"] == TEMPORARY_MOVEMENT_ENDED)
            .filter_map(|r| r.event["subject"].as_str().map(str::to_owned))
            .collect();
        let mut ends_sorted = ends.clone();
        ends_sorted.sort();
        let mut want = ids.clone();
        want.sort();
        assert_eq!(ends_sorted, want, "one ended event per arrangement");
        assert_eq!(rx.accepted().len(), 6, "{:?}", rx.refused());
    }
}
