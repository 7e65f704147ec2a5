//! A lost or new phone in the portal, in headless Chromium: Amara's old phone holds RHQ's
//! credentials; RHQ's HR user opens her page, follows "Replace lost or new phone", reads the
//! confirmation page and confirms; the page shows the new offer with its transaction code,
//! which a new phone redeems. The old phone's credentials are revoked, the new ones live.
//! Both pages are checked with axe-core (WCAG 2.2 AA) and saved as
//! `target/screenshots/portal-replace-device*.png`.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{axe, axe_source, browser, click, portal_sign_in, screenshot, start_driver};
use common::transfer::{amara_at_rhq, amara_offer};
use fantoccini::Locator;
use passport_holder::Wallet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hr_replaces_a_lost_phone_after_a_confirmation_page() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    amara_at_rhq(&server).await;
    let http = passport_holder::http_client().unwrap();
    let (link, code) = amara_offer(&server, "RHQ").await;
    let mut old = Wallet::in_memory().unwrap();
    let held = old
        .receive(&link, Some(&code), &http, passport_server::now())
        .await
        .unwrap();
    let store = &server.state.store;
    let gmc = passport_records::Identifier {
        scheme: passport_records::IdScheme::Gmc,
        value: "9100001".into(),
    };
    let pid = store
        .person_by_identifier("RHQ", &gmc)
        .await
        .unwrap()
        .unwrap();

    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    let mut violations = Vec::new();
    portal_sign_in(&c, &server, ("RHQ", "rhq.phones", "hr")).await;
    let base = &server.base;
    c.goto(&format!("{base}/portal/staff/{pid}")).await.unwrap();
    click(&c, "#replace-device").await;
    let h1 = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("main h1"))
        .await
        .unwrap();
    assert_eq!(
        h1.text().await.unwrap(),
        "Replace Amara Okafor’s lost or new phone?"
    );
    let page = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // HR sees (and is told about) all but the occupational health detail only OH may see.
    let oh_only = |vct: &str| {
        let catalogue = passport_catalogue::Catalogue::nhs();
        catalogue.by_vct(vct).unwrap().is_occupational_health_only()
    };
    let seen = held.iter().filter(|c| !oh_only(&c.vct)).count();
    assert!(
        seen < held.len(),
        "the old phone holds OH-only credentials too"
    );
    let on_phone = format!("{seen} credentials");
    for expected in ["Revoking cannot be undone", on_phone.as_str(), "1 phone"] {
        assert!(page.contains(expected), "{expected}:\n{page}");
    }
    screenshot(&c, "portal-replace-device.png").await;
    violations.extend(axe(&c, &axe_js, "portal, replace a phone, confirm").await);
    assert!(
        store
            .issued_to("RHQ", &pid)
            .await
            .unwrap()
            .iter()
            .all(|c| c.revoked_at.is_none()),
        "opening the page changes nothing"
    );

    click(&c, "main form button[type=submit]").await;
    let tx = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("tx-code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let new_link = c
        .find(Locator::Id("offer-link"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let banner = c
        .find(Locator::Css(".nhsuk-notification-banner"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        banner.contains(&format!(
            "{seen} credentials on the old phone have been revoked"
        )),
        "{banner}"
    );
    screenshot(&c, "portal-replace-device-done.png").await;
    violations.extend(axe(&c, &axe_js, "portal, replace a phone, new offer").await);

    let issued = store.issued_to("RHQ", &pid).await.unwrap();
    assert!(issued.iter().all(|c| c.revoked_at.is_some()));
    let mut new = Wallet::in_memory().unwrap();
    let got = new
        .receive(&new_link, Some(&tx), &http, passport_server::now())
        .await
        .unwrap();
    assert_eq!(got.len(), held.len());
    let issued = store.issued_to("RHQ", &pid).await.unwrap();
    let live: Vec<_> = issued.iter().filter(|c| c.revoked_at.is_none()).collect();
    assert_eq!(live.len(), held.len());
    let new_key = new.device_jwk().thumbprint();
    assert!(live.iter().all(|c| c.holder_jkt == new_key));

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
