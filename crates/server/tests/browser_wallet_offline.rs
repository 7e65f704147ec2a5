//! The staff wallet away from its server, in headless Chromium at phone size:
//! - offline: Amara collects RHQ's offer, then the server goes away (it stops listening) and
//!   she opens the wallet again: the service worker's copy of the app and the credentials in
//!   IndexedDB still show her passport;
//! - as a static site: the folder `passport wallet-site` writes (the same library function) is
//!   served by a plain file server on another port under a path of its own; the wallet loaded
//!   from there collects an offer from the passport server (another origin: CORS) and shows
//!   it, and with the passport server gone still names the organisations (the trust list on
//!   the other origin is kept too).
//!
//! Screens are checked with axe-core and saved as `target/screenshots/wallet-offline*.png`
//! and `wallet-static*.png`. The two tests take turns (one Chromium at a time).
#![allow(clippy::unwrap_used)]
mod common;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::browser::{
    axe, axe_source, browser, click, fill, main_text, screenshot_sized, start_driver, wait_css,
    wait_h1,
};
use common::transfer::{amara_at_rhq, amara_offer, url_encode};
use fantoccini::Client;
use std::path::PathBuf;
use std::sync::Arc;

const PHONE: (u32, u32) = (390, 844);
/// Where the static host puts the wallet: any path works.
const SITE_PATH: &str = "/staff-wallet/";

/// One Chromium at a time on a small machine.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Waits until a service worker controls the page (after its first install, a reload).
async fn controlled(c: &Client) -> bool {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.serviceWorker.ready
               .then(() => done(navigator.serviceWorker.controller !== null))
               .catch(() => done(false));",
            vec![],
        )
        .await
        .unwrap();
    v.as_bool().unwrap_or(false)
}

/// Opens `wallet` (a wallet's address) with RHQ's offer for Amara and enters the code.
async fn collect(c: &Client, server: &common::TestServer, wallet: &str) {
    let (offer, code) = amara_offer(server, "RHQ").await;
    c.goto(&format!("{wallet}?offer={}", url_encode(&offer)))
        .await
        .unwrap();
    wait_css(c, "#txcode").await;
    fill(c, "txcode", &code).await;
    click(c, "main form button[type=submit]").await;
    wait_h1(c, "Added to your passport").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_passport_is_shown_offline_from_the_service_workers_copy() {
    let _turn = ONE_BROWSER.lock().await;
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let mut server = common::start(passport_store::testing::sqlite().unwrap()).await;
    amara_at_rhq(&server).await;
    let base = server.base.clone();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    c.set_window_size(PHONE.0, PHONE.1).await.unwrap();

    c.goto(&format!("{base}/wallet/")).await.unwrap();
    wait_h1(&c, "Your passport").await;
    collect(&c, &server, &format!("{base}/wallet/")).await;
    // Opened again online, under the worker: it keeps the app, the configuration (labels) and
    // the trust list (organisation names) for later.
    c.goto(&format!("{base}/wallet/#/")).await.unwrap();
    c.refresh().await.unwrap();
    wait_css(&c, "#group-training").await;
    assert!(
        controlled(&c).await,
        "no service worker controls the wallet"
    );
    let online = main_text(&c).await;

    server.stop().await;
    let gone = common::http().get(format!("{base}/wallet/")).send().await;
    assert!(gone.is_err(), "the server still answers: {gone:?}");

    c.refresh().await.unwrap();
    wait_css(&c, "#group-training").await;
    let offline = main_text(&c).await;
    for expected in [
        "Identity and checks",
        "Employment",
        "Core skills training (CSTF)",
        "Date of birth",
        "(RHQ)",
    ] {
        assert!(
            offline.contains(expected),
            "{expected} not shown offline:\n{offline}"
        );
    }
    assert_eq!(
        offline, online,
        "offline, the passport reads as it did online"
    );
    screenshot_sized(&c, "wallet-offline.png", PHONE).await;
    let violations = axe(&c, &axe_js, "wallet, offline").await;
    c.close().await.unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
}

/// A plain static file server for the folder: what any web host does, nothing more.
async fn static_file(State(dir): State<Arc<PathBuf>>, UrlPath(path): UrlPath<String>) -> Response {
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    };
    if path.split('/').any(|p| p == ".." || p.starts_with('.')) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let kind = match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    };
    match tokio::fs::read(dir.join(&path)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wallet_as_a_static_site_elsewhere_collects_an_offer_from_the_server() {
    let _turn = ONE_BROWSER.lock().await;
    let axe_js = axe_source();
    let (_driver, driver_url) = start_driver().await;
    let mut server = common::start(passport_store::testing::sqlite().unwrap()).await;
    amara_at_rhq(&server).await;

    // What `passport wallet-site --registry-jwk ... --trust-list-url <server>/trust-list` writes.
    let folder = tempfile::tempdir().unwrap();
    let config = passport_server::wallet::config_json(
        &server.state.registry_jwk,
        &format!("{}/trust-list", server.base),
        passport_catalogue::Catalogue::nhs(),
    );
    for (path, bytes) in passport_server::wallet::static_site(&config) {
        let target = folder.path().join(&path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = format!("http://{}", listener.local_addr().unwrap());
    assert_ne!(host, server.base);
    let app = Router::new()
        .route(&format!("{SITE_PATH}{{*path}}"), get(static_file))
        .route(
            SITE_PATH,
            get(|dir: State<Arc<PathBuf>>| static_file(dir, UrlPath(String::new()))),
        )
        .with_state(Arc::new(folder.path().to_path_buf()));
    let site = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path()).await;
    c.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let wallet = format!("{host}{SITE_PATH}");
    c.goto(&wallet).await.unwrap();
    wait_h1(&c, "Your passport").await;
    collect(&c, &server, &wallet).await;
    screenshot_sized(&c, "wallet-static-received.png", PHONE).await;
    let mut violations = axe(&c, &axe_js, "wallet as a static site, received").await;

    c.goto(&format!("{wallet}#/")).await.unwrap();
    c.refresh().await.unwrap();
    wait_css(&c, "#group-training").await;
    let home = main_text(&c).await;
    for expected in [
        "Identity and checks",
        "Core skills training (CSTF)",
        "(RHQ)",
    ] {
        assert!(home.contains(expected), "{expected}:\n{home}");
    }
    assert!(c.current_url().await.unwrap().as_str().starts_with(&wallet));
    assert!(
        controlled(&c).await,
        "the static copy installs its service worker too"
    );
    screenshot_sized(&c, "wallet-static-home.png", PHONE).await;
    violations.extend(axe(&c, &axe_js, "wallet as a static site, passport").await);

    // The passport server goes away; the static host stays: the passport as it was.
    server.stop().await;
    c.refresh().await.unwrap();
    wait_css(&c, "#group-training").await;
    assert_eq!(
        main_text(&c).await,
        home,
        "offline, the static copy reads as it did"
    );
    c.close().await.unwrap();
    site.abort();
    assert!(violations.is_empty(), "{violations:#?}");
}
