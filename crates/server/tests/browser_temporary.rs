//! Temporary arrangements in headless Chromium: the list (active, upcoming, waiting, ended), the
//! new-arrangement form refusing bad input accessibly and taking collaborative bank shifts, the
//! new arrangement's page with the request's QR code, and an active arrangement's page with its
//! end form. Every page is checked with axe-core (WCAG 2.2 AA) and saved as a screenshot in
//! `target/screenshots/`.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{
    axe, axe_source, browser, click, fill, portal_sign_in, screenshot, start_driver,
};
use common::temporary::{answered, create, day, movement_of, with_banks};
use fantoccini::Locator;
use passport_server::temporary::{accept, end_early};

/// A secondment of `name`, `start` to `end` days from today, answered and accepted.
async fn accepted(server: &common::TestServer, name: &str, start: i64, end: i64) -> String {
    let (id, request_id) = create(&server.state, name, start, end).await;
    answered(&server.state, &request_id).await;
    let now = passport_server::now();
    accept(&server.state, "R0A", &id, "", "r0a.hr", now)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn the_arrangements_list_and_the_new_arrangement_form_work_and_are_accessible() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let db = passport_store::testing::sqlite().unwrap();
    let server = common::start_with(db, with_banks).await;
    // The active one is Amara's, presented by the Rust holder: a real report on its page.
    let wallet = common::transfer::amara_wallet(&server).await;
    let (active, request_id) = create(&server.state, "Amara Okafor", -5, 40).await;
    common::transfer::answer(&server, &wallet, &request_id).await;
    let now = passport_server::now();
    accept(&server.state, "R0A", &active, "", "r0a.hr", now)
        .await
        .unwrap();
    accepted(&server, "Owen Upcoming", 10, 70).await;
    let ended = accepted(&server, "Erin Ended", -20, 30).await;
    let now = passport_server::now();
    end_early(
        &server.state,
        "R0A",
        &ended,
        "project closed",
        "r0a.hr",
        now,
    )
    .await
    .unwrap();
    create(&server.state, "Wes Waiting", 3, 33).await;

    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    let base = &server.base;
    let mut violations = Vec::new();
    portal_sign_in(&c, &server, ("R0A", "r0a.browser", "hr")).await;

    // The transfers page leads to the arrangements.
    c.goto(&format!("{base}/portal/transfers")).await.unwrap();
    click(&c, "a[href='/portal/temporary']").await;
    c.wait().for_element(Locator::Id("active")).await.unwrap();
    for (table, name) in [
        ("active", "Amara Okafor"),
        ("upcoming", "Owen Upcoming"),
        ("waiting", "Wes Waiting"),
        ("ended", "Erin Ended"),
    ] {
        let text = c
            .find(Locator::Id(table))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.contains(name), "{table}: {text}");
    }
    screenshot(&c, "portal-temporary-list.png").await;
    violations.extend(axe(&c, &axe_js, "temporary arrangements").await);

    click(&c, "a[href='/portal/temporary/new']").await;
    c.wait().for_element(Locator::Id("home")).await.unwrap();
    screenshot(&c, "portal-temporary-new.png").await;
    violations.extend(axe(&c, &axe_js, "new temporary arrangement").await);

    // Bank shifts with a trust outside the bank, ending before they start: refused, each
    // problem by its field, nothing stored.
    fill(&c, "name", "Nia Bank").await;
    fill(&c, "email", "nia.bank@nhs.example").await;
    c.find(Locator::Css(
        "#profile option[value='non-clinical-temporary-mover']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    click(&c, "#kind-3").await;
    c.find(Locator::Css("#bank option[value='eastbridge-northfield']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "home", "RTH").await;
    // Date inputs take the ISO date through script (typing depends on the browser's locale).
    let dates = "document.getElementById('start').value = arguments[0]; document.getElementById('end').value = arguments[1];";
    c.execute(dates, vec![day(10).into(), day(5).into()])
        .await
        .unwrap();
    click(&c, "main form button[type=submit]").await;
    let summary = c
        .wait()
        .for_element(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap();
    let text = summary.text().await.unwrap();
    assert!(
        text.contains("The end date must be the same as or after the start date"),
        "{text}"
    );
    assert!(text.contains("RTH is not one"), "{text}");
    let bank_error = c.find(Locator::Id("bank-error")).await.unwrap();
    assert!(bank_error
        .text()
        .await
        .unwrap()
        .contains("Collaborative bank work"));
    screenshot(&c, "portal-temporary-new-error.png").await;
    violations.extend(axe(&c, &axe_js, "new temporary arrangement, refused").await);
    assert!(movement_of(&server.state, "Nia Bank").await.is_none());

    // Put right: a member of the bank, dates in order. The arrangement's page shows the link.
    fill(&c, "home", "RHQ").await;
    c.execute(dates, vec![day(10).into(), day(12).into()])
        .await
        .unwrap();
    click(&c, "main form button[type=submit]").await;
    c.wait()
        .for_element(Locator::Id("request-link"))
        .await
        .unwrap();
    let m = movement_of(&server.state, "Nia Bank").await.unwrap();
    assert_eq!(
        (m.kind.as_str(), m.bank.as_deref(), m.home_org.as_str()),
        ("collaborative_bank", Some("eastbridge-northfield"), "RHQ")
    );
    let page = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Eastbridge and Northfield Collaborative Bank"),
        "{page}"
    );
    screenshot(&c, "portal-temporary-requested.png").await;
    violations.extend(axe(&c, &axe_js, "temporary arrangement, waiting").await);

    // An active arrangement: its report and the form to end it early.
    c.goto(&format!("{base}/portal/temporary/{active}"))
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("report")).await.unwrap();
    c.find(Locator::Id("end-note")).await.unwrap();
    screenshot(&c, "portal-temporary-active.png").await;
    violations.extend(axe(&c, &axe_js, "temporary arrangement, active").await);

    // A host trust's report under the lead employer arrangement (RHQ holds Amara's contract).
    let lead = lead_employer_request(&server).await;
    common::transfer::answer(&server, &wallet, &lead).await;
    c.goto(&format!("{base}/portal/transfers/{lead}"))
        .await
        .unwrap();
    let report = c.wait().for_element(Locator::Id("report")).await.unwrap();
    let text = report.text().await.unwrap();
    assert!(
        text.contains("Accepted under the lead employer arrangement"),
        "{text}"
    );
    screenshot(&c, "portal-transfer-lead-employer.png").await;
    violations.extend(axe(&c, &axe_js, "report under the lead employer arrangement").await);

    c.close().await.unwrap();
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// A foundation doctor request of R0A for Amara naming RHQ as the lead employer.
async fn lead_employer_request(server: &common::TestServer) -> String {
    let stored = server
        .state
        .store
        .profile("R0A", "foundation-doctor-medicine")
        .await
        .unwrap()
        .unwrap();
    let profile = passport_compliance::RoleProfile::from_json(&stored.body).unwrap();
    let (start, end) = common::transfer::placement();
    let input = passport_server::verifier::request::TransferInput {
        person_name: "Amara Okafor".into(),
        person_email: "amara.okafor@nhs.example".into(),
        registration_number: Some("9100001".into()),
        profile_id: profile.id.clone(),
        start_date: start,
        end_date: end,
        move_kind: "rotation".into(),
        lead_employer: Some("RHQ".into()),
    };
    let audience = passport_compliance::Audience::Hr;
    let now = passport_server::now();
    passport_server::verifier::request::create(
        &server.state,
        "R0A",
        "r0a.hr",
        audience,
        &profile,
        &input,
        now,
    )
    .await
    .unwrap()
}
