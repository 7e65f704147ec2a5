//! Erasure on the real server, on SQLite and PostgreSQL. First every way it must not happen:
//! R0A's HR, OH and auditor (403), RHQ's administrator (404), R0A's administrator with a forged
//! CSRF token (403) or a confirmation of something else (409): nothing changes, her credentials
//! still verify as valid. Then R0A's administrator reads the confirmation page and confirms:
//! every credential R0A issued her is revoked on the status list, nobody finds her by name or
//! identifier, her transfer request says its data was deleted, the audit log keeps its entries
//! (none holding her name) and its chain verifies; a re-import makes a fresh person.
#![allow(clippy::unwrap_used)]
mod common;

use common::governance::{amara_at_r0a, gmc, r0a_staff, status_of};
use common::portal::{sign_in, Signed};
use common::rotation::{changeover_of, upload};
use common::{import, TestServer};
use passport_records::ImportKind;
use passport_store::ChainCheck;
use reqwest::StatusCode;

/// The hidden `plan` field of the confirmation page.
fn plan_of(html: &str) -> String {
    let marker = r#"name="plan" value=""#;
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// POST the erasure form with `csrf` (forged or not) and `plan`.
async fn post_erase(server: &TestServer, who: &Signed, pid: &str, csrf: &str, plan: &str) -> u16 {
    let r = who
        .client
        .post(format!("{}/portal/staff/{pid}/erase", server.base))
        .form(&[("csrf", csrf), ("plan", plan)])
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

#[tokio::test]
async fn erasure_is_refused_except_to_the_admin_then_revokes_and_deletes_keeping_the_chain() {
    for server in common::servers().await {
        let held = amara_at_r0a(&server).await;
        let store = &server.state.store;
        let pid = held.person.clone();
        let path = format!("/portal/staff/{pid}/erase");
        for c in &held.issued {
            assert!(status_of(&server, c).await.is_ok(), "valid before");
        }
        let admin = sign_in(&server, "r0a.admin").await;
        // R0A's rotation list names her too (her GMC number and address), and invites her.
        let list = common::sample("rotation.csv");
        let (status, _, location) = upload(&server, &admin, &admin.csrf, None, &list).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let changeover = changeover_of(&location);
        let (status, page) = admin.get(&path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Erase Amara Okafor?") && page.contains("Erasing cannot be undone"));
        assert!(page.contains("Rotation list rows") && page.contains("1 e-mail"));
        let plan = plan_of(&page);
        let before = store.subject_data("R0A", &pid).await.unwrap().unwrap();

        // Every refusal, and none changes anything.
        for who in ["r0a.hr", "r0a.oh", "r0a.auditor"] {
            let s = sign_in(&server, who).await;
            assert_eq!(s.get(&path).await.0, StatusCode::FORBIDDEN, "{who}");
            assert_eq!(
                post_erase(&server, &s, &pid, &s.csrf, &plan).await,
                403,
                "{who}"
            );
        }
        let other = sign_in(&server, "rhq.admin").await;
        let (status, body) = other.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!body.contains("Okafor"));
        assert_eq!(
            post_erase(&server, &other, &pid, &other.csrf, &plan).await,
            404
        );
        let forged = "0".repeat(admin.csrf.len());
        assert_eq!(post_erase(&server, &admin, &pid, &forged, &plan).await, 403);
        assert_eq!(post_erase(&server, &admin, &pid, "", &plan).await, 403);
        let stale = "0".repeat(plan.len());
        assert_eq!(
            post_erase(&server, &admin, &pid, &admin.csrf, &stale).await,
            409
        );
        assert_eq!(
            store.subject_data("R0A", &pid).await.unwrap().unwrap(),
            before
        );
        for c in &held.issued {
            assert!(status_of(&server, c).await.is_ok(), "still valid");
        }

        // The administrator confirms what the page named.
        let r = admin
            .client
            .post(format!("{}{path}", server.base))
            .form(&[("csrf", admin.csrf.as_str()), ("plan", plan.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let done = r.text().await.unwrap();
        assert!(
            done.contains("Person erased") && !done.contains("Okafor"),
            "{done}"
        );
        for c in &held.issued {
            let status = status_of(&server, c).await;
            assert!(
                status.is_err(),
                "{} revoked: {status:?}",
                c.configuration_id
            );
        }
        for q in ["Okafor", "Amara", "9100001", "10000101"] {
            let (status, body) = admin.get(&format!("/portal/staff?q={q}")).await;
            assert_eq!(status, StatusCode::OK);
            assert!(body.contains("No results"), "{q}");
        }
        for tail in ["", "/export.json", "/erase"] {
            let (status, _) = admin.get(&format!("/portal/staff/{pid}{tail}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{tail}");
        }
        // Her rotation row keeps the post but not her; her invitation is gone; the
        // dashboard still counts six doctors. Nobody else's row or e-mail changed.
        let cohort = store.cohort("R0A", &changeover).await.unwrap();
        assert_eq!(cohort.len(), 6);
        assert!(cohort[0].purged_at.is_some() && cohort[0].surname.is_empty());
        assert_eq!(cohort[0].specialty, "General Internal Medicine");
        assert!(cohort[1..].iter().all(|m| m.purged_at.is_none()));
        let mails = store.mail_items("R0A", None, 100).await.unwrap();
        assert_eq!(mails.len(), 5);
        assert!(mails.iter().all(|m| !m.to.contains("amara")));
        let (status, dash) = admin.get(&format!("/portal/rotations/{changeover}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(dash.contains("Details deleted on") && dash.contains("Kowalczyk"));
        assert!(!dash.contains("Okafor") && !dash.contains("9100001"));
        let (status, report) = admin
            .get(&format!("/portal/transfers/{}", held.request))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(report.contains("request (erasure) on"), "{report}");
        assert!(!report.contains("Okafor"));
        assert!(store
            .review_queue("R0A")
            .await
            .unwrap()
            .iter()
            .all(|i| i.id != held.item));

        // The audit log: the erasure recorded with counts; nothing in it names her; intact.
        let log = store
            .audit_entries("R0A", None, None, 10_000)
            .await
            .unwrap();
        let erased = log.iter().find(|e| e.action == "person-erased").unwrap();
        assert_eq!(
            (erased.subject.as_str(), erased.outcome.as_str()),
            (pid.as_str(), "done")
        );
        assert!(erased.detail.contains("credentials"), "{}", erased.detail);
        for e in &log {
            let text = format!("{} {}", e.detail, e.subject);
            for personal in ["Okafor", "Amara", "9100001", "amara.okafor"] {
                assert!(!text.contains(personal), "entry {}: {text}", e.seq);
            }
        }
        assert!(log
            .iter()
            .any(|e| e.subject == pid && e.action == "view-staff"));
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { .. }
        ));
        let tombstone = store.erased_person("R0A", &pid).await.unwrap().unwrap();
        let admin_id = store
            .account_by_username("r0a.admin")
            .await
            .unwrap()
            .unwrap()
            .id;
        assert_eq!(tombstone.1, admin_id);

        // Imported again, she is a new person.
        let again = import(&server, "R0A", ImportKind::EsrStaff, &r0a_staff()).await;
        assert_eq!(again.new_people, 1, "{again:?}");
        let fresh = store
            .person_by_identifier("R0A", &gmc())
            .await
            .unwrap()
            .unwrap();
        assert_ne!(fresh, pid);
        assert_eq!(
            admin.get(&format!("/portal/staff/{fresh}")).await.0,
            StatusCode::OK
        );
    }
}
