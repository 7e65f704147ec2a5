//! The portal in a real browser: headless Chromium driven through chromedriver (WebDriver),
//! against the real server on SQLite. An HR user signs in, finds a person, opens them, creates
//! an offer and sees its QR code and transaction code, then opens the role profiles and a
//! profile's edit form (refused with errors); a training user changes the CSTF renewal periods.
//! Every page is checked with axe-core for
//! WCAG 2.2 AA (no violation allowed) and saved as a screenshot in `target/screenshots/`.
//!
//! Needs (and fails, never skips, without): Debian's `chromium` and `chromium-driver`
//! (`apt-get install -y chromium chromium-driver`) and axe-core (`npm ci --prefix browser`).
//! `CHROMIUM` and `CHROMEDRIVER` override the binaries' paths.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{axe, axe_source, browser, screenshot, start_driver, submit_sign_in};

use fantoccini::Locator;
use passport_records::ImportKind;

const PASSWORD: &str = "a browser test password";

async fn seed(server: &common::TestServer) -> String {
    let hash = passport_server::portal::hash_password(PASSWORD)
        .await
        .unwrap();
    let store = &server.state.store;
    store
        .upsert_user(
            "RHQ",
            "hr.browser",
            "Hana Reid",
            "hr",
            &hash,
            passport_server::now(),
        )
        .await
        .unwrap();
    store
        .upsert_user(
            "RHQ",
            "training.browser",
            "Tomasz Nowak",
            "training",
            &hash,
            passport_server::now(),
        )
        .await
        .unwrap();
    let staff = common::sample("esr-staff.csv");
    common::import(server, "RHQ", ImportKind::EsrStaff, &staff).await;
    // A record naming Amara Okafor's ESR person ID with another surname and date of birth,
    // so the review queue has an item to show.
    let mut doubtful =
        passport_records::parse(ImportKind::EsrStaff, &staff, "RHQ").unwrap()[0].clone();
    doubtful.key.push_str("-doubtful");
    if let Some(p) = doubtful.person.as_mut() {
        p.family_name = "Adeyemi".into();
        p.date_of_birth = Some("1999-03-15".into());
    }
    store
        .apply_import(
            "RHQ",
            "esr-staff",
            "test",
            &[doubtful],
            passport_server::now(),
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(store.review_queue("RHQ").await.unwrap().len(), 1);
    common::import(
        server,
        "RHQ",
        ImportKind::OccupationalHealth,
        &common::sample("oh.csv"),
    )
    .await;
    let found = store.search_people("RHQ", "10000101", 1).await.unwrap();
    let person = found[0].id.clone();
    // One credential already issued, so the person page shows the credentials table.
    let view = store.person("RHQ", &person).await.unwrap().unwrap();
    let record = view
        .records
        .iter()
        .find(|r| r.type_name == "Employment")
        .unwrap();
    let now = passport_server::now();
    store
        .register_issued(
            "RHQ",
            &person,
            &record.id,
            "Employment",
            "jkt",
            "n-1",
            now - 86_400,
            None,
        )
        .await
        .unwrap();
    person
}

#[tokio::test]
async fn an_hr_user_offers_credentials_in_a_real_browser() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    let person = seed(&server).await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    let base = &server.base;
    let mut violations = Vec::new();

    // Sign in, first with a wrong password (the error summary must be accessible too).
    c.goto(&format!("{base}/portal/login")).await.unwrap();
    assert_eq!(
        c.title().await.unwrap(),
        "Sign in - NHS Staff Passport - NHS"
    );
    screenshot(&c, "portal-login.png").await;
    violations.extend(axe(&c, &axe_js, "sign in").await);
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("hr.browser")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("not it")
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let summary = c
        .wait()
        .for_element(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap();
    assert!(summary
        .text()
        .await
        .unwrap()
        .contains("Username or password is wrong"));
    violations.extend(axe(&c, &axe_js, "sign in, wrong password").await);
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    submit_sign_in(&c, base).await;
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.contains("Northfield"), "{h1}");
    screenshot(&c, "portal-home.png").await;
    violations.extend(axe(&c, &axe_js, "home").await);

    // Search.
    c.find(Locator::LinkText("Find staff"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("Okafor")
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("results")).await.unwrap();
    screenshot(&c, "portal-staff.png").await;
    violations.extend(axe(&c, &axe_js, "staff search").await);

    // The person.
    c.find(Locator::Css(&format!("a[href='/portal/staff/{person}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("records")).await.unwrap();
    assert_eq!(
        c.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Amara Okafor"
    );
    let page = c.source().await.unwrap();
    assert!(
        page.contains("Occupational health clearance") && !page.contains("Measles"),
        "HR sees no OH detail"
    );
    screenshot(&c, "portal-person.png").await;
    violations.extend(axe(&c, &axe_js, "person").await);

    // Revocation's confirmation page (not confirmed here).
    c.find(Locator::Css("a[href*='/revoke']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("reason")).await.unwrap();
    screenshot(&c, "portal-revoke.png").await;
    violations.extend(axe(&c, &axe_js, "revoke confirmation").await);
    c.back().await.unwrap();
    c.wait().for_element(Locator::Id("records")).await.unwrap();

    // The offer.
    c.find(Locator::XPath(
        "//button[normalize-space()='Create an offer']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let qr = c.wait().for_element(Locator::Id("offer-qr")).await.unwrap();
    assert_eq!(qr.tag_name().await.unwrap(), "svg");
    assert!(
        qr.html(true).await.unwrap().contains("<path"),
        "the QR code has modules"
    );
    let (_, _, w, h) = qr.rectangle().await.unwrap();
    assert!(
        w >= 200.0 && (w - h).abs() < 1.0,
        "a square QR code of a scannable size: {w}x{h}"
    );
    let code = c
        .find(Locator::Id("tx-code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code:?}"
    );
    let link = c
        .find(Locator::Id("offer-link"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        link.starts_with("openid-credential-offer://?credential_offer_uri="),
        "{link}"
    );
    let a = c
        .find(Locator::Css("main a[href^='openid-credential-offer://']"))
        .await
        .unwrap();
    assert_eq!(
        a.attr("href").await.unwrap().as_deref(),
        Some(link.as_str())
    );
    screenshot(&c, "portal-offer.png").await;
    violations.extend(axe(&c, &axe_js, "offer").await);

    // The review queue, with the doubtful record and Amara Okafor as its candidate.
    c.find(Locator::LinkText("Review queue"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("item-0")).await.unwrap();
    assert!(c.source().await.unwrap().contains("Adeyemi"));
    screenshot(&c, "portal-review.png").await;
    violations.extend(axe(&c, &axe_js, "review queue").await);
    c.find(Locator::Id("choice-0"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#item-0 button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let banner = c
        .wait()
        .for_element(Locator::Css(".nhsuk-notification-banner--success"))
        .await
        .unwrap();
    assert!(banner.text().await.unwrap().contains("matched"));
    assert!(server
        .state
        .store
        .review_queue("RHQ")
        .await
        .unwrap()
        .is_empty());
    violations.extend(axe(&c, &axe_js, "review queue, resolved").await);

    // Role profiles: the list, one profile with its edit form, and the form refused.
    c.find(Locator::LinkText("Role profiles"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("profiles")).await.unwrap();
    screenshot(&c, "portal-profiles.png").await;
    violations.extend(axe(&c, &axe_js, "role profiles").await);
    c.find(Locator::Css(
        "a[href='/portal/profiles/paediatric-registrar']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait().for_element(Locator::Id("name")).await.unwrap();
    screenshot(&c, "portal-profile.png").await;
    violations.extend(axe(&c, &axe_js, "role profile").await);
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    c.find(Locator::Id("req-occupational-health"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("exposure-prone"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css(
        "form[action='/portal/profiles/paediatric-registrar'] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let summary = c
        .wait()
        .for_element(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap();
    let text = summary.text().await.unwrap();
    assert!(
        text.contains("Enter a name for the profile")
            && text.contains("an exposure-prone post needs it"),
        "{text}"
    );
    screenshot(&c, "portal-profile-error.png").await;
    violations.extend(axe(&c, &axe_js, "role profile, refused").await);

    // HR sees the renewal periods but may not change them; training may.
    c.goto(&format!("{base}/portal/settings/cstf-periods"))
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("periods")).await.unwrap();
    assert!(c.find(Locator::Id("period-fire-safety-1")).await.is_err());
    c.find(Locator::Css(".nhsuk-header__account-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("username")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("training.browser")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    submit_sign_in(&c, base).await;
    c.goto(&format!("{base}/portal/settings/cstf-periods"))
        .await
        .unwrap();
    let fire = c
        .wait()
        .for_element(Locator::Id("period-fire-safety-1"))
        .await
        .unwrap();
    screenshot(&c, "portal-periods.png").await;
    violations.extend(axe(&c, &axe_js, "CSTF renewal periods").await);
    fire.clear().await.unwrap();
    fire.send_keys("0").await.unwrap();
    c.find(Locator::XPath(
        "//button[normalize-space()='Save renewal periods']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let summary = c
        .wait()
        .for_element(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap();
    assert!(summary
        .text()
        .await
        .unwrap()
        .contains("from 1 to 120 months"));
    screenshot(&c, "portal-periods-error.png").await;
    violations.extend(axe(&c, &axe_js, "CSTF renewal periods, refused").await);
    let fire = c.find(Locator::Id("period-fire-safety-1")).await.unwrap();
    fire.clear().await.unwrap();
    fire.send_keys("12").await.unwrap();
    c.find(Locator::XPath(
        "//button[normalize-space()='Save renewal periods']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let banner = c
        .wait()
        .for_element(Locator::Css(".nhsuk-notification-banner--success"))
        .await
        .unwrap();
    assert!(banner.text().await.unwrap().contains("saved"));
    let stored = server
        .state
        .store
        .local_periods("RHQ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        passport_compliance::LocalPeriods::from_json(&stored)
            .unwrap()
            .months("Fire Safety", 1),
        Some(12)
    );

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
