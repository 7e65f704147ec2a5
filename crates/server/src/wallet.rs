//! The staff wallet: an installable web app (PWA) served at `/wallet/` by the same binary.
//!
//! Every file is built into the binary. The app is plain ES modules (`assets/wallet/*.js`, the
//! protocol core in `assets/wallet/core/`), the vendored NHS.UK frontend CSS, a manifest with
//! icons and a service worker that keeps the app shell for offline viewing.
//!
//! Invariants:
//! - Every response carries a strict Content-Security-Policy: scripts and styles only from this
//!   origin, no inline script or style, no framing; the wallet may talk to any https origin (the
//!   issuers and verifiers of the trust list) and to plain http only on loopback (development).
//! - Nothing here is cached for long: each file is `no-cache` with a strong `ETag` (its
//!   SHA-256), so a browser revalidates and a deployment is picked up at once. The service
//!   worker's cache is named by a hash of every file, so a new build replaces it whole.
//! - The wallet holds no secret of the server: `config.json` is public (the registry's public
//!   key and the trust list's URL, and the catalogue's SD-JWT VC Type Metadata for labels).
use crate::Shared;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// The Content-Security-Policy of every wallet response.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data: blob:; connect-src 'self' https: http://127.0.0.1:* http://localhost:*; \
manifest-src 'self'; worker-src 'self'; media-src 'self' blob:; font-src 'self'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";
const PNG: &str = "image/png";
const MANIFEST: &str = "application/manifest+json";

/// One served file: its path under `/wallet/`, content type and bytes.
struct File {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! file {
    ($path:literal, $type:expr) => {
        File {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!("../assets/wallet/", $path)),
        }
    };
}

/// Every file of the app (the service worker, made from `sw.js`, is served apart).
static FILES: &[File] = &[
    file!("index.html", HTML),
    file!("app.js", JS),
    file!("dom.js", JS),
    file!("passport.js", JS),
    file!("receive.js", JS),
    file!("share.js", JS),
    file!("consent.js", JS),
    file!("history.js", JS),
    file!("details.js", JS),
    file!("accesslog.js", JS),
    file!("wallet.css", CSS),
    file!("manifest.webmanifest", MANIFEST),
    file!("icon.svg", SVG),
    file!("icon-192.png", PNG),
    file!("icon-512.png", PNG),
    file!("core/accesslog.js", JS),
    file!("core/b64.js", JS),
    file!("core/dcql.js", JS),
    file!("core/declare.js", JS),
    file!("core/der.js", JS),
    file!("core/http.js", JS),
    file!("core/jose.js", JS),
    file!("core/oid4vci.js", JS),
    file!("core/oid4vp.js", JS),
    file!("core/sdjwt.js", JS),
    file!("core/store.js", JS),
    file!("core/trust.js", JS),
    File {
        path: "nhsuk-frontend.min.css",
        content_type: CSS,
        bytes: include_bytes!("../assets/nhsuk-frontend/nhsuk-frontend.min.css"),
    },
];

const SW_TEMPLATE: &str = include_str!("../assets/wallet/sw.js");

/// The images the NHS.UK CSS names (served by the portal); the service worker keeps them too.
const CSS_IMAGES: [(&str, &[u8]); 4] = [
    (
        "images/nhsuk-icon-arrow-down.svg",
        include_bytes!("../assets/nhsuk-frontend/images/nhsuk-icon-arrow-down.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-up.svg",
        include_bytes!("../assets/nhsuk-frontend/images/nhsuk-icon-arrow-up.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-up-down.svg",
        include_bytes!("../assets/nhsuk-frontend/images/nhsuk-icon-arrow-up-down.svg"),
    ),
    (
        "images/nhsuk-icon-cross.svg",
        include_bytes!("../assets/nhsuk-frontend/images/nhsuk-icon-cross.svg"),
    ),
];

fn sha256_hex(bytes: &[u8]) -> String {
    passport_store::sha256_hex(bytes)
}

/// `sw.js` with its cache version (a hash of every file) and the list of URLs to keep filled
/// in: the app's files relative to the worker, then `images` (the CSS's images, as the CSS
/// names them).
fn make_service_worker(images: &[String]) -> String {
    let mut all = String::new();
    for f in FILES {
        all.push_str(f.path);
        all.push_str(&sha256_hex(f.bytes));
    }
    all.push_str(&sha256_hex(SW_TEMPLATE.as_bytes()));
    for image in images {
        all.push_str(image);
    }
    let version = &sha256_hex(all.as_bytes())[..16];
    let mut urls: Vec<String> = vec!["./".into()];
    urls.extend(
        FILES
            .iter()
            .filter(|f| f.path != "index.html")
            .map(|f| f.path.to_string()),
    );
    urls.extend(images.iter().cloned());
    let list = serde_json::to_string(&urls).unwrap_or_else(|_| "[]".into());
    SW_TEMPLATE
        .replace("__WALLET_VERSION__", version)
        .replace("[/*__WALLET_FILES__*/]", &list)
}

/// The service worker served at `/wallet/sw.js` (the CSS's images from the portal).
pub fn service_worker() -> &'static str {
    static SW: OnceLock<String> = OnceLock::new();
    SW.get_or_init(|| {
        let images: Vec<String> = CSS_IMAGES
            .iter()
            .map(|(i, _)| crate::portal::assets::url(i))
            .collect();
        make_service_worker(&images)
    })
}

/// The wallet's `config.json`: the registry's public key, the trust list's URL and the
/// catalogue's SD-JWT VC Type Metadata (for labels), by `vct`.
pub fn config_json(
    registry_jwk: &passport_jose::Jwk,
    trust_list_url: &str,
    catalogue: &passport_catalogue::Catalogue,
) -> Value {
    let types: Map<String, Value> = catalogue
        .iter()
        .map(|t| (t.vct.clone(), t.type_metadata()))
        .collect();
    json!({
        "registry_jwk": registry_jwk,
        "trust_list_url": trust_list_url,
        "type_metadata": types,
    })
}

/// The wallet as a folder for any static web host: the same files as `/wallet/` (the NHS.UK
/// CSS's images beside it, named relatively), the service worker, and `config`
/// ([`config_json`]) as `config.json`. Paths are relative to the folder.
pub fn static_site(config: &Value) -> Vec<(String, Vec<u8>)> {
    let portal_css = crate::portal::assets::url("nhsuk-frontend.min.css");
    let portal_images = portal_css.trim_end_matches("nhsuk-frontend.min.css");
    let mut out: Vec<(String, Vec<u8>)> = FILES
        .iter()
        .map(|f| {
            let bytes = if f.path == "nhsuk-frontend.min.css" {
                // `url(/portal/assets/nhsuk-frontend/<v>/images/x.svg)` -> `url(images/x.svg)`
                String::from_utf8_lossy(f.bytes)
                    .replace(&format!("url({portal_images}images/"), "url(images/")
                    .into_bytes()
            } else {
                f.bytes.to_vec()
            };
            (f.path.to_string(), bytes)
        })
        .collect();
    out.extend(
        CSS_IMAGES
            .iter()
            .map(|(name, bytes)| (name.to_string(), bytes.to_vec())),
    );
    let images: Vec<String> = CSS_IMAGES.iter().map(|(i, _)| i.to_string()).collect();
    out.push(("sw.js".into(), make_service_worker(&images).into_bytes()));
    let body = serde_json::to_vec_pretty(config).unwrap_or_default();
    out.push(("config.json".into(), body));
    out
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/wallet", get(|| async { Redirect::permanent("/wallet/") }))
        .route("/wallet/", get(index))
        .route("/wallet/config.json", get(config))
        .route("/wallet/sw.js", get(sw))
        .route("/wallet/{*path}", get(file))
}

/// Headers every wallet response carries.
fn common(content_type: &'static str, etag: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(&format!("\"{t}\"")).ok()) {
        h.insert(header::ETAG, tag);
    }
    h
}

/// `bytes` with an ETag, or 304 when the browser already holds them.
fn conditional(
    request: &HeaderMap,
    file: &'static File,
    extra: &[(header::HeaderName, &'static str)],
) -> Response {
    let tag = etag_of(file);
    let mut headers = common(file.content_type, Some(tag));
    for (name, value) in extra {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    let matches = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_matches('"') == tag));
    if matches {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (headers, file.bytes).into_response()
}

/// The ETag of a static file, hashed once per file for the life of the process.
fn etag_of(file: &'static File) -> &'static str {
    static TAGS: std::sync::OnceLock<Vec<(&'static str, String)>> = std::sync::OnceLock::new();
    let tags = TAGS.get_or_init(|| {
        FILES
            .iter()
            .map(|f| (f.path, sha256_hex(f.bytes)[..32].to_string()))
            .collect()
    });
    tags.iter()
        .find(|(path, _)| *path == file.path)
        .map_or("", |(_, tag)| tag.as_str())
}

fn find(path: &str) -> Option<&'static File> {
    FILES.iter().find(|f| f.path == path)
}

async fn index(request: HeaderMap) -> Response {
    match find("index.html") {
        Some(f) => conditional(&request, f, &[]),
        None => not_found(),
    }
}

async fn file(Path(path): Path<String>, request: HeaderMap) -> Response {
    match find(&path) {
        Some(f) => conditional(&request, f, &[]),
        None => not_found(),
    }
}

/// The service worker, never cached by HTTP (browsers check it on every navigation anyway),
/// allowed to control all of `/wallet/`.
async fn sw() -> Response {
    let mut headers = common(JS, None);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store"),
    );
    headers.insert(
        header::HeaderName::from_static("service-worker-allowed"),
        HeaderValue::from_static("/wallet/"),
    );
    (headers, service_worker()).into_response()
}

/// What the wallet needs to know about this deployment.
///
/// The registry key is served here for development and demonstration only: a real deployment
/// pins the national registry's public key in the wallet build (or its install), because a key
/// fetched from the same server it is meant to check proves nothing about that server.
async fn config(State(state): State<Shared>) -> Response {
    let body = config_json(
        &state.registry_jwk,
        &format!("{}/trust-list", state.base_url),
        state.catalogue,
    );
    (common("application/json", None), body.to_string()).into_response()
}

fn not_found() -> Response {
    let mut headers = common("text/plain; charset=utf-8", None);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (StatusCode::NOT_FOUND, headers, "no such file").into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_service_worker_names_every_file_and_a_version() {
        let sw = service_worker();
        assert!(!sw.contains("__WALLET_VERSION__"));
        assert!(!sw.contains("__WALLET_FILES__"));
        for f in FILES {
            assert!(sw.contains(&format!("\"{}\"", f.path)) || f.path == "index.html");
        }
        assert!(sw.contains("\"./\""));
    }

    #[test]
    fn the_static_site_names_its_images_relatively_and_holds_them() {
        let config = json!({"registry_jwk": {}, "trust_list_url": "https://x/trust-list"});
        let site = static_site(&config);
        let get = |p: &str| site.iter().find(|(n, _)| n == p).map(|(_, b)| b.clone());
        let css = String::from_utf8(get("nhsuk-frontend.min.css").unwrap()).unwrap();
        assert!(!css.contains("/portal/"), "the CSS still names the portal");
        for (image, _) in CSS_IMAGES {
            assert!(get(image).is_some(), "{image}");
        }
        let sw = String::from_utf8(get("sw.js").unwrap()).unwrap();
        assert!(sw.contains("\"images/nhsuk-icon-cross.svg\"") && !sw.contains("/portal/"));
        assert!(get("config.json").is_some() && get("index.html").is_some());
    }

    #[test]
    fn every_module_the_app_imports_is_served() {
        for f in FILES.iter().filter(|f| f.content_type == JS) {
            let text = std::str::from_utf8(f.bytes).unwrap();
            let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
            for part in text.split(" from '").skip(1) {
                let target = &part[..part.find('\'').unwrap()];
                let Some(rel) = target.strip_prefix("./") else {
                    continue;
                };
                let path = if dir.is_empty() {
                    rel.to_string()
                } else {
                    format!("{dir}/{rel}")
                };
                assert!(find(&path).is_some(), "{} imports {target}", f.path);
            }
        }
    }

    #[test]
    fn the_policy_allows_no_inline_script_or_style() {
        assert!(!CSP.contains("unsafe"));
        assert!(CSP.contains("frame-ancestors 'none'"));
    }
}
