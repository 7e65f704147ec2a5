//! Transfer request storage, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]
use crate::{NewTransferRequest, PresentedRow, RequestStatus, ResponseRefusal, Store};

async fn stores() -> Vec<Store> {
    crate::tests::stores_with(&["RHQ", "R0A"]).await
}

fn new_request(org: &str, n: u32) -> NewTransferRequest {
    NewTransferRequest {
        org: org.into(),
        created_by: "u-1".into(),
        person_name: "Alex Example".into(),
        person_email: "alex@example.invalid".into(),
        registration_number: Some("7000001".into()),
        profile_id: "fy2-medicine".into(),
        profile: "{}".into(),
        start_date: "2027-08-04".into(),
        end_date: "2027-12-01".into(),
        move_kind: "rotation".into(),
        lead_employer: None,
        audience: "hr".into(),
        nonce: format!("nonce-{org}-{n}"),
        state: format!("state-{org}-{n}"),
        enc_key: "k".into(),
        expires_at: 1_000,
    }
}

fn row(query: &str, accepted: bool) -> PresentedRow {
    PresentedRow {
        query_id: query.into(),
        vct: Some("https://w3id.org/nhs-staff-passport/vct/identity/v1".into()),
        iss: Some("https://x/issuers/RHQ".into()),
        issuer_ods: Some("RHQ".into()),
        accepted,
        reason: if accepted {
            "verified".into()
        } else {
            "revoked".into()
        },
        claims: accepted.then(|| "{}".into()),
    }
}

#[tokio::test]
async fn a_response_is_stored_once_and_a_replay_or_second_response_changes_nothing() {
    for store in stores().await {
        let id = store
            .create_transfer_request(&new_request("R0A", 1), 10, |id| Ok(format!("jwt-for-{id}")))
            .await
            .unwrap();
        let req = store.transfer_request("R0A", &id).await.unwrap().unwrap();
        assert_eq!(req.status, RequestStatus::Open);
        assert_eq!(req.request_object, format!("jwt-for-{id}"));
        // Another organisation cannot see it.
        assert!(store.transfer_request("RHQ", &id).await.unwrap().is_none());

        store.mark_request_fetched("R0A", &id, 11).await.unwrap();
        let rows = [row("identity", true), row("dbs", false)];
        store
            .record_response(
                "R0A",
                &id,
                "jwe-1",
                &rows,
                "{\"lines\":[]}",
                Some("code"),
                12,
            )
            .await
            .unwrap()
            .unwrap();
        let req = store.transfer_request("R0A", &id).await.unwrap().unwrap();
        assert_eq!(req.status, RequestStatus::Responded);
        assert_eq!(req.report.as_deref(), Some("{\"lines\":[]}"));
        assert!(store.check_response_code("R0A", &id, "code").await.unwrap());
        assert!(!store
            .check_response_code("R0A", &id, "other")
            .await
            .unwrap());
        assert_eq!(store.presented("R0A", &id).await.unwrap().len(), 2);

        // The same response again is a replay; a different one finds the request answered.
        let again = store
            .record_response("R0A", &id, "jwe-1", &rows, "{}", None, 13)
            .await
            .unwrap();
        assert_eq!(again, Err(ResponseRefusal::Replayed));
        let second = store
            .record_response("R0A", &id, "jwe-2", &rows, "{}", None, 13)
            .await
            .unwrap();
        assert_eq!(second, Err(ResponseRefusal::NotAwaiting));
        assert_eq!(store.presented("R0A", &id).await.unwrap().len(), 2);

        // A replayed response to another request is refused too.
        let other = store
            .create_transfer_request(&new_request("R0A", 2), 10, |id| Ok(id.to_string()))
            .await
            .unwrap();
        let replay = store
            .record_response("R0A", &other, "jwe-1", &rows, "{}", None, 14)
            .await
            .unwrap();
        assert_eq!(replay, Err(ResponseRefusal::Replayed));
        let other_req = store
            .transfer_request("R0A", &other)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(other_req.status, RequestStatus::Open);
        assert!(store.presented("R0A", &other).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn expired_requests_take_no_response_and_decisions_are_made_once_by_the_owner() {
    for store in stores().await {
        let id = store
            .create_transfer_request(&new_request("R0A", 3), 10, |id| Ok(id.to_string()))
            .await
            .unwrap();
        // Not responded: no decision yet.
        assert!(store
            .decide_transfer("R0A", &id, "accepted", "", "u-1", 20)
            .await
            .is_err());
        let late = store
            .record_response("R0A", &id, "jwe-late", &[], "{}", None, 1_000)
            .await
            .unwrap();
        assert_eq!(late, Err(ResponseRefusal::NotAwaiting));
        let id = store
            .create_transfer_request(&new_request("R0A", 4), 10, |id| Ok(id.to_string()))
            .await
            .unwrap();
        store
            .record_response("R0A", &id, "jwe-ok", &[], "{}", None, 20)
            .await
            .unwrap()
            .unwrap();
        // The wrong organisation cannot decide.
        assert!(store
            .decide_transfer("RHQ", &id, "accepted", "", "u-2", 21)
            .await
            .is_err());
        store
            .decide_transfer("R0A", &id, "accepted", "all checks portable", "u-1", 21)
            .await
            .unwrap();
        assert!(store
            .decide_transfer("R0A", &id, "rejected", "", "u-1", 22)
            .await
            .is_err());
        let req = store.transfer_request("R0A", &id).await.unwrap().unwrap();
        assert_eq!(req.decision.as_deref(), Some("accepted"));
        assert_eq!(req.decided_by.as_deref(), Some("u-1"));
        store
            .record_response_failure("R0A", &id, "could not decrypt", 23)
            .await
            .unwrap();
        assert_eq!(store.response_failures("R0A", &id).await.unwrap().len(), 1);
        assert_eq!(store.transfer_requests("R0A", 10).await.unwrap().len(), 2);
        assert!(store.transfer_requests("RHQ", 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn profiles_and_local_periods_are_per_organisation() {
    for store in stores().await {
        let defaults = vec![(
            "fy2".to_string(),
            "FY2".to_string(),
            "{\"a\":1}".to_string(),
        )];
        store.seed_profiles("R0A", &defaults, 1).await.unwrap();
        store
            .save_profile("R0A", "fy2", "FY2 (local)", "{\"a\":2}", "u-1", 2)
            .await
            .unwrap();
        // Seeding again does not overwrite the local edit.
        store.seed_profiles("R0A", &defaults, 3).await.unwrap();
        let p = store.profile("R0A", "fy2").await.unwrap().unwrap();
        assert_eq!(
            (p.name.as_str(), p.body.as_str()),
            ("FY2 (local)", "{\"a\":2}")
        );
        assert!(store.profile("RHQ", "fy2").await.unwrap().is_none());
        assert_eq!(store.profiles("R0A").await.unwrap().len(), 1);
        assert!(store.local_periods("R0A").await.unwrap().is_none());
        store
            .save_local_periods("R0A", "{\"x\":1}", "u-1", 4)
            .await
            .unwrap();
        assert_eq!(
            store.local_periods("R0A").await.unwrap().as_deref(),
            Some("{\"x\":1}")
        );
        assert!(store.local_periods("RHQ").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn refused_responses_are_kept_bounded_and_only_for_existing_requests() {
    for store in stores().await {
        let id = store
            .create_transfer_request(&new_request("R0A", 9), 10, |id| Ok(id.to_string()))
            .await
            .unwrap();
        let long = "x".repeat(5_000);
        for n in 0..(crate::MAX_FAILURES_PER_REQUEST + 10) {
            store
                .record_response_failure("R0A", &id, &long, 20 + n)
                .await
                .unwrap();
        }
        let kept = store.response_failures("R0A", &id).await.unwrap();
        assert_eq!(kept.len() as i64, crate::MAX_FAILURES_PER_REQUEST);
        assert!(kept.iter().all(|(r, _)| r.chars().count() == 300));
        // Unknown requests, and another organisation's, get nothing.
        store
            .record_response_failure("R0A", "tr-nope", "x", 30)
            .await
            .unwrap();
        store
            .record_response_failure("RHQ", &id, "x", 30)
            .await
            .unwrap();
        assert!(store
            .response_failures("R0A", "tr-nope")
            .await
            .unwrap()
            .is_empty());
        assert!(store
            .response_failures("RHQ", &id)
            .await
            .unwrap()
            .is_empty());
    }
}
