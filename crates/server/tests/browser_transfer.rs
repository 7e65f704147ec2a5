//! The receiving trust in headless Chromium: HR asks Amara for her passport (the form refuses
//! bad input accessibly), the request page shows the QR code and link, the Rust holder answers,
//! and the page turns into the report by itself; HR records the decision. Every page is
//! checked with axe-core (WCAG 2.2 AA) and saved as a screenshot in `target/screenshots/`.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{axe, axe_source, browser, click, fill, screenshot, start_driver};
use fantoccini::Locator;
use std::time::Duration;

const PASSWORD: &str = "a browser test password";

#[tokio::test]
async fn hr_asks_for_a_passport_and_the_report_appears_by_itself() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    let wallet = common::transfer::amara_wallet(&server).await;
    let hash = passport_server::portal::hash_password(PASSWORD)
        .await
        .unwrap();
    server
        .state
        .store
        .upsert_user(
            "R0A",
            "r0a.browser",
            "Rhiannon Ash",
            "hr",
            &hash,
            passport_server::now(),
        )
        .await
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    let base = &server.base;
    let mut violations = Vec::new();

    c.goto(&format!("{base}/portal/login")).await.unwrap();
    fill(&c, "username", "r0a.browser").await;
    fill(&c, "password", PASSWORD).await;
    click(&c, "main form button[type=submit]").await;
    c.wait()
        .for_url(&format!("{base}/portal").parse().unwrap())
        .await
        .unwrap();

    c.goto(&format!("{base}/portal/transfers")).await.unwrap();
    screenshot(&c, "portal-transfers-empty.png").await;
    violations.extend(axe(&c, &axe_js, "transfers, none yet").await);
    click(&c, "a.nhsuk-button").await;
    c.wait().for_element(Locator::Id("name")).await.unwrap();
    screenshot(&c, "portal-transfer-new.png").await;
    violations.extend(axe(&c, &axe_js, "new transfer request").await);

    // Nothing filled in: every field is named in the error summary; nothing is stored.
    click(&c, "main form button[type=submit]").await;
    let summary = c
        .wait()
        .for_element(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap();
    let text = summary.text().await.unwrap();
    assert!(text.contains("Enter their full name"), "{text}");
    assert!(text.contains("Choose the role"), "{text}");
    screenshot(&c, "portal-transfer-new-error.png").await;
    violations.extend(axe(&c, &axe_js, "new transfer request, refused").await);
    assert!(server
        .state
        .store
        .transfer_requests("R0A", 10)
        .await
        .unwrap()
        .is_empty());

    let (start, end) = common::transfer::placement();
    fill(&c, "name", "Amara Okafor").await;
    fill(&c, "email", "amara.okafor@nhs.example").await;
    fill(&c, "registration", "9100001").await;
    c.find(Locator::Css(
        "#profile option[value='foundation-doctor-medicine']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    // Date inputs take the ISO date through script (typing depends on the browser's locale).
    c.execute(
        "document.getElementById('start').value = arguments[0]; document.getElementById('end').value = arguments[1];",
        vec![start.to_string().into(), end.to_string().into()],
    )
    .await
    .unwrap();
    click(&c, "main form button[type=submit]").await;
    let link = c
        .wait()
        .for_element(Locator::Id("request-link"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        link.starts_with("openid4vp://?client_id=x509_hash"),
        "{link}"
    );
    c.find(Locator::Id("request-qr")).await.unwrap();
    screenshot(&c, "portal-transfer-waiting.png").await;
    violations.extend(axe(&c, &axe_js, "transfer request, waiting").await);

    // The person answers from their wallet; the open page updates without anyone reloading it.
    let http = passport_holder::http_client().unwrap();
    let req = wallet
        .fetch_presentation_request(
            &link,
            &server.state.trust_list(),
            &http,
            passport_server::now(),
        )
        .await
        .unwrap();
    let (_, redirect) = wallet
        .respond(&req, &[], &http, passport_server::now())
        .await
        .unwrap();
    let report = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("report"))
        .await
        .unwrap();
    let text = report.text().await.unwrap();
    for expected in [
        "Met",
        "Expires during placement",
        "Missing",
        "Local check needed",
    ] {
        assert!(
            text.contains(expected),
            "{expected} not in the report:\n{text}"
        );
    }
    screenshot(&c, "portal-transfer-report.png").await;
    violations.extend(axe(&c, &axe_js, "transfer report").await);

    click(&c, "#decision-accepted").await;
    fill(&c, "note", "GMC register checked on the day").await;
    c.find(Locator::XPath(
        "//button[normalize-space()='Record decision']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait()
        .for_element(Locator::XPath("//dd[contains(., 'Accepted')]"))
        .await
        .unwrap();
    screenshot(&c, "portal-transfer-decided.png").await;
    violations.extend(axe(&c, &axe_js, "transfer report, decided").await);

    c.goto(&format!("{base}/portal/transfers")).await.unwrap();
    violations.extend(axe(&c, &axe_js, "transfers").await);

    // The page a phone lands on in the same-device flow.
    c.goto(&redirect.unwrap()).await.unwrap();
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "Your passport has been shared");
    screenshot(&c, "portal-same-device-landing.png").await;
    violations.extend(axe(&c, &axe_js, "shared, same-device landing").await);

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
