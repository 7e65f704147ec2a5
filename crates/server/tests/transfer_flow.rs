//! The receiving trust end to end, on SQLite and PostgreSQL: RHQ and NHS England issue Amara's
//! credentials, the Rust holder receives them over OpenID4VCI, R0A asks for them for a
//! foundation doctor post over OpenID4VP (signed request by reference, x509_hash client
//! identifier checked against the trust list, encrypted direct_post.jwt response), and R0A's
//! report has the expected status on every line; HR records the decision.
#![allow(clippy::unwrap_used)]
mod common;

use common::servers;
use common::transfer::{amara_wallet, answer, day, fetch, link, request, request_for};
use passport_compliance::{Audience, Report, Status};
use passport_store::RequestStatus;

fn status_of<'a>(report: &'a Report, key: &str) -> &'a Status {
    &report
        .lines
        .iter()
        .find(|l| l.key == key)
        .unwrap_or_else(|| panic!("no line {key}"))
        .status
}

#[tokio::test]
async fn issue_receive_request_present_and_report_every_line() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        let id = request(&server, Audience::Hr).await;
        let http = passport_holder::http_client().unwrap();
        let trust = &server.state.trust_list();

        let req = wallet
            .fetch_presentation_request(&link(&server, &id), trust, &http, passport_server::now())
            .await
            .unwrap();
        assert_eq!(req.verifier_ods, "R0A");
        assert!(req.request.client_id.starts_with("x509_hash:"));
        assert_eq!(req.request.response_mode, "direct_post.jwt");
        // HR's request never asks for OH detail.
        assert!(req
            .request
            .dcql_query
            .credentials
            .iter()
            .all(|c| !c.id.starts_with("oh_")));
        let fetched = server
            .state
            .store
            .transfer_request("R0A", &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(fetched.status, RequestStatus::Fetched);

        let (shared, redirect) = wallet
            .respond(&req, &[], &http, passport_server::now())
            .await
            .unwrap();
        // Only requested claims left the wallet: never the OH detail, never a DBS applicant name.
        assert!(shared.iter().all(|s| !s.vct.contains("/vaccination/")));
        assert!(shared
            .iter()
            .flat_map(|s| &s.disclosed)
            .all(|d| !d.contains("applicantFirstName")));
        let redirect = redirect.unwrap();
        assert!(redirect.contains("response_code="));
        let page = common::http().get(&redirect).send().await.unwrap();
        assert_eq!(page.status(), 200);

        let stored = server
            .state
            .store
            .transfer_request("R0A", &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, RequestStatus::Responded);
        let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
        let presented = server.state.store.presented("R0A", &id).await.unwrap();
        assert!(
            presented.iter().all(|p| p.accepted),
            "every presentation verifies: {presented:?}"
        );

        // Portable checks met.
        for key in [
            "identity",
            "right_to_work",
            "employment",
            "occupational_health",
            "training_programme",
            "training_placement",
            "cstf_conflict_resolution_l1",
            "cstf_equality_diversity_and_human_rights_l1",
            "cstf_health_safety_and_welfare_l1",
            "cstf_infection_prevention_and_control_l2",
            "cstf_moving_and_handling_l1",
            "cstf_safeguarding_adults_l2",
        ] {
            assert!(
                matches!(status_of(&report, key), Status::Met { .. }),
                "{key}: {:?}",
                status_of(&report, key)
            );
        }
        // Fire Safety (2 years) awarded 22 months ago: expires during the placement.
        match status_of(&report, "cstf_fire_safety_l1") {
            Status::ExpiresDuringPlacement { on } => {
                assert!(
                    on.to_string() > day(14) && on.to_string() < day(194),
                    "{on}"
                )
            }
            other => panic!("fire safety: {other:?}"),
        }
        // Information Governance (1 year) awarded 13 months ago: expired before the start.
        assert!(matches!(
            status_of(&report, "cstf_information_governance_and_data_security_l1"),
            Status::Missing { reason: Some(r) } if r.contains("expired")
        ));
        // Safeguarding Children absent; Prevent and Resuscitation below the level needed.
        assert!(matches!(
            status_of(&report, "cstf_safeguarding_children_l2"),
            Status::Missing { .. }
        ));
        assert!(matches!(
            status_of(&report, "cstf_preventing_radicalisation_l3"),
            Status::Missing { .. }
        ));
        assert!(matches!(
            status_of(&report, "cstf_resuscitation_l3_adult"),
            Status::Missing { .. }
        ));
        // An Enhanced DBS over 3 years old is not portable even for a doctor in training.
        assert!(matches!(
            status_of(&report, "dbs"),
            Status::NotPortable { reason } if reason.contains("3 years")
        ));
        // Registration is never portable: check the live GMC register, number pre-filled.
        assert!(matches!(
            status_of(&report, "professional_registration"),
            Status::NotPortable { reason } if reason.contains("9100001")
        ));

        // HR records the decision once.
        server
            .state
            .store
            .decide_transfer(
                "R0A",
                &id,
                "accepted",
                "local checks booked",
                "r0a.hr",
                passport_server::now(),
            )
            .await
            .unwrap();
        assert!(server
            .state
            .store
            .decide_transfer("R0A", &id, "rejected", "", "r0a.hr", passport_server::now())
            .await
            .is_err());

        // The request is answered: fetching it again or answering again is refused.
        let again = wallet
            .fetch_presentation_request(&link(&server, &id), trust, &http, passport_server::now())
            .await
            .unwrap_err();
        assert_eq!(again.server_error_code(), Some("invalid_request_uri"));
    }
}

#[tokio::test]
async fn the_oh_team_gets_clearance_and_detail_and_hr_cannot_see_its_request() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        let id = request(&server, Audience::OccupationalHealth).await;
        let http = passport_holder::http_client().unwrap();
        let req = fetch(&server, &wallet, &id).await.unwrap();
        let ids: Vec<&str> = req
            .request
            .dcql_query
            .credentials
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert!(ids.contains(&"occupational_health") && ids.contains(&"oh_vaccination"));
        assert!(!ids.contains(&"dbs"), "OH needs no DBS: {ids:?}");
        let (shared, _) = wallet
            .respond(&req, &[], &http, passport_server::now())
            .await
            .unwrap();
        assert!(shared.iter().any(|s| s.vct.contains("/vaccination/")));
        let presented = server.state.store.presented("R0A", &id).await.unwrap();
        assert!(presented.iter().all(|p| p.accepted), "{presented:?}");
    }
}

#[tokio::test]
async fn a_registration_for_another_number_than_hr_gave_is_not_accepted() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        // HR typed the GMC number of the doctor they expect; the wallet holds Amara's.
        let id = request_for(&server, Audience::Hr, "9100099").await;
        let (_, stored) = answer(&server, &wallet, &id).await;
        let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
        assert!(matches!(
            status_of(&report, "professional_registration"),
            Status::Missing { reason: Some(r) } if r.contains("9100001") && r.contains("9100099")
        ));
        assert_eq!(
            report.summary.missing,
            report
                .lines
                .iter()
                .filter(|l| matches!(l.status, Status::Missing { .. }))
                .count()
        );
    }
}

#[tokio::test]
async fn a_person_who_declines_is_shown_as_declined_and_can_still_share_later() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        let id = request(&server, Audience::Hr).await;
        let http = passport_holder::http_client().unwrap();
        let url = link(&server, &id);
        let trust = server.state.trust_list();
        let fetch =
            || wallet.fetch_presentation_request(&url, &trust, &http, passport_server::now());
        let req = fetch().await.unwrap();
        wallet.decline(&req, &http).await.unwrap();
        let stored = server
            .state
            .store
            .transfer_request("R0A", &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, RequestStatus::Declined);
        assert!(stored.report.is_none());
        assert!(server
            .state
            .store
            .presented("R0A", &id)
            .await
            .unwrap()
            .is_empty());
        let log = server
            .state
            .store
            .response_failures("R0A", &id)
            .await
            .unwrap();
        assert!(log.iter().any(|(r, _)| r.contains("declined")), "{log:?}");
        // Anyone with the link could send a refusal, so it does not use the request up.
        let req = fetch().await.unwrap();
        wallet
            .respond(&req, &[], &http, passport_server::now())
            .await
            .unwrap();
        let stored = server
            .state
            .store
            .transfer_request("R0A", &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, RequestStatus::Responded);
    }
}

#[tokio::test]
async fn protocol_endpoints_answer_web_wallets_of_any_origin_but_the_portal_does_not() {
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    let http = common::http();
    let preflight = http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/verifiers/R0A/responses/tr-x", server.base),
        )
        .header("origin", "https://wallet.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    let list = http
        .get(format!("{}/trust-list", server.base))
        .header("origin", "https://wallet.example")
        .send()
        .await
        .unwrap();
    assert_eq!(list.headers()["access-control-allow-origin"], "*");
    let portal = http
        .get(format!("{}/portal/login", server.base))
        .header("origin", "https://wallet.example")
        .send()
        .await
        .unwrap();
    assert!(portal
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn personal_details_are_shared_as_declared_not_verified_and_meet_nothing() {
    for server in servers().await {
        let mut wallet = amara_wallet(&server).await;
        // The same request answered before and after Amara declares her details.
        let before_id = request(&server, Audience::Hr).await;
        let (shared, before) = answer(&server, &wallet, &before_id).await;
        assert!(shared.iter().all(|s| s.query_id != "self_declared"));
        let before: Report = serde_json::from_str(before.report.as_deref().unwrap()).unwrap();
        assert!(before.self_declared.is_none());

        let details = serde_json::json!({
            "preferredName": "Amy",
            "emergencyContacts": [{"name": "Chidi Okafor", "relationship": "Brother", "phone": "07700 900456"}]
        });
        wallet
            .set_self_declared(details.as_object().unwrap().clone(), passport_server::now())
            .unwrap();
        let id = request(&server, Audience::Hr).await;
        let req = fetch(&server, &wallet, &id).await.unwrap();
        let m = req.selection.matches("self_declared");
        assert_eq!(m.len(), 1, "the wallet offers its declaration");
        // Exactly the details held are disclosed (with the record type).
        assert_eq!(m[0].disclose.len(), 3, "{:?}", m[0].disclose);
        let (shared, stored) = answer(&server, &wallet, &id).await;
        assert!(shared.iter().any(|s| s.query_id == "self_declared"));
        let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
        // HR's requirement lines and counts are unchanged.
        assert_eq!(report.lines, before.lines);
        assert_eq!(report.summary, before.summary);
        let declared = report.self_declared.clone().unwrap();
        let pairs: Vec<(&str, &str)> = declared
            .iter()
            .map(|i| (i.label.as_str(), i.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("Preferred name", "Amy"),
                ("Emergency contacts", "Chidi Okafor (Brother), 07700 900456")
            ]
        );
        let presented = server.state.store.presented("R0A", &id).await.unwrap();
        let row = presented
            .iter()
            .find(|p| p.query_id == "self_declared")
            .unwrap();
        assert!(row.accepted);
        assert_eq!(row.reason, "self-declared (not verified)");
        assert!(row.issuer_ods.is_none());
        assert!(row
            .iss
            .as_deref()
            .unwrap()
            .starts_with("urn:ietf:params:oauth:jwk-thumbprint:sha-256:"));
        let csv = report.to_csv().unwrap();
        assert!(csv.contains(
            "Declared by the person (not verified): Preferred name,\"declared by the person, not checked\",,,Amy"
        ));

        // The OH team's request never asks for it.
        let oh = request(&server, Audience::OccupationalHealth).await;
        let oh_req = fetch(&server, &wallet, &oh).await.unwrap();
        assert!(oh_req
            .request
            .dcql_query
            .credentials
            .iter()
            .all(|c| c.id != "self_declared"));
    }
}
