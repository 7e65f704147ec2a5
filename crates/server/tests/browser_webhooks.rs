//! The webhooks page in headless Chromium: an administrator sees the receivers and what was not
//! delivered, adds a receiver with a bad address and is told on the page, sends a dead-lettered
//! event again; every state is checked with axe-core against WCAG 2.2 AA (no violation
//! allowed) and saved as a screenshot in `target/screenshots/`.
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{
    axe, axe_source, browser, click, fill, portal_sign_in, screenshot, start_driver,
};
use common::webhooks::{dead_letters, DeadTexts};
use fantoccini::Locator;
use passport_server::webhooks::{TEMPORARY_MOVEMENT_ACCEPTED, TEMPORARY_MOVEMENT_ENDED};
use passport_store::outbox::DeliveryState;

#[tokio::test]
async fn an_administrator_reviews_webhooks_and_sends_one_again_in_a_real_browser() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    let store = &server.state.store;
    store
        .add_subscription(
            "RHQ",
            "https://provisioning.example.nhs.uk/passport-events",
            &[TEMPORARY_MOVEMENT_ACCEPTED, TEMPORARY_MOVEMENT_ENDED],
            1,
        )
        .await
        .unwrap();
    let esr = store
        .add_subscription("RHQ", "https://esr.example.nhs.uk/hooks/passport", &[], 1)
        .await
        .unwrap();
    store
        .set_subscription_enabled("RHQ", &esr.id, false, 2)
        .await
        .unwrap();
    dead_letters(
        &server,
        "RHQ",
        &DeadTexts {
            event_subject: "tm-4f2a",
            mail_subject: "Your rotation to RHQ",
            webhook_error: "request failed: error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)",
            mail_error: "e-mail: transient error (451): 4.3.0 try again later",
        },
    )
    .await;

    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    let base = &server.base;
    let mut violations = Vec::new();
    portal_sign_in(&c, &server, ("RHQ", "admin.browser", "admin")).await;
    click(&c, r#"a[href="/portal/webhooks"]"#).await;
    c.wait()
        .for_element(Locator::Id("dead-webhooks"))
        .await
        .unwrap();
    assert_eq!(
        c.title().await.unwrap(),
        "Webhooks - NHS Staff Passport - NHS"
    );
    screenshot(&c, "portal-webhooks.png").await;
    violations.extend(axe(&c, &axe_js, "webhooks").await);

    // A bad address: the error summary and the field's message.
    fill(&c, "url", "ftp://provisioning.example.nhs.uk/").await;
    click(
        &c,
        r#"form[action="/portal/webhooks/subscriptions"] button[type=submit]"#,
    )
    .await;
    c.wait()
        .for_element(Locator::Css(".nhsuk-error-summary"))
        .await
        .unwrap();
    screenshot(&c, "portal-webhooks-error.png").await;
    violations.extend(axe(&c, &axe_js, "webhooks, bad address").await);
    assert_eq!(store.subscriptions("RHQ").await.unwrap().len(), 2);

    // Send the dead-lettered event again.
    click(&c, "#dead-webhooks button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css(".nhsuk-notification-banner--success"))
        .await
        .unwrap();
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with(&format!("{base}/portal/webhooks")));
    screenshot(&c, "portal-webhooks-requeued.png").await;
    violations.extend(axe(&c, &axe_js, "webhooks, sent again").await);
    assert!(store
        .deliveries("RHQ", Some(DeliveryState::Dead), 10)
        .await
        .unwrap()
        .is_empty());
    c.close().await.unwrap();
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
