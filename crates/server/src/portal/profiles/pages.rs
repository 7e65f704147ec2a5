//! The two pages around a profile form: one profile's page (its summary, then the edit form
//! for those who may change it) and the new-profile page (blank, or copied from a profile).
//! Both share one layout: the error summary first when the form came back with errors (and
//! "Error: " before the title, as the design system asks), a banner, the link back to the
//! list, then the content in the two-thirds column.
use super::errors::FormError;
use super::form::ProfileForm;
use super::form_html::profile_form;
use super::stored::Shown;
use super::summary::profile_summary;
use crate::portal::auth::Viewer;
use crate::portal::html::{attr, error_summary, html_escape, success_banner, url_part, Nav};
use crate::portal::policy::{may, Action};
use crate::portal::render;
use crate::Shared;
use axum::response::Html;
use std::fmt::Write;

/// A page of the profiles section: the error summary (with `errors`), `banner`, the back link,
/// then `main` in the two-thirds column; titled `title`, after "Error: " with errors.
fn section_page(
    state: &Shared,
    viewer: &Viewer,
    title: &str,
    errors: &[FormError],
    banner: &str,
    main: &str,
) -> Html<String> {
    let mut body = String::new();
    if !errors.is_empty() {
        body.push_str(&error_summary(
            &errors
                .iter()
                .map(|e| (e.message.clone(), e.field.clone()))
                .collect::<Vec<_>>(),
        ));
    }
    let _ = write!(
        body,
        r#"{banner}<a class="nhsuk-back-link" href="/portal/profiles">Back to role profiles</a>
<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
{main}</div></div>"#
    );
    let title = if errors.is_empty() {
        title.to_string()
    } else {
        format!("Error: {title}")
    };
    render(state, viewer, &title, Nav::Profiles, &body)
}

/// A profile's page: its summary and, for those who may change it, the edit form.
pub(super) fn profile_page(
    state: &Shared,
    viewer: &Viewer,
    shown: &Shown,
    form: &ProfileForm,
    errors: &[FormError],
    saved: bool,
) -> Html<String> {
    let s = &viewer.session;
    let mut main = format!(
        r#"<span class="nhsuk-caption-l">Role profile</span>
<h1>{name}</h1>
{summary}"#,
        name = html_escape(&shown.name),
        summary = profile_summary(shown),
    );
    if may(s, Action::EditProfiles) {
        let _ = write!(
            main,
            r#"<p><a href="/portal/profiles/new?from={id}">Copy this profile to make a new one</a></p>
<h2 class="nhsuk-heading-l" id="change">Change this profile</h2>
{form}"#,
            id = attr(&url_part(&shown.id)),
            form = profile_form(Some(&shown.id), form, errors, &s.csrf),
        );
    } else {
        main.push_str("<p>Only HR and administrators can change role profiles.</p>\n");
    }
    let banner = if saved {
        success_banner("The profile has been saved.")
    } else {
        String::new()
    };
    section_page(state, viewer, &shown.name, errors, &banner, &main)
}

/// The new-profile page.
pub(super) fn new_page(
    state: &Shared,
    viewer: &Viewer,
    form: &ProfileForm,
    errors: &[FormError],
    copied_from: Option<&str>,
) -> Html<String> {
    let mut main = String::from("<h1>Create a role profile</h1>\n");
    if let Some(from) = copied_from {
        let _ = writeln!(
            main,
            "<p>Filled in from {}: change what the new post needs, and give it its own name.</p>",
            html_escape(from)
        );
    }
    main.push_str(&profile_form(None, form, errors, &viewer.session.csrf));
    section_page(state, viewer, "Create a role profile", errors, "", &main)
}
