//! Choosing which organisation and role to act as: straight after signing in (a session waiting
//! at [`Stage::Choose`]) and at any time later (switching, from the header). The store moves
//! the session only to a membership its user holds, in the same UPDATE that checks it, so a
//! forged choice is refused and changes nothing.
use super::auth::{read_form, redirect, same_secret, session_token};
use super::html::{attr, csrf_field, error_summary, html_escape, page, role_label, Nav, PageError};
use super::signin::pending;
use crate::{now, ServerError, Shared};
use axum::extract::{Request, State};
use axum::http::header::HeaderMap;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use passport_store::{Membership, Stage};

fn membership_value(m: &Membership) -> String {
    format!("{}:{}", m.org, m.role)
}

fn org_label(state: &Shared, ods: &str) -> String {
    state
        .issuers
        .get(ods)
        .map_or_else(|| ods.to_string(), |i| format!("{} ({ods})", i.name))
}

fn choose_page(
    state: &Shared,
    csrf: &str,
    memberships: &[Membership],
    current: Option<&Membership>,
    missing: bool,
) -> String {
    let message = "Select the organisation and role to act as";
    let mut radios = String::new();
    for (i, m) in memberships.iter().enumerate() {
        let checked = if current == Some(m) { " checked" } else { "" };
        radios.push_str(&format!(
            r#"<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="membership-{i}" name="membership" type="radio" value="{value}"{checked}><label class="nhsuk-label nhsuk-radios__label" for="membership-{i}">{org}, {role}</label></div>"#,
            value = attr(&membership_value(m)),
            org = html_escape(&org_label(state, &m.org)),
            role = html_escape(&role_label(&m.role)),
        ));
    }
    let (summary, group, error) = if missing {
        (
            error_summary(&[(message.to_string(), "membership-0".to_string())]),
            " nhsuk-form-group--error",
            format!(
                r#"<span class="nhsuk-error-message" id="membership-error"><span class="nhsuk-u-visually-hidden">Error: </span>{message}</span>"#
            ),
        )
    } else {
        (String::new(), "", String::new())
    };
    format!(
        r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
{summary}
<form action="/portal/organisation" method="post" novalidate>
{csrf}
<div class="nhsuk-form-group{group}">
<fieldset class="nhsuk-fieldset"{described}>
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l"><h1 class="nhsuk-fieldset__heading">Which organisation are you working for?</h1></legend>
<div class="nhsuk-hint" id="membership-hint">You can switch later from the link at the top of every page.</div>
{error}
<div class="nhsuk-radios">{radios}</div>
</fieldset>
</div>
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Continue</button>
</form>
</div></div>"#,
        csrf = csrf_field(csrf),
        described = if missing {
            r#" aria-describedby="membership-hint membership-error""#
        } else {
            r#" aria-describedby="membership-hint""#
        },
    )
}

/// The session of a request that may choose a membership: active (switching) or pending at
/// [`Stage::Choose`]. (token, user id, CSRF token, membership acted for now).
async fn chooser(
    state: &Shared,
    headers: &HeaderMap,
) -> Result<Option<(String, String, String, Option<Membership>)>, ServerError> {
    let Some(token) = session_token(state, headers) else {
        return Ok(None);
    };
    if let Some(s) = state.store.session(&token, now()).await? {
        let current = Membership::new(&s.user.org, &s.user.role);
        return Ok(Some((token, s.user.id, s.csrf, Some(current))));
    }
    Ok(pending(state, headers, Stage::Choose)
        .await?
        .map(|(token, user, csrf)| (token, user, csrf, None)))
}

pub async fn choose_form(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some((_, user_id, csrf, current)) = chooser(&state, &headers).await? else {
        return Ok(redirect("/portal/login"));
    };
    let memberships = state.store.memberships(&user_id).await?;
    let body = choose_page(&state, &csrf, &memberships, current.as_ref(), false);
    Ok(Html(page(
        "Which organisation are you working for?",
        None,
        Nav::None,
        &body,
    ))
    .into_response())
}

pub async fn choose(State(state): State<Shared>, req: Request) -> Result<Response, PageError> {
    let found = chooser(&state, req.headers()).await?;
    let fields = read_form(req, &state).await?;
    let Some((token, user_id, csrf, current)) = found else {
        return Ok(redirect("/portal/login"));
    };
    if !same_secret(fields.get("csrf").unwrap_or(""), &csrf) {
        return Err(ServerError::Csrf.into());
    }
    let memberships = state.store.memberships(&user_id).await?;
    let Some((org, role)) = fields.get("membership").and_then(|v| v.split_once(':')) else {
        let body = choose_page(&state, &csrf, &memberships, current.as_ref(), true);
        let title = "Error: Which organisation are you working for?";
        return Ok((
            StatusCode::BAD_REQUEST,
            Html(page(title, None, Nav::None, &body)),
        )
            .into_response());
    };
    let chosen = Membership::new(org, role);
    let ttl = state.config.session_ttl_secs;
    if !state
        .store
        .act_as(&token, Stage::Choose, &chosen, now(), ttl)
        .await?
    {
        tracing::warn!(user = %user_id, "refused a choice of a membership the user does not hold");
        return Err(ServerError::Forbidden(
            "act for an organisation or role you do not hold".into(),
        )
        .into());
    }
    tracing::info!(user = %user_id, org = %chosen.org, role = %chosen.role, "portal: acting for membership");
    Ok(redirect("/portal"))
}
