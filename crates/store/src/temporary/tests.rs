//! Temporary movement storage, on SQLite and on PostgreSQL: made with its request in one
//! transaction (or not at all), read only by its organisation, and held back from retention while
//! it runs; the helpers of `state_tests.rs`.
#![allow(clippy::unwrap_used)]
use super::*;
use crate::PresentedRow;
use serde_json::json;

pub(super) const ACCEPTED: &str = "uk.nhs.passport.temporary-movement.accepted.v1";
pub(super) const ENDED: &str = "uk.nhs.passport.temporary-movement.ended.v1";

pub(super) async fn stores() -> Vec<Store> {
    crate::tests::stores_with(&["RHQ", "R0A"]).await
}

pub(super) fn request(org: &str, n: u32, kind: &str, start: &str, end: &str) -> NewTransferRequest {
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

pub(super) fn home(bank: Option<&str>) -> NewTemporaryMovement {
    NewTemporaryMovement {
        home_org: "RHQ".into(),
        bank: bank.map(str::to_owned),
    }
}

pub(super) async fn create(store: &Store, n: u32, start: &str, end: &str) -> (String, String) {
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

pub(super) async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

pub(super) async fn counts(store: &Store) -> (i64, i64, i64) {
    (
        count(store, "SELECT COUNT(*) FROM temporary_movements").await,
        count(store, "SELECT COUNT(*) FROM transfer_requests").await,
        count(store, "SELECT COUNT(*) FROM outbox_events").await,
    )
}

/// The person answers: a verified response is stored for the movement's request.
pub(super) async fn respond(store: &Store, request_id: &str) {
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

pub(super) fn event<'a>(
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
