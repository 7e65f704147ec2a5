//! The staff wallet (`/wallet/`) in headless Chromium at phone size: Amara opens RHQ's offer
//! link, enters her code and sees her passport; she adds NHS England's offer by pasting its
//! link; R0A asks for her passport, she chooses to leave out the DBS check and shares; R0A's
//! stored report has the expected lines with DBS missing and no DBS presentation; a second
//! request is declined and R0A's record says so. Every wallet screen is checked with axe-core (WCAG 2.2
//! AA) and saved as `target/screenshots/wallet-*.png` at 390 px wide.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{
    axe, axe_source, browser, click, fill, screenshot_sized, start_driver, wait_css, wait_h1,
};
use common::import;
use common::transfer::{amara_at_rhq, amara_offer, link, request, tis_csv, url_encode};
use fantoccini::{Client, Locator};
use passport_compliance::{Audience, Report, Status};
use passport_records::ImportKind;
use passport_store::RequestStatus;

const PHONE: (u32, u32) = (390, 844);
/// The optional query the person unticks.
const DESELECTED: &str = "dbs";

/// A screenshot of the whole page at phone width.
async fn shot(c: &Client, name: &str) {
    screenshot_sized(c, name, PHONE).await;
}

async fn h1(c: &Client) -> String {
    c.find(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn main_text(c: &Client) -> String {
    c.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amara_receives_views_shares_with_a_deselection_and_declines_in_the_web_wallet() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    amara_at_rhq(&server).await;
    import(&server, "X24", ImportKind::TisPlacements, &tis_csv()).await;
    let base = &server.base;

    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    c.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let mut violations = Vec::new();

    // The served files: strict policy on the page, the worker allowed to control /wallet/.
    let http = common::http();
    let page = http.get(format!("{base}/wallet/")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    let sw = http
        .get(format!("{base}/wallet/sw.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(sw.headers()["service-worker-allowed"], "/wallet/");
    let config: serde_json::Value = http
        .get(format!("{base}/wallet/config.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["trust_list_url"], format!("{base}/trust-list"));
    assert_eq!(
        config["registry_jwk"],
        serde_json::to_value(&server.state.registry_jwk).unwrap()
    );

    // An empty wallet.
    c.goto(&format!("{base}/wallet/")).await.unwrap();
    wait_h1(&c, "Your passport").await;
    wait_css(&c, "main a.nhsuk-button[href='#/receive']").await;
    shot(&c, "wallet-empty.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, empty").await);

    // RHQ's offer, opened as a same-device link: the code screen; a wrong-length code is refused.
    let (rhq_link, rhq_code) = amara_offer(&server, "RHQ").await;
    c.goto(&format!("{base}/wallet/?offer={}", url_encode(&rhq_link)))
        .await
        .unwrap();
    wait_css(&c, "#txcode").await;
    assert!(main_text(&c).await.contains("(RHQ)"));
    let url = c.current_url().await.unwrap();
    assert!(
        !url.as_str().contains("offer="),
        "the link stays out of the address bar: {url}"
    );
    shot(&c, "wallet-receive-code.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, enter code").await);
    fill(&c, "txcode", "12345").await;
    click(&c, "main form button[type=submit]").await;
    let summary = wait_css(&c, ".nhsuk-error-summary").await;
    assert!(summary.text().await.unwrap().contains("6 digits"));
    shot(&c, "wallet-receive-error.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, enter code, refused").await);
    fill(&c, "txcode", &rhq_code).await;
    click(&c, "main form button[type=submit]").await;
    wait_h1(&c, "Added to your passport").await;
    let arrived = main_text(&c).await;
    for expected in [
        "Identity and checks",
        "Employment",
        "Training",
        "Occupational health clearance",
    ] {
        assert!(arrived.contains(expected), "{expected}:\n{arrived}");
    }
    shot(&c, "wallet-received.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, received").await);

    // NHS England's offer, pasted on the receive screen.
    let (x24_link, x24_code) = amara_offer(&server, "X24").await;
    click(&c, "a.app-nav__link[data-screen=receive]").await;
    wait_css(&c, "#offer").await;
    shot(&c, "wallet-receive.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, receive").await);
    fill(&c, "offer", &x24_link).await;
    click(&c, "main form button[type=submit]").await;
    wait_css(&c, "#txcode").await;
    fill(&c, "txcode", &x24_code).await;
    click(&c, "main form button[type=submit]").await;
    wait_h1(&c, "Added to your passport").await;
    assert!(main_text(&c)
        .await
        .contains("Training programme and placements"));

    // The passport, grouped, with labels from the type metadata and training states.
    c.goto(&format!("{base}/wallet/#/")).await.unwrap();
    c.refresh().await.unwrap();
    wait_css(&c, "#group-training").await;
    let home = main_text(&c).await;
    for expected in [
        "Identity and checks",
        "Employment",
        "Training",
        "Occupational health clearance",
        "Training programme and placements",
        "Core skills training (CSTF)",
        "Date of birth",
        "Expired",
        "In date",
        "Information Governance and Data Security",
        "(RHQ)",
    ] {
        assert!(
            home.contains(expected),
            "{expected} not on the home screen:\n{home}"
        );
    }
    assert!(!home.contains("dateLastAwarded") && !home.contains("recordType"));
    shot(&c, "wallet-home.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, passport").await);

    // R0A asks; the consent screen names R0A and what leaves; DBS is unticked; Share.
    let present_id = request(&server, Audience::Hr).await;
    c.goto(&format!(
        "{base}/wallet/?request={}",
        url_encode(&link(&server, &present_id))
    ))
    .await
    .unwrap();
    wait_css(&c, "#share-button").await;
    let consent = main_text(&c).await;
    let r0a = server
        .state
        .trust_list()
        .by_ods("R0A")
        .unwrap()
        .name
        .clone();
    for expected in [r0a.as_str(), "R0A", "Legal surname", "Type of DBS check"] {
        assert!(consent.contains(expected), "{expected}:\n{consent}");
    }
    shot(&c, "wallet-consent.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, consent").await);
    // Choosing what to share is a step of its own; the consent screen then says what is left out.
    click(&c, "#choose-button").await;
    wait_css(&c, &format!("#share-{DESELECTED}")).await;
    shot(&c, "wallet-choose.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, choose what to share").await);
    click(&c, &format!("#share-{DESELECTED}")).await;
    assert!(!c
        .find(Locator::Id(&format!("share-{DESELECTED}")))
        .await
        .unwrap()
        .is_selected()
        .await
        .unwrap());
    click(&c, "#choose-continue").await;
    wait_css(
        &c,
        &format!("[data-query={DESELECTED}].app-consent-item--off"),
    )
    .await;
    assert!(main_text(&c)
        .await
        .contains("You chose to leave out 1 record"));
    shot(&c, "wallet-consent-deselected.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, consent, one left out").await);
    click(&c, "#share-button").await;
    wait_h1(&c, "Your passport has been shared").await;
    shot(&c, "wallet-shared.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, shared").await);

    let store = &server.state.store;
    let stored = store
        .transfer_request("R0A", &present_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, RequestStatus::Responded);
    let presented = store.presented("R0A", &present_id).await.unwrap();
    assert!(!presented.is_empty());
    assert!(presented.iter().all(|p| p.accepted), "{presented:?}");
    assert!(presented.iter().all(|p| p.query_id != DESELECTED));
    let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
    let line = |key: &str| {
        &(report.lines.iter().find(|l| l.key == key))
            .unwrap_or_else(|| panic!("no line {key}"))
            .status
    };
    assert!(
        matches!(line(DESELECTED), Status::Missing { .. }),
        "{:?}",
        line(DESELECTED)
    );
    for key in [
        "identity",
        "right_to_work",
        "employment",
        "occupational_health",
        "training_programme",
    ] {
        assert!(
            matches!(line(key), Status::Met { .. }),
            "{key}: {:?}",
            line(key)
        );
    }

    // A second request, declined.
    let decline_id = request(&server, Audience::Hr).await;
    c.goto(&format!(
        "{base}/wallet/?request={}",
        url_encode(&link(&server, &decline_id))
    ))
    .await
    .unwrap();
    wait_css(&c, "#decline-button").await;
    click(&c, "#decline-button").await;
    wait_h1(&c, "You did not share your passport").await;
    shot(&c, "wallet-declined.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, declined").await);
    let declined = store
        .transfer_request("R0A", &decline_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(declined.status, RequestStatus::Declined);
    assert!(store
        .presented("R0A", &decline_id)
        .await
        .unwrap()
        .is_empty());

    // History: both, newest first, with who and what.
    c.goto(&format!("{base}/wallet/#/history")).await.unwrap();
    wait_css(&c, "main ol li").await;
    let history = main_text(&c).await;
    assert!(history.contains("You said no") && history.contains("Shared"));
    assert!(history.contains("(R0A)"));
    assert!(!history.contains("DBS check outcome"), "{history}");
    shot(&c, "wallet-history.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, history").await);

    // The share screen without a link, and the personal details form.
    c.goto(&format!("{base}/wallet/#/share")).await.unwrap();
    wait_css(&c, "#request").await;
    shot(&c, "wallet-share.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, share").await);
    c.goto(&format!("{base}/wallet/#/details")).await.unwrap();
    wait_h1(&c, "Your personal details").await;
    shot(&c, "wallet-details.png").await;
    violations.extend(axe(&c, &axe_js, "wallet, personal details").await);

    // Installable and offline-capable: the service worker controls the page.
    let scope = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.serviceWorker.ready.then(r => done(r.scope)).catch(e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(scope.as_str().unwrap(), format!("{base}/wallet/"));
    assert_eq!(h1(&c).await, "Your personal details");

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
