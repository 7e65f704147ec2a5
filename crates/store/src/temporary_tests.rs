//! Temporary movement storage, on SQLite and on PostgreSQL: made with its request in one
//! transaction, decided with its request, ended once with its event, scoped by organisation,
//! and held back from retention while it runs.
#![allow(clippy::unwrap_used)]
use super::*;
use crate::testing::both;
use crate::{OrgRow, PresentedRow};
use serde_json::json;

const ACCEPTED: &str = "uk.nhs.passport.temporary-movement.accepted.v1";
const ENDED: &str = "uk.nhs.passport.temporary-movement.ended.v1";

async fn stores() -> Vec<Store> {
    let mut out = Vec::new();
    for db in both().await.unwrap() {
        let store = db.open().await.unwrap();
        for ods in ["RHQ", "R0A"] {
            let org = OrgRow {
                ods_code: ods.into(),
                name: format!("{ods} (synthetic)"),
                kind: "trust".into(),
                issuer: format!("https://x/issuers/{ods}"),
            };
            store.upsert_org(&org, 1).await.unwrap();
        }
        // The database lives as long as the test process (SQLite's folder is kept).
        std::mem::forget(db);
        out.push(store);
    }
    out
}

fn request(org: &str, n: u32, kind: &str, start: &str, end: &str) -> NewTransferRequest {
    NewTransferRequest {
        org: org.into(),
        created_by: "u-hr".into(),
        person_name: "Sam Example".into(),
        person_email: "sam@example.invalid".into(),
        registration_number: None,
        profile_id: "non-clinical-temporary-mover".into(),
        profile: "{}".into(),
        start_date: start.into(),
        end_date: end.into(),
        move_kind: kind.into(),
        lead_employer: Some("RHQ".into()),
        audience: "hr".into(),
        nonce: format!("tm-nonce-{org}-{n}"),
        state: format!("tm-state-{org}-{n}"),
        enc_key: "k".into(),
        expires_at: 10_000,
    }
}

fn home(bank: Option<&str>) -> NewTemporaryMovement {
    NewTemporaryMovement {
        home_org: "RHQ".into(),
        bank: bank.map(str::to_owned),
    }
}

async fn create(store: &Store, n: u32, start: &str, end: &str) -> (String, String) {
    store
        .create_temporary_movement(
            &request("R0A", n, "secondment", start, end),
            &home(None),
            100,
            |id| Ok(format!("signed-{id}")),
        )
        .await
        .unwrap()
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn counts(store: &Store) -> (i64, i64, i64) {
    (
        count(store, "SELECT COUNT(*) FROM temporary_movements").await,
        count(store, "SELECT COUNT(*) FROM transfer_requests").await,
        count(store, "SELECT COUNT(*) FROM outbox_events").await,
    )
}

/// The person answers: a verified response is stored for the movement's request.
async fn respond(store: &Store, request_id: &str) {
    let row = PresentedRow {
        query_id: "identity".into(),
        vct: Some("https://w3id.org/nhs-staff-passport/vct/identity/v1".into()),
        iss: Some("https://x/issuers/RHQ".into()),
        issuer_ods: Some("RHQ".into()),
        accepted: true,
        reason: "verified".into(),
        claims: Some("{}".into()),
    };
    store
        .record_response(
            "R0A",
            request_id,
            &format!("jwe-{request_id}"),
            &[row],
            "{}",
            None,
            200,
        )
        .await
        .unwrap()
        .unwrap();
}

fn event<'a>(
    event_type: &'a str,
) -> MovementEvent<'a, impl FnOnce(&TemporaryMovement) -> serde_json::Value> {
    MovementEvent {
        event_type,
        data: |m: &TemporaryMovement| json!({"movement": m.id, "state": m.state.as_str(), "end": m.end_date, "reason": m.end_reason}),
    }
}

#[tokio::test]
async fn a_movement_is_made_with_its_request_and_read_only_by_its_organisation() {
    for store in stores().await {
        let (id, request_id) = create(&store, 1, "2030-01-06", "2030-03-31").await;
        let m = store.temporary_movement("R0A", &id).await.unwrap().unwrap();
        assert_eq!(
            (
                m.kind.as_str(),
                m.home_org.as_str(),
                m.start_date.as_str(),
                m.end_date.as_str(),
                m.state,
                m.request_status,
            ),
            (
                "secondment",
                "RHQ",
                "2030-01-06",
                "2030-03-31",
                MovementState::Requested,
                RequestStatus::Open
            )
        );
        assert_eq!(m.request_id, request_id);
        assert_eq!(m.lead_employer.as_deref(), Some("RHQ"));
        let r = store
            .transfer_request("R0A", &request_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.request_object, format!("signed-{request_id}"));
        assert_eq!(r.lead_employer.as_deref(), Some("RHQ"));
        assert_eq!(
            store
                .temporary_movement_for_request("R0A", &request_id)
                .await
                .unwrap()
                .map(|m| m.id),
            Some(id.clone())
        );
        assert_eq!(store.temporary_movements("R0A", 10).await.unwrap().len(), 1);
        // Another organisation sees nothing of it.
        assert!(store
            .temporary_movement("RHQ", &id)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .temporary_movement_for_request("RHQ", &request_id)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .temporary_movements("RHQ", 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn bad_movements_and_a_failed_signature_write_nothing() {
    for store in stores().await {
        // Baseline: a collaborative bank movement naming its bank is made.
        store
            .create_temporary_movement(
                &request("R0A", 1, "collaborative_bank", "2030-01-06", "2030-01-06"),
                &home(Some("south-bank")),
                100,
                |id| Ok(format!("signed-{id}")),
            )
            .await
            .unwrap();
        let before = counts(&store).await;
        let cases = [
            (
                request("R0A", 2, "rotation", "2030-01-06", "2030-03-31"),
                None,
            ),
            (
                request("R0A", 3, "secondment", "2030-03-31", "2030-01-06"),
                None,
            ),
            (
                request("R0A", 4, "secondment", "2030-1-6", "2030-03-31"),
                None,
            ),
            (
                request("R0A", 5, "collaborative_bank", "2030-01-06", "2030-03-31"),
                None,
            ),
            (
                request("R0A", 6, "secondment", "2030-01-06", "2030-03-31"),
                Some("south-bank"),
            ),
        ];
        for (req, bank) in cases {
            let e = store
                .create_temporary_movement(&req, &home(bank), 100, |id| Ok(format!("s-{id}")))
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        }
        let e = store
            .create_temporary_movement(
                &request("R0A", 7, "secondment", "2030-01-06", "2030-03-31"),
                &home(None),
                100,
                |_| Err("no key".into()),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
        assert_eq!(counts(&store).await, before);
    }
}

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

#[tokio::test]
async fn retention_holds_a_request_while_its_movement_runs_and_counts_from_its_end() {
    for store in stores().await {
        let (id, request_id) = create(&store, 1, "2030-01-06", "2030-03-31").await;
        respond(&store, &request_id).await;
        // A plain request, decided: the hold never applies to it.
        let plain = store
            .create_transfer_request(
                &request("R0A", 9, "rotation", "2030-01-06", "2030-03-31"),
                100,
                |id| Ok(format!("s-{id}")),
            )
            .await
            .unwrap();
        let clear = |cutoff: i64| {
            let store = store.clone();
            async move {
                let sql = format!(
                    "SELECT id FROM transfer_requests WHERE org = 'R0A' AND {} ORDER BY id",
                    retention_hold_sql("$1")
                );
                let ids: Vec<String> = sqlx::query_scalar(&sql)
                    .bind(cutoff)
                    .fetch_all(store.pool())
                    .await
                    .unwrap();
                ids
            }
        };
        // Requested (not yet decided): the ordinary rule, so not held.
        assert_eq!(clear(10_000).await.len(), 2);
        store
            .accept_temporary_movement("R0A", &id, "", "u-hr", 300, event(ACCEPTED))
            .await
            .unwrap();
        // Active: held whatever the cutoff.
        assert_eq!(clear(i64::MAX / 2).await, vec![plain.clone()]);
        store
            .end_temporary_movement(
                "R0A",
                &id,
                None,
                EndReason::EndDate,
                "",
                5_000,
                event(ENDED),
            )
            .await
            .unwrap();
        // Ended at 5000: held for a cutoff before the end, clear after it.
        assert_eq!(clear(4_999).await, vec![plain.clone()]);
        let mut both = vec![plain, request_id];
        both.sort();
        assert_eq!(clear(5_000).await, both);
    }
}
