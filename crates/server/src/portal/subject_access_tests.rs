//! The subject access document from stored rows: every section present, what the role may not
//! see withheld and counted, and nothing of what was withheld in the text.
#![allow(clippy::unwrap_used)]
use super::*;
use passport_store::outbox::{DeliveryState, MailView};
use passport_store::{Offer, PersonRecord, PersonSummary, SubjectRotationRow};

fn record(id: &str, type_name: &str, claims: Value) -> PersonRecord {
    PersonRecord {
        id: id.into(),
        source: "esr".into(),
        record_key: format!("key-{id}"),
        type_name: type_name.into(),
        claims,
        state: "current".into(),
        imported_at: 10,
    }
}

fn credential(id: &str, type_name: &str, revoked: bool) -> IssuedCredential {
    IssuedCredential {
        id: id.into(),
        person_id: "p-1".into(),
        record_id: "r-1".into(),
        type_name: type_name.into(),
        list_id: 1,
        idx: 7,
        holder_jkt: "jkt".into(),
        issued_at: 20,
        expires_at: None,
        revoked_at: revoked.then_some(30),
        revoke_reason: revoked.then(|| "left".into()),
        wallet_event: None,
    }
}

fn data() -> SubjectData {
    SubjectData {
        person: PersonSummary {
            id: "p-1".into(),
            given_name: "Alex".into(),
            family_name: "Example".into(),
            date_of_birth: Some("1990-01-01".into()),
            email: Some("alex@example.invalid".into()),
        },
        created_at: 5,
        identifiers: Vec::new(),
        records: vec![
            record("r-1", "Employment", json!({"jobTitle": "Nurse"})),
            record("r-2", "Vaccination", json!({"vaccine": "Secret Vaccine X"})),
        ],
        offers: vec![Offer {
            id: "o-1".into(),
            org: "RHQ".into(),
            person_id: "p-1".into(),
            created_at: 11,
            expires_at: 99,
            redeemed_at: Some(12),
            failed_attempts: 1,
        }],
        credentials: vec![
            credential("c-1", "Employment", true),
            credential("c-2", "Vaccination", false),
        ],
        requests: Vec::new(),
        review_items: Vec::new(),
        rotation_rows: vec![rotation_row()],
        mails: vec![MailView {
            id: "ml-1".into(),
            to: "alex@example.invalid".into(),
            subject: "Your rotation".into(),
            state: DeliveryState::Delivered,
            attempts: 1,
            last_error: None,
            created_at: 13,
            finished_at: Some(14),
        }],
    }
}

fn transfer_request() -> passport_store::TransferRequest {
    passport_store::TransferRequest {
        id: "tr-1".into(),
        org: "RHQ".into(),
        created_by: "u-1".into(),
        created_at: 12,
        expires_at: 99,
        person_name: "Alex Example".into(),
        person_email: "alex@example.invalid".into(),
        registration_number: Some("9300001".into()),
        profile_id: "fy2".into(),
        profile: "{}".into(),
        start_date: "2027-08-04".into(),
        end_date: "2027-12-01".into(),
        move_kind: "rotation".into(),
        lead_employer: None,
        audience: "hr".into(),
        nonce: "n".into(),
        state: "s".into(),
        request_object: "jwt".into(),
        enc_key: "k".into(),
        status: passport_store::RequestStatus::Open,
        fetched_at: None,
        responded_at: None,
        report: None,
        decision: None,
        decision_note: None,
        decided_by: None,
        decided_at: None,
        purged_at: None,
        purge_reason: None,
    }
}

fn rotation_row() -> SubjectRotationRow {
    SubjectRotationRow {
        row_id: "rr-1".into(),
        request_id: "tr-1".into(),
        changeover_id: "co-1".into(),
        changeover_name: "August".into(),
        changeover_date: "2027-08-04".into(),
        line: 2,
        gmc_number: "9300001".into(),
        forenames: "Alex".into(),
        surname: "Example".into(),
        email: "alex@example.invalid".into(),
        grade: "FY2".into(),
        specialty: "Cardiology".into(),
        site_code: "R0A01".into(),
        site_name: None,
        start_date: "2027-08-04".into(),
        end_date: "2027-12-01".into(),
        role_profile: "fy2".into(),
        imported_at: 12,
        reminders: 1,
        last_reminded_at: Some(13),
    }
}

/// An administrator's view: every type but the occupational health detail.
fn admin(a: Action) -> bool {
    match a {
        Action::ViewType(t) => !Catalogue::nhs()
            .by_name(t)
            .unwrap()
            .is_occupational_health_only(),
        Action::ViewTransfer(audience) => audience == "hr",
        _ => true,
    }
}

#[test]
fn the_document_has_every_section_and_withholds_what_the_role_may_not_see() {
    let (doc, counts) = document(
        &data(),
        &[],
        &admin,
        ("RHQ", "Example Trust"),
        1_700_000_000,
    );
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["generated_at_utc"], "2023-11-14T22:13:20Z");
    for section in [
        "person",
        "identifiers",
        "records",
        "offers",
        "credentials",
        "transfer_requests",
        "review_items",
        "rotation_rows",
        "emails",
        "audit_entries",
        "withheld",
    ] {
        assert!(!doc[section].is_null(), "{section}");
    }
    assert_eq!(doc["rotation_rows"][0]["gmc_number"], "9300001");
    assert_eq!(doc["rotation_rows"][0]["changeover"]["name"], "August");
    assert_eq!(doc["emails"][0]["to"], "alex@example.invalid");
    assert_eq!(doc["emails"][0]["state"], "delivered");
    assert_eq!(doc["records"].as_array().unwrap().len(), 1);
    assert_eq!(doc["credentials"][0]["status"], "revoked");
    assert_eq!(doc["offers"][0]["collected_at"], 12);
    let withheld = doc["withheld"].as_array().unwrap();
    assert_eq!(withheld.len(), 2);
    assert_eq!(
        (
            &withheld[0]["section"],
            &withheld[0]["what"],
            &withheld[0]["count"]
        ),
        (&json!("records"), &json!("Vaccination"), &json!(1))
    );
    let text = doc.to_string();
    assert!(!text.contains("Secret Vaccine X"));
    assert!(!text.contains("c-2"));
    assert!(
        counts.contains("1 records") && counts.ends_with("2 withheld"),
        "{counts}"
    );
    assert!(!counts.contains("Alex"), "counts only: {counts}");
}

#[test]
fn a_rotation_row_is_withheld_with_its_request() {
    let mut d = data();
    let request = |audience: &str| SubjectRequest {
        request: passport_store::TransferRequest {
            audience: audience.into(),
            ..transfer_request()
        },
        presented: Vec::new(),
        refused: Vec::new(),
    };
    // Baseline: the HR team's request and its row are the administrator's to export.
    d.requests = vec![request("hr")];
    let (doc, _) = document(&d, &[], &admin, ("RHQ", "Example Trust"), 0);
    assert_eq!(doc["rotation_rows"].as_array().unwrap().len(), 1);
    // The OH team's request is theirs to answer for: its row goes with it, counted.
    d.requests = vec![request("occupational-health")];
    let (doc, counts) = document(&d, &[], &admin, ("RHQ", "Example Trust"), 0);
    assert!(doc["rotation_rows"].as_array().unwrap().is_empty());
    assert!(!doc.to_string().contains("9300001"));
    assert!(counts.ends_with("4 withheld"), "{counts}");
}

#[test]
fn a_role_that_sees_everything_gets_everything() {
    let (doc, _) = document(&data(), &[], &|_| true, ("RHQ", "Example Trust"), 0);
    assert_eq!(doc["records"].as_array().unwrap().len(), 2);
    assert!(doc["withheld"].as_array().unwrap().is_empty());
    assert!(doc.to_string().contains("Secret Vaccine X"));
}
