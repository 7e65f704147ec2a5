//! Erasing a person in the portal, in headless Chromium: R0A's administrator opens Amara's
//! page, follows "Erase this person", reads the confirmation page (what will be deleted, what
//! stays, that it cannot be undone) and confirms; the result page says she was erased and her
//! credentials are revoked. Both pages are checked with axe-core (WCAG 2.2 AA) and saved as
//! `target/screenshots/portal-erase-person*.png`.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{axe, axe_source, browser, click, portal_sign_in, screenshot, start_driver};
use common::governance::{amara_at_r0a, status_of};
use fantoccini::Locator;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_erases_a_person_after_a_confirmation_page() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    let held = amara_at_r0a(&server).await;
    let pid = held.person.clone();

    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    let mut violations = Vec::new();
    portal_sign_in(&c, &server, ("R0A", "r0a.eraser", "admin")).await;
    let base = &server.base;
    c.goto(&format!("{base}/portal/staff/{pid}")).await.unwrap();
    click(&c, "#erase-person").await;
    let h1 = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("main h1"))
        .await
        .unwrap();
    assert_eq!(h1.text().await.unwrap(), "Erase Amara Okafor?");
    let page = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let catalogue = passport_catalogue::Catalogue::nhs();
    let oh_only = |vct: &str| catalogue.by_vct(vct).unwrap().is_occupational_health_only();
    let seen = held.issued.iter().filter(|c| !oh_only(&c.vct)).count();
    let credentials = format!("{seen} credentials, {seen} still valid: they will be revoked");
    for expected in [
        "What will be deleted",
        "GMC 9100001",
        credentials.as_str(),
        "1 request",
        "1 item",
        "Erasing cannot be undone",
        "The audit log keeps its entries",
    ] {
        assert!(page.contains(expected), "{expected}:\n{page}");
    }
    screenshot(&c, "portal-erase-person.png").await;
    violations.extend(axe(&c, &axe_js, "portal, erase a person, confirm").await);
    let store = &server.state.store;
    assert!(
        store.person("R0A", &pid).await.unwrap().is_some(),
        "opening the page changes nothing"
    );

    click(&c, "main form button[type=submit]").await;
    let done = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".nhsuk-notification-banner"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("The person has been erased."), "{done}");
    let main = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let revoked = format!("{seen} credentials that were still valid are revoked");
    assert!(main.contains(&revoked), "{main}");
    screenshot(&c, "portal-erase-person-done.png").await;
    violations.extend(axe(&c, &axe_js, "portal, erase a person, done").await);

    assert!(store.person("R0A", &pid).await.unwrap().is_none());
    for credential in &held.issued {
        assert!(status_of(&server, credential).await.is_err());
    }
    c.close().await.unwrap();
    for v in &violations {
        eprintln!("{v}");
    }
    assert!(
        violations.is_empty(),
        "{} accessibility violations (listed above)",
        violations.len()
    );
}
