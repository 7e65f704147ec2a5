//! Rotations under attack and bad input, on SQLite and PostgreSQL (issue 7): a malformed list
//! (every bad row named by its line), the same doctors twice in a changeover, a forged form, a
//! role that may not, and another trust's user with R0A's changeover id by every route. Each
//! changes nothing (requests, e-mails, changeovers, reminders counted before and after), each is
//! refused with the right status (400, 403, 404) and recorded; the same steps by R0A's medical
//! staffing succeed.
#![allow(clippy::unwrap_used)]
mod common;

use common::portal::{sign_in, user};
use common::rotation::{changeover_of, cohort, rotation_csv, start, upload, PROFILE, RECEIVING};
use common::smtp_sink::SmtpSink;
use common::TestServer;
use reqwest::StatusCode;

/// Counts that any refused attempt must leave as they were.
async fn state_of(server: &TestServer) -> (usize, usize, usize, i64) {
    let store = &server.state.store;
    let requests = store
        .transfer_requests(RECEIVING, 10_000)
        .await
        .unwrap()
        .len();
    let mails = store
        .mail_items(RECEIVING, None, 10_000)
        .await
        .unwrap()
        .len();
    let changeovers = store.changeovers(RECEIVING).await.unwrap();
    let reminders = {
        let mut total = 0;
        for c in &changeovers {
            total += store
                .cohort(RECEIVING, &c.id)
                .await
                .unwrap()
                .iter()
                .map(|m| m.reminders)
                .sum::<i64>();
        }
        total
    };
    (requests, mails, changeovers.len(), reminders)
}

#[tokio::test]
async fn bad_lists_another_trusts_changeover_wrong_roles_and_forged_forms_change_nothing() {
    for db in passport_store::testing::both().await.unwrap() {
        let sink = SmtpSink::start().await;
        let (server, _worker) = start(db, &sink).await;
        let doctors = cohort(6);
        user(&server, RECEIVING, "r0a.ms", "medical-staffing").await;
        user(&server, RECEIVING, "r0a.training", "training").await;
        user(&server, RECEIVING, "r0a.auditor", "auditor").await;
        user(&server, "RHQ", "rhq.hr", "hr").await;
        let ms = sign_in(&server, "r0a.ms").await;
        let empty = state_of(&server).await;
        assert_eq!(empty, (0, 0, 0, 0));

        // A malformed list: every bad row is named with its line, nothing is written.
        let good = rotation_csv(&doctors);
        let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
        lines[2] = lines[2].replacen(&doctors[1].gmc, "12345", 1);
        lines[3] = lines[3].replace(PROFILE, "ward-nurse-band-9");
        lines[4] = lines[4].replacen(&doctors[3].gmc, &doctors[0].gmc, 1);
        lines[5] = lines[5].replacen(',', ",\"Chl\"oe,", 1);
        let bad = lines.join("\n") + "\n";
        let (status, page, _) = upload(&server, &ms, &ms.csrf, None, &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("problem"), "{page}");
        // The stray quote is a structural problem: reported alone, before any cell is read.
        assert!(page.contains(r#"data-line="6""#), "{page}");
        let without_quote = {
            let mut l = lines.clone();
            l[5] = good.lines().nth(5).unwrap().to_string();
            l.join("\n") + "\n"
        };
        let (status, page, _) = upload(&server, &ms, &ms.csrf, None, &without_quote).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        for line in [3, 4, 5] {
            assert!(
                page.contains(&format!(r#"data-line="{line}""#)),
                "line {line}: {page}"
            );
        }
        assert!(page.contains("is also on line 2"));
        assert!(page.contains("not a role profile of this trust"));
        assert!(
            !page.contains(r#"data-line="2""#),
            "the good row is not blamed"
        );
        assert_eq!(state_of(&server).await, empty);

        // A forged form (wrong CSRF token), and the training role: refused, nothing written.
        let (status, _, _) = upload(&server, &ms, "forged-token", None, &good).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        for role in ["r0a.training", "r0a.auditor"] {
            let u = sign_in(&server, role).await;
            assert_eq!(u.get("/portal/rotations").await.0, StatusCode::FORBIDDEN);
            assert_eq!(
                u.get("/portal/rotations/import").await.0,
                StatusCode::FORBIDDEN
            );
            let (status, _, _) = upload(&server, &u, &u.csrf, None, &good).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        }
        assert_eq!(state_of(&server).await, empty);

        // Baseline: the same list by medical staffing is imported.
        let (status, page, location) = upload(&server, &ms, &ms.csrf, None, &good).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        let id = changeover_of(&location);
        let imported = state_of(&server).await;
        assert_eq!((imported.0, imported.1, imported.2), (6, 6, 1));

        // The same doctors again into the same changeover: refused by line, nothing written.
        let (status, page, _) = upload(&server, &ms, &ms.csrf, Some(&id), &good).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("is already in this changeover"));
        assert_eq!(state_of(&server).await, imported);

        // Another trust's HR: R0A's changeover is not found by any route, nothing changes.
        let other = sign_in(&server, "rhq.hr").await;
        for path in [
            format!("/portal/rotations/{id}"),
            format!("/portal/rotations/{id}?status=gaps"),
            format!("/portal/rotations/{id}/cohort.csv"),
        ] {
            let (status, body) = other.get(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(!body.contains(&doctors[0].gmc));
        }
        let status = other
            .post(&format!("/portal/rotations/{id}/reminders"), &[])
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let more = rotation_csv(&cohort(8)[6..]);
        let (status, _, _) = upload(&server, &other, &other.csrf, Some(&id), &more).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = other.get("/portal/rotations").await;
        assert!(!list.contains(&id));
        assert_eq!(state_of(&server).await, imported);
        assert!(server
            .state
            .store
            .changeovers("RHQ")
            .await
            .unwrap()
            .is_empty());
        let rhq_audit = server
            .state
            .store
            .audit_entries("RHQ", Some(&id), None, 50)
            .await
            .unwrap();
        assert!(
            rhq_audit
                .iter()
                .filter(|e| e.outcome == "not-found")
                .count()
                >= 5
        );

        // The wrong role and a forged form cannot send reminders either.
        let training = sign_in(&server, "r0a.training").await;
        let status = training
            .post(&format!("/portal/rotations/{id}/reminders"), &[])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            training.get(&format!("/portal/rotations/{id}")).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            training
                .get(&format!("/portal/rotations/{id}/cohort.csv"))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let forged = ms
            .client
            .post(format!("{}/portal/rotations/{id}/reminders", server.base))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert_eq!(state_of(&server).await, imported);
        let refused = server
            .state
            .store
            .audit_entries(RECEIVING, None, None, 200)
            .await
            .unwrap();
        assert!(refused.iter().any(|e| e.action == "import-rotation"
            && e.outcome == "refused"
            && e.role == "training"));

        // Baseline: medical staffing may send them, and a second list joins the changeover.
        let status = ms
            .post(&format!("/portal/rotations/{id}/reminders"), &[])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, location) = upload(&server, &ms, &ms.csrf, Some(&id), &more).await;
        assert_eq!(
            (status, changeover_of(&location)),
            (StatusCode::SEE_OTHER, id.clone())
        );
        let after = state_of(&server).await;
        assert_eq!(after, (8, 6 + 6 + 2, 1, 6));
    }
}
