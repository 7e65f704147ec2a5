//! Retention of presentation data, on SQLite and on PostgreSQL: exactly the due requests are
//! purged (decided long enough ago; undecided and expired long enough ago), the decision stays,
//! a purged request accepts nothing more, and another organisation's requests are untouched.
#![allow(clippy::unwrap_used)]
use crate::{
    AuditEvent, ChainCheck, NewTransferRequest, PresentedRow, ResponseRefusal, RetentionOutcome,
    Store, StoreError, TransferRequest, SECONDS_PER_DAY,
};

pub(crate) async fn stores() -> Vec<Store> {
    crate::tests::stores_with(&["RHQ", "R0A"]).await
}

const DAY: i64 = SECONDS_PER_DAY;
/// "Now" of these tests: a fixed time, so every age below is exact.
const NOW: i64 = 1_000 * DAY;

fn new_request(org: &str, name: &str, created: i64, ttl: i64) -> NewTransferRequest {
    NewTransferRequest {
        org: org.into(),
        created_by: "u-hr".into(),
        person_name: name.into(),
        person_email: format!("{}@example.invalid", name.to_lowercase().replace(' ', ".")),
        registration_number: Some("7000001".into()),
        profile_id: "fy2-medicine".into(),
        profile: r#"{"id":"fy2-medicine"}"#.into(),
        start_date: "2027-08-04".into(),
        end_date: "2027-12-01".into(),
        move_kind: "rotation".into(),
        lead_employer: None,
        audience: "hr".into(),
        nonce: crate::new_id("n-"),
        state: crate::new_id("s-"),
        enc_key: "private key".into(),
        expires_at: created + ttl,
    }
}

fn presented(query: &str) -> PresentedRow {
    PresentedRow {
        query_id: query.into(),
        vct: Some("https://w3id.org/nhs-staff-passport/vct/identity/v1".into()),
        iss: Some("https://x/issuers/RHQ".into()),
        issuer_ods: Some("RHQ".into()),
        accepted: true,
        reason: "verified".into(),
        claims: Some(r#"{"givenName":"Alex"}"#.into()),
    }
}

/// A request of `org` made `age` days before NOW (lasting 14 days), with a refused response
/// logged; answered a day later (two credentials) when `answered`, decided `decided` days
/// before NOW when given.
async fn request(
    store: &Store,
    org: &str,
    name: &str,
    age: i64,
    answered: bool,
    decided: Option<i64>,
) -> String {
    let created = NOW - age * DAY;
    let new = new_request(org, name, created, 14 * DAY);
    let id = store
        .create_transfer_request(&new, created, |id| Ok(format!("jwt-for-{id}")))
        .await
        .unwrap();
    store
        .record_response_failure(org, &id, "state does not match", created + 60)
        .await
        .unwrap();
    if answered {
        let rows = [presented("identity"), presented("dbs")];
        let response = format!("response to {id}");
        let at = created + DAY;
        let stored = store
            .record_response(org, &id, &response, &rows, r#"{"lines":[]}"#, Some("c"), at)
            .await
            .unwrap();
        assert_eq!(stored, Ok(()));
    }
    if let Some(days) = decided {
        let at = NOW - days * DAY;
        (store.decide_transfer(org, &id, "accepted", "Alex's note", "u-lead", at))
            .await
            .unwrap();
    }
    id
}

async fn get(store: &Store, org: &str, id: &str) -> TransferRequest {
    store.transfer_request(org, id).await.unwrap().unwrap()
}

async fn seen(store: &Store, id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM seen_responses WHERE request_id = $1")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn audit(store: &Store) -> impl std::future::Future<Output = crate::Result<i64>> + '_ {
    let event = AuditEvent {
        org: "R0A",
        actor_id: "u-hr",
        actor_name: "r0a.hr",
        role: "hr",
        action: "transfer-decided",
        subject: "tr-x",
        purpose: "transfer",
        outcome: "done",
        detail: "accepted",
    };
    async move { store.append_audit(&event, NOW - DAY).await }
}

#[tokio::test]
async fn retention_purges_exactly_the_due_requests_and_keeps_the_decision() {
    for store in stores().await {
        audit(&store).await.unwrap();
        // Due: decided 100 days ago; never decided, expired 106 days ago (made 120 days ago).
        let old = request(&store, "R0A", "Old Decided", 120, true, Some(100)).await;
        let stale = request(&store, "R0A", "Never Decided", 120, true, None).await;
        // Not due: decided 10 days ago; expired 6 days ago; still waiting; another trust's.
        let recent = request(&store, "R0A", "Recent Decided", 30, true, Some(10)).await;
        let lapsed = request(&store, "R0A", "Lately Expired", 20, false, None).await;
        let waiting = request(&store, "R0A", "Still Waiting", 1, false, None).await;
        let other = request(&store, "RHQ", "Other Trust", 120, true, Some(100)).await;
        let mut untouched = Vec::new();
        for (org, id) in [
            ("R0A", &recent),
            ("R0A", &lapsed),
            ("R0A", &waiting),
            ("RHQ", &other),
        ] {
            let presented = store.presented(org, id).await.unwrap();
            let refused = store.response_failures(org, id).await.unwrap();
            untouched.push((org, id, get(&store, org, id).await, presented, refused));
        }

        let out = store.apply_retention("R0A", 90, NOW).await.unwrap();
        assert_eq!(
            out,
            RetentionOutcome {
                requests: 2,
                undecided: 1,
                presented: 4,
                refused_responses: 2,
                rotation_rows: 0,
                mails: 0,
                events: 0,
            }
        );
        for id in [&old, &stale] {
            let r = get(&store, "R0A", id).await;
            assert_eq!(r.purged_at, Some(NOW), "{id}");
            assert_eq!(r.purge_reason.as_deref(), Some(crate::PURGED_FOR_RETENTION));
            for gone in [&r.person_name, &r.person_email, &r.start_date, &r.enc_key] {
                assert!(gone.is_empty(), "{id}: {gone}");
            }
            assert_eq!((r.registration_number, r.report), (None, None));
            assert_eq!(r.decision_note, None);
            assert!(store.presented("R0A", id).await.unwrap().is_empty());
            assert!(store.response_failures("R0A", id).await.unwrap().is_empty());
            assert_eq!(seen(&store, id).await, 0);
            // What a decision needs stays: the profile, who asked, the audience.
            assert_eq!(r.profile_id, "fy2-medicine");
            assert_eq!((r.created_by.as_str(), r.audience.as_str()), ("u-hr", "hr"));
        }
        let kept = get(&store, "R0A", &old).await;
        assert_eq!(kept.decision.as_deref(), Some("accepted"));
        assert_eq!(kept.decided_by.as_deref(), Some("u-lead"));
        assert_eq!(kept.decided_at, Some(NOW - 100 * DAY));
        assert_eq!(get(&store, "R0A", &stale).await.decision, None);
        for (org, id, before, presented, refused) in untouched {
            assert_eq!(get(&store, org, id).await, before, "{id}");
            assert_eq!(store.presented(org, id).await.unwrap(), presented);
            assert_eq!(store.response_failures(org, id).await.unwrap(), refused);
        }
        assert_eq!(seen(&store, &recent).await, 1);

        // A second run finds nothing; the audit chain was never touched.
        let again = store.apply_retention("R0A", 90, NOW).await.unwrap();
        assert_eq!(again, RetentionOutcome::default());
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { entries: 1, .. }
        ));
        // 85 days on, the recent decision and the lapsed request's expiry are 90 days old.
        let later = store.apply_retention("R0A", 90, NOW + 85 * DAY).await;
        assert_eq!(later.unwrap().requests, 2);
        for id in [&recent, &lapsed] {
            assert!(get(&store, "R0A", id).await.purged_at.is_some());
        }
        assert_eq!(get(&store, "R0A", &waiting).await.purged_at, None);
    }
}

#[tokio::test]
async fn a_purged_request_accepts_nothing_more() {
    for store in stores().await {
        // Baseline: an answered, undecided request takes a decision and logs refusals.
        let live = request(&store, "R0A", "Live One", 100, true, None).await;
        store
            .record_response_failure("R0A", &live, "late", NOW)
            .await
            .unwrap();
        assert_eq!(
            store.response_failures("R0A", &live).await.unwrap().len(),
            2
        );
        (store.decide_transfer("R0A", &live, "rejected", "", "u-lead", NOW))
            .await
            .unwrap();

        // Purged while undecided (expired 86 days ago), then everyone tries.
        let stale = request(&store, "R0A", "Stale One", 100, true, None).await;
        let fresh = request(&store, "R0A", "Fresh One", 1, false, None).await;
        assert_eq!(
            store
                .apply_retention("R0A", 30, NOW)
                .await
                .unwrap()
                .requests,
            1
        );
        let before = get(&store, "R0A", &stale).await;
        let decided = store.decide_transfer("R0A", &stale, "accepted", "", "u-lead", NOW);
        assert!(matches!(decided.await, Err(StoreError::Conflict(_))));
        store
            .record_response_failure("R0A", &stale, "late", NOW)
            .await
            .unwrap();
        assert!(store
            .response_failures("R0A", &stale)
            .await
            .unwrap()
            .is_empty());
        let rows = [presented("identity")];
        let answer =
            store.record_response("R0A", &stale, "another response", &rows, "{}", None, NOW);
        assert_eq!(answer.await.unwrap(), Err(ResponseRefusal::NotAwaiting));
        assert_eq!(get(&store, "R0A", &stale).await, before);
        assert!(store.presented("R0A", &stale).await.unwrap().is_empty());
        // The waiting request was not due and still takes its answer.
        let answer = store.record_response("R0A", &fresh, "r", &[], "{}", None, NOW);
        assert_eq!(answer.await.unwrap(), Ok(()));
    }
}

#[tokio::test]
async fn a_retention_period_under_a_day_is_refused_and_changes_nothing() {
    for store in stores().await {
        let old = request(&store, "R0A", "Old Decided", 120, true, Some(100)).await;
        let before = get(&store, "R0A", &old).await;
        for days in [0, -5, i64::MAX] {
            let refused = store.apply_retention("R0A", days, NOW).await;
            assert!(matches!(refused, Err(StoreError::Invalid(_))), "{days}");
        }
        assert_eq!(get(&store, "R0A", &old).await, before);
        // Baseline: one day is a valid period.
        assert_eq!(
            store.apply_retention("R0A", 1, NOW).await.unwrap().requests,
            1
        );
    }
}

/// A run chooses its requests, then purges each in its own transaction: a request decided in
/// between (the day HR accepts an expired, answered request) is no longer due, and is kept.
#[tokio::test]
async fn a_request_decided_after_the_run_chose_it_is_not_purged() {
    for store in stores().await {
        // Answered, never decided, expired 106 days ago: due under 90 days...
        let id = request(&store, "R0A", "Late Decision", 120, true, None).await;
        let cutoff = NOW - 90 * DAY;
        // ...until HR decides it now, after the run's SELECT.
        (store.decide_transfer("R0A", &id, "accepted", "", "u-lead", NOW))
            .await
            .unwrap();
        let mut tx = store.pool().begin().await.unwrap();
        let purged = crate::governance::purge_request(
            &mut tx,
            "R0A",
            &id,
            crate::PURGED_FOR_RETENTION,
            NOW,
            Some(cutoff),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(purged, None);
        let r = get(&store, "R0A", &id).await;
        assert_eq!(
            (r.purged_at, r.person_name.as_str()),
            (None, "Late Decision")
        );
        assert_eq!(store.presented("R0A", &id).await.unwrap().len(), 2);
        // Erasure (no cutoff) still purges it.
        let mut tx = store.pool().begin().await.unwrap();
        let erased = crate::governance::purge_request(
            &mut tx,
            "R0A",
            &id,
            crate::PURGED_FOR_ERASURE,
            NOW,
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(erased.is_some());
    }
}
