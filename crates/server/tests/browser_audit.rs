//! The audit log page in a real browser (headless Chromium, the real server on SQLite): an
//! auditor signs in, sees only the home page and the audit log in the menu, reads the log a
//! page at a time and filtered to one person; every page is axe-clean (WCAG 2.2 AA) and saved
//! as a screenshot in `target/screenshots/`. The entries are real: HR's reads over HTTP, a
//! refusal, a guessed id.
//!
//! Needs (and fails, never skips, without) Chromium, chromedriver and axe-core, as
//! `tests/browser.rs` does.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{
    axe, axe_source, browser, click, fill, portal_log_in, screenshot, start_driver,
};
use common::portal::{sign_in, user, PASSWORD};
use fantoccini::Locator;
use passport_records::ImportKind;

#[tokio::test]
async fn an_auditor_reads_the_audit_log_in_a_real_browser() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    let base = server.base.clone();
    user(&server, "RHQ", "rhq.hr", "hr").await;
    user(&server, "RHQ", "rhq.auditor", "auditor").await;
    common::import(
        &server,
        "RHQ",
        ImportKind::EsrStaff,
        &common::sample("esr-staff.csv"),
    )
    .await;
    let people = server
        .state
        .store
        .search_people("RHQ", "a", 3)
        .await
        .unwrap();
    assert_eq!(people.len(), 3);
    // HR reads: a search, one person twice, two others thirty times each (more than one page
    // of entries), a guessed id.
    let hr = sign_in(&server, "rhq.hr").await;
    assert_eq!(hr.get("/portal/staff?q=Okafor").await.0, 200);
    let first = &people[0].id;
    let mut reads = vec![first, first];
    for _ in 0..30 {
        reads.extend([&people[1].id, &people[2].id]);
    }
    for id in reads {
        assert_eq!(hr.get(&format!("/portal/staff/{id}")).await.0, 200);
    }
    let guessed = "/portal/staff/p-00000000000000000000000000000000";
    assert_eq!(hr.get(guessed).await.0, 404);
    // The auditor may not open anyone: refused, and recorded.
    let auditor = sign_in(&server, "rhq.auditor").await;
    assert_eq!(auditor.get(&format!("/portal/staff/{first}")).await.0, 403);

    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    let mut violations = Vec::new();
    portal_log_in(&c, &base, "rhq.auditor", PASSWORD).await;
    let menu = c
        .find(Locator::Css(".nhsuk-header__navigation-list"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(menu.contains("Audit log"), "{menu}");
    for hidden in ["Find staff", "Transfers", "Review queue", "Role profiles"] {
        assert!(
            !menu.contains(hidden),
            "the auditor's menu has {hidden}: {menu}"
        );
    }
    screenshot(&c, "portal-audit-home.png").await;
    violations.extend(axe(&c, &axe_js, "auditor's home").await);

    c.find(Locator::LinkText("Audit log"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("entries")).await.unwrap();
    assert_eq!(
        c.title().await.unwrap(),
        "Audit log - NHS Staff Passport - NHS"
    );
    let rows = c.find_all(Locator::Css("#entries tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 50, "a page is 50 entries");
    // Newest first: the auditor's own reading of the log, their refusal, HR's guessed id.
    let newest = rows[0].text().await.unwrap();
    assert!(
        newest.contains("rhq.auditor") && newest.contains("Audit log"),
        "{newest}"
    );
    let refusal = rows[1].text().await.unwrap();
    assert!(
        refusal.contains("rhq.auditor") && refusal.contains("Refused"),
        "{refusal}"
    );
    assert!(rows[2].text().await.unwrap().contains("Not found"));
    let table = c
        .find(Locator::Id("entries"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(table.contains("Reviewing records") && table.contains("Allowed"));
    screenshot(&c, "portal-audit.png").await;
    violations.extend(axe(&c, &axe_js, "audit log").await);

    // The next page, then back.
    c.find(Locator::Css("a[rel=next]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("a[rel=prev]"))
        .await
        .unwrap();
    let older = c.find_all(Locator::Css("#entries tbody tr")).await.unwrap();
    assert!(!older.is_empty());
    let text = c
        .find(Locator::Id("entries"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("search by name") && !text.contains("Okafor"),
        "HR's first search is on an older page, without the name searched for"
    );
    violations.extend(axe(&c, &axe_js, "audit log, older entries").await);

    // Only the entries about one person.
    fill(&c, "subject", first).await;
    click(&c, "main form button[type=submit]").await;
    c.wait()
        .for_url(
            &format!("{base}/portal/audit?subject={first}")
                .parse()
                .unwrap(),
        )
        .await
        .unwrap();
    let rows = c.find_all(Locator::Css("#entries tbody tr")).await.unwrap();
    // HR twice, the auditor's refusal, and this reading of the log about them.
    assert_eq!(rows.len(), 4);
    assert!(rows[0].text().await.unwrap().contains("Audit log"));
    let link = format!("a[href='/portal/audit?subject={first}']");
    for row in &rows {
        row.find(Locator::Css(&link)).await.unwrap();
    }
    screenshot(&c, "portal-audit-person.png").await;
    violations.extend(axe(&c, &axe_js, "audit log for a person").await);

    c.close().await.unwrap();
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
