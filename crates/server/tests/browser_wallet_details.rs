//! Personal details in the staff wallet, in headless Chromium at phone size: Amara collects
//! RHQ's offer, enters her details once (a bad National Insurance number and email are refused
//! with the NHS error summary, each error leading to its field), saves them, and shares them
//! with R0A as declared by her, leaving her National Insurance number out. R0A's HR user opens
//! the report in the portal: her preferred name is under "Declared by the person (not
//! verified)" and the number left out is nowhere. Every screen is checked with axe-core (WCAG
//! 2.2 AA) and saved as `target/screenshots/wallet-details-*.png`.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{
    axe, axe_source, browser, click, fill, main_text, portal_sign_in, screenshot, screenshot_sized,
    start_driver, wait_css,
};
use common::transfer::{amara_at_rhq, amara_offer, link, request, url_encode};
use fantoccini::{Client, Locator};
use passport_compliance::{Audience, Report};
use std::time::Duration;

const PHONE: (u32, u32) = (390, 844);

/// The id (else the class) of the element that has focus.
async fn focused_id(c: &Client) -> String {
    let id = c
        .execute(
            "const e = document.activeElement; return e ? (e.id || e.className) : '';",
            vec![],
        )
        .await
        .unwrap();
    id.as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amara_declares_her_details_once_and_r0a_sees_them_as_declared_not_verified() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    amara_at_rhq(&server).await;
    let base = &server.base;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    c.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let mut violations = Vec::new();
    let shot = |name: &'static str| {
        let c = c.clone();
        async move { screenshot_sized(&c, name, PHONE).await }
    };

    let (rhq_link, rhq_code) = amara_offer(&server, "RHQ").await;
    c.goto(&format!("{base}/wallet/?offer={}", url_encode(&rhq_link)))
        .await
        .unwrap();
    wait_css(&c, "#txcode").await;
    fill(&c, "txcode", &rhq_code).await;
    click(&c, "main form button[type=submit]").await;
    wait_css(&c, "a.app-nav__link[data-screen=details]").await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(
            "//main//h1[normalize-space()='Added to your passport']",
        ))
        .await
        .unwrap();

    // Nothing declared yet: the form.
    click(&c, "a.app-nav__link[data-screen=details]").await;
    wait_css(&c, "#details-save").await;
    shot("wallet-details-form.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, personal details, empty").await);

    // Bad entries: the error summary names each, and each error leads to its field.
    fill(&c, "preferred-name", "Amy").await;
    fill(&c, "email", "amy.okafor").await;
    fill(&c, "ni-number", "QQ 12 34 56 C").await;
    fill(&c, "contact1-name", "Chidi Okafor").await;
    click(&c, "#details-save").await;
    let summary = wait_css(&c, ".nhsuk-error-summary").await;
    let said = summary.text().await.unwrap();
    for expected in [
        "Enter an email address in the correct format, like name@example.com",
        "Enter a National Insurance number in the correct format, like QQ 12 34 56 C",
        "Enter how the emergency contact is related to you",
        "Enter the phone number of the emergency contact",
    ] {
        assert!(said.contains(expected), "{expected}:\n{said}");
    }
    assert_eq!(
        focused_id(&c).await,
        "nhsuk-error-summary",
        "focus on the summary"
    );
    let title = c.title().await.unwrap();
    assert!(title.starts_with("Error: "), "{title}");
    c.find(Locator::Css(".nhsuk-error-summary a[href='#ni-number']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(focused_id(&c).await, "ni-number");
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .ends_with("#/details"));
    assert!(main_text(&c).await.contains("Your personal details"));
    shot("wallet-details-error.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, personal details, refused").await);
    let held = declarations_held(&c).await;
    assert_eq!(held, 0, "nothing saved from a refused form");

    // Good entries: saved, and read back.
    fill(&c, "email", "amy.okafor@example.com").await;
    fill(&c, "phone", "07700 900123").await;
    fill(&c, "address-line1", "1 Example Street").await;
    fill(&c, "address-town", "Leeds").await;
    fill(&c, "postcode", "ls1 4ap").await;
    fill(&c, "contact1-relationship", "Brother").await;
    fill(&c, "contact1-phone", "07700 900456").await;
    fill(&c, "ni-number", "AB 12 34 56 C").await;
    click(&c, "#details-save").await;
    wait_css(&c, "#details-change").await;
    let saved = main_text(&c).await;
    for expected in [
        "Your details have been saved",
        "Amy",
        "1 Example Street, Leeds, LS1 4AP",
        "Chidi Okafor (Brother), 07700 900456",
        "AB 12 34 56 C",
    ] {
        assert!(saved.contains(expected), "{expected}:\n{saved}");
    }
    assert_eq!(declarations_held(&c).await, 1);
    shot("wallet-details-saved.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, personal details, saved").await);

    // R0A asks; the consent screen lists her details as declared by her.
    let id = request(&server, Audience::Hr).await;
    c.goto(&format!(
        "{base}/wallet/?request={}",
        url_encode(&link(&server, &id))
    ))
    .await
    .unwrap();
    wait_css(&c, "#share-button").await;
    let consent = main_text(&c).await;
    for expected in [
        "Declared by you",
        "Preferred name (declared by you)",
        "AB 12 34 56 C",
    ] {
        assert!(consent.contains(expected), "{expected}:\n{consent}");
    }
    // She leaves her National Insurance number out.
    click(&c, "#choose-button").await;
    wait_css(&c, "#share-declared-nationalInsuranceNumber").await;
    shot("wallet-details-choose.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, choose, with declared details").await);
    click(&c, "#share-declared-nationalInsuranceNumber").await;
    click(&c, "#choose-continue").await;
    wait_css(&c, "#share-button").await;
    let consent = main_text(&c).await;
    assert!(
        consent.contains("Left out: National Insurance number"),
        "{consent}"
    );
    assert!(!consent.contains("AB 12 34 56 C"), "{consent}");
    shot("wallet-details-consent.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, consent, declared details").await);
    click(&c, "#share-button").await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(
            "//main//h1[normalize-space()='Your passport has been shared']",
        ))
        .await
        .unwrap();
    assert!(main_text(&c).await.contains("Your personal details"));

    // R0A's report: the preferred name under its own heading, the number left out nowhere.
    let stored = (server.state.store.transfer_request("R0A", &id).await)
        .unwrap()
        .unwrap();
    let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
    let declared = report.self_declared.unwrap();
    assert!(declared.iter().any(|d| d.value == "Amy"));
    assert!(declared
        .iter()
        .all(|d| d.claim != "nationalInsuranceNumber"));
    c.set_window_size(1280, 1024).await.unwrap();
    portal_sign_in(&c, &server, ("R0A", "r0a.details", "hr")).await;
    c.goto(&format!("{base}/portal/transfers/{id}"))
        .await
        .unwrap();
    let section = wait_css(&c, "#self-declared").await;
    let text = section.text().await.unwrap();
    assert!(
        text.contains("Declared by the person (not verified)"),
        "{text}"
    );
    assert!(
        text.contains("Amy") && text.contains("Chidi Okafor (Brother)"),
        "{text}"
    );
    let page = main_text(&c).await;
    assert!(
        !page.contains("AB123456C") && !page.contains("AB 12 34 56 C"),
        "{page}"
    );
    screenshot(&c, "portal-transfer-declared.png").await;
    violations.extend(axe(&c, &axe_js, "portal, report with declared details").await);

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

/// How many declarations the wallet holds (read from its own IndexedDB, in the page).
async fn declarations_held(c: &Client) -> u64 {
    let n = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               const open = indexedDB.open('nhs-staff-passport');
               open.onsuccess = () => {
                 const all = open.result.transaction('credentials').objectStore('credentials').getAll();
                 all.onsuccess = () => done(all.result.filter((c) => c.vct.includes('/self-declared-details/')).length);
                 all.onerror = () => done(-1);
               };
               open.onerror = () => done(-1);"#,
            vec![],
        )
        .await
        .unwrap();
    n.as_u64()
        .unwrap_or_else(|| panic!("IndexedDB not read: {n}"))
}
