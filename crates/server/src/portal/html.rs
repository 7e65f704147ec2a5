//! Server-rendered HTML in the NHS.UK design system: the page layout, the few components the
//! portal uses, dates for people, and errors as pages.
//!
//! Invariant: every value that did not come from this file's own literals goes through
//! [`html_escape`] (or [`attr`], the same function) before it reaches the page.
use super::assets;
use crate::ServerError;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_store::Session;
use std::fmt::Write;

pub const SERVICE_NAME: &str = "NHS Staff Passport";

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The same escaping, named for attribute values so templates read clearly.
pub fn attr(text: &str) -> String {
    html_escape(text)
}

/// A path segment or query value, percent-encoded (ids are `[a-z0-9-]` already; this keeps
/// it so whatever the store hands back).
pub fn url_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Which header navigation item is the current page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Home,
    Staff,
    Review,
    Profiles,
    Transfers,
    Audit,
    Registry,
    None,
}

/// What the layout needs to know about the signed-in user.
pub struct Chrome<'a> {
    pub session: &'a Session,
    pub org_name: &'a str,
    pub show_review: bool,
    /// Role profiles and CSTF renewal periods ([`super::policy::Action::ViewProfiles`]).
    pub show_profiles: bool,
    /// Staff search ([`super::policy::Action::ViewStaff`]): not for auditors and registry admins.
    pub show_staff: bool,
    pub show_transfers: bool,
    /// The organisation's audit log ([`super::policy::Action::ViewAuditLog`]).
    pub show_audit: bool,
    /// The trust list registry ([`super::policy::Action::AdministerTrustList`], on the node
    /// that holds the registry key).
    pub show_registry: bool,
    /// The user holds more than one membership: the header offers to switch.
    pub can_switch: bool,
}

const NHS_LOGO: &str = r#"<svg class="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" height="40" width="100" focusable="false" role="img" aria-label="NHS"><title>NHS</title><path fill="currentcolor" d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z"/></svg>"#;

const USER_ICON: &str = r#"<svg class="nhsuk-icon nhsuk-icon--user" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16" focusable="false" aria-hidden="true"><path d="M12 1a11 11 0 1 1 0 22 11 11 0 0 1 0-22Zm0 2a9 9 0 0 0-5 16.5V18a4 4 0 0 1 4-4h2a4 4 0 0 1 4 4v1.5A9 9 0 0 0 12 3Zm0 3a3.5 3.5 0 1 1-3.5 3.5A3.4 3.4 0 0 1 12 6Z"/></svg>"#;

/// A whole page: skip link, header (with the account and navigation when signed in), `main`,
/// footer. `title` is the page's own name; the `<title>` adds the service name.
pub fn page(title: &str, chrome: Option<&Chrome>, nav: Nav, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 4096);
    let _ = write!(
        out,
        r##"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} - {service} - NHS</title>
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#005eb8">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="{favicon}" sizes="any" type="image/svg+xml">
<link rel="stylesheet" href="{nhsuk_css}">
<link rel="stylesheet" href="{portal_css}">
<script type="module" src="{portal_js}"></script>
</head>
<body>
<a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href="#maincontent">Skip to main content</a>
<header class="nhsuk-header" data-module="nhsuk-header" role="banner">
<div class="nhsuk-header__container nhsuk-width-container">
<div class="nhsuk-header__service">
<a class="nhsuk-header__service-logo" href="/portal" aria-label="{service} portal home">{logo}<span class="nhsuk-header__service-name">{service}</span></a>
</div>
"##,
        title = html_escape(title),
        service = SERVICE_NAME,
        favicon = attr(&assets::url("images/favicon.svg")),
        nhsuk_css = attr(&assets::url("nhsuk-frontend.min.css")),
        portal_css = attr(&assets::url("portal.css")),
        portal_js = attr(&assets::url("portal.js")),
        logo = NHS_LOGO,
    );
    if let Some(c) = chrome {
        let user = &c.session.user;
        let _ = write!(
            out,
            r#"<nav class="nhsuk-header__account" aria-label="Account">
<ul class="nhsuk-header__account-list">
<li class="nhsuk-header__account-item">{icon} {name} ({role}, {org})</li>
{switch}<li class="nhsuk-header__account-item"><a class="nhsuk-header__account-link" href="/portal/account">Account</a></li>
<li class="nhsuk-header__account-item">
<form class="nhsuk-header__account-form" action="/portal/logout" method="post" novalidate>
{csrf}<button class="nhsuk-header__account-button">Log out</button>
</form>
</li>
</ul>
</nav>
</div>
<nav class="nhsuk-header__navigation" aria-label="Menu">
<div class="nhsuk-header__navigation-container nhsuk-width-container">
<ul class="nhsuk-header__navigation-list">
"#,
            icon = USER_ICON,
            name = html_escape(&user.display_name),
            role = html_escape(&role_label(&user.role)),
            org = html_escape(c.org_name),
            csrf = csrf_field(&c.session.csrf),
            switch = if c.can_switch {
                r#"<li class="nhsuk-header__account-item"><a class="nhsuk-header__account-link" href="/portal/organisation">Switch organisation</a></li>
"#
            } else {
                ""
            },
        );
        let mut items = vec![(Nav::Home, "/portal", "Home")];
        if c.show_staff {
            items.push((Nav::Staff, "/portal/staff", "Find staff"));
        }
        if c.show_transfers {
            items.push((Nav::Transfers, "/portal/transfers", "Transfers"));
        }
        if c.show_review {
            items.push((Nav::Review, "/portal/review", "Review queue"));
        }
        if c.show_profiles {
            items.push((Nav::Profiles, "/portal/profiles", "Role profiles"));
        }
        if c.show_audit {
            items.push((Nav::Audit, "/portal/audit", "Audit log"));
        }
        if c.show_registry {
            items.push((Nav::Registry, "/portal/registry", "Trust list"));
        }
        for (item, href, text) in items {
            if item == nav {
                let _ = writeln!(
                    out,
                    r#"<li class="nhsuk-header__navigation-item nhsuk-header__navigation-item--current"><a class="nhsuk-header__navigation-link" href="{href}" aria-current="page"><strong class="nhsuk-header__navigation-item-current-fallback">{text}</strong></a></li>"#
                );
            } else {
                let _ = writeln!(
                    out,
                    r#"<li class="nhsuk-header__navigation-item"><a class="nhsuk-header__navigation-link" href="{href}">{text}</a></li>"#
                );
            }
        }
        out.push_str(
            r#"<li class="nhsuk-header__menu" hidden><button class="nhsuk-header__menu-toggle nhsuk-header__navigation-link" id="toggle-menu" aria-expanded="false"><span class="nhsuk-u-visually-hidden">Browse </span>More</button></li>
</ul>
</div>
</nav>
"#,
        );
    } else {
        out.push_str("</div>\n");
    }
    let _ = write!(
        out,
        r#"</header>
<div class="nhsuk-width-container">
<main class="nhsuk-main-wrapper" id="maincontent">
{body}
</main>
</div>
<footer class="nhsuk-footer" role="contentinfo">
<div class="nhsuk-width-container">
<div class="nhsuk-footer__meta">
<p class="nhsuk-body-s">{SERVICE_NAME}: trust portal. Open source; personal data shown here is confidential.</p>
</div>
</div>
</footer>
</body>
</html>
"#
    );
    out
}

/// The hidden CSRF field every POST form carries.
pub fn csrf_field(token: &str) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{}">"#,
        attr(token)
    )
}

/// How a role reads in the header.
pub fn role_label(role: &str) -> String {
    match role {
        "hr" => "HR".into(),
        "training" => "Training".into(),
        "oh" => "Occupational health".into(),
        "admin" => "Administrator".into(),
        "medical-staffing" => "Medical staffing".into(),
        "auditor" => "Auditor".into(),
        "registry-admin" => "Registry administrator".into(),
        other => other.into(),
    }
}

/// An NHS.UK summary list of (key, value HTML) rows. Keys are escaped here; values are HTML
/// the caller built (and escaped).
pub fn summary_list(rows: &[(String, String)]) -> String {
    let mut out = String::from(r#"<dl class="nhsuk-summary-list">"#);
    for (key, value) in rows {
        let _ = write!(
            out,
            r#"<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">{}</dt><dd class="nhsuk-summary-list__value">{value}</dd></div>"#,
            html_escape(key)
        );
    }
    out.push_str("</dl>");
    out
}

/// A tag (`colour`: `green`, `red`, `grey`, `blue`, `yellow`, ...).
pub fn tag(text: &str, colour: &str) -> String {
    format!(
        r#"<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>"#,
        attr(colour),
        html_escape(text)
    )
}

/// The error summary at the top of a page with form errors: (message, id of the field).
/// A form's field errors (message, field name), rendered as the NHS.UK design system marks a
/// field in error: the group, the message beside the field and the `aria-describedby` ids.
pub struct FormErrors<'a> {
    pub errors: &'a [(String, String)],
}

impl FormErrors<'_> {
    /// The error message of `field`, if it has one.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(_, f)| f == field)
            .map(|(m, _)| m.as_str())
    }

    /// The class of the field's form group.
    pub fn group(&self, field: &str) -> &'static str {
        if self.error(field).is_some() {
            "nhsuk-form-group nhsuk-form-group--error"
        } else {
            "nhsuk-form-group"
        }
    }

    /// The error message element of `field` (`{field}-error`), or nothing.
    pub fn message(&self, field: &str) -> String {
        self.error(field).map_or(String::new(), |m| {
            format!(
                r#"<span class="nhsuk-error-message" id="{field}-error"><span class="nhsuk-u-visually-hidden">Error:</span> {}</span>"#,
                html_escape(m)
            )
        })
    }

    /// ` aria-describedby="..."` naming the field's hint (if it has one) and error, or nothing.
    pub fn described(&self, field: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{field}-hint"));
        }
        if self.error(field).is_some() {
            ids.push(format!("{field}-error"));
        }
        if ids.is_empty() {
            String::new()
        } else {
            format!(r#" aria-describedby="{}""#, ids.join(" "))
        }
    }
}

pub fn error_summary(errors: &[(String, String)]) -> String {
    let mut out = String::from(
        r#"<div class="nhsuk-error-summary" data-module="nhsuk-error-summary"><div role="alert"><h2 class="nhsuk-error-summary__heading">There is a problem</h2><div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list">"#,
    );
    for (message, field) in errors {
        let _ = write!(
            out,
            r##"<li><a href="#{}">{}</a></li>"##,
            attr(field),
            html_escape(message)
        );
    }
    out.push_str("</ul></div></div></div>");
    out
}

/// A success banner after a POST-redirect-GET.
pub fn success_banner(text: &str) -> String {
    format!(
        r#"<div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="banner-title" data-module="nhsuk-notification-banner"><div class="nhsuk-notification-banner__header"><h2 class="nhsuk-notification-banner__title" id="banner-title">Success</h2></div><div class="nhsuk-notification-banner__content"><p class="nhsuk-notification-banner__heading">{}</p></div></div>"#,
        html_escape(text)
    )
}

/// `(year, month, day)` of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(month: u32) -> &'static str {
    MONTHS
        .get(usize::try_from(month).unwrap_or(0).wrapping_sub(1))
        .copied()
        .unwrap_or("")
}

/// `25 November 2025` for a Unix time (UTC).
pub fn date(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    format!("{d} {} {y}", month_name(m))
}

/// `25 November 2025 at 14:03 (UTC)` for a Unix time.
pub fn date_time(unix: i64) -> String {
    let secs = unix.rem_euclid(86_400);
    format!(
        "{} at {:02}:{:02} (UTC)",
        date(unix),
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// A record's date text for people: `2024-03-05` -> `5 March 2024`, `2024-03` -> `March
/// 2024`; anything else unchanged.
pub fn claim_date(text: &str) -> String {
    let parts: Vec<&str> = text.split('-').collect();
    let num = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
    };
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            match (num(y), num(m), num(d)) {
                (Some(y), Some(m @ 1..=12), Some(d @ 1..=31)) => {
                    format!("{d} {} {y}", month_name(m))
                }
                _ => text.to_string(),
            }
        }
        [y, m] if y.len() == 4 && m.len() == 2 => match (num(y), num(m)) {
            (Some(y), Some(m @ 1..=12)) => format!("{} {y}", month_name(m)),
            _ => text.to_string(),
        },
        _ => text.to_string(),
    }
}

/// An error shown as a page: the same status as the JSON mapping in `error.rs`, an HTML body.
/// Not signed in becomes a redirect to the sign-in page.
#[derive(Debug)]
pub struct PageError(pub ServerError);

impl<E: Into<ServerError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let error = self.0;
        if matches!(error, ServerError::Unauthenticated) {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/portal/login")]).into_response();
        }
        let status = error.status();
        if status.is_server_error() {
            tracing::error!("{error}");
        }
        let (title, detail) = match &error {
            _ if status.is_server_error() => (
                "Sorry, there is a problem with the service",
                "Something went wrong on the server. It has been logged. Try again later.".to_string(),
            ),
            ServerError::Csrf => (
                "The form could not be accepted",
                "The form was out of date or was not sent from this site. Go back, reload the page and try again.".to_string(),
            ),
            ServerError::Forbidden(why) => ("You cannot do this", format!("Your role does not allow it: {why}.")),
            ServerError::NotFound(_) | ServerError::Store(passport_store::StoreError::NotFound(_)) => (
                "Page not found",
                "There is nothing here, or it is not part of your organisation.".to_string(),
            ),
            ServerError::BadRequest(why) => ("There is a problem with the request", why.clone()),
            other => ("There is a problem", other.to_string()),
        };
        let body = format!(
            r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds"><h1>{}</h1><p>{}</p><p><a href="/portal">Go to the portal home page</a></p></div></div>"#,
            html_escape(title),
            html_escape(&detail)
        );
        (status, Html(page(title, None, Nav::None, &body))).into_response()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_open_markup_or_leave_an_attribute() {
        assert_eq!(
            html_escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(html_escape("O’Brien-Smith"), "O’Brien-Smith");
        assert_eq!(url_part("p-1a/../x y"), "p-1a%2F..%2Fx%20y");
    }

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(date(0), "1 January 1970");
        assert_eq!(date(1_764_028_800), "25 November 2025");
        assert_eq!(date(951_782_400), "29 February 2000");
        assert_eq!(date_time(1_764_081_780), "25 November 2025 at 14:43 (UTC)");
        assert_eq!(claim_date("2024-03-05"), "5 March 2024");
        assert_eq!(claim_date("2024-03"), "March 2024");
        assert_eq!(claim_date("2024"), "2024");
        assert_eq!(claim_date("2024-13-01"), "2024-13-01");
        assert_eq!(claim_date("Band 5"), "Band 5");
    }

    #[test]
    fn a_page_has_the_landmarks_and_language() {
        let html = page("Sign in", None, Nav::None, "<h1>Sign in</h1>");
        assert!(html.contains(r#"<html lang="en-GB">"#));
        assert!(html.contains("<title>Sign in - NHS Staff Passport - NHS</title>"));
        assert!(html.contains(r##"href="#maincontent""##));
        assert!(html.contains(r#"<main class="nhsuk-main-wrapper" id="maincontent">"#));
        assert!(html.contains(r#"role="banner""#) && html.contains(r#"role="contentinfo""#));
        assert!(!html.contains("<script>"), "no inline script");
        assert!(!html.contains("style="), "no inline style");
    }
}
