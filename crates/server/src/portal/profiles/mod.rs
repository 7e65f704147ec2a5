//! A receiving trust's role requirement profiles: the list, one profile's requirements with its
//! edit form (a structured form, never JSON), and a new profile (blank or copied). Every handler
//! authorises first (`ViewProfiles` to look, `EditProfiles` to change) and reads and writes only
//! the signed-in user's organisation, so another trust's profile id is "not found". What is
//! saved is a [`RoleProfile`] that `passport-compliance` validated: a form with any error changes
//! nothing and comes back with the error summary, each error linked to its field. An
//! organisation with no stored profile sees the shipped defaults; its first save stores them all
//! before the changed one, so no profile disappears from the list.
mod errors;
mod fields;
mod form;
mod form_html;
mod pages;
mod stored;
mod summary;
#[cfg(test)]
mod tests;

use super::auth::{Posted, Viewer};
use super::html::{Nav, PageError};
use super::policy::{authorise, may, Action, Purpose, Subject};
use super::render;
use crate::Shared;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use errors::{first_per_field, FormError};
use fields::id_slug;
use form::ProfileForm;
use form_html::profile_url;
use pages::{new_page, profile_page};
use passport_compliance::RoleProfile;
use passport_store::Session;
use serde::Deserialize;
use std::fmt::Write;
use stored::{org_profile, org_profiles, save};
use summary::list_table;

/// A profile id from its name: `a-z`, `0-9` and `-`, at most 64; empty when the name has no
/// letter or digit. `new` (the new-profile page) becomes `new-profile`.
pub(super) fn profile_id(name: &str) -> String {
    let mut id = id_slug(name);
    if id.len() > 64 {
        id.truncate(64);
        while id.ends_with('-') {
            id.pop();
        }
    }
    if id == "new" {
        id.push_str("-profile");
    }
    id
}

/// The query of a profile page (`done`: what was just done) and of the new-profile page
/// (`from`: the profile to copy); anything else, or a malformed query, is ignored.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    from: String,
}

fn page_query(query: Result<Query<PageQuery>, QueryRejection>) -> PageQuery {
    query.map(|q| q.0).unwrap_or_default()
}

pub async fn list(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    authorise(
        &state,
        s,
        Purpose::Administration,
        Action::ViewProfiles,
        Subject::Organisation,
    )
    .await?;
    let profiles = org_profiles(&state, &s.user.org).await?;
    let mut body = String::from(
        r#"<h1>Role profiles</h1>
<p>What each post needs before someone starts in it. When a person shares their passport for a post, their credentials are checked against its profile, requirement by requirement.</p>
"#,
    );
    if profiles.iter().all(|p| p.updated.is_none()) {
        body.push_str(r#"<div class="nhsuk-inset-text"><span class="nhsuk-u-visually-hidden">Information: </span><p>Your organisation has not saved its own profiles yet: these are the defaults that come with the service. They all become your organisation's own when one of them is saved.</p></div>
"#);
    }
    if may(s, Action::EditProfiles) {
        body.push_str(r#"<p><a class="nhsuk-button" data-module="nhsuk-button" role="button" draggable="false" href="/portal/profiles/new">Create a profile</a></p>
"#);
    }
    body.push_str(&list_table(&profiles));
    let _ = write!(
        body,
        r#"<h2 class="nhsuk-heading-m">CSTF renewal periods</h2>
<p>Training expiry is worked out from the date a subject was last awarded and your organisation's renewal period for it. <a href="/portal/settings/cstf-periods">{}</a></p>"#,
        if may(s, Action::EditLocalPeriods) {
            "See and change the renewal periods"
        } else {
            "See the renewal periods"
        }
    );
    Ok(render(
        &state,
        &viewer,
        "Role profiles",
        Nav::Profiles,
        &body,
    ))
}

pub async fn show(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    authorise(
        &state,
        s,
        Purpose::Administration,
        Action::ViewProfiles,
        Subject::Organisation,
    )
    .await?;
    let shown = org_profile(&state, &s.user.org, &id).await?;
    let form = match &shown.profile {
        Some(p) => ProfileForm::from_profile(p),
        None => ProfileForm {
            name: shown.name.clone(),
            ..ProfileForm::default()
        },
    };
    let done = page_query(query).done;
    Ok(profile_page(
        &state,
        &viewer,
        &shown,
        &form,
        &[],
        matches!(done.as_str(), "saved" | "created"),
    ))
}

pub async fn new_form(
    State(state): State<Shared>,
    viewer: Viewer,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    authorise(
        &state,
        s,
        Purpose::Administration,
        Action::EditProfiles,
        Subject::Organisation,
    )
    .await?;
    let from = page_query(query).from;
    if from.is_empty() {
        return Ok(new_page(
            &state,
            &viewer,
            &ProfileForm::default(),
            &[],
            None,
        ));
    }
    let shown = org_profile(&state, &s.user.org, &from).await?;
    let mut form = shown
        .profile
        .as_ref()
        .map(ProfileForm::from_profile)
        .unwrap_or_default();
    form.name = format!("Copy of {}", shown.name);
    Ok(new_page(&state, &viewer, &form, &[], Some(&shown.name)))
}

pub async fn create(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    authorise(
        &state,
        s,
        Purpose::Administration,
        Action::EditProfiles,
        Subject::Organisation,
    )
    .await?;
    let form = ProfileForm::from_fields(&posted.fields);
    let id = profile_id(&form.name);
    let mut errors = Vec::new();
    if !form.name.is_empty() {
        if id.is_empty() {
            errors.push(FormError::new(
                "Enter a name that includes letters or numbers",
                "name",
            ));
        } else if org_profiles(&state, &s.user.org)
            .await?
            .iter()
            .any(|p| p.id == id)
        {
            errors.push(FormError::new(
                "A profile with this name already exists: choose another name, or change that profile",
                "name",
            ));
        }
    }
    let (profile, more) = form.build(if id.is_empty() { "profile" } else { &id });
    let errors = first_per_field(errors.into_iter().chain(more));
    if !errors.is_empty() {
        return Ok(new_page(&state, viewer, &form, &errors, None).into_response());
    }
    save_and_show(&state, s, &profile, "created").await
}

pub async fn update(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    authorise(
        &state,
        s,
        Purpose::Administration,
        Action::EditProfiles,
        Subject::Organisation,
    )
    .await?;
    let shown = org_profile(&state, &s.user.org, &id).await?;
    let form = ProfileForm::from_fields(&posted.fields);
    let (profile, errors) = form.build(&shown.id);
    if !errors.is_empty() {
        return Ok(profile_page(&state, viewer, &shown, &form, &errors, false).into_response());
    }
    save_and_show(&state, s, &profile, "saved").await
}

/// Saves a validated profile and sends the browser to its page, which says it was `done`.
async fn save_and_show(
    state: &Shared,
    s: &Session,
    profile: &RoleProfile,
    done: &str,
) -> Result<Response, PageError> {
    save(state, s, profile).await?;
    let to = format!("{}?done={done}", profile_url(Some(&profile.id)));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}
