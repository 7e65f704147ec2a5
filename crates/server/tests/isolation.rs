//! Trust A cannot see trust B's staff, records, offers, transfer requests, reports or audit log
//! by any route, and only OH sees occupational health detail; on SQLite and PostgreSQL.
//!
//! Trust B (R0A) holds real data: people (one only it knows), an issued credential, an
//! answered HR transfer request with its report, an OH team's request, a review item and audit
//! entries. First B's own users open each of them (the baseline: the same ids work for the
//! right trust). Then a user of trust A (RHQ) in every role tries each by its real id and by
//! guessed ids, through pages, the JSON and CSV exports, the polling API and every form: each
//! answer is 404 or 403, no page shows B's data, nothing of B's changes, and A's own audit log
//! records the attempts (B's log gains nothing from them). Last, B's users make the same
//! changes A could not, and they happen.
#![allow(clippy::unwrap_used)]
mod common;

use common::portal::{sign_in, user, Signed};
use common::transfer::{amara_wallet, answer, request};
use common::{import, TestServer};
use passport_compliance::Audience;
use passport_records::ImportKind;
use passport_store::ChainCheck;
use reqwest::StatusCode;

const A_ROLES: [&str; 7] = [
    "admin",
    "hr",
    "medical-staffing",
    "training",
    "oh",
    "auditor",
    "registry-admin",
];

/// Trust B's things, by id.
struct B {
    person: String,
    only_b: String,
    credential: String,
    request: String,
    oh_request: String,
    item: String,
}

async fn person_of(server: &TestServer, org: &str, q: &str) -> String {
    let found = server.state.store.search_people(org, q, 5).await.unwrap();
    assert_eq!(found.len(), 1, "{org} {q}");
    found[0].id.clone()
}

/// Both trusts' users; A's Amara (with credentials issued by RHQ); B's staff, a person only B
/// knows, a credential, an answered HR request, an OH request and a review item.
async fn setup(server: &TestServer) -> (String, B) {
    for role in A_ROLES {
        user(server, "RHQ", &format!("a.{role}"), role).await;
        user(server, "R0A", &format!("b.{role}"), role).await;
    }
    let wallet = amara_wallet(server).await;
    let a_person = person_of(server, "RHQ", "10000101").await;

    let staff = common::sample("esr-staff.csv").replace(",RHQ", ",R0A");
    import(server, "R0A", ImportKind::EsrStaff, &staff).await;
    let oh = common::sample("oh.csv");
    import(server, "R0A", ImportKind::OccupationalHealth, &oh).await;
    // Someone only B knows, under a name A's search would find if it could.
    let mut records = passport_records::parse(ImportKind::EsrStaff, &staff, "R0A").unwrap();
    let mut only_b = records.remove(0);
    only_b.key = "only-b".into();
    for id in only_b.identifiers.iter_mut() {
        id.value = format!("{}9", id.value);
    }
    if let Some(p) = only_b.person.as_mut() {
        p.family_name = "Quenby".into();
    }
    let store = &server.state.store;
    store
        .apply_import(
            "R0A",
            "esr-staff",
            "t",
            &[only_b.clone()],
            passport_server::now(),
            |_| {},
        )
        .await
        .unwrap();
    let only_b = person_of(server, "R0A", "Quenby").await;
    // A doubtful record: B's review queue.
    let mut doubtful = records.remove(0);
    doubtful.key.push_str("-doubtful");
    if let Some(p) = doubtful.person.as_mut() {
        p.family_name = "Adeyemi".into();
        p.date_of_birth = Some("1999-03-15".into());
    }
    store
        .apply_import(
            "R0A",
            "esr-staff",
            "t",
            &[doubtful],
            passport_server::now(),
            |_| {},
        )
        .await
        .unwrap();
    let item = store.review_queue("R0A").await.unwrap()[0].id.clone();

    let person = person_of(server, "R0A", "10000101").await;
    let view = store.person("R0A", &person).await.unwrap().unwrap();
    let record = view
        .records
        .iter()
        .find(|r| r.type_name == "Employment")
        .unwrap();
    store
        .register_issued(
            "R0A",
            &person,
            &record.id,
            "Employment",
            "jkt",
            "n-b",
            1,
            None,
        )
        .await
        .unwrap();
    let credential = store.issued_to("R0A", &person).await.unwrap()[0].id.clone();

    let request_id = request(server, Audience::Hr).await;
    answer(server, &wallet, &request_id).await;
    let oh_request = request(server, Audience::OccupationalHealth).await;
    let b = B {
        person,
        only_b,
        credential,
        request: request_id,
        oh_request,
        item,
    };
    (a_person, b)
}

/// B's own users reach each of B's things: the ids are real and the routes work.
async fn baseline(server: &TestServer, b: &B) {
    let hr = sign_in(server, "b.hr").await;
    let oh = sign_in(server, "b.oh").await;
    let admin = sign_in(server, "b.admin").await;
    let ok = |(status, body): (StatusCode, String), what: &str| {
        assert_eq!(status, StatusCode::OK, "{what}: {body}");
        body
    };
    let page = ok(
        hr.get(&format!("/portal/staff/{}", b.person)).await,
        "person",
    );
    assert!(page.contains("Amara"));
    ok(
        hr.get(&format!("/portal/staff/{}", b.only_b)).await,
        "only B",
    );
    let search = ok(hr.get("/portal/staff?q=Quenby").await, "search");
    assert!(search.contains(&b.only_b));
    let revoke = format!(
        "/portal/staff/{}/credentials/{}/revoke",
        b.person, b.credential
    );
    ok(hr.get(&revoke).await, "revoke confirmation");
    for tail in ["", "/state", "/report.json", "/report.csv"] {
        ok(
            hr.get(&format!("/portal/transfers/{}{tail}", b.request))
                .await,
            tail,
        );
    }
    let list = ok(hr.get("/portal/transfers").await, "transfers");
    assert!(list.contains(&b.request));
    ok(
        oh.get(&format!("/portal/transfers/{}", b.oh_request)).await,
        "OH request",
    );
    let (status, _) = hr.get(&format!("/portal/transfers/{}", b.oh_request)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "B's HR: the OH team's request is OH's"
    );
    let queue = ok(hr.get("/portal/review").await, "review queue");
    assert!(queue.contains(&b.item));
    let log = ok(
        admin
            .get(&format!("/portal/audit?subject={}", b.person))
            .await,
        "log",
    );
    assert!(log.contains("b.hr"), "B's log names B's reader");
}

/// Every way trust A's `user` could reach B's things: each answer is 403 or 404 and shows
/// nothing of B's.
async fn attack(a: &Signed, b: &B) {
    let guessed_person = "p-00000000000000000000000000000000";
    let guessed_request = "tr-00000000000000000000000000000000";
    let who = &a.username;
    let mut gets = vec![
        format!("/portal/staff/{}", b.person),
        format!("/portal/staff/{}", b.only_b),
        format!("/portal/staff/{guessed_person}"),
        format!(
            "/portal/staff/{}/credentials/{}/revoke",
            b.person, b.credential
        ),
        format!(
            "/portal/staff/{guessed_person}/credentials/{}/revoke",
            b.credential
        ),
        format!("/portal/staff/{}/export.json", b.person),
        format!("/portal/staff/{}/erase", b.person),
    ];
    for id in [&b.request, &b.oh_request, &guessed_request.to_string()] {
        for tail in ["", "/state", "/report.json", "/report.csv"] {
            gets.push(format!("/portal/transfers/{id}{tail}"));
        }
    }
    for path in &gets {
        let (status, body) = a.get(path).await;
        assert!(
            matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{who} GET {path}: {status} {body}"
        );
        assert!(
            !body.contains("Amara") && !body.contains("Quenby"),
            "{who} {path}"
        );
    }
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/portal/staff/{}/offers", b.person), vec![]),
        (
            format!(
                "/portal/staff/{}/credentials/{}/revoke",
                b.person, b.credential
            ),
            vec![("reason", "attack")],
        ),
        (
            format!("/portal/transfers/{}/decision", b.request),
            vec![("decision", "rejected"), ("note", "attack")],
        ),
        (
            format!("/portal/transfers/{}/decision", b.oh_request),
            vec![("decision", "rejected")],
        ),
        (
            format!("/portal/review/{}", b.item),
            vec![("choice", "new")],
        ),
        (
            format!("/portal/staff/{}/erase", b.person),
            vec![("plan", "attack")],
        ),
    ];
    for (path, fields) in &posts {
        let status = a.post(path, fields).await;
        assert!(
            matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{who} POST {path}: {status}"
        );
    }
    // Lists and searches answer about A only (or not at all).
    let lists = [
        "/portal/staff?q=Quenby".to_string(),
        "/portal/staff?q=Okafor".to_string(),
        "/portal/transfers".to_string(),
        "/portal/review".to_string(),
        "/portal/audit".to_string(),
        format!("/portal/audit?subject={}", b.person),
    ];
    for path in &lists {
        let (status, body) = a.get(path).await;
        assert!(
            matches!(status, StatusCode::OK | StatusCode::FORBIDDEN),
            "{who} GET {path}: {status}"
        );
        assert!(!body.contains("b.hr"), "{who} {path} shows B's user");
        // A's own log rightly shows the ids and searches A's users tried; nothing else may.
        if path.starts_with("/portal/audit") {
            continue;
        }
        for id in [&b.person, &b.only_b, &b.request, &b.oh_request, &b.item] {
            assert!(!body.contains(id.as_str()), "{who} {path} shows B's {id}");
        }
        if path.ends_with("q=Quenby") && status == StatusCode::OK {
            assert!(body.contains("No results"), "{who} finds B's person");
        } else {
            assert!(!body.contains("Quenby"), "{who} {path}");
        }
    }
}

#[tokio::test]
async fn trust_a_reaches_nothing_of_trust_bs_by_any_route() {
    for server in common::servers().await {
        let (_, b) = setup(&server).await;
        baseline(&server, &b).await;
        let store = &server.state.store;
        let b_log = store
            .audit_entries("R0A", None, None, 10_000)
            .await
            .unwrap();
        let a_before = store
            .audit_entries("RHQ", None, None, 10_000)
            .await
            .unwrap()
            .len();

        for role in A_ROLES {
            let a = sign_in(&server, &format!("a.{role}")).await;
            attack(&a, &b).await;
        }

        // Nothing of B's changed, and B's log has not a line more.
        assert!(store.person("R0A", &b.person).await.unwrap().is_some());
        let issued = store.issued_to("R0A", &b.person).await.unwrap();
        assert!(issued.iter().all(|c| c.revoked_at.is_none()));
        assert!(store.offers_of("R0A", &b.person).await.unwrap().is_empty());
        for id in [&b.request, &b.oh_request] {
            let req = store.transfer_request("R0A", id).await.unwrap().unwrap();
            assert!(req.decision.is_none(), "{id}");
        }
        assert!(store
            .review_queue("R0A")
            .await
            .unwrap()
            .iter()
            .any(|i| i.id == b.item));
        assert_eq!(
            store
                .audit_entries("R0A", None, None, 10_000)
                .await
                .unwrap(),
            b_log
        );
        // A's log has every attempt: the id tried, by whom, and that it was refused or not
        // found in A.
        let a_log = store
            .audit_entries("RHQ", None, None, 10_000)
            .await
            .unwrap();
        assert!(a_log.len() > a_before);
        let tried = |actor: &str, subject: &str, outcome: &str| {
            a_log
                .iter()
                .any(|e| e.actor_name == actor && e.subject == subject && e.outcome == outcome)
        };
        assert!(tried("a.hr", &b.person, "not-found"));
        assert!(tried("a.hr", &b.request, "not-found"));
        assert!(tried("a.oh", &b.oh_request, "not-found"));
        assert!(tried("a.auditor", &b.person, "refused"));
        assert!(tried("a.registry-admin", &b.person, "refused"));
        assert!(a_log.iter().all(|e| e.org == "RHQ"));

        // B's users do what A could not.
        let hr = sign_in(&server, "b.hr").await;
        let revoke = format!(
            "/portal/staff/{}/credentials/{}/revoke",
            b.person, b.credential
        );
        assert_eq!(
            hr.post(&revoke, &[("reason", "issued in error")]).await,
            StatusCode::SEE_OTHER
        );
        let decide = format!("/portal/transfers/{}/decision", b.request);
        assert_eq!(
            hr.post(&decide, &[("decision", "accepted")]).await,
            StatusCode::SEE_OTHER
        );
        let issued = store.issued_to("R0A", &b.person).await.unwrap();
        assert!(issued.iter().all(|c| c.revoked_at.is_some()));
        let req = store
            .transfer_request("R0A", &b.request)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(req.decision.as_deref(), Some("accepted"));
        let b_log = store
            .audit_entries("R0A", None, None, 10_000)
            .await
            .unwrap();
        for event in ["credential-revoked", "transfer-decided"] {
            assert!(
                b_log
                    .iter()
                    .any(|e| e.action == event && e.actor_name == "b.hr" && e.outcome == "done"),
                "{event}"
            );
        }
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { .. }
        ));
    }
}

/// OH detail of each OH-only type on a person's page, by (trust, ESR person id): A's Amara
/// has a vaccination; at B, Amara an observation and Tomasz vaccinations and tests.
const OH_DETAIL: [(&str, &str, &str, &str); 3] = [
    (
        "a",
        "10000101",
        "Measles Mumps and Rubella Vaccine",
        "<h3>Vaccination</h3>",
    ),
    ("b", "10000101", "BCG Scar Evident", "<h3>Observation</h3>"),
    (
        "b",
        "10000102",
        "Hepatitis B Surface Antibody Test",
        "<h3>Clinical test</h3>",
    ),
];

#[tokio::test]
async fn only_oh_sees_vaccination_test_and_observation_detail() {
    for server in common::servers().await {
        setup(&server).await;
        let mut pages = Vec::new();
        for (trust, esr, detail, heading) in OH_DETAIL {
            let org = if trust == "a" { "RHQ" } else { "R0A" };
            pages.push((trust, person_of(&server, org, esr).await, detail, heading));
        }
        for role in A_ROLES {
            for (trust, person, detail, heading) in &pages {
                let u = sign_in(&server, &format!("{trust}.{role}")).await;
                let (status, page) = u.get(&format!("/portal/staff/{person}")).await;
                if matches!(role, "auditor" | "registry-admin") {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
                    assert!(!page.contains(detail), "{role}");
                    continue;
                }
                assert_eq!(status, StatusCode::OK, "{role}");
                // Clearance is for every staff role; the clinical detail only for OH.
                assert!(page.contains("Occupational health clearance"), "{role}");
                assert_eq!(page.contains(detail), role == "oh", "{role} {detail}");
                assert_eq!(page.contains(heading), role == "oh", "{role} {heading}");
            }
        }
        // Every read of a page is in its trust's log, with who, why and about whom.
        let (_, a_person, _, _) = &pages[0];
        let log = server
            .state
            .store
            .audit_entries("RHQ", Some(a_person), None, 100)
            .await
            .unwrap();
        for role in A_ROLES {
            let actor = format!("a.{role}");
            let e = log.iter().find(|e| e.actor_name == actor).unwrap();
            assert_eq!(e.action, "view-staff", "{role}");
            assert_eq!(e.purpose, "review", "{role}");
            assert_eq!(e.role, role);
            let want = if matches!(role, "auditor" | "registry-admin") {
                "refused"
            } else {
                "allowed"
            };
            assert_eq!(e.outcome, want, "{role}");
        }
    }
}

#[tokio::test]
async fn every_personal_read_and_export_is_recorded_and_polling_is_not() {
    for server in common::servers().await {
        let (_, b) = setup(&server).await;
        let hr = sign_in(&server, "b.hr").await;
        let store = &server.state.store;
        let count = || async {
            store
                .audit_entries("R0A", None, None, 10_000)
                .await
                .unwrap()
                .len()
        };
        let routes = [
            format!("/portal/staff/{}", b.person),
            "/portal/staff?q=Okafor".to_string(),
            "/portal/transfers".to_string(),
            format!("/portal/transfers/{}", b.request),
            format!("/portal/transfers/{}/report.json", b.request),
            format!("/portal/transfers/{}/report.csv", b.request),
            "/portal/review".to_string(),
        ];
        for path in &routes {
            let before = count().await;
            let (status, _) = hr.get(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(count().await, before + 1, "{path} is recorded once");
        }
        for path in [
            "/portal".to_string(),
            "/portal/staff".to_string(),
            "/portal/transfers/new".to_string(),
            format!("/portal/transfers/{}/state", b.request),
        ] {
            let before = count().await;
            assert_eq!(hr.get(&path).await.0, StatusCode::OK, "{path}");
            assert_eq!(count().await, before, "{path} shows nothing personal");
        }
        let log = store.audit_entries("R0A", None, None, 100).await.unwrap();
        let csv = log
            .iter()
            .find(|e| e.action == "export-report" && e.detail.ends_with("csv"))
            .unwrap();
        assert_eq!(
            (
                csv.subject.as_str(),
                csv.purpose.as_str(),
                csv.actor_name.as_str()
            ),
            (b.request.as_str(), "transfer", "b.hr")
        );
        // The search is recorded by its kind: the name typed is personal data the log never holds.
        let search = log.iter().find(|e| e.detail == "search by name").unwrap();
        assert_eq!(search.action, "view-staff");
        assert!(log.iter().all(|e| !e.detail.contains("Okafor")));
    }
}
