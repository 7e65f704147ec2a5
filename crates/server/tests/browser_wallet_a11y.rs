//! The staff wallet at 320 px wide and by keyboard alone (issue 5's quality proof), and the
//! refusal as the receiving trust sees it.
//!
//! Every wallet screen is opened in a 320 px wide window: nothing may scroll sideways, axe-core
//! (WCAG 2.2 AA) finds nothing, and each is saved as `target/screenshots/wallet-320-*.png`.
//! Amara then answers R0A's request with the keyboard only (Tab, Space, Enter sent to whatever
//! has focus; every stop on the way must show that it has focus): from the consent screen's
//! heading she reaches Choose what to share, unticks the first optional item, continues and
//! reaches Share, each in at most 12 presses of Tab; R0A stored no presentation for it. Last,
//! R0A's HR user watches a second request in the portal while Amara declines it; the open page
//! says she declined.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{
    axe, axe_source, browser, click, fill, portal_log_in, screenshot, screenshot_sized,
    start_driver, wait_css, wait_h1,
};
use common::import;
use common::transfer::{amara_at_rhq, amara_offer, link, request, tis_csv, url_encode};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use passport_compliance::{Audience, Report, Status};
use passport_records::ImportKind;
use passport_store::RequestStatus;
use std::time::Duration;

const NARROW: (u32, u32) = (320, 720);
/// At most this many Tab presses from a consent step's heading to its decision.
const MAX_TABS_TO_DECIDE: usize = 12;
const PASSWORD: &str = "a browser test password";

/// Asserts the page fits 320 px (naming what sticks out if not), saves
/// `wallet-320-{name}.png` of the whole page and runs axe-core.
async fn check(c: &Client, axe_js: &str, name: &str, violations: &mut Vec<String>) {
    let fit = c
        .execute(
            r#"const d = document.documentElement;
               const wide = [...document.querySelectorAll('body *')]
                 .filter((e) => e.getBoundingClientRect().right > d.clientWidth + 0.5)
                 .slice(0, 8)
                 .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`);
               return { scroll: d.scrollWidth, client: d.clientWidth, inner: window.innerWidth, wide };"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fit["inner"], NARROW.0,
        "{name}: the window is not 320 px wide"
    );
    assert!(
        fit["scroll"].as_u64() <= fit["client"].as_u64(),
        "{name}: scrolls sideways at 320 px: {fit}"
    );
    screenshot_sized(c, &format!("wallet-320-{name}.png"), NARROW).await;
    violations.extend(axe(c, axe_js, &format!("wallet at 320 px, {name}")).await);
}

/// One key pressed and released, delivered to whatever has focus (no element is targeted).
async fn press(c: &Client, key: Key) {
    let value: char = key.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value })
        .then(KeyAction::Up { value });
    c.perform_actions(keys).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// What has focus: its id (or tag and text) and whether its focus can be seen (an outline, a
/// box shadow, or for an NHS checkbox the focus ring drawn around its box by the label).
async fn focused(c: &Client) -> (String, bool) {
    let v = c
        .execute(
            r#"const e = document.activeElement;
               if (!e || e === document.body) return ['(body)', false];
               const visible = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                   && !/transparent|rgba\([^)]*, 0\)/.test(s.outlineColor)) || s.boxShadow !== 'none';
               let seen = visible(getComputedStyle(e));
               if (!seen && e.type === 'checkbox' && e.labels && e.labels[0]) {
                 seen = visible(getComputedStyle(e.labels[0], '::before'));
               }
               const name = e.id || `${e.tagName.toLowerCase()} "${(e.textContent || '').trim().slice(0, 40)}"`;
               return [name, seen];"#,
            vec![],
        )
        .await
        .unwrap();
    (
        v[0].as_str().unwrap_or("?").to_string(),
        v[1].as_bool().unwrap_or(false),
    )
}

/// Presses Tab until the element with id `target` has focus; every stop on the way must show
/// its focus. Returns the stops, in order.
async fn tab_to(c: &Client, target: &str) -> Vec<String> {
    let mut stops = Vec::new();
    for _ in 0..120 {
        press(c, Key::Tab).await;
        let (name, seen) = focused(c).await;
        assert!(
            seen,
            "focus on {name} cannot be seen (stops so far: {stops:?})"
        );
        stops.push(name.clone());
        if name == target {
            return stops;
        }
    }
    panic!("Tab never reached #{target}; it went {stops:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_wallet_screen_fits_320_px_sharing_works_by_keyboard_and_a_refusal_reaches_the_portal(
) {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    amara_at_rhq(&server).await;
    import(&server, "X24", ImportKind::TisPlacements, &tis_csv()).await;
    let hash = passport_server::portal::hash_password(PASSWORD)
        .await
        .unwrap();
    (server.state.store)
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
    let base = &server.base;
    let store = &server.state.store;

    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    c.set_window_size(NARROW.0, NARROW.1).await.unwrap();
    let mut violations = Vec::new();

    // Every screen, empty and filled, at 320 px.
    c.goto(&format!("{base}/wallet/")).await.unwrap();
    wait_h1(&c, "Your passport").await;
    wait_css(&c, "main a.nhsuk-button[href='#/receive']").await;
    check(&c, &axe_js, "empty", &mut violations).await;

    c.goto(&format!("{base}/wallet/#/receive")).await.unwrap();
    wait_css(&c, "#offer").await;
    check(&c, &axe_js, "receive", &mut violations).await;

    let (rhq_link, rhq_code) = amara_offer(&server, "RHQ").await;
    c.goto(&format!("{base}/wallet/?offer={}", url_encode(&rhq_link)))
        .await
        .unwrap();
    wait_css(&c, "#txcode").await;
    check(&c, &axe_js, "receive-code", &mut violations).await;
    fill(&c, "txcode", "12345").await;
    click(&c, "main form button[type=submit]").await;
    wait_css(&c, ".nhsuk-error-summary").await;
    check(&c, &axe_js, "receive-error", &mut violations).await;
    fill(&c, "txcode", &rhq_code).await;
    click(&c, "main form button[type=submit]").await;
    wait_h1(&c, "Added to your passport").await;
    check(&c, &axe_js, "received", &mut violations).await;

    let (x24_link, x24_code) = amara_offer(&server, "X24").await;
    c.goto(&format!("{base}/wallet/?offer={}", url_encode(&x24_link)))
        .await
        .unwrap();
    wait_css(&c, "#txcode").await;
    fill(&c, "txcode", &x24_code).await;
    click(&c, "main form button[type=submit]").await;
    wait_h1(&c, "Added to your passport").await;

    c.goto(&format!("{base}/wallet/#/")).await.unwrap();
    c.refresh().await.unwrap();
    wait_css(&c, "#group-training").await;
    check(&c, &axe_js, "home", &mut violations).await;

    c.goto(&format!("{base}/wallet/#/share")).await.unwrap();
    wait_css(&c, "#request").await;
    check(&c, &axe_js, "share", &mut violations).await;

    c.goto(&format!("{base}/wallet/#/details")).await.unwrap();
    wait_h1(&c, "Your personal details").await;
    check(&c, &axe_js, "details", &mut violations).await;

    // R0A asks; Amara answers by keyboard alone.
    let present_id = request(&server, Audience::Hr).await;
    c.goto(&format!(
        "{base}/wallet/?request={}",
        url_encode(&link(&server, &present_id))
    ))
    .await
    .unwrap();
    wait_css(&c, "#share-button").await;
    check(&c, &axe_js, "consent", &mut violations).await;
    // Every decision is a few presses from the heading, however much is asked for: the
    // listing of everything that would leave is text. Amara chooses what to share, unticks
    // the first optional record, continues, and shares.
    let to_choose = tab_to(&c, "choose-button").await;
    eprintln!("Tab stops from the heading to Choose what to share: {to_choose:?}");
    assert!(to_choose.len() <= MAX_TABS_TO_DECIDE, "{to_choose:?}");
    press(&c, Key::Enter).await;
    wait_css(&c, "#choose-continue").await;
    let first = c
        .execute(
            "return document.querySelector('main input[name=share]').value;",
            vec![],
        )
        .await
        .unwrap();
    let first = first.as_str().unwrap().to_string();
    let box_id = format!("share-{first}");
    let to_box = tab_to(&c, &box_id).await;
    eprintln!("Tab stops to the first optional item: {to_box:?}");
    assert!(to_box.len() <= MAX_TABS_TO_DECIDE, "{to_box:?}");
    press(&c, Key::Space).await;
    let ticked = c
        .find(Locator::Id(&box_id))
        .await
        .unwrap()
        .is_selected()
        .await
        .unwrap();
    assert!(!ticked, "Space did not untick #{box_id}");
    check(&c, &axe_js, "choose", &mut violations).await;
    tab_to(&c, "choose-continue").await;
    press(&c, Key::Enter).await;
    wait_css(&c, &format!("[data-query={first}].app-consent-item--off")).await;
    check(&c, &axe_js, "consent-deselected", &mut violations).await;
    let to_share = tab_to(&c, "share-button").await;
    eprintln!("Tab stops from the heading to Share: {to_share:?}");
    assert!(to_share.len() <= MAX_TABS_TO_DECIDE, "{to_share:?}");
    press(&c, Key::Enter).await;
    wait_h1(&c, "Your passport has been shared").await;
    let (after, _) = focused(&c).await;
    assert!(
        after.starts_with("h1"),
        "focus did not move to the new heading: {after}"
    );
    check(&c, &axe_js, "shared", &mut violations).await;

    let stored = (store.transfer_request("R0A", &present_id).await)
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, RequestStatus::Responded);
    let presented = store.presented("R0A", &present_id).await.unwrap();
    assert!(!presented.is_empty());
    assert!(
        presented.iter().all(|p| p.query_id != first),
        "{first} was unticked but presented: {presented:?}"
    );
    let report: Report = serde_json::from_str(stored.report.as_deref().unwrap()).unwrap();
    if let Some(line) = report.lines.iter().find(|l| l.key == first) {
        assert!(
            !matches!(line.status, Status::Met { .. }),
            "{first}: {:?}",
            line.status
        );
    }

    // R0A's HR user watches a second request in another window while Amara declines it.
    let wallet_window = c.window().await.unwrap();
    let decline_id = request(&server, Audience::Hr).await;
    let portal_window = c.new_window(false).await.unwrap().handle;
    c.switch_to_window(portal_window.clone()).await.unwrap();
    c.set_window_size(1280, 1024).await.unwrap();
    portal_log_in(&c, base, "r0a.browser", PASSWORD).await;
    c.goto(&format!("{base}/portal/transfers/{decline_id}"))
        .await
        .unwrap();
    let waiting = wait_css(&c, "#transfer-status").await;
    assert!(!waiting.text().await.unwrap().contains("declined"));

    c.switch_to_window(wallet_window).await.unwrap();
    c.goto(&format!(
        "{base}/wallet/?request={}",
        url_encode(&link(&server, &decline_id))
    ))
    .await
    .unwrap();
    wait_css(&c, "#decline-button").await;
    tab_to(&c, "decline-button").await;
    press(&c, Key::Enter).await;
    wait_h1(&c, "You did not share your passport").await;
    check(&c, &axe_js, "declined", &mut violations).await;
    let declined = (store.transfer_request("R0A", &decline_id).await)
        .unwrap()
        .unwrap();
    assert_eq!(declined.status, RequestStatus::Declined);

    c.goto(&format!("{base}/wallet/#/history")).await.unwrap();
    wait_css(&c, "main ol li").await;
    check(&c, &axe_js, "history", &mut violations).await;

    // The portal page, left open, has noticed by itself.
    c.switch_to_window(portal_window).await.unwrap();
    let status = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(
            "//*[@id='transfer-status'][contains(., 'declined')]",
        ))
        .await
        .unwrap_or_else(|e| panic!("the portal never said declined: {e}"));
    let text = status.text().await.unwrap();
    assert!(text.contains("The person declined to share"), "{text}");
    screenshot(&c, "portal-transfer-declined.png").await;
    violations.extend(axe(&c, &axe_js, "portal, transfer declined").await);

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
