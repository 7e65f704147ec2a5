//! The person's access log in storage, on SQLite and on PostgreSQL: requests found by the key
//! that answered them and by nothing else, only the entries about them that were allowed or
//! done, bounded, and a proof id spent once.
#![allow(clippy::unwrap_used)]
use crate::{AuditEvent, NewTemporaryMovement, NewTransferRequest, PresentedRow, Store};

const KEY_A: &str = "thumbprint-of-amaras-device-key-aaaaaaaaaaa";
const KEY_B: &str = "thumbprint-of-someone-elses-key-bbbbbbbbbbb";

async fn stores() -> Vec<Store> {
    crate::tests::stores_with(&["RHQ", "R0A"]).await
}

fn new_request(org: &str, n: u32) -> NewTransferRequest {
    NewTransferRequest {
        org: org.into(),
        created_by: "u-hr".into(),
        person_name: "Alex Example".into(),
        person_email: "alex@example.invalid".into(),
        registration_number: None,
        profile_id: "fy2".into(),
        profile: r#"{"name": "FY2"}"#.into(),
        start_date: "2030-08-04".into(),
        end_date: "2030-12-01".into(),
        move_kind: "rotation".into(),
        lead_employer: None,
        audience: "hr".into(),
        nonce: format!("al-nonce-{org}-{n}"),
        state: format!("al-state-{org}-{n}"),
        enc_key: "k".into(),
        expires_at: 10_000,
    }
}

fn accepted() -> PresentedRow {
    PresentedRow {
        query_id: "identity".into(),
        vct: Some("https://w3id.org/nhs-staff-passport/vct/identity/v1".into()),
        iss: Some("https://x/issuers/RHQ".into()),
        issuer_ods: Some("RHQ".into()),
        accepted: true,
        reason: "verified".into(),
        claims: Some("{}".into()),
    }
}

/// A request of `org` answered at `at` with credentials bound to `key` (`None`: before the
/// node kept keys).
async fn answered(store: &Store, org: &str, n: u32, key: Option<&str>, at: i64) -> String {
    let id = store
        .create_transfer_request(&new_request(org, n), 10, |id| Ok(id.to_string()))
        .await
        .unwrap();
    let rows = [accepted()];
    let jwe = format!("jwe-{id}");
    store
        .record_response_of(org, &id, &jwe, &rows, "{}", None, key, at)
        .await
        .unwrap()
        .unwrap();
    id
}

async fn audit(store: &Store, org: &str, action: &str, subject: &str, outcome: &str, at: i64) {
    let event = AuditEvent {
        org,
        actor_id: "u-7",
        actor_name: "r0a.hr.someone",
        role: "hr",
        action,
        subject,
        purpose: "transfer",
        outcome,
        detail: "audience hr, csv",
    };
    store.append_audit(&event, at).await.unwrap();
}

#[tokio::test]
async fn a_key_finds_the_requests_it_answered_at_every_organisation_and_nothing_else() {
    for store in stores().await {
        let first = answered(&store, "R0A", 1, Some(KEY_A), 100).await;
        let elsewhere = answered(&store, "RHQ", 2, Some(KEY_A), 200).await;
        let someone_else = answered(&store, "R0A", 3, Some(KEY_B), 300).await;
        let before_keys = answered(&store, "R0A", 4, None, 400).await;
        let unanswered = store
            .create_transfer_request(&new_request("R0A", 5), 10, |id| Ok(id.to_string()))
            .await
            .unwrap();

        let (mine, more) = store.requests_of_holder(KEY_A, 10).await.unwrap();
        let ids: Vec<&str> = mine.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [elsewhere.as_str(), first.as_str()], "newest first");
        assert!(!more);
        assert_eq!(mine[1].org, "R0A");
        assert_eq!(mine[1].responded_at, Some(100));
        assert_eq!(mine[1].profile, r#"{"name": "FY2"}"#);
        let (theirs, _) = store.requests_of_holder(KEY_B, 10).await.unwrap();
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0].id, someone_else);
        for nobody in ["", "unknown-key", "%"] {
            let (none, more) = store.requests_of_holder(nobody, 10).await.unwrap();
            assert!(none.is_empty() && !more, "{nobody:?}");
        }
        // Answered before keys were kept, or never answered: in nobody's log.
        for never in [&before_keys, &unanswered] {
            assert!(mine.iter().chain(&theirs).all(|r| &r.id != never));
        }

        // Bounded, saying so.
        let (one, more) = store.requests_of_holder(KEY_A, 1).await.unwrap();
        assert_eq!((one.len(), more), (1, true));
        assert_eq!(one[0].id, elsewhere);
    }
}

#[tokio::test]
async fn a_requests_entries_are_those_allowed_or_done_about_it_in_its_own_organisation() {
    for store in stores().await {
        let id = answered(&store, "R0A", 1, Some(KEY_A), 100).await;
        let other = answered(&store, "R0A", 2, Some(KEY_B), 100).await;
        audit(&store, "R0A", "view-transfer", &id, "allowed", 110).await;
        audit(&store, "R0A", "view-transfer", &id, "refused", 111).await;
        audit(&store, "R0A", "view-transfer", &other, "allowed", 112).await;
        audit(&store, "RHQ", "view-transfer", &id, "allowed", 113).await;
        audit(&store, "R0A", "export-report", &id, "allowed", 114).await;
        audit(&store, "R0A", "view-transfer", &id, "not-found", 115).await;
        audit(&store, "R0A", "transfer-decided", &id, "done", 116).await;
        audit(&store, "R0A", "view-audit-log", "", "allowed", 117).await;

        let (entries, more) = store.entries_about_request("R0A", &id, 10).await.unwrap();
        let seen: Vec<(&str, i64)> = entries.iter().map(|e| (e.action.as_str(), e.at)).collect();
        assert_eq!(
            seen,
            [
                ("view-transfer", 110),
                ("export-report", 114),
                ("transfer-decided", 116)
            ]
        );
        assert!(!more);
        assert_eq!(entries[0].role, "hr");
        assert_eq!(entries[1].detail, "audience hr, csv");
        assert_eq!(entries[0].purpose, "transfer");

        let (two, more) = store.entries_about_request("R0A", &id, 2).await.unwrap();
        assert_eq!((two.len(), more), (2, true));
        assert_eq!(two[1].action, "export-report", "oldest first");
        let (none, _) = store
            .entries_about_request("RHQ", &other, 10)
            .await
            .unwrap();
        assert!(
            none.is_empty(),
            "another organisation's log holds nothing of it"
        );
    }
}

#[tokio::test]
async fn entries_about_the_temporary_arrangement_made_with_a_request_are_its_entries() {
    for store in stores().await {
        let mut request = new_request("R0A", 9);
        request.move_kind = "secondment".into();
        let home = NewTemporaryMovement {
            home_org: "RHQ".into(),
            bank: None,
        };
        let (movement, request_id) = store
            .create_temporary_movement(&request, &home, 50, |id| Ok(id.to_string()))
            .await
            .unwrap();
        let jwe = "jwe-temporary";
        store
            .record_response_of(
                "R0A",
                &request_id,
                jwe,
                &[accepted()],
                "{}",
                None,
                Some(KEY_A),
                60,
            )
            .await
            .unwrap()
            .unwrap();
        audit(
            &store,
            "R0A",
            "view-temporary-movements",
            &movement,
            "allowed",
            70,
        )
        .await;
        audit(
            &store,
            "R0A",
            "temporary-movement-accepted",
            &movement,
            "done",
            80,
        )
        .await;
        let (entries, _) = store
            .entries_about_request("R0A", &request_id, 10)
            .await
            .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["view-temporary-movements", "temporary-movement-accepted"]
        );
    }
}

#[tokio::test]
async fn a_proof_id_is_spent_once_and_forgotten_when_its_proof_is_stale() {
    for store in stores().await {
        assert!(store.use_access_log_proof("jti-1", 100, 50).await.unwrap());
        assert!(!store.use_access_log_proof("jti-1", 100, 60).await.unwrap());
        assert!(store.use_access_log_proof("jti-2", 200, 60).await.unwrap());
        let count = |store: &Store| {
            let pool = store.pool().clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM access_log_proofs")
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(count(&store).await, 2);
        // At 150 jti-1's proof is stale (the caller refuses it by its iat): its id goes.
        assert!(store.use_access_log_proof("jti-3", 210, 150).await.unwrap());
        assert_eq!(count(&store).await, 2);
        assert!(!store.use_access_log_proof("jti-2", 200, 150).await.unwrap());
    }
}
