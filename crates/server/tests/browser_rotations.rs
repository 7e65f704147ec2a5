//! The rotation pages in a real browser (headless Chromium, the real server on SQLite): medical
//! staffing uploads a list with a bad row and sees every problem by line, then the corrected
//! list through the file input; the Rust holder answers for most of the 30 doctors; the
//! dashboard with its charts is axe-clean (WCAG 2.2 AA) at desktop width and at 320 px, where
//! nothing scrolls sideways; a figure drills down to the doctors and a doctor to their report.
//! Screenshots: `target/screenshots/rotation-*.png`.
//!
//! Needs (and fails, never skips, without) Chromium, chromedriver and axe-core, as
//! `tests/browser.rs` does.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{
    axe, axe_source, browser, click, fill, portal_sign_in, screenshot, screenshot_sized,
    start_driver,
};
use common::rotation::{answer, cohort, import_records, rotation_csv, start, Plan, RECEIVING};
use common::smtp_sink::SmtpSink;
use fantoccini::{Client, Locator};

const NARROW: (u32, u32) = (320, 720);
const WIDE: (u32, u32) = (1280, 1024);

/// Asserts nothing sticks out sideways at the window's width, naming what does.
async fn fits(c: &Client, name: &str) {
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
    assert!(
        fit["scroll"].as_u64() <= fit["client"].as_u64(),
        "{name}: scrolls sideways: {fit}"
    );
}

/// Sets the date field as the browser's date picker would (its typed form depends on locale).
async fn set_date(c: &Client, iso: &str) {
    c.execute(
        "document.getElementById('date').value = arguments[0];",
        vec![serde_json::json!(iso)],
    )
    .await
    .unwrap();
}

async fn upload(c: &Client, path: &std::path::Path) {
    let input = c.find(Locator::Id("file")).await.unwrap();
    input.send_keys(&path.display().to_string()).await.unwrap();
    click(c, "main form button[type=submit]").await;
}

#[tokio::test]
async fn the_import_page_and_the_dashboard_with_its_charts_in_a_real_browser() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let sink = SmtpSink::start().await;
    let (server, _worker) = start(passport_store::testing::sqlite().unwrap(), &sink).await;
    let base = server.base.clone();
    let doctors = cohort(30);
    import_records(&server, &doctors).await;
    let files = tempfile::tempdir().unwrap();
    let good = files.path().join("rotation.csv");
    std::fs::write(&good, rotation_csv(&doctors)).unwrap();
    let bad = files.path().join("rotation-bad.csv");
    let mut lines: Vec<String> = rotation_csv(&doctors).lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen(&doctors[2].gmc, "92000", 1);
    lines[7] = lines[7].replace("foundation-doctor-medicine", "no-such-profile");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();

    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    let mut violations = Vec::new();
    portal_sign_in(&c, &server, (RECEIVING, "r0a.ms", "medical-staffing")).await;
    c.goto(&format!("{base}/portal/transfers")).await.unwrap();
    click(&c, "a[href='/portal/rotations']").await;
    click(&c, "a[href='/portal/rotations/import']").await;
    violations.extend(axe(&c, &axe_js, "import form").await);
    screenshot(&c, "rotation-import.png").await;

    // A bad row: the page lists every problem by line, and nothing is imported.
    fill(&c, "name", "August changeover (synthetic)").await;
    set_date(&c, &common::transfer::day(14)).await;
    upload(&c, &bad).await;
    let problems = common::browser::wait_css(&c, "#problems")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        problems.contains("2 problems in the file: nothing was imported"),
        "{problems}"
    );
    assert!(
        problems.contains("Line 4: column gmc_number")
            && problems.contains("Line 8: column role_profile"),
        "{problems}"
    );
    violations.extend(axe(&c, &axe_js, "import with problems").await);
    screenshot(&c, "rotation-import-problems.png").await;
    assert!(server
        .state
        .store
        .changeovers(RECEIVING)
        .await
        .unwrap()
        .is_empty());

    // The corrected list.
    fill(&c, "name", "August changeover (synthetic)").await;
    set_date(&c, &common::transfer::day(14)).await;
    upload(&c, &good).await;
    // The import signs one request per doctor before it answers: wait for the page.
    let banner = common::browser::wait_css(&c, ".nhsuk-notification-banner").await;
    assert!(banner.text().await.unwrap().contains("30 doctors imported"));
    let id = server.state.store.changeovers(RECEIVING).await.unwrap()[0]
        .id
        .clone();
    let dashboard = format!("{base}/portal/rotations/{id}");

    // The holder answers for everyone but those who never do.
    let cohort_rows = server.state.store.cohort(RECEIVING, &id).await.unwrap();
    let client_id = server.state.verifier(RECEIVING).unwrap().client_id.clone();
    for d in doctors.iter().filter(|d| d.plan != Plan::Never) {
        let rid = &cohort_rows
            .iter()
            .find(|m| m.gmc_number == d.gmc)
            .unwrap()
            .request_id;
        let link = passport_server::verifier::request::invocation_url(
            &server.state,
            RECEIVING,
            rid,
            &client_id,
        );
        answer(server.state.clone(), d.clone(), link).await;
    }

    c.goto(&dashboard).await.unwrap();
    for (standing, want) in [
        ("ready", "18"),
        ("gaps", "6"),
        ("declined", "3"),
        ("not-responded", "3"),
    ] {
        let cell = c
            .find(Locator::Css(&format!(
                "#totals tr[data-standing='{standing}'] td[data-count]"
            )))
            .await
            .unwrap();
        assert_eq!(
            cell.attr("data-count").await.unwrap().as_deref(),
            Some(want),
            "{standing}"
        );
    }
    violations.extend(axe(&c, &axe_js, "dashboard, desktop").await);
    fits(&c, "dashboard, desktop").await;
    screenshot_sized(&c, "rotation-dashboard.png", WIDE).await;

    c.set_window_size(NARROW.0, NARROW.1).await.unwrap();
    c.goto(&dashboard).await.unwrap();
    fits(&c, "dashboard at 320 px").await;
    violations.extend(axe(&c, &axe_js, "dashboard at 320 px").await);
    screenshot_sized(&c, "rotation-dashboard-320.png", NARROW).await;
    // A chart at 320 px draws its text at about its own size: the drawing is 280 units wide.
    let width = c
        .execute(
            "return document.getElementById('chart-by-specialty').getBoundingClientRect().width;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        (250.0..=290.0).contains(&width),
        "chart width at 320 px: {width}"
    );

    // Drill down from a figure to the doctors, and from a doctor to their report.
    c.set_window_size(WIDE.0, WIDE.1).await.unwrap();
    c.goto(&dashboard).await.unwrap();
    click(&c, "#totals tr[data-standing='gaps'] a").await;
    let count = common::browser::wait_css(&c, "#doctors-count")
        .await
        .text()
        .await
        .unwrap();
    assert!(count.starts_with("6 doctors: with gaps."), "{count}");
    violations.extend(axe(&c, &axe_js, "drill-down").await);
    click(&c, "#doctors-table tbody a").await;
    let h2 = c
        .find(Locator::Css("main h2"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h2, "Report against the role");
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
