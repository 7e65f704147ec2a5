//! Temporary movement end to end, on SQLite and PostgreSQL: R0A's HR asks Amara (synthetic) for
//! her passport for a secondment from RHQ through the portal, the Rust holder presents, HR
//! accepts, and a webhook receiver gets a signed `accepted` CloudEvent it verifies against the
//! trust list; with the scheduled task's clock moved past the end date the arrangement ends and
//! the `ended` event is delivered once. HR can end one early. And the lead employer
//! arrangement: a host trust's report accepts the lead employer's pre-employment checks.
#![allow(clippy::unwrap_used)]
mod common;

use common::outbox::{fast_outbox, wait_until, Receiver};
use common::portal::{sign_in, user, Signed};
use common::temporary::{answered, create, form, movement_of, with_banks};
use common::transfer::{amara_wallet, answer, day, placement, request};
use common::{start_with, TestServer};
use passport_compliance::{Report, Status};
use passport_server::temporary::end_due;
use passport_server::webhooks::{self, TEMPORARY_MOVEMENT_ACCEPTED, TEMPORARY_MOVEMENT_ENDED};
use passport_store::{MovementState, RequestStatus};
use reqwest::StatusCode;

/// Today (UTC) moved by `days`: the scheduled task's calendar.
fn on(days: i64) -> time::Date {
    common::temporary::today() + time::Duration::days(days)
}

async fn servers() -> Vec<TestServer> {
    let mut out = Vec::new();
    for db in passport_store::testing::both().await.unwrap() {
        out.push(
            start_with(db, |c| {
                with_banks(c);
                c.outbox = fast_outbox(10);
            })
            .await,
        );
    }
    out
}

async fn post(hr: &Signed, path: &str, fields: &[(&'static str, String)]) -> StatusCode {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    hr.post(path, &refs).await
}

/// The HTML of the list page's section `id` (up to the next heading).
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}-heading""#))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &html[start..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

fn of_type(rx: &Receiver, event_type: &str) -> Vec<common::outbox::Received> {
    rx.accepted()
        .into_iter()
        .filter(|r| r.event["type"] == event_type)
        .collect()
}

#[tokio::test]
async fn accepted_with_a_signed_event_then_ended_by_the_clock_and_announced_once() {
    for server in servers().await {
        let state = &server.state;
        let _worker = webhooks::spawn(state.clone(), None).unwrap();
        let rx = Receiver::start(state.trust_list().as_ref().clone()).await;
        let types = [TEMPORARY_MOVEMENT_ACCEPTED, TEMPORARY_MOVEMENT_ENDED];
        webhooks::subscribe(state, "R0A", &rx.url("provisioning"), &types)
            .await
            .unwrap();
        let wallet = amara_wallet(&server).await;
        user(&server, "R0A", "r0a.hr", "hr").await;
        let hr = sign_in(&server, "r0a.hr").await;

        // HR asks for her passport for a secondment from RHQ, from tomorrow for 30 days.
        let status = post(&hr, "/portal/temporary", &form("Amara Okafor")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let m = movement_of(state, "Amara Okafor").await.unwrap();
        assert_eq!(
            (m.state, m.kind.as_str()),
            (MovementState::Requested, "secondment")
        );
        assert_eq!(
            (m.start_date.clone(), m.end_date.clone()),
            (day(1), day(30))
        );
        let page_path = format!("/portal/temporary/{}", m.id);
        let (code, page) = hr.get(&page_path).await;
        assert_eq!(code, StatusCode::OK);
        assert!(
            page.contains(r#"id="request-link""#),
            "the QR code and link"
        );
        let (_, list) = hr.get("/portal/temporary").await;
        assert!(section(&list, "waiting").contains("Amara Okafor"));

        // The Rust holder presents; the report is against the role, as for a transfer.
        let (_, stored) = answer(&server, &wallet, &m.request_id).await;
        assert_eq!(stored.status, RequestStatus::Responded);
        let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
        assert_eq!(report.placement.kind.as_str(), "secondment");
        assert!(matches!(
            report
                .lines
                .iter()
                .find(|l| l.key == "identity")
                .unwrap()
                .status,
            Status::Met { .. }
        ));
        let (_, page) = hr.get(&page_path).await;
        assert!(page.contains("Report against the role"));
        assert!(page.contains("Do you accept this passport for the arrangement?"));
        assert!(
            rx.accepted().is_empty(),
            "nothing is sent before acceptance"
        );

        // HR accepts: active for the period, the signed `accepted` event reaches the receiver.
        let decision = [
            ("decision", "accepted".to_string()),
            ("note", "badge booked".into()),
        ];
        assert_eq!(
            post(&hr, &format!("{page_path}/decision"), &decision).await,
            StatusCode::SEE_OTHER
        );
        let m = state
            .store
            .temporary_movement("R0A", &m.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.state, MovementState::Active);
        wait_until("accepted event", 30, || async {
            of_type(&rx, TEMPORARY_MOVEMENT_ACCEPTED).len() == 1
        })
        .await;
        let got = &of_type(&rx, TEMPORARY_MOVEMENT_ACCEPTED)[0];
        assert_eq!(
            got.ods_code, "R0A",
            "verified with R0A's key from the trust list"
        );
        assert_eq!(got.content_type, "application/cloudevents+json");
        let e = &got.event;
        assert_eq!(e["source"], state.issuer("R0A").unwrap().issuer_id.as_str());
        assert_eq!(e["subject"], m.id.as_str());
        let data = &e["data"];
        assert_eq!(
            (
                &data["host"],
                &data["home"],
                &data["kind"],
                &data["start"],
                &data["end"]
            ),
            (
                &"R0A".into(),
                &"RHQ".into(),
                &"secondment".into(),
                &day(1).into(),
                &day(30).into()
            )
        );
        assert_eq!(data["person"]["name"], "Amara Okafor");
        assert_eq!(data["request"], m.request_id.as_str());
        assert!(data.get("ended").is_none());
        let (_, list) = hr.get("/portal/temporary").await;
        assert!(section(&list, "upcoming").contains("Amara Okafor"));

        // Nothing ends on its last day; with the calendar moved past it, the scheduled task
        // ends it.
        let now = passport_server::now;
        assert_eq!(end_due(state, on(30), now()).await.unwrap(), 0);
        let before = now();
        let _job = passport_server::temporary::spawn(state.clone(), || on(40)).unwrap();
        wait_until("ended by the scheduled task", 30, || async {
            let m = state.store.temporary_movement("R0A", &m.id).await.unwrap();
            m.is_some_and(|m| m.state == MovementState::Ended)
        })
        .await;
        wait_until("ended event", 30, || async {
            of_type(&rx, TEMPORARY_MOVEMENT_ENDED).len() == 1
        })
        .await;
        // Once: later passes end nothing more, and nothing more is sent.
        assert_eq!(end_due(state, on(40), now()).await.unwrap(), 0);
        assert_eq!(end_due(state, on(50), now()).await.unwrap(), 0);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let ended = of_type(&rx, TEMPORARY_MOVEMENT_ENDED);
        assert_eq!(ended.len(), 1);
        let e = &ended[0].event;
        assert_eq!(e["subject"], m.id.as_str());
        assert_eq!(e["data"]["ended"]["reason"], "end_date");
        let deliveries = state.store.deliveries("R0A", None, 100).await.unwrap();
        assert_eq!(deliveries.len(), 2, "one accepted, one ended");
        let m = state
            .store
            .temporary_movement("R0A", &m.id)
            .await
            .unwrap()
            .unwrap();
        assert!(m.ended_at.is_some_and(|at| at >= before && at <= now()));
        assert_eq!(m.end_reason.as_deref(), Some("end_date"));
        let audit = state
            .store
            .audit_entries("R0A", Some(&m.id), None, 50)
            .await
            .unwrap();
        assert!(audit
            .iter()
            .any(|a| a.action == "temporary-movement-ended" && a.actor_id == "system"));
        assert!(audit
            .iter()
            .any(|a| a.action == "temporary-movement-accepted" && a.outcome == "done"));
        let (_, list) = hr.get("/portal/temporary").await;
        assert!(section(&list, "ended").contains("Amara Okafor"));
        assert!(!section(&list, "upcoming").contains("Amara Okafor"));
    }
}

#[tokio::test]
async fn hr_ends_an_arrangement_early_and_the_ended_event_says_so() {
    for server in servers().await {
        let state = &server.state;
        let _worker = webhooks::spawn(state.clone(), None).unwrap();
        let rx = Receiver::start(state.trust_list().as_ref().clone()).await;
        webhooks::subscribe(state, "R0A", &rx.url("esr"), &[TEMPORARY_MOVEMENT_ENDED])
            .await
            .unwrap();
        user(&server, "R0A", "r0a.hr", "hr").await;
        let hr = sign_in(&server, "r0a.hr").await;
        let (id, request_id) = create(state, "Sam Early", -5, 60).await;
        answered(state, &request_id).await;
        let path = format!("/portal/temporary/{id}");
        let accept = [("decision", "accepted".to_string())];
        assert_eq!(
            post(&hr, &format!("{path}/decision"), &accept).await,
            StatusCode::SEE_OTHER
        );
        let (_, list) = hr.get("/portal/temporary").await;
        assert!(
            section(&list, "active").contains("Sam Early"),
            "started 5 days ago"
        );
        let (_, page) = hr.get(&path).await;
        assert!(page.contains("End the arrangement now"));

        let end = [("note", "project closed early".to_string())];
        assert_eq!(
            post(&hr, &format!("{path}/end"), &end).await,
            StatusCode::SEE_OTHER
        );
        let m = state
            .store
            .temporary_movement("R0A", &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (m.state, m.end_reason.as_deref(), m.end_note.as_deref()),
            (
                MovementState::Ended,
                Some("ended_early"),
                Some("project closed early")
            )
        );
        wait_until("ended event", 30, || async { rx.accepted().len() == 1 }).await;
        assert_eq!(
            rx.accepted()[0].event["data"]["ended"]["reason"],
            "ended_early"
        );
        // Ending it again changes nothing and sends nothing.
        assert_eq!(
            post(&hr, &format!("{path}/end"), &end).await,
            StatusCode::BAD_REQUEST
        );
        let now = passport_server::now();
        assert_eq!(end_due(state, on(100), now).await.unwrap(), 0);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(rx.accepted().len(), 1);
        let (_, page) = hr.get(&path).await;
        assert!(page.contains("ended early by HR") && page.contains("project closed early"));
    }
}

fn status_of<'a>(report: &'a Report, key: &str) -> &'a Status {
    &report.lines.iter().find(|l| l.key == key).unwrap().status
}

#[tokio::test]
async fn a_host_trust_s_report_accepts_the_lead_employer_s_pre_employment_checks() {
    for server in servers().await {
        let state = &server.state;
        let wallet = amara_wallet(&server).await;
        user(&server, "R0A", "r0a.hr", "hr").await;
        let hr = sign_in(&server, "r0a.hr").await;
        // R0A hosts Amara's rotation; RHQ is the lead employer holding her contract and checks.
        let (start, end) = placement();
        let fields = vec![
            ("name", "Amara Okafor".to_string()),
            ("email", "amara.okafor@nhs.example".into()),
            ("registration", "9100001".into()),
            ("profile", "foundation-doctor-medicine".into()),
            ("start", start.to_string()),
            ("end", end.to_string()),
            ("kind", "rotation".into()),
            ("lead", "rhq".into()),
        ];
        assert_eq!(
            post(&hr, "/portal/transfers", &fields).await,
            StatusCode::SEE_OTHER
        );
        let requests = state.store.transfer_requests("R0A", 10).await.unwrap();
        let id = requests[0].id.clone();
        assert_eq!(requests[0].lead_employer.as_deref(), Some("RHQ"));
        let (_, stored) = answer(&server, &wallet, &id).await;
        let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
        assert_eq!(report.lead_employer.as_deref(), Some("RHQ"));
        for key in [
            "identity",
            "right_to_work",
            "employment",
            "occupational_health",
            "dbs",
        ] {
            assert!(
                matches!(status_of(&report, key), Status::AcceptedUnderLeadEmployer { issuer, .. } if issuer == "RHQ"),
                "{key}: {:?}",
                status_of(&report, key)
            );
        }
        // The DBS check over 3 years old, not portable by the ordinary rule, dated as issued.
        assert!(matches!(
            status_of(&report, "dbs"),
            Status::AcceptedUnderLeadEmployer { date, .. } if date.to_string() == day(-3 * 365 - 30)
        ));
        assert_eq!(report.summary.accepted_under_lead_employer, 5);
        // Not pre-employment checks: the live register, NHS England's programme, training.
        assert!(matches!(
            status_of(&report, "professional_registration"),
            Status::NotPortable { .. }
        ));
        assert!(
            matches!(status_of(&report, "training_programme"), Status::Met { issuer, .. } if issuer == "X24")
        );
        assert!(matches!(
            status_of(&report, "cstf_fire_safety_l1"),
            Status::ExpiresDuringPlacement { .. }
        ));

        let (_, page) = hr.get(&format!("/portal/transfers/{id}")).await;
        assert!(page.contains("Accepted under the lead employer arrangement"));
        assert!(page.contains("5 accepted under the lead employer arrangement (RHQ)"));
        let (_, csv) = hr.get(&format!("/portal/transfers/{id}/report.csv")).await;
        assert_eq!(
            csv.lines()
                .filter(|l| l.contains(",accepted under the lead employer arrangement,"))
                .count(),
            5
        );

        // Baseline: the same passport without a lead employer named is judged as before.
        let plain = request(&server, passport_compliance::Audience::Hr).await;
        let (_, stored) = answer(&server, &wallet, &plain).await;
        let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
        assert!(matches!(
            status_of(&report, "dbs"),
            Status::NotPortable { .. }
        ));
        assert!(matches!(status_of(&report, "identity"), Status::Met { .. }));
        assert_eq!(report.summary.accepted_under_lead_employer, 0);
        assert!(report.lead_employer.is_none());
    }
}
