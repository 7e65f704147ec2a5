//! Single sign-on against a real, independent OpenID Connect provider (panva's oidc-provider
//! from the npm registry, `oidc/provider.mjs`), on SQLite and PostgreSQL: a person signs in in
//! headless Chromium (axe-core on the portal's pages, screenshots), chooses one of two
//! organisations, and lands in the portal; then the attacks on the callback: a wrong `state`, a
//! callback from another browser, a replayed code, an identity not linked to any account.
//!
//! Needs (and fails, never skips, without): Node.js with `npm ci --prefix oidc`, Chromium and
//! chromedriver, axe-core (`npm ci --prefix browser`).
#![allow(clippy::unwrap_used)]
mod common;

use common::browser::{axe, axe_source, browser, click, fill, screenshot, start_driver};
use common::oidc::{self as idp, TestProvider};
use fantoccini::Locator;
use passport_store::{Membership, NO_PASSWORD};
use reqwest::{header, Client, StatusCode};
use std::time::Duration;

/// A portal server whose single sign-on is the test provider (started after the server, once
/// the redirect URI is known, on a port chosen first).
async fn server_with_provider(
    db: passport_store::testing::TestDb,
    user_claim: &str,
    id_token_alg: &str,
) -> (common::TestServer, TestProvider) {
    let port = idp::free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let claim = user_claim.to_string();
    let server = common::start_with(db, |c| c.oidc = Some(idp::config(&issuer, &claim))).await;
    let provider = idp::start_provider(
        port,
        &format!("{}/portal/oidc/callback", server.base),
        id_token_alg,
    );
    assert_eq!(provider.issuer, issuer);
    (server, provider)
}

/// The account single sign-on maps to: two memberships, no password.
async fn seed_account(server: &common::TestServer) -> String {
    server
        .state
        .store
        .upsert_account(
            "sso.locum",
            "Sam Example",
            NO_PASSWORD,
            &[Membership::new("RHQ", "hr"), Membership::new("R0A", "hr")],
            passport_server::now(),
        )
        .await
        .unwrap()
}

fn cookie_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[header::LOCATION].to_str().unwrap().to_string()
}

/// Drives the provider without a browser: start at the portal, sign in at the provider, and
/// return the callback URL it sends the browser to (not yet followed).
async fn authorize(c: &Client, server: &common::TestServer, provider: &TestProvider) -> String {
    let r = c
        .get(format!("{}/portal/oidc/start", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut url = location(&r);
    assert!(
        url.starts_with(&format!("{}/auth?", provider.issuer)),
        "{url}"
    );
    assert!(url.contains("code_challenge_method=S256") && url.contains("nonce="));
    for _ in 0..10 {
        let r = c.get(&url).send().await.unwrap();
        if r.status() == StatusCode::OK {
            // The provider's login page: post the one user's credentials.
            let interaction = r.url().clone();
            let r = c
                .post(interaction)
                .form(&[("username", idp::USERNAME), ("password", idp::PASSWORD)])
                .send()
                .await
                .unwrap();
            assert!(r.status().is_redirection(), "{}", r.status());
            url = location(&r);
        } else {
            assert!(r.status().is_redirection(), "{}: {}", url, r.status());
            url = location(&r);
        }
        if url.starts_with('/') {
            url = format!("{}{url}", provider.issuer);
        }
        if url.starts_with(&server.base) {
            return url;
        }
    }
    panic!("the provider never sent the browser back: {url}");
}

#[tokio::test]
async fn a_person_signs_in_through_the_provider_in_a_real_browser() {
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let mut violations = Vec::new();
    for (db, claim) in passport_store::testing::both()
        .await
        .unwrap()
        .into_iter()
        .zip(["sub", "email"])
    {
        let backend = db.backend.as_str();
        let (server, provider) = server_with_provider(db, claim, "RS256").await;
        let id = seed_account(&server).await;
        let subject = if claim == "sub" {
            idp::SUBJECT
        } else {
            idp::EMAIL
        };
        server
            .state
            .store
            .link_identity(&id, &provider.issuer, subject, passport_server::now())
            .await
            .unwrap();
        let profile = tempfile::tempdir().unwrap();
        let c = browser(&driver_url, profile.path()).await;
        let base = &server.base;

        c.goto(&format!("{base}/portal/login")).await.unwrap();
        let button = c
            .find(Locator::Css(r#"a[href="/portal/oidc/start"]"#))
            .await
            .unwrap();
        assert_eq!(
            button.text().await.unwrap(),
            "Sign in with the test identity provider"
        );
        violations.extend(axe(&c, &axe_js, &format!("sign-in with SSO ({backend})")).await);
        screenshot(&c, &format!("portal-login-sso-{backend}.png")).await;
        button.click().await.unwrap();

        // At the provider.
        c.wait().for_element(Locator::Id("username")).await.unwrap();
        assert!(c
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&provider.issuer));
        fill(&c, "username", idp::USERNAME).await;
        fill(&c, "password", idp::PASSWORD).await;
        click(&c, "#submit").await;

        // Back at the portal (through the callback page's refresh): which organisation?
        let legend = c
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("legend h1"))
            .await
            .unwrap();
        assert_eq!(
            legend.text().await.unwrap(),
            "Which organisation are you working for?"
        );
        assert!(c
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/portal/organisation"));
        violations.extend(axe(&c, &axe_js, &format!("choose organisation ({backend})")).await);
        screenshot(&c, &format!("portal-choose-organisation-{backend}.png")).await;
        click(&c, r#"label[for="membership-1"]"#).await;
        click(&c, "main form button[type=submit]").await;
        c.wait()
            .for_element(Locator::Css(".nhsuk-header__account-item"))
            .await
            .unwrap();
        let header = c
            .find(Locator::Css(".nhsuk-header__account-list"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(header.contains("Sam Example (HR, "), "{header}");
        assert!(header.contains("Switch organisation"), "{header}");
        let acting = server
            .state
            .store
            .memberships(&id)
            .await
            .unwrap()
            .into_iter()
            .nth(1)
            .unwrap();
        let org_name = &server.state.issuers[&acting.org].name;
        assert!(header.contains(org_name.as_str()), "{header} {org_name}");
        violations.extend(axe(&c, &axe_js, &format!("portal home after SSO ({backend})")).await);
        screenshot(&c, &format!("portal-home-after-sso-{backend}.png")).await;
        // The account pages: memberships, and setting up two-step verification.
        for (path, name) in [("account", "account"), ("account/two-step", "two-step")] {
            c.goto(&format!("{base}/portal/{path}")).await.unwrap();
            c.wait().for_element(Locator::Css("main h1")).await.unwrap();
            violations.extend(axe(&c, &axe_js, &format!("{name} ({backend})")).await);
            screenshot(&c, &format!("portal-{name}-{backend}.png")).await;
        }
        c.find(Locator::Id("totp-qr")).await.unwrap();
        c.close().await.unwrap();
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[tokio::test]
async fn callbacks_with_a_wrong_state_another_browser_or_a_replayed_code_are_refused() {
    // The provider signs ID tokens RS256 for the SQLite run, ES256 for the PostgreSQL one.
    for (db, alg) in passport_store::testing::both()
        .await
        .unwrap()
        .into_iter()
        .zip(["RS256", "ES256"])
    {
        let (server, provider) = server_with_provider(db, "sub", alg).await;
        let id = seed_account(&server).await;
        let signed_in = |c: &Client| {
            let url = format!("{}/portal", server.base);
            let c = c.clone();
            async move { c.get(url).send().await.unwrap().status() == StatusCode::OK }
        };

        // An identity not linked to any account: a clear refusal, nobody signed in.
        let c = cookie_client();
        let callback = authorize(&c, &server, &provider).await;
        let r = c.get(&callback).send().await.unwrap();
        let status = r.status();
        let page = r.text().await.unwrap();
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(
            page.contains("Your account is not set up for this portal"),
            "{page}"
        );
        assert!(page.contains(idp::SUBJECT));
        assert!(!signed_in(&c).await);
        server
            .state
            .store
            .link_identity(&id, &provider.issuer, idp::SUBJECT, passport_server::now())
            .await
            .unwrap();

        // A wrong state: refused, and the real flow is not spent by it.
        let c = cookie_client();
        let callback = authorize(&c, &server, &provider).await;
        let url = reqwest::Url::parse(&callback).unwrap();
        let state: String = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let forged = callback.replace(&state, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        let r = c.get(&forged).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("not started in this browser"));
        assert!(!signed_in(&c).await);
        // The same callback in another browser (no flow cookie): refused.
        let other = cookie_client();
        let r = other.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(!signed_in(&other).await);

        // Baseline: the real callback in the browser that started it.
        let r = c.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains("You are signed in") && page.contains("/portal/organisation"));
        let r = c
            .get(format!("{}/portal/organisation", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "at the choice of organisation");

        // The code replayed, even with the flow's cookie sent again: the flow is spent.
        let r = common::http()
            .get(&callback)
            .header(header::COOKIE, format!("passport_oidc={state}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("expired or has already been used"));
        // And in the browser that used it (its flow cookie is gone).
        let r = c.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
}
