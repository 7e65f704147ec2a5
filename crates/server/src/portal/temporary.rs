//! Temporary arrangements (honorary contracts, secondments, licences to attend, collaborative
//! bank shifts): the list, active, upcoming, waiting and ended; the new-arrangement form and
//! its handler. One arrangement's page and HR's decisions are in `temporary_page.rs`.
use super::auth::{Posted, Viewer};
use super::html::{attr, html_escape, tag, url_part, Nav, PageError};
use super::policy::{authorise, may, Action, Purpose, Subject};
use super::render;
use super::temporary_form::{form_page, FormValues};
use crate::temporary::{self, kind_label};
use crate::verifier::response::date_of;
use crate::{now, ServerError, Shared};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_compliance::RoleProfile;
use passport_store::{MovementState, RequestStatus, TemporaryMovement};
use std::fmt::Write;

/// Which list an arrangement is in on `today` (`YYYY-MM-DD`), and its status tag.
fn place(m: &TemporaryMovement, today: &str, now: i64) -> (usize, String) {
    match m.state {
        MovementState::Active if m.start_date.as_str() > today => (1, tag("Upcoming", "blue")),
        MovementState::Active if m.end_date.as_str() < today => (0, tag("Ending", "orange")),
        MovementState::Active => (0, tag("Active", "green")),
        MovementState::Requested => {
            let status = match m.request_status {
                RequestStatus::Responded => tag("Report ready", "blue"),
                RequestStatus::Declined => tag("Declined by the person", "red"),
                _ if m.request_expires_at <= now => tag("Expired", "grey"),
                _ => tag("Waiting for the person", "yellow"),
            };
            (2, status)
        }
        MovementState::Ended => (3, tag("Ended", "grey")),
        MovementState::Rejected => (3, tag("Not accepted", "red")),
    }
}

const SECTIONS: [(&str, &str, &str); 4] = [
    (
        "active",
        "Active now",
        "No one is here on a temporary arrangement today.",
    ),
    (
        "upcoming",
        "Upcoming",
        "No accepted arrangement starts later.",
    ),
    (
        "waiting",
        "Waiting for the passport or a decision",
        "Nothing is waiting.",
    ),
    ("ended", "Ended or not accepted", "None yet."),
];

pub async fn list(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    let action = Action::ViewTemporaryMovements;
    let access = authorise(&state, s, Purpose::Transfer, action, Subject::Organisation).await?;
    let movements = state.store.temporary_movements(access.org(), 500).await?;
    let now = now();
    let today = date_of(now).to_string();
    let mut rows: [String; 4] = Default::default();
    for m in &movements {
        let (section, status) = place(m, &today, now);
        let bank = m
            .bank
            .as_deref()
            .and_then(|b| state.config.temporary.bank(b))
            .map_or(String::new(), |b| format!(" ({})", html_escape(&b.name)));
        let _ = write!(
            rows[section],
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell"><a href="/portal/temporary/{id}">{name}</a></td><td class="nhsuk-table__cell">{kind}{bank}</td><td class="nhsuk-table__cell">{home}</td><td class="nhsuk-table__cell">{start} to {end}</td><td class="nhsuk-table__cell">{status}</td></tr>"#,
            id = attr(&url_part(&m.id)),
            name = html_escape(&m.person_name),
            kind = html_escape(kind_label(&m.kind)),
            home = html_escape(&m.home_org),
            start = html_escape(&m.start_date),
            end = html_escape(&m.end_date),
        );
    }
    let mut body = String::from(
        r#"<h1>Temporary arrangements</h1>
<p>People who stay employed by their own trust and work here for a fixed time: honorary contracts, secondments, licences to attend and collaborative bank shifts. Their passport is checked as for a transfer; an accepted arrangement ends by itself after its last day, and the systems subscribed to this organisation's webhooks are told when it starts and when it ends.</p>"#,
    );
    if may(s, Action::CreateTemporaryMovement) {
        body.push_str(
            r#"<a class="nhsuk-button" href="/portal/temporary/new">New temporary arrangement</a>"#,
        );
    }
    for ((id, heading, none), rows) in SECTIONS.iter().zip(&rows) {
        let _ = write!(body, r#"<h2 id="{id}-heading">{heading}</h2>"#);
        if rows.is_empty() {
            let _ = write!(body, r#"<p id="{id}">{none}</p>"#);
        } else {
            let _ = write!(
                body,
                r#"<table class="nhsuk-table" id="{id}" aria-labelledby="{id}-heading"><thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th scope="col" class="nhsuk-table__header">Person</th><th scope="col" class="nhsuk-table__header">Kind</th><th scope="col" class="nhsuk-table__header">Employed by</th><th scope="col" class="nhsuk-table__header">Period</th><th scope="col" class="nhsuk-table__header">Status</th></tr></thead><tbody class="nhsuk-table__body">{rows}</tbody></table>"#
            );
        }
    }
    Ok(render(
        &state,
        &viewer,
        "Temporary arrangements",
        Nav::Transfers,
        &body,
    ))
}

pub async fn new_form(
    State(state): State<Shared>,
    viewer: Viewer,
) -> Result<Html<String>, PageError> {
    let action = Action::CreateTemporaryMovement;
    authorise(
        &state,
        &viewer.session,
        Purpose::Transfer,
        action,
        Subject::Nothing,
    )
    .await?;
    form_page(&state, &viewer, &FormValues::default(), &[]).await
}

pub async fn create(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    let action = Action::CreateTemporaryMovement;
    let access = authorise(&state, s, Purpose::Transfer, action, Subject::Nothing).await?;
    let v = FormValues::read(&posted.fields);
    let stored = state.store.profile(access.org(), &v.profile).await?;
    let profile = stored.and_then(|p| RoleProfile::from_json(&p.body).ok());
    let now = now();
    let checked = v.input(profile.as_ref()).and_then(|input| {
        let problems = temporary::check(&state, access.org(), &input, date_of(now));
        if problems.is_empty() {
            Ok(input)
        } else {
            Err(problems
                .into_iter()
                .map(|p| (p.message, p.field.to_string()))
                .collect())
        }
    });
    let input = match checked {
        Ok(input) => input,
        Err(errors) => {
            let page = form_page(&state, viewer, &v, &errors).await?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    // `input` succeeds only with a profile.
    let Some(profile) = profile else {
        return Err(ServerError::BadRequest("choose the role they are coming for".into()).into());
    };
    let (id, request_id) =
        temporary::create(&state, access.org(), &s.user.id, &profile, &input, now).await?;
    let detail = format!(
        "{}, profile {}, request {request_id}",
        input.kind, profile.id
    );
    access
        .record(&state, "temporary-movement-requested", &id, &detail)
        .await?;
    tracing::info!(user = %s.user.id, movement = %id, "temporary arrangement requested");
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/portal/temporary/{}", url_part(&id)),
        )],
    )
        .into_response())
}
