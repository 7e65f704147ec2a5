//! Bad input to temporary arrangements, on SQLite and PostgreSQL, through the portal as a browser
//! sends it: each attempt is refused with a clear answer and changes nothing (no arrangement,
//! no request, no decision, no event), after a baseline shows the same setup succeeds. Periods
//! out of order, too long or already over; home trusts that are not another organisation on the
//! trust list; collaborative bank work with a non-member; another trust's arrangement (404);
//! the wrong role (403); a forged CSRF token (403); deciding twice, or before the person shared.
#![allow(clippy::unwrap_used)]
mod common;

use common::portal::{sign_in, user, Signed};
use common::temporary::{answered, counts, create, day, form, movement_of, set, with_banks};
use common::{start_with, TestServer};
use passport_store::MovementState;
use reqwest::StatusCode;

async fn servers() -> Vec<TestServer> {
    let mut out = Vec::new();
    for db in passport_store::testing::both().await.unwrap() {
        let server = start_with(db, |c| {
            with_banks(c);
            c.temporary.max_days = 60;
        })
        .await;
        // Every event becomes a delivery row, so a stray event would show in the counts.
        for org in ["R0A", "RHQ"] {
            let url = format!("https://hooks.example.invalid/{org}");
            passport_server::webhooks::subscribe(&server.state, org, &url, &[])
                .await
                .unwrap();
        }
        out.push(server);
    }
    out
}

/// POSTs `fields`: the status and the page.
async fn post(
    who: &Signed,
    server: &TestServer,
    path: &str,
    fields: &[(&str, String)],
) -> (StatusCode, String) {
    let mut form: Vec<(&str, &str)> = vec![("csrf", who.csrf.as_str())];
    form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    let r = who
        .client
        .post(format!("{}{path}", server.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn bad_arrangements_are_refused_with_their_reason_and_make_nothing() {
    for server in servers().await {
        let state = &server.state;
        user(&server, "R0A", "r0a.hr", "hr").await;
        let hr = sign_in(&server, "r0a.hr").await;
        // Baselines: a secondment, and bank shifts between two members of one bank.
        let (code, _) = post(&hr, &server, "/portal/temporary", &form("Base Secondment")).await;
        assert_eq!(code, StatusCode::SEE_OTHER);
        let bank = set(
            set(form("Base Bank"), "kind", "collaborative_bank"),
            "bank",
            "eastbridge-northfield",
        );
        let (code, _) = post(&hr, &server, "/portal/temporary", &bank).await;
        assert_eq!(code, StatusCode::SEE_OTHER);
        let m = movement_of(state, "Base Bank").await.unwrap();
        assert_eq!(m.bank.as_deref(), Some("eastbridge-northfield"));
        let before = counts(state).await;
        assert_eq!((before.0, before.1), (2, 2));

        let secondment = || form("Not Made");
        let cases: Vec<(Vec<(&'static str, String)>, &str)> = vec![
            (
                set(set(secondment(), "start", &day(10)), "end", &day(5)),
                "The end date must be the same as or after the start date",
            ),
            (
                set(set(secondment(), "start", &day(-10)), "end", &day(-1)),
                "The end date has passed",
            ),
            (set(secondment(), "end", &day(61)), "at most 60 days"),
            (set(secondment(), "start", "31/12/2030"), "year-month-day"),
            (set(secondment(), "home", "ZZZ9"), "not an organisation on the trust list"),
            (set(secondment(), "home", "R0A"), "is your own organisation"),
            (set(secondment(), "home", ""), "employing trust"),
            (set(secondment(), "kind", "permanent"), "Choose the kind of arrangement"),
            (set(secondment(), "profile", "no-such-role"), "Choose the role"),
            (set(secondment(), "lead", "NOPE1"), "lead employer"),
            (
                set(bank.clone(), "home", "RTH"),
                "only between members of Eastbridge and Northfield Collaborative Bank: RTH is not one",
            ),
            (
                set(bank.clone(), "bank", "northfield-westmoor"),
                "Your organisation is not a member of Northfield and Westmoor Collaborative Bank",
            ),
            (set(bank.clone(), "bank", "no-such-bank"), "Choose the collaborative bank"),
            (set(bank.clone(), "bank", ""), "Choose the collaborative bank"),
            (
                set(secondment(), "bank", "eastbridge-northfield"),
                "only for collaborative bank shifts",
            ),
        ];
        for (fields, why) in cases {
            let (code, page) = post(&hr, &server, "/portal/temporary", &fields).await;
            assert_eq!(code, StatusCode::BAD_REQUEST, "{why}");
            assert!(page.contains("There is a problem"), "{why}");
            assert!(
                page.contains(&passport_server::portal::html_escape(why)),
                "{why} not in the page"
            );
            assert_eq!(counts(state).await, before, "{why}: nothing made");
        }
        assert!(movement_of(state, "Not Made").await.is_none());

        // The lead employer on a transfer request: an unknown code is refused, a known one taken.
        let transfer = |lead: &str| {
            vec![
                ("name", "Lead Test".to_string()),
                ("email", "lead.test@nhs.example".into()),
                ("registration", String::new()),
                ("profile", "foundation-doctor-medicine".into()),
                ("start", day(10)),
                ("end", day(100)),
                ("kind", "rotation".into()),
                ("lead", lead.into()),
            ]
        };
        let (code, page) = post(&hr, &server, "/portal/transfers", &transfer("ZZZ9")).await;
        assert_eq!(code, StatusCode::BAD_REQUEST);
        assert!(page.contains("Enter the lead employer"));
        assert_eq!(counts(state).await, before);
        let (code, _) = post(&hr, &server, "/portal/transfers", &transfer("RHQ")).await;
        assert_eq!(code, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn other_trusts_wrong_roles_forged_forms_and_repeated_decisions_change_nothing() {
    for server in servers().await {
        let state = &server.state;
        for (org, name, role) in [
            ("R0A", "r0a.hr", "hr"),
            ("R0A", "r0a.training", "training"),
            ("R0A", "r0a.auditor", "auditor"),
            ("RHQ", "rhq.hr", "hr"),
        ] {
            user(&server, org, name, role).await;
        }
        let hr = sign_in(&server, "r0a.hr").await;
        let training = sign_in(&server, "r0a.training").await;
        let auditor = sign_in(&server, "r0a.auditor").await;
        let other = sign_in(&server, "rhq.hr").await;
        let (id, request_id) = create(state, "Sam Target", 1, 20).await;
        let (waiting, _) = create(state, "Sam Waiting", 1, 20).await;
        answered(state, &request_id).await;
        let page = format!("/portal/temporary/{id}");
        let accept = vec![("decision", "accepted".to_string())];
        let end = vec![("note", "stop".to_string())];
        let before = counts(state).await;
        let unchanged = || async {
            let m = state
                .store
                .temporary_movement("R0A", &id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(m.state, MovementState::Requested);
            assert_eq!(counts(state).await, before);
        };

        // Another trust: not found, for reading, deciding and ending; recorded as such.
        assert_eq!(other.get(&page).await.0, StatusCode::NOT_FOUND);
        for (path, fields) in [
            (format!("{page}/decision"), &accept),
            (format!("{page}/end"), &end),
        ] {
            assert_eq!(
                post(&other, &server, &path, fields).await.0,
                StatusCode::NOT_FOUND
            );
        }
        let audit = state
            .store
            .audit_entries("RHQ", Some(&id), None, 10)
            .await
            .unwrap();
        assert_eq!(audit.iter().filter(|a| a.outcome == "not-found").count(), 3);
        unchanged().await;

        // The wrong role: training may look, not ask, decide or end; the auditor not even look.
        assert_eq!(training.get(&page).await.0, StatusCode::OK);
        assert_eq!(
            training.get("/portal/temporary/new").await.0,
            StatusCode::FORBIDDEN
        );
        let made = post(
            &training,
            &server,
            "/portal/temporary",
            &form("By Training"),
        )
        .await;
        assert_eq!(made.0, StatusCode::FORBIDDEN);
        assert_eq!(
            post(&training, &server, &format!("{page}/decision"), &accept)
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            auditor.get("/portal/temporary").await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(auditor.get(&page).await.0, StatusCode::FORBIDDEN);
        let refused = state
            .store
            .audit_entries("R0A", Some(&id), None, 20)
            .await
            .unwrap();
        assert!(refused
            .iter()
            .any(|a| a.outcome == "refused" && a.actor_name == "r0a.training"));
        unchanged().await;

        // A forged CSRF token: refused before the handler runs.
        let forged = hr
            .client
            .post(format!("{}{page}/decision", server.base))
            .form(&[("csrf", "forged"), ("decision", "accepted")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        unchanged().await;

        // Deciding before the person shared; a decision that is neither; the plain transfer
        // decision on the arrangement's request.
        let early = format!("/portal/temporary/{waiting}/decision");
        assert_eq!(
            post(&hr, &server, &early, &accept).await.0,
            StatusCode::CONFLICT
        );
        let neither = vec![("decision", "maybe".to_string())];
        assert_eq!(
            post(&hr, &server, &format!("{page}/decision"), &neither)
                .await
                .0,
            StatusCode::BAD_REQUEST
        );
        let plain = format!("/portal/transfers/{request_id}/decision");
        assert_eq!(
            post(&hr, &server, &plain, &accept).await.0,
            StatusCode::CONFLICT
        );
        // Ending what was never accepted.
        assert_eq!(
            post(&hr, &server, &format!("{page}/end"), &end).await.0,
            StatusCode::BAD_REQUEST
        );
        unchanged().await;

        // Baseline: HR of R0A accepts; one event. Accepting again changes nothing more.
        assert_eq!(
            post(&hr, &server, &format!("{page}/decision"), &accept)
                .await
                .0,
            StatusCode::SEE_OTHER
        );
        let m = state
            .store
            .temporary_movement("R0A", &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.state, MovementState::Active);
        let after = counts(state).await;
        assert_eq!(after.2, before.2 + 1, "one accepted event");
        assert_eq!(
            post(&hr, &server, &format!("{page}/decision"), &accept)
                .await
                .0,
            StatusCode::CONFLICT
        );
        // Ending: not by another trust nor the wrong role; then by HR, once.
        assert_eq!(
            post(&other, &server, &format!("{page}/end"), &end).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            post(&training, &server, &format!("{page}/end"), &end)
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(counts(state).await, after);
        assert_eq!(
            post(&hr, &server, &format!("{page}/end"), &end).await.0,
            StatusCode::SEE_OTHER
        );
        assert_eq!(counts(state).await.2, after.2 + 1, "one ended event");
    }
}
