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
        // A run writes one organisation's entry after another: wait for both trusts' entries,
        // or the second may not be written yet when it is looked for.
        let mut runs = Vec::new();
        let mut rhq = Vec::new();
        for _ in 0..100 {
            runs = store.audit_entries("R0A", None, None, 100).await.unwrap();
            runs.retain(|e| e.action == retention::ACTION);
            rhq = store.audit_entries("RHQ", None, None, 1000).await.unwrap();
            rhq.retain(|e| e.action == retention::ACTION);
            if !runs.is_empty() && !rhq.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let run = runs.last().expect("the job ran within 20 seconds");
        assert!(!rhq.is_empty(), "the run wrote an entry at every trust");
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

/// The HTML of table `id` of a page.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!(r#"id="{id}""#)).unwrap();
    let end = start + html[start..].find("</table>").unwrap();
    &html[start..end]
}

/// The first `data-count` after `after` in `html`.
fn count_after(html: &str, after: &str) -> usize {
    let tail = &html[html.find(after).unwrap() + after.len()..];
    let at = tail.find(r#"data-count=""#).unwrap() + r#"data-count=""#.len();
    tail[at..at + tail[at..].find('"').unwrap()]
        .parse()
        .unwrap()
}

/// A compliance report for a rotation placement: identity met, the GMC register a local check,
/// and fire safety met or `missing`.
fn report(missing_fire: bool) -> String {
    use passport_compliance::{Placement, PlacementKind, Report, ReportLine, Status, Summary};
    use time::macros::date;
    let line = |key: &str, requirement: &str, status| ReportLine {
        requirement: requirement.into(),
        key: key.into(),
        status,
        evidence: None,
        note: Some("Amara Okafor: likeness checked".into()),
    };
    let met = || Status::Met {
        issuer: "RHQ".into(),
        date: date!(2026 - 01 - 01),
    };
    let fire = match missing_fire {
        true => Status::Missing {
            reason: Some("expired".into()),
        },
        false => met(),
    };
    let lines = vec![
        line("identity", "Identity", met()),
        line("cstf_fire", "Fire Safety", fire),
        line(
            "professional_registration",
            "GMC registration",
            Status::NotPortable {
                reason: "check the live register for 9100001".into(),
            },
        ),
    ];
    let r = Report {
        profile: "foundation-doctor-medicine".into(),
        placement: Placement {
            start: date!(2026 - 08 - 05),
            end: date!(2026 - 12 - 01),
            kind: PlacementKind::Rotation,
        },
        today: date!(2026 - 07 - 01),
        summary: Summary::of(&lines),
        lines,
        self_declared: None,
        lead_employer: None,
    };
    serde_json::to_string(&r).unwrap()
}

/// The doctors of the sample rotation list: what of them must be gone after the purge.
const SAMPLE_PEOPLE: [&str; 12] = [
    "Okafor",
    "Kowalczyk",
    "Raman-Shah",
    "Evans",
    "Asante",
    "Gallagher",
    "9100001",
    "9100003",
    "9100006",
    "amara.okafor",
    "chloe.evans",
    "@nhs.example",
];

/// (ready, gaps, not responded, declined) on the dashboard's totals table.
fn totals(dash: &str) -> [usize; 4] {
    let t = table(dash, "totals");
    ["ready", "gaps", "not-responded", "declined"]
        .map(|s| count_after(t, &format!(r#"data-standing="{s}">"#)))
}

#[tokio::test]
async fn a_rotation_cohort_keeps_its_figures_after_retention_without_anyones_details() {
    use common::rotation::{changeover_of, upload};
    use passport_server::retention::{run_policy, Policy, Runner};
    use passport_store::outbox::{NewMail, Outcome, Queue};
    for db in passport_store::testing::both().await.unwrap() {
        let server = common::start(db).await;
        let store = &server.state.store;
        user(&server, "R0A", "r0a.ms", "medical-staffing").await;
        let ms = sign_in(&server, "r0a.ms").await;
        let list = common::sample("rotation.csv");
        let (status, page, location) = upload(&server, &ms, &ms.csrf, None, &list).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        let id = changeover_of(&location);
        let now = passport_server::now();

        // Amara shares everything and HR accepts; Tom has a gap; Priya declines; three wait.
        let cohort = store.cohort("R0A", &id).await.unwrap();
        assert_eq!(cohort.len(), 6);
        let rid = |n: usize| cohort[n].request_id.as_str();
        for (n, missing) in [(0, false), (1, true)] {
            let (response, report) = (format!("response {n}"), report(missing));
            let stored = store.record_response("R0A", rid(n), &response, &[], &report, None, now);
            assert_eq!(stored.await.unwrap(), Ok(()));
        }
        let decided = store.decide_transfer("R0A", rid(0), "accepted", "Amara starts", "u", now);
        decided.await.unwrap();
        store.decline_transfer("R0A", rid(2)).await.unwrap();
        // The worker sent five invitations; Tom's bounced for good.
        let owner = "test-worker";
        let claimed = store
            .claim_mail(owner, now * 1000, 60_000, 100)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 6);
        for m in &claimed {
            let outcome = match m.to.starts_with("tomasz") {
                true => Outcome::Dead {
                    error: "550 no such user".into(),
                },
                false => Outcome::Delivered,
            };
            let done = store.finish_attempt(Queue::Mail, &m.id, owner, &outcome, now * 1000);
            assert!(done.await.unwrap());
        }
        let (status, before) = ms.get(&format!("/portal/rotations/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(totals(&before), [1, 1, 3, 1]);
        assert!(before.contains("Amara Okafor"));

        // 200 days on (the requests lasted 14), with a re-offer just queued to Amara.
        let later = now + 200 * DAY;
        let reoffer = NewMail {
            org: "R0A",
            to: "amara.okafor@nhs.example",
            subject: "Your new credential offer",
            text: "Dear Amara Okafor",
            html: None,
        };
        store.enqueue_mail(&reoffer, later).await.unwrap();
        let policy = Policy {
            days: 30,
            mail_days: 30,
        };
        let done = run_policy(store, &policy, Runner::CommandLine, later).await;
        let r0a = done
            .unwrap()
            .into_iter()
            .find(|(org, _)| org == "R0A")
            .unwrap()
            .1;
        assert_eq!((r0a.requests, r0a.rotation_rows, r0a.mails), (6, 6, 6));

        // Rows and e-mails hold nobody's name, address or GMC number; the pending one waits.
        // (The store's own tests read the raw columns: a purged GMC column holds the row id.)
        let rows = store.cohort("R0A", &id).await.unwrap();
        assert_eq!(rows.len(), 6);
        let mails = store.mail_items("R0A", None, 100).await.unwrap();
        assert_eq!(mails.len(), 1, "only the pending e-mail is left");
        assert_eq!(mails[0].subject, "Your new credential offer");
        assert!(rows.iter().all(|m| m.purged_at == Some(later)));
        for text in rows.iter().map(|m| format!("{m:?}")) {
            for gone in SAMPLE_PEOPLE.iter().chain(&["likeness", "live register"]) {
                assert!(!text.contains(gone), "{gone} in {text}");
            }
        }

        // The dashboard and its CSV count the same figures, with details deleted.
        let (status, after) = ms.get(&format!("/portal/rotations/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(totals(&after), [1, 1, 3, 1]);
        let gaps = table(&after, "gaps");
        assert_eq!(count_after(gaps, r#"data-key="cstf_fire""#), 1);
        let local = table(&after, "local-checks");
        assert_eq!(
            count_after(local, r#"data-key="professional_registration""#),
            2
        );
        let listed = table(&after, "doctors-table");
        let date = passport_server::portal::html::date(later);
        assert_eq!(
            listed
                .matches(&format!("Details deleted on {date}"))
                .count(),
            6
        );
        let csv = ms
            .get(&format!("/portal/rotations/{id}/cohort.csv"))
            .await
            .1;
        for page in [&after, &csv] {
            for gone in SAMPLE_PEOPLE {
                assert!(!page.contains(gone), "{gone}");
            }
        }
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 6);
        assert!(records
            .iter()
            .all(|r| &r[col("details")] == "details deleted"));
        let standings: Vec<&str> = records.iter().map(|r| &r[col("standing")]).collect();
        assert_eq!(standings[..3], ["ready", "gaps", "declined"]);

        // The run's audit entry is counts only, and the chain verifies.
        let log = store.audit_entries("R0A", None, None, 100).await.unwrap();
        let run = log.iter().find(|e| e.action == retention::ACTION).unwrap();
        assert!(run
            .detail
            .contains("6 rotation list rows' personal details deleted"));
        assert!(
            run.detail
                .ends_with("mail 30 days: 6 e-mails and 0 webhook events deleted"),
            "{}",
            run.detail
        );
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { .. }
        ));
    }
}
