//! The portal's static files, built into the binary and served at `/portal/assets/...`.
//!
//! Invariant: an asset URL changes whenever its content does (the vendored NHS.UK frontend by
//! its version in the path, our own files by a content hash in the name), so every asset is
//! served `immutable` for a year and a deployment never mixes old and new files.
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

/// Version of the vendored `nhsuk-frontend` npm package (`assets/nhsuk-frontend/README.md`).
pub const NHSUK_FRONTEND_VERSION: &str = "10.6.1";

const NHSUK_CSS: &[u8] = include_bytes!("../../assets/nhsuk-frontend/nhsuk-frontend.min.css");
const NHSUK_JS: &[u8] = include_bytes!("../../assets/nhsuk-frontend/nhsuk-frontend.min.js");
const PORTAL_CSS: &[u8] = include_bytes!("../../assets/portal.css");
const PORTAL_JS: &[u8] = include_bytes!("../../assets/portal.js");

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// One served file: the name pages ask for, its path under `/portal/assets/`, content type
/// and bytes.
struct Asset {
    name: &'static str,
    path: String,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Every asset, with our own files named by the first 16 hex digits of their SHA-256.
fn table() -> &'static [Asset] {
    static TABLE: OnceLock<Vec<Asset>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let v = NHSUK_FRONTEND_VERSION;
        let vendored = |name: &'static str, content_type, bytes| Asset {
            name,
            path: format!("nhsuk-frontend/{v}/{name}"),
            content_type,
            bytes,
        };
        let hashed = |name: &'static str, content_type, bytes: &'static [u8]| Asset {
            name,
            path: match name.rsplit_once('.') {
                Some((stem, ext)) => {
                    format!("{stem}.{}.{ext}", &passport_store::sha256_hex(bytes)[..16])
                }
                None => name.to_string(),
            },
            content_type,
            bytes,
        };
        vec![
            vendored("nhsuk-frontend.min.css", CSS, NHSUK_CSS),
            vendored("nhsuk-frontend.min.js", JS, NHSUK_JS),
            vendored(
                "images/nhsuk-icon-arrow-down.svg",
                SVG,
                include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-down.svg"),
            ),
            vendored(
                "images/nhsuk-icon-arrow-up-down.svg",
                SVG,
                include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-up-down.svg"),
            ),
            vendored(
                "images/nhsuk-icon-arrow-up.svg",
                SVG,
                include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-up.svg"),
            ),
            vendored(
                "images/nhsuk-icon-cross.svg",
                SVG,
                include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-cross.svg"),
            ),
            vendored(
                "images/favicon.svg",
                SVG,
                include_bytes!("../../assets/nhsuk-frontend/images/favicon.svg"),
            ),
            hashed("portal.css", CSS, PORTAL_CSS),
            hashed("portal.js", JS, PORTAL_JS),
        ]
    })
}

/// The URL of an asset, by its unhashed name (`portal.css`, `nhsuk-frontend.min.css`,
/// `images/favicon.svg`).
pub fn url(name: &str) -> String {
    match table().iter().find(|a| a.name == name) {
        Some(a) => format!("/portal/assets/{}", a.path),
        None => format!("/portal/assets/{name}"),
    }
}

pub async fn serve(Path(path): Path<String>) -> Response {
    match table().iter().find(|a| a.path == path) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.bytes,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            "no such asset",
        )
            .into_response(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn vendored_version_matches_the_served_path_and_our_import() {
        let js = std::str::from_utf8(NHSUK_JS).unwrap();
        assert!(js.contains(&format!("version=\"{NHSUK_FRONTEND_VERSION}\"")));
        let ours = std::str::from_utf8(PORTAL_JS).unwrap();
        assert!(ours.contains(&format!(
            "./nhsuk-frontend/{NHSUK_FRONTEND_VERSION}/nhsuk-frontend.min.js"
        )));
        let css = std::str::from_utf8(NHSUK_CSS).unwrap();
        assert!(
            !css.contains("assets.nhs.uk"),
            "third-party fonts must stay removed"
        );
        assert!(
            !css.contains("url(/assets/"),
            "image URLs must point under /portal/assets"
        );
    }

    #[test]
    fn every_image_the_css_names_is_served() {
        let css = std::str::from_utf8(NHSUK_CSS).unwrap();
        let prefix = "url(/portal/assets/";
        for part in css.split(prefix).skip(1) {
            let path = &part[..part.find(')').unwrap()];
            assert!(table().iter().any(|a| a.path == path), "{path} not served");
        }
    }

    #[test]
    fn urls_name_the_served_files() {
        let css = url("portal.css");
        assert!(css.starts_with("/portal/assets/portal.") && css.ends_with(".css"));
        assert_ne!(css, "/portal/assets/portal.css");
        assert_eq!(
            url("nhsuk-frontend.min.css"),
            format!(
                "/portal/assets/nhsuk-frontend/{NHSUK_FRONTEND_VERSION}/nhsuk-frontend.min.css"
            )
        );
        for name in ["portal.js", "nhsuk-frontend.min.js", "images/favicon.svg"] {
            let path = url(name);
            let rest = path.strip_prefix("/portal/assets/").unwrap();
            assert!(table().iter().any(|a| a.path == rest), "{name}");
        }
    }
}
