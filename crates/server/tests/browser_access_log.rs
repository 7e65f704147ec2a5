//! "Who has seen your data" in the staff wallet, in headless Chromium: Amara collects her
//! credentials and shares with trust B (R0A) in the browser; R0A's HR user opens the report,
//! downloads its CSV and accepts it in the portal. From her sharing history Amara reaches the
//! screen by keyboard alone; it shows R0A's name, why they asked, the decision, how long R0A
//! keeps the data, and each thing the HR team did, newest first, and no member of staff's
//! name. Checked with axe-core (WCAG 2.2 AA) at phone size and at 320 px (nothing scrolls
//! sideways); saved as `target/screenshots/wallet-access-log*.png`. Last, R0A's node goes away:
//! the screen says the record could not be fetched and offers Try again, which keeps focus.
#![allow(clippy::unwrap_used)]
mod common;

use common::access_log::hr_reads_exports_and_decides;
use common::browser::{
    axe, axe_source, browser, click, fill, main_text, screenshot_sized, start_driver, wait_css,
    wait_h1,
};
use common::import;
use common::transfer::{amara_at_rhq, amara_offer, link, request, tis_csv, url_encode};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use passport_compliance::Audience;
use passport_records::ImportKind;
use std::time::Duration;

const PHONE: (u32, u32) = (390, 844);
const NARROW: (u32, u32) = (320, 720);

/// One key pressed and released, delivered to whatever has focus.
async fn press(c: &Client, key: Key) {
    let value: char = key.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value })
        .then(KeyAction::Up { value });
    c.perform_actions(keys).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// The id (or tag and text) of what has focus, and whether its focus can be seen.
async fn focused(c: &Client) -> (String, bool) {
    let v = c
        .execute(
            r#"const e = document.activeElement;
               if (!e || e === document.body) return ['(body)', false];
               const s = getComputedStyle(e);
               const seen = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                   && !/transparent|rgba\([^)]*, 0\)/.test(s.outlineColor)) || s.boxShadow !== 'none';
               return [e.id || `${e.tagName.toLowerCase()} "${(e.textContent || '').trim().slice(0, 40)}"`, seen];"#,
            vec![],
        )
        .await
        .unwrap();
    (
        v[0].as_str().unwrap_or("?").into(),
        v[1].as_bool().unwrap_or(false),
    )
}

/// Presses Tab until `target` (an id) has focus, every stop visibly focused; at most `max`.
async fn tab_to(c: &Client, target: &str, max: usize) -> Vec<String> {
    let mut stops = Vec::new();
    for _ in 0..max {
        press(c, Key::Tab).await;
        let (name, seen) = focused(c).await;
        assert!(seen, "focus on {name} cannot be seen ({stops:?})");
        stops.push(name.clone());
        if name == target {
            return stops;
        }
    }
    panic!("{max} presses of Tab never reached #{target}: {stops:?}");
}

/// Nothing sticks out sideways at the window's width.
async fn fits(c: &Client, name: &str) {
    let fit = c
        .execute(
            r#"const d = document.documentElement;
               const wide = [...document.querySelectorAll('body *')]
                 .filter((e) => e.getBoundingClientRect().right > d.clientWidth + 0.5)
                 .slice(0, 8).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
               return { scroll: d.scrollWidth, client: d.clientWidth, wide };"#,
            vec![],
        )
        .await
        .unwrap();
    assert!(
        fit["scroll"].as_u64() <= fit["client"].as_u64(),
        "{name}: scrolls sideways: {fit}"
    );
}

/// Amara collects an offer of `org` through its same-device link and code.
async fn collect(c: &Client, server: &common::TestServer, org: &str) {
    let (offer, code) = amara_offer(server, org).await;
    let base = &server.base;
    c.goto(&format!("{base}/wallet/?offer={}", url_encode(&offer)))
        .await
        .unwrap();
    wait_css(c, "#txcode").await;
    fill(c, "txcode", &code).await;
    click(c, "main form button[type=submit]").await;
    wait_h1(c, "Added to your passport").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wallet_shows_who_at_trust_b_looked_at_what_was_shared() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let mut server = common::start(passport_store::testing::sqlite().unwrap()).await;
    amara_at_rhq(&server).await;
    import(&server, "X24", ImportKind::TisPlacements, &tis_csv()).await;
    let base = server.base.clone();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    c.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let mut violations = Vec::new();

    c.goto(&format!("{base}/wallet/")).await.unwrap();
    wait_h1(&c, "Your passport").await;
    // Before any share: the screen says there is nothing to ask.
    c.goto(&format!("{base}/wallet/#/access-log"))
        .await
        .unwrap();
    wait_h1(&c, "Who has seen your data").await;
    assert!(main_text(&c)
        .await
        .contains("You have not shared your passport"));
    collect(&c, &server, "RHQ").await;
    collect(&c, &server, "X24").await;

    // A real share with R0A, in the browser.
    let id = request(&server, Audience::Hr).await;
    let invitation = url_encode(&link(&server, &id));
    c.goto(&format!("{base}/wallet/?request={invitation}"))
        .await
        .unwrap();
    wait_css(&c, "#share-button").await;
    click(&c, "#share-button").await;
    wait_h1(&c, "Your passport has been shared").await;
    // A real HR view, download and decision at R0A, in the portal.
    let (username, user_id) = hr_reads_exports_and_decides(&server, &id).await;

    // From the sharing history, by keyboard alone.
    c.goto(&format!("{base}/wallet/#/history")).await.unwrap();
    wait_css(&c, "#access-log-link").await;
    c.execute("document.querySelector('main h1').focus();", vec![])
        .await
        .unwrap();
    let stops = tab_to(&c, "access-log-link", 8).await;
    assert!(stops.len() <= 2, "the link follows the heading: {stops:?}");
    press(&c, Key::Enter).await;
    wait_h1(&c, "Who has seen your data").await;
    wait_css(&c, "main [role=status][data-done]").await;
    let text = main_text(&c).await;
    let r0a = server.state.issuer("R0A").unwrap().name.clone();
    for expected in [
        format!("{r0a} (R0A)"),
        "Pre-employment checks for the role: Foundation doctor".into(),
        "Accepted on".into(),
        "Kept for 90 days after the decision, then deleted".into(),
        "HR team opened the report of what you shared".into(),
        "HR team downloaded the report as a spreadsheet (CSV)".into(),
        "HR team accepted your passport for the role".into(),
        "These are the records as they stand now.".into(),
    ] {
        assert!(
            text.contains(&expected),
            "{expected} not on the screen:\n{text}"
        );
    }
    // Newest first.
    let accepted = text.find("accepted your passport").unwrap();
    let opened = text.find("opened the report").unwrap();
    assert!(accepted < opened, "{text}");
    assert!(
        !text.contains(&username) && !text.contains(&user_id),
        "{text}"
    );
    let current = c
        .find(Locator::Css("a.app-nav__link[aria-current=page]"))
        .await
        .unwrap();
    assert_eq!(
        current.attr("data-screen").await.unwrap().as_deref(),
        Some("history")
    );
    fits(&c, "phone").await;
    screenshot_sized(&c, "wallet-access-log.png", PHONE).await;
    violations.extend(axe(&c, &axe_js, "wallet, who has seen your data").await);

    c.set_window_size(NARROW.0, NARROW.1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    fits(&c, "320 px").await;
    screenshot_sized(&c, "wallet-320-access-log.png", NARROW).await;
    violations.extend(axe(&c, &axe_js, "wallet at 320 px, who has seen your data").await);

    // R0A's node goes away: said plainly, with Try again, which keeps focus when it fails.
    c.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    server.stop().await;
    c.goto(&format!("{base}/wallet/#/history")).await.unwrap();
    wait_css(&c, "#access-log-link").await;
    click(&c, "#access-log-link").await;
    wait_css(&c, "main [role=status][data-done]").await;
    let text = main_text(&c).await;
    assert!(
        text.contains("We could not get the record from") && text.contains("(R0A)"),
        "{text}"
    );
    assert!(
        text.contains("The organisation could not be asked."),
        "{text}"
    );
    c.execute("document.querySelector('main h1').focus();", vec![])
        .await
        .unwrap();
    tab_to(&c, "retry-0", 4).await;
    press(&c, Key::Enter).await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(
            "//main//*[@role='status' and starts-with(normalize-space(), 'Still no record')]",
        ))
        .await
        .unwrap();
    assert_eq!(focused(&c).await.0, "retry-0", "focus stays on Try again");
    screenshot_sized(&c, "wallet-access-log-unavailable.png", PHONE).await;
    violations.extend(axe(&c, &axe_js, "wallet, who has seen your data, unavailable").await);

    c.close().await.unwrap();
    for v in &violations {
        eprintln!("{v}");
    }
    assert!(
        violations.is_empty(),
        "{} accessibility violations",
        violations.len()
    );
}
