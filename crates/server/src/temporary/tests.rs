//! Event data and labels; the rules on input are tested end to end (`tests/temporary_attacks.rs`)
//! against the real trust list and configuration.
#![allow(clippy::unwrap_used)]
use super::*;
use passport_store::{MovementState, RequestStatus, TemporaryMovement};
use serde_json::json;

fn movement() -> TemporaryMovement {
    TemporaryMovement {
        id: "tm-1".into(),
        org: "R0A".into(),
        request_id: "tr-1".into(),
        kind: "collaborative_bank".into(),
        home_org: "RHQ".into(),
        bank: Some("south".into()),
        start_date: "2026-09-01".into(),
        end_date: "2026-09-03".into(),
        state: MovementState::Active,
        created_by: "u-1".into(),
        created_at: 1,
        decided_by: Some("u-1".into()),
        decided_at: Some(2),
        ended_by: None,
        ended_at: None,
        end_reason: None,
        end_note: None,
        person_name: "Sam Example".into(),
        person_email: "sam@example.invalid".into(),
        registration_number: None,
        profile_id: "non-clinical-temporary-mover".into(),
        lead_employer: None,
        request_status: RequestStatus::Responded,
        request_expires_at: 10,
        decision_note: None,
    }
}

#[test]
fn accepted_data_names_who_where_and_when_and_ended_data_says_why() {
    let m = movement();
    let accepted = event_data(&m, None);
    assert_eq!(
        accepted,
        json!({
            "movement": "tm-1", "request": "tr-1", "kind": "collaborative_bank",
            "host": "R0A", "home": "RHQ", "bank": "south", "lead_employer": null,
            "start": "2026-09-01", "end": "2026-09-03", "profile": "non-clinical-temporary-mover",
            "person": {"name": "Sam Example", "email": "sam@example.invalid", "registration_number": null}
        })
    );
    let mut ended = m;
    ended.end_reason = Some("end_date".into());
    let data = event_data(&ended, Some(1_788_307_205));
    assert_eq!(
        data["ended"],
        json!({"reason": "end_date", "at": "2026-09-02T00:00:05Z"})
    );
}

#[test]
fn every_kind_is_a_placement_kind_and_a_stored_kind() {
    for (kind, label) in KINDS {
        assert!(passport_compliance::PlacementKind::parse(kind).is_some());
        assert!(passport_store::MOVEMENT_KINDS.contains(&kind));
        assert_eq!(kind_label(kind), label);
    }
    assert_eq!(kind_label("unknown"), "unknown");
}
