//! The trust portal: server-rendered pages for the issuing organisation's staff (HR, training,
//! occupational health, administrators) to find a person, see their records and issued
//! credentials, offer credentials to their wallet, revoke, and resolve the import review queue.
//!
//! Invariants:
//! - Every handler authorises through [`policy::authorise`] and reads through the store with the
//!   signed-in user's own organisation, so another organisation's ids are "not found".
//! - Every POST form carries the session's CSRF token and is checked before its handler runs
//!   ([`auth::Posted`]); the sign-in form uses a double-submit cookie.
//! - Every interpolated value is escaped by [`html::html_escape`].
//! - Every portal response carries a strict Content-Security-Policy (no inline script or
//!   style, nothing from other origins), `X-Frame-Options: DENY`, `Referrer-Policy:
//!   no-referrer`, `X-Content-Type-Options: nosniff`; pages are `Cache-Control: no-store`
//!   (only the content-addressed assets are cacheable).
use crate::Shared;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{Html, Response};
use axum::routing::{get, post};
use axum::Router;

mod access;
mod account;
pub mod assets;
mod audit_page;
pub mod auth;
mod choose;
mod erasure;
pub mod html;
pub(crate) mod limiter;
mod offers;
pub mod oidc;
mod oidc_client;
pub mod oidc_config;
mod oidc_token;
mod periods;
pub mod policy;
mod profiles;
mod purged;
mod records;
mod registry;
mod registry_form;
mod registry_html;
mod replace_device;
mod review;
mod rotations;
mod rotations_cohort;
mod rotations_html;
mod rotations_import;
mod rotations_kept;
mod rotations_list;
mod rotations_mail;
mod rotations_people;
mod rotations_requests;
mod rotations_svg;
pub mod signin;
mod signin_code;
#[cfg(test)]
mod signin_tests;
mod staff;
mod subject_access;
mod temporary;
mod temporary_form;
mod temporary_page;
mod totp;
mod transfer_report;
mod transfers;
mod webhooks_html;
mod webhooks_page;

#[cfg(test)]
mod profiles_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod transfers_tests;

pub use auth::hash_password;
pub use html::html_escape;
pub use policy::{authorise, Action, Purpose, Subject};
pub use rotations_list::{import_list, Imported, ListImport, Refusal};

/// The portal's Content-Security-Policy: our own scripts, styles and images only; forms post
/// only to us; no framing.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Every portal route (mounted at `/portal`).
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(staff::home))
        .route("/login", get(signin::login_form).post(signin::login))
        .route(
            "/login/code",
            get(signin_code::code_form).post(signin_code::code),
        )
        .route(
            "/organisation",
            get(choose::choose_form).post(choose::choose),
        )
        .route("/logout", post(signin::logout))
        .route("/account", get(account::page_view))
        .route(
            "/account/two-step",
            get(account::two_step_form).post(account::two_step),
        )
        .route("/oidc/start", get(oidc::start))
        .route("/oidc/callback", get(oidc::callback))
        .route("/staff", get(staff::search))
        .route("/staff/{id}", get(staff::person))
        .route("/staff/{id}/offers", post(offers::create))
        .route("/staff/{id}/export.json", get(subject_access::export))
        .route(
            "/staff/{id}/erase",
            get(erasure::confirm).post(erasure::erase),
        )
        .route(
            "/staff/{id}/replace-device",
            get(replace_device::confirm).post(replace_device::replace),
        )
        .route(
            "/staff/{id}/credentials/{cid}/revoke",
            get(offers::confirm_revoke).post(offers::revoke),
        )
        .route("/review", get(review::queue))
        .route("/review/{item}", post(review::resolve))
        .route("/profiles", get(profiles::list).post(profiles::create))
        .route("/profiles/new", get(profiles::new_form))
        .route("/profiles/{id}", get(profiles::show).post(profiles::update))
        .route(
            "/settings/cstf-periods",
            get(periods::show).post(periods::save),
        )
        .route("/transfers", get(transfers::list).post(transfers::create))
        .route("/transfers/new", get(transfers::new_form))
        .route("/transfers/{id}", get(transfer_report::page))
        .route("/transfers/{id}/state", get(transfer_report::state_json))
        .route(
            "/transfers/{id}/report.json",
            get(transfer_report::report_json),
        )
        .route(
            "/transfers/{id}/report.csv",
            get(transfer_report::report_csv),
        )
        .route("/transfers/{id}/decision", post(transfers::decide))
        .route("/rotations", get(rotations::list))
        .route(
            "/rotations/import",
            get(rotations_import::form)
                .post(rotations_import::import)
                .layer(axum::extract::DefaultBodyLimit::max(
                    rotations_import::MAX_UPLOAD_BYTES,
                )),
        )
        .route("/rotations/{id}", get(rotations::dashboard))
        .route("/rotations/{id}/cohort.csv", get(rotations::export_csv))
        .route("/rotations/{id}/reminders", post(rotations::remind))
        .route("/temporary", get(temporary::list).post(temporary::create))
        .route("/temporary/new", get(temporary::new_form))
        .route("/temporary/{id}", get(temporary_page::page))
        .route("/temporary/{id}/decision", post(temporary_page::decide))
        .route("/temporary/{id}/end", post(temporary_page::end))
        .route("/audit", get(audit_page::page))
        .route("/registry", get(registry::overview))
        .route("/registry/publish", post(registry::publish))
        .route("/registry/organisations", post(registry::create))
        .route("/registry/organisations/new", get(registry::new_form))
        .route(
            "/registry/organisations/{ods}",
            get(registry::edit_form).post(registry::update),
        )
        .route("/webhooks", get(webhooks_page::page))
        .route("/webhooks/subscriptions", post(webhooks_page::add))
        .route(
            "/webhooks/subscriptions/{id}/enabled",
            post(webhooks_page::set_enabled),
        )
        .route(
            "/webhooks/deliveries/{id}/requeue",
            post(webhooks_page::requeue_delivery),
        )
        .route(
            "/webhooks/mail/{id}/requeue",
            post(webhooks_page::requeue_mail),
        )
        .route("/assets/{*path}", get(assets::serve))
        .layer(middleware::from_fn(security_headers))
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A page for the signed-in viewer, with the header's account and navigation.
fn render(
    state: &Shared,
    viewer: &auth::Viewer,
    title: &str,
    nav: html::Nav,
    body: &str,
) -> Html<String> {
    let s = &viewer.session;
    let chrome = html::Chrome {
        session: s,
        org_name: auth::org_name(state, viewer),
        show_review: policy::may(s, Action::ViewReviewQueue),
        show_profiles: policy::may(s, Action::ViewProfiles),
        show_staff: policy::may(s, Action::ViewStaff),
        show_transfers: policy::may(s, Action::ViewTransfers),
        show_audit: policy::may(s, Action::ViewAuditLog),
        show_registry: policy::may(s, Action::AdministerTrustList) && state.trust.is_registry(),
        can_switch: viewer.memberships.len() > 1,
    };
    Html(html::page(title, Some(&chrome), nav, body))
}
