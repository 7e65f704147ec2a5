//! Transfer requests in the portal against the real server on SQLite and PostgreSQL: another
//! trust's request is not found, an OH team's request is OH's alone, only HR (or admin)
//! decides on HR's, and a forged or wrong form changes nothing.
#![allow(clippy::unwrap_used)]
use super::tests::{portals, Portal};
use reqwest::{header, Client, StatusCode};

fn form<'a>(csrf: &'a str, start: &'a str, end: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("name", "Amara Okafor"),
        ("email", "amara.okafor@nhs.example"),
        ("registration", "9100001"),
        ("profile", "foundation-doctor-medicine"),
        ("start", start),
        ("end", end),
        ("kind", "rotation"),
    ]
}

async fn create(p: &Portal, c: &Client, csrf: &str) -> String {
    let r = c
        .post(p.url("/portal/transfers"))
        .form(&form(csrf, "2027-08-04", "2027-12-07"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.starts_with("/portal/transfers/tr-"), "{to}");
    to
}

async fn count(p: &Portal, org: &str) -> usize {
    p.state
        .store
        .transfer_requests(org, 100)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn another_trusts_request_is_not_found_and_oh_requests_are_ohs_alone() {
    for p in portals().await {
        let (hr, hr_csrf) = p.sign_in("rhq.hr").await;
        let path = create(&p, &hr, &hr_csrf).await;
        let (status, page) = p.page(&hr, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("openid4vp://"), "the link is shown");

        // R0A's HR user: every view of RHQ's request is "not found"; deciding changes nothing.
        let (other, other_csrf) = p.sign_in("r0a.hr").await;
        for suffix in ["", "/state", "/report.json", "/report.csv"] {
            let (status, _) = p.page(&other, &format!("{path}{suffix}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{suffix}");
        }
        let r = other
            .post(p.url(&format!("{path}/decision")))
            .form(&[("csrf", other_csrf.as_str()), ("decision", "accepted")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let (status, list) = p.page(&other, "/portal/transfers").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!list.contains(path.trim_start_matches("/portal/transfers/")));

        // The OH team asks as OH: HR and training cannot open it; OH can.
        let (oh, oh_csrf) = p.sign_in("rhq.oh").await;
        let oh_path = create(&p, &oh, &oh_csrf).await;
        let stored = p
            .state
            .store
            .transfer_request("RHQ", oh_path.rsplit('/').next().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.audience, "occupational-health");
        assert_eq!(p.page(&oh, &oh_path).await.0, StatusCode::OK);
        for user in ["rhq.hr", "rhq.training"] {
            let (c, _) = p.sign_in(user).await;
            assert_eq!(
                p.page(&c, &oh_path).await.0,
                StatusCode::FORBIDDEN,
                "{user}"
            );
        }
        // HR's own request: training may look but not decide.
        let (training, training_csrf) = p.sign_in("rhq.training").await;
        assert_eq!(p.page(&training, &path).await.0, StatusCode::OK);
        let r = training
            .post(p.url(&format!("{path}/decision")))
            .form(&[("csrf", training_csrf.as_str()), ("decision", "accepted")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // HR cannot decide before the person has answered.
        let r = hr
            .post(p.url(&format!("{path}/decision")))
            .form(&[("csrf", hr_csrf.as_str()), ("decision", "accepted")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let id = path.rsplit('/').next().unwrap();
        let stored = p
            .state
            .store
            .transfer_request("RHQ", id)
            .await
            .unwrap()
            .unwrap();
        assert!(stored.decision.is_none());
    }
}

#[tokio::test]
async fn forged_or_wrong_forms_change_nothing() {
    for p in portals().await {
        let (hr, csrf) = p.sign_in("rhq.hr").await;
        let before = count(&p, "RHQ").await;
        for bad_csrf in ["", "forged"] {
            let r = hr
                .post(p.url("/portal/transfers"))
                .form(&form(bad_csrf, "2027-08-04", "2027-12-07"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
        }
        // Ends before it starts; a date that is not one; a role that is not the trust's.
        for (start, end, profile, expected) in [
            (
                "2027-12-07",
                "2027-08-04",
                "foundation-doctor-medicine",
                "must be after the start",
            ),
            (
                "2027-02-30",
                "2027-12-07",
                "foundation-doctor-medicine",
                "start date",
            ),
            (
                "2027-08-04",
                "2027-12-07",
                "no-such-role",
                "Choose the role",
            ),
        ] {
            let mut f = form(&csrf, start, end);
            f[4] = ("profile", profile);
            let r = hr
                .post(p.url("/portal/transfers"))
                .form(&f)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{expected}");
            let page = r.text().await.unwrap();
            assert!(
                page.contains("nhsuk-error-summary") && page.contains(expected),
                "{expected}"
            );
        }
        let r = hr
            .post(p.url("/portal/transfers"))
            .form(&[("csrf", csrf.as_str()), ("kind", "teleport")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(count(&p, "RHQ").await, before);
    }
}
