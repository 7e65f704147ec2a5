//! Headless Chromium for the browser tests: chromedriver, a browser session, axe-core WCAG 2.2
//! AA checks and full-page screenshots in `target/screenshots/`.
#![allow(dead_code, clippy::unwrap_used)]
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const WCAG_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// chromedriver, ended when the test ends (it was started by this test).
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn binary(var: &str, default: &str) -> String {
    let path = std::env::var(var).unwrap_or_else(|_| default.to_string());
    assert!(
        Path::new(&path).exists(),
        "{path} not found: the portal browser test needs Chromium and chromedriver. \
         Install them with `apt-get install -y chromium chromium-driver` (or set {var})."
    );
    path
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn axe_source() -> String {
    let path = workspace().join("browser/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Install axe-core with `npm ci --prefix browser` in the repository.",
            path.display()
        )
    })
}

pub async fn start_driver() -> (Driver, String) {
    let chromedriver = binary("CHROMEDRIVER", "/usr/bin/chromedriver");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
    let driver = Driver(child);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = reqwest::get(format!("{url}/status")).await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not start on {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (driver, url)
}

pub async fn browser(driver_url: &str, profile: &Path) -> Client {
    let chromium = binary("CHROMIUM", "/usr/bin/chromium");
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1024", format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver_url)
        .await
        .unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"))
}

/// Runs axe-core on the current page; returns its violations, one readable line each.
pub async fn axe(c: &Client, axe_js: &str, page: &str) -> Vec<String> {
    c.execute(axe_js, vec![]).await.unwrap();
    let result = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: "tag", values: arguments[0] } })
                 .then(r => done(JSON.stringify({ violations: r.violations, passes: r.passes.length })))
                 .catch(e => done(JSON.stringify({ violations: [{ id: "axe-error", help: String(e), nodes: [] }], passes: 0 })));"#,
            vec![json!(WCAG_TAGS)],
        )
        .await
        .unwrap();
    let result: Value = serde_json::from_str(result.as_str().unwrap()).unwrap();
    assert!(
        result["passes"].as_u64().unwrap_or(0) > 0,
        "{page}: axe checked nothing"
    );
    let violations = result["violations"].as_array().cloned().unwrap_or_default();
    violations
        .iter()
        .map(|v| {
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .map(|n| {
                    n.iter()
                        .map(|node| {
                            format!("{} {}", node["target"], node["html"].as_str().unwrap_or(""))
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "{page}: {} ({}): {}\n    {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                nodes.join("\n    ")
            )
        })
        .collect()
}

/// A screenshot of the whole page (the window is stretched to the page's height first).
pub async fn screenshot(c: &Client, name: &str) {
    screenshot_sized(c, name, (1280, 1024)).await;
}

/// A screenshot of the whole page at `width`, the window stretched to the page's height, then
/// set back to `(width, height)`.
pub async fn screenshot_sized(c: &Client, name: &str, (width, height): (u32, u32)) {
    let full = c
        .execute(
            "return Math.max(document.documentElement.scrollHeight, 600) + window.outerHeight - window.innerHeight;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .map_or(height, |h| h.min(12000) as u32);
    c.set_window_size(width, full).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let png = c.screenshot().await.unwrap();
    c.set_window_size(width, height).await.unwrap();
    let dir = workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

/// Types `text` into the field with this id, replacing what was there.
pub async fn fill(c: &Client, id: &str, text: &str) {
    let field = c.find(fantoccini::Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks the first element matching `css`.
pub async fn click(c: &Client, css: &str) {
    c.find(fantoccini::Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Makes `username` a portal user of `org` with `role` and signs them in in this window (the
/// sign-in form, as a person would).
pub async fn portal_sign_in(
    c: &Client,
    server: &super::TestServer,
    (org, username, role): (&str, &str, &str),
) {
    const PASSWORD: &str = "a browser test password";
    let hash = passport_server::portal::hash_password(PASSWORD)
        .await
        .unwrap();
    (server.state.store)
        .upsert_user(
            org,
            username,
            "Test user",
            role,
            &hash,
            passport_server::now(),
        )
        .await
        .unwrap();
    portal_log_in(c, &server.base, username, PASSWORD).await;
}

/// Signs an existing portal user in through the sign-in form in this window and waits for the
/// portal home page.
pub async fn portal_log_in(c: &Client, base: &str, username: &str, password: &str) {
    c.goto(&format!("{base}/portal/login")).await.unwrap();
    fill(c, "username", username).await;
    fill(c, "password", password).await;
    submit_sign_in(c, base).await;
}

/// Submits the filled-in sign-in form and waits until the portal home page has loaded.
pub async fn submit_sign_in(c: &Client, base: &str) {
    click(c, "main form button[type=submit]").await;
    c.wait()
        .for_url(&format!("{base}/portal").parse().unwrap())
        .await
        .unwrap();
}

/// The text of the page's `main` element, or nothing while there is none (the wallet's screens
/// render asynchronously); for failure messages.
pub async fn main_text(c: &Client) -> String {
    match c.find(fantoccini::Locator::Css("main")).await {
        Ok(m) => m.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits up to 30 s for an element matching `css`; on failure says what the page shows.
pub async fn wait_css(c: &Client, css: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(fantoccini::Locator::Css(css))
        .await
    {
        Ok(e) => e,
        Err(e) => panic!("no {css} ({e}); the page says:\n{}", main_text(c).await),
    }
}

/// Waits up to 30 s until the page's h1 reads `text` (screens render asynchronously).
pub async fn wait_h1(c: &Client, text: &str) {
    let xpath = format!("//main//h1[normalize-space()={text:?}]");
    if let Err(e) = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(fantoccini::Locator::XPath(&xpath))
        .await
    {
        panic!(
            "no h1 {text:?} ({e}); the page says:\n{}",
            main_text(c).await
        );
    }
}
