//! The retention job on the real server, on SQLite and PostgreSQL: R0A has a transfer request
//! decided 40 days ago, one decided today (through the portal, after Amara's wallet answered)
//! and one that expired unanswered 46 days ago (the old ones stored with their old times); with a
//! 30-day policy the scheduled task (first run a second after it starts) purges the first and
//! the third and writes one audit entry per organisation with counts only. HR then reads the
//! old request's page: the data was deleted under the retention policy on today's date, and
//! the decision is shown; its exports say why there is nothing; the chain verifies. A policy
//! under a day stops the task from starting.
#![allow(clippy::unwrap_used)]
mod common;

use common::portal::{sign_in, user};
use common::transfer::{amara_wallet, answer, request};
use passport_compliance::Audience;
use passport_server::retention;
use passport_store::{ChainCheck, NewTransferRequest, PresentedRow, PURGED_FOR_RETENTION};
use reqwest::StatusCode;
use std::time::Duration;

const DAY: i64 = 86_400;

/// A request of R0A about Amara made `age` days ago (lasting 14 days); answered and decided
/// `decided` days ago when given. Stored with those times: the test cannot wait for them.
async fn made_long_ago(server: &common::TestServer, age: i64, decided: Option<i64>) -> String {
    let store = &server.state.store;
    let now = passport_server::now();
    let created = now - age * DAY;
    let new = NewTransferRequest {
        org: "R0A".into(),
        created_by: "u-hr".into(),
        person_name: "Amara Okafor".into(),
        person_email: "amara.okafor@nhs.example".into(),
        registration_number: Some("9100001".into()),
        profile_id: "foundation-doctor-medicine".into(),
        profile: "{}".into(),
        start_date: "2030-01-01".into(),
        end_date: "2030-06-01".into(),
        move_kind: "rotation".into(),
        lead_employer: None,
        audience: "hr".into(),
        nonce: passport_store::new_id("n-"),
        state: passport_store::new_id("s-"),
        enc_key: "k".into(),
        expires_at: created + 14 * DAY,
    };
    let id = (store.create_transfer_request(&new, created, |id| Ok(format!("jwt-{id}"))))
        .await
        .unwrap();
    if let Some(days) = decided {
        let row = PresentedRow {
            query_id: "identity".into(),
            vct: None,
            iss: None,
            issuer_ods: Some("RHQ".into()),
            accepted: true,
            reason: "verified".into(),
            claims: Some(r#"{"familyName":"Okafor"}"#.into()),
        };
        let rows = [row];
        let answered = store.record_response("R0A", &id, &id, &rows, "{}", None, created + 60);
        assert_eq!(answered.await.unwrap(), Ok(()));
        let at = now - days * DAY;
        let note = "Amara starts Monday";
        (store.decide_transfer("R0A", &id, "accepted", note, "u-hr", at))
            .await
            .unwrap();
    }
    id
}

#[tokio::test]
async fn the_scheduled_job_purges_what_is_due_and_the_report_says_so() {
    for db in passport_store::testing::both().await.unwrap() {
        let server = common::start_with(db, |c| {
            c.retention_days = 30;
            c.retention_interval_secs = 1;
        })
        .await;
        user(&server, "R0A", "r0a.hr", "hr").await;
        let wallet = amara_wallet(&server).await;
        let hr = sign_in(&server, "r0a.hr").await;
        let recent = request(&server, Audience::Hr).await;
        answer(&server, &wallet, &recent).await;
        let decide = format!("/portal/transfers/{recent}/decision");
        let fields = [("decision", "accepted"), ("note", "Amara starts Monday")];
        assert_eq!(hr.post(&decide, &fields).await, StatusCode::SEE_OTHER);
        let old = made_long_ago(&server, 60, Some(40)).await;
        let stale = made_long_ago(&server, 60, None).await;
        let store = &server.state.store;
        let untouched = store.transfer_request("R0A", &recent).await.unwrap();

        let _job = retention::spawn(&server.state).unwrap();
        let mut runs = Vec::new();
        for _ in 0..100 {
            runs = store.audit_entries("R0A", None, None, 100).await.unwrap();
            runs.retain(|e| e.action == retention::ACTION);
            if !runs.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let run = runs.last().expect("the job ran within 20 seconds");
        assert!(
            run.detail
                .starts_with("retention 30 days: 2 transfer requests purged (1 undecided); "),
            "{}",
            run.detail
        );
        assert_eq!(
            (
                run.actor_id.as_str(),
                run.purpose.as_str(),
                run.outcome.as_str()
            ),
            ("system", "retention", "done")
        );
        assert!(!run.detail.contains("Okafor"));
        let rhq = store.audit_entries("RHQ", None, None, 1000).await.unwrap();
        assert!(rhq.iter().any(|e| e.action == retention::ACTION));

        for id in [&old, &stale] {
            let r = store.transfer_request("R0A", id).await.unwrap().unwrap();
            assert_eq!(
                r.purge_reason.as_deref(),
                Some(PURGED_FOR_RETENTION),
                "{id}"
            );
            assert!(r.person_name.is_empty() && r.report.is_none() && r.decision_note.is_none());
            assert!(store.presented("R0A", id).await.unwrap().is_empty());
        }
        let kept = store.transfer_request("R0A", &old).await.unwrap().unwrap();
        assert_eq!(kept.decision.as_deref(), Some("accepted"));
        assert_eq!(
            store.transfer_request("R0A", &recent).await.unwrap(),
            untouched
        );

        // The page says what happened and shows the decision; nothing of the person is left.
        let (status, page) = hr.get(&format!("/portal/transfers/{old}")).await;
        assert_eq!(status, StatusCode::OK);
        let today = passport_server::portal::html::date(passport_server::now());
        let notice = format!("deleted under the retention policy on {today}");
        assert!(page.contains(&notice), "{page}");
        assert!(page.contains("Accepted"));
        for gone in ["Okafor", "Amara starts Monday", "Report against the role"] {
            assert!(!page.contains(gone), "{gone}");
        }
        for tail in ["report.json", "report.csv"] {
            let (status, body) = hr.get(&format!("/portal/transfers/{old}/{tail}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{tail}");
            assert!(!body.contains("Okafor"), "{body}");
        }
        let (_, list) = hr.get("/portal/transfers").await;
        assert!(list.contains("Details deleted"));
        let (_, recent_page) = hr.get(&format!("/portal/transfers/{recent}")).await;
        assert!(
            recent_page.contains("Amara Okafor"),
            "the recent one is whole"
        );
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn a_policy_under_a_day_stops_the_job_from_starting() {
    for db in passport_store::testing::both().await.unwrap() {
        let server = common::start_with(db, |c| c.retention_days = 0).await;
        assert!(retention::spawn(&server.state).is_err());
        let store = &server.state.store;
        let log = store.audit_entries("R0A", None, None, 10).await.unwrap();
        assert!(log.is_empty());
        // Baseline: the same server with a day's policy starts it.
        let mut ok = common::start(passport_store::testing::sqlite().unwrap()).await;
        assert!(retention::spawn(&ok.state).is_ok());
        ok.stop().await;
    }
}
