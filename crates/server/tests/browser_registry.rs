//! The trust list registry's organisation form in a real browser (headless Chromium through
//! chromedriver, the real server on SQLite): a registry administrator opens the trust list,
//! adds an organisation with a private key pasted by mistake (refused, with the error summary,
//! the key not sent back), then with its public key, and publishes. Every page is checked with
//! axe-core for WCAG 2.2 AA (no violation allowed) and saved in `target/screenshots/`.
//!
//! Needs (and fails, never skips, without): Chromium, chromedriver and axe-core, as
//! `tests/browser.rs` says.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{
    axe, axe_source, browser, click, fill, portal_sign_in, screenshot, start_driver,
};
use fantoccini::Locator;
use passport_jose::{Es256Signer, Signer};

#[tokio::test]
async fn a_registry_administrator_adds_an_organisation_and_publishes() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    let base = server.base.clone();
    let mut violations = Vec::new();
    portal_sign_in(&c, &server, ("X24", "registry.browser", "registry-admin")).await;

    c.find(Locator::LinkText("Trust list"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("draft")).await.unwrap();
    screenshot(&c, "registry-trust-list.png").await;
    violations.extend(axe(&c, &axe_js, "trust list").await);

    c.find(Locator::LinkText("Add an organisation"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("ods-code")).await.unwrap();
    violations.extend(axe(&c, &axe_js, "organisation form").await);

    // A private key pasted by mistake.
    let (key, _) = Es256Signer::generate().unwrap();
    let public = serde_json::to_value(key.public_jwk()).unwrap();
    let mut private = public.clone();
    private["d"] = serde_json::json!("c3ludGhldGljLWJyb3dzZXItc2NhbGFy");
    fill(&c, "ods-code", "RXX").await;
    fill(&c, "name", "Northmoor Community NHS Trust (synthetic)").await;
    click(&c, "label[for=kind]").await;
    fill(&c, "issuer", "https://northmoor.example/issuers/RXX").await;
    fill(
        &c,
        "jwks",
        &serde_json::json!({ "keys": [private] }).to_string(),
    )
    .await;
    click(&c, "label[for=issue-Employment]").await;
    click(&c, "label[for=issue-DBSCheckOutcome]").await;
    click(&c, "label[for=may-verify]").await;
    click(&c, "main form button[type=submit]").await;
    let summary = c
        .wait()
        .for_element(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap();
    assert!(summary.text().await.unwrap().contains("private key"));
    assert!(c
        .title()
        .await
        .unwrap()
        .starts_with("Error: Add an organisation"));
    let jwks = c.find(Locator::Id("jwks")).await.unwrap();
    assert_eq!(jwks.prop("value").await.unwrap().unwrap_or_default(), "");
    let ticked = c.find(Locator::Id("issue-Employment")).await.unwrap();
    assert!(
        ticked.is_selected().await.unwrap(),
        "the rest of the form is kept"
    );
    screenshot(&c, "registry-organisation-errors.png").await;
    violations.extend(axe(&c, &axe_js, "organisation form, errors").await);

    // The public key alone.
    fill(
        &c,
        "jwks",
        &serde_json::json!({ "keys": [public] }).to_string(),
    )
    .await;
    click(&c, "main form button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css(".nhsuk-notification-banner--success"))
        .await
        .unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("RXX is on the draft"), "{page}");
    assert!(page.contains("RXX added"), "{page}");
    violations.extend(axe(&c, &axe_js, "trust list, draft changed").await);

    click(&c, "#publish").await;
    c.wait()
        .for_url(
            &format!("{base}/portal/registry?done=published")
                .parse()
                .unwrap(),
        )
        .await
        .unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("Version 2 is published"), "{page}");
    screenshot(&c, "registry-published.png").await;
    violations.extend(axe(&c, &axe_js, "trust list, published").await);
    assert_eq!(server.state.trust_list().sequence, 2);
    assert!(server.state.trust_list().by_ods("RXX").is_some());

    c.find(Locator::Css("a[href='/portal/registry/organisations/RXX']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("jwks")).await.unwrap();
    screenshot(&c, "registry-organisation-change.png").await;
    violations.extend(axe(&c, &axe_js, "change an organisation").await);

    c.close().await.unwrap();
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
