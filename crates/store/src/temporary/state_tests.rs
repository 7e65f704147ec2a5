//! Temporary movement changes of state, on SQLite and on PostgreSQL: decided with its request,
//! activated with one event, rejected with none, due after its end date and ended once.
#![allow(clippy::unwrap_used)]
use super::tests::*;
use super::*;
use crate::StoreError;

#[tokio::test]
async fn acceptance_decides_the_request_activates_and_queues_one_event_together() {
    for store in stores().await {
        store
            .add_subscription("R0A", "https://hooks.example.invalid/r0a", &[ACCEPTED], 1)
            .await
            .unwrap();
        let (id, request_id) = create(&store, 1, "2030-01-06", "2030-03-31").await;
        // Nothing shared yet: refused, nothing changes, no event.
        let e = store
            .accept_temporary_movement("R0A", &id, "", "u-hr", 300, event(ACCEPTED))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
        assert_eq!(counts(&store).await.2, 0);
        respond(&store, &request_id).await;
        // Another organisation's id: not found, nothing changes.
        let e = store
            .accept_temporary_movement("RHQ", &id, "", "u-x", 300, event(ACCEPTED))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{e}");
        // The plain transfer decision is refused for a movement's request.
        let e = store
            .decide_transfer("R0A", &request_id, "accepted", "", "u-hr", 300)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
        assert_eq!(counts(&store).await.2, 0);

        let event_id = store
            .accept_temporary_movement("R0A", &id, "all present", "u-hr", 300, event(ACCEPTED))
            .await
            .unwrap();
        let m = store.temporary_movement("R0A", &id).await.unwrap().unwrap();
        assert_eq!(
            (m.state, m.decided_by.as_deref(), m.decided_at),
            (MovementState::Active, Some("u-hr"), Some(300))
        );
        let r = store
            .transfer_request("R0A", &request_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.decision.as_deref(), r.decision_note.as_deref()),
            (Some("accepted"), Some("all present"))
        );
        let stored = store.outbox_event("R0A", &event_id).await.unwrap();
        assert_eq!(
            (
                stored.event_type.as_str(),
                stored.subject.as_str(),
                stored.time
            ),
            (ACCEPTED, id.as_str(), 300)
        );
        assert_eq!(
            stored.data["state"], "requested",
            "data made from the row as read"
        );
        assert_eq!(
            store
                .event_deliveries("R0A", &event_id)
                .await
                .unwrap()
                .len(),
            1
        );
        // Accepting again, or rejecting now: refused, no second event.
        let e = store
            .accept_temporary_movement("R0A", &id, "", "u-hr", 301, event(ACCEPTED))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
        let e = store
            .reject_temporary_movement("R0A", &id, "", "u-hr", 301)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
        assert_eq!(counts(&store).await.2, 1);
    }
}

#[tokio::test]
async fn rejection_records_the_decision_and_queues_nothing() {
    for store in stores().await {
        let (id, request_id) = create(&store, 1, "2030-01-06", "2030-03-31").await;
        respond(&store, &request_id).await;
        store
            .reject_temporary_movement("R0A", &id, "repeat the checks", "u-hr", 300)
            .await
            .unwrap();
        let m = store.temporary_movement("R0A", &id).await.unwrap().unwrap();
        assert_eq!(m.state, MovementState::Rejected);
        assert_eq!(m.decision_note.as_deref(), Some("repeat the checks"));
        assert_eq!(counts(&store).await.2, 0);
        // A rejected movement never becomes active nor ends.
        let e = store
            .end_temporary_movement("R0A", &id, None, EndReason::EndDate, "", 400, event(ENDED))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
        assert!(store
            .due_temporary_movements("2031-01-01", 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn an_active_movement_is_due_after_its_end_date_and_ends_once_with_its_event() {
    for store in stores().await {
        let (id, request_id) = create(&store, 1, "2030-01-06", "2030-03-31").await;
        let (other, other_request) = create(&store, 2, "2030-01-06", "2030-06-30").await;
        for r in [&request_id, &other_request] {
            respond(&store, r).await;
        }
        for m in [&id, &other] {
            store
                .accept_temporary_movement("R0A", m, "", "u-hr", 300, event(ACCEPTED))
                .await
                .unwrap();
        }
        // Not due on its last day; due the day after.
        assert!(store
            .due_temporary_movements("2030-03-31", 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .due_temporary_movements("2030-04-01", 10)
                .await
                .unwrap(),
            vec![("R0A".to_string(), id.clone())]
        );
        let event_id = store
            .end_temporary_movement("R0A", &id, None, EndReason::EndDate, "", 500, event(ENDED))
            .await
            .unwrap();
        let m = store.temporary_movement("R0A", &id).await.unwrap().unwrap();
        assert_eq!(
            (m.state, m.ended_at, m.ended_by, m.end_reason.as_deref()),
            (MovementState::Ended, Some(500), None, Some("end_date"))
        );
        let stored = store.outbox_event("R0A", &event_id).await.unwrap();
        assert_eq!(stored.data["state"], "ended");
        assert_eq!(stored.data["reason"], "end_date");
        // Once: a second end (another node, or HR at the same moment) is refused.
        let e = store
            .end_temporary_movement(
                "R0A",
                &id,
                Some("u-hr"),
                EndReason::EndedEarly,
                "",
                501,
                event(ENDED),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
        assert!(store
            .due_temporary_movements("2030-04-01", 10)
            .await
            .unwrap()
            .is_empty());
        let ended: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox_events WHERE event_type = $1 AND subject = $2",
        )
        .bind(ENDED)
        .bind(&id)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(ended, 1);
        // HR ends the other early, with a note; another organisation cannot.
        let e = store
            .end_temporary_movement(
                "RHQ",
                &other,
                Some("u-x"),
                EndReason::EndedEarly,
                "",
                600,
                event(ENDED),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{e}");
        store
            .end_temporary_movement(
                "R0A",
                &other,
                Some("u-hr"),
                EndReason::EndedEarly,
                "project closed",
                600,
                event(ENDED),
            )
            .await
            .unwrap();
        let m = store
            .temporary_movement("R0A", &other)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                m.ended_by.as_deref(),
                m.end_reason.as_deref(),
                m.end_note.as_deref()
            ),
            (Some("u-hr"), Some("ended_early"), Some("project closed"))
        );
    }
}
