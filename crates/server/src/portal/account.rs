//! The signed-in user's own account: memberships, two-step verification (TOTP enrolment) and
//! whether single sign-on is linked.
//!
//! Enrolment: each visit to the page offers a new random secret (sealed, kept as pending) as an
//! `otpauth://` URI and its QR code; the secret becomes the account's only when a code made from
//! it is entered, and is never shown again after that. A deployment with `totp_required` sends
//! a local account without TOTP here straight after its password ([`Stage::Enrol`]).
use super::auth::{read_form, redirect, same_secret, Viewer};
use super::html::{
    attr, csrf_field, error_summary, html_escape, page, role_label, success_banner, summary_list,
    Nav, PageError,
};
use super::offers::qr_svg_labelled;
use super::signin::{complete, pending};
use super::totp;
use crate::{now, ServerError, Shared};
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use passport_store::Stage;
use std::collections::HashMap;

/// Who is at the enrolment page: a signed-in user, or one whose sign-in waits for enrolment.
enum Enroller {
    Active(Box<Viewer>),
    Pending {
        token: String,
        user_id: String,
        csrf: String,
    },
}

impl Enroller {
    fn user_id(&self) -> &str {
        match self {
            Enroller::Active(v) => &v.session.user.id,
            Enroller::Pending { user_id, .. } => user_id,
        }
    }

    fn csrf(&self) -> &str {
        match self {
            Enroller::Active(v) => &v.session.csrf,
            Enroller::Pending { csrf, .. } => csrf,
        }
    }
}

async fn enroller(state: &Shared, parts: &mut Parts) -> Result<Option<Enroller>, ServerError> {
    if let Ok(viewer) = Viewer::from_request_parts(parts, state).await {
        return Ok(Some(Enroller::Active(Box::new(viewer))));
    }
    Ok(pending(state, &parts.headers, Stage::Enrol)
        .await?
        .map(|(token, user_id, csrf)| Enroller::Pending {
            token,
            user_id,
            csrf,
        }))
}

fn show(state: &Shared, who: &Enroller, title: &str, body: &str) -> Response {
    match who {
        Enroller::Active(v) => super::render(state, v, title, Nav::None, body).into_response(),
        Enroller::Pending { .. } => Html(page(title, None, Nav::None, body)).into_response(),
    }
}

fn enrol_body(
    csrf: &str,
    username: &str,
    secret: &[u8],
    wrong: bool,
) -> Result<String, ServerError> {
    let uri = totp::otpauth_uri(username, secret);
    let qr = qr_svg_labelled(
        &uri,
        "totp-qr",
        "QR code to add this account to an authenticator app",
    )?;
    let key: Vec<String> = totp::base32(secret)
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let message = "The code is wrong. Enter the 6-digit code your authenticator app shows now.";
    let (summary, group, error, input_error, described) = if wrong {
        (
            error_summary(&[(message.to_string(), "code".to_string())]),
            " nhsuk-form-group--error",
            format!(
                r#"<span class="nhsuk-error-message" id="code-error"><span class="nhsuk-u-visually-hidden">Error: </span>{message}</span>"#
            ),
            " nhsuk-input--error",
            r#" aria-describedby="code-hint code-error""#,
        )
    } else {
        (
            String::new(),
            "",
            String::new(),
            "",
            r#" aria-describedby="code-hint""#,
        )
    };
    Ok(format!(
        r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
{summary}
<h1>Set up two-step verification</h1>
<p>Each time you sign in you will enter a code from an authenticator app on your phone as well as your password.</p>
<ol class="nhsuk-list nhsuk-list--number">
<li>Open an authenticator app (for example Microsoft Authenticator or Google Authenticator) and add an account.</li>
<li>Scan this QR code with it.</li>
<li>Enter the 6-digit code the app shows.</li>
</ol>
<div class="nhsuk-u-margin-bottom-4">{qr}</div>
<details class="nhsuk-details">
<summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">I cannot scan the QR code</span></summary>
<div class="nhsuk-details__text">
<p>Enter this key in the app instead (time-based):</p>
<p class="app-offer-link" id="totp-key">{key}</p>
<p>Or open this link on the device with the app:</p><p class="app-offer-link"><a href="{uri_attr}" id="totp-uri">{uri}</a></p>
</div>
</details>
<form action="/portal/account/two-step" method="post" novalidate>
{csrf}
<div class="nhsuk-form-group{group}">
<label class="nhsuk-label" for="code">Code from the app</label>
<div class="nhsuk-hint" id="code-hint">6 digits, for example 123456</div>
{error}
<input class="nhsuk-input nhsuk-input--width-10{input_error}" id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" spellcheck="false"{described}>
</div>
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Turn on two-step verification</button>
</form>
</div></div>"#,
        key = html_escape(&key.join(" ")),
        uri = html_escape(&uri),
        uri_attr = attr(&uri),
        csrf = csrf_field(csrf),
    ))
}

const TITLE: &str = "Set up two-step verification";

pub async fn two_step_form(
    State(state): State<Shared>,
    req: Request,
) -> Result<Response, PageError> {
    let (mut parts, _) = req.into_parts();
    let Some(who) = enroller(&state, &mut parts).await? else {
        return Ok(redirect("/portal/login"));
    };
    let account = state
        .store
        .account(who.user_id())
        .await?
        .ok_or(ServerError::Unauthenticated)?;
    if account.totp_secret.is_some() {
        return Ok(redirect("/portal/account"));
    }
    let secret = totp::new_secret();
    let sealed = state.sign_in.totp_key.seal(&account.id, &secret)?;
    state.store.set_totp_pending(&account.id, &sealed).await?;
    let body = enrol_body(who.csrf(), &account.username, &secret, false)?;
    Ok(show(&state, &who, TITLE, &body))
}

pub async fn two_step(State(state): State<Shared>, req: Request) -> Result<Response, PageError> {
    let (mut parts, body) = req.into_parts();
    let who = enroller(&state, &mut parts).await?;
    let fields = read_form(Request::from_parts(parts, body), &state).await?;
    let Some(who) = who else {
        return Ok(redirect("/portal/login"));
    };
    if !same_secret(fields.get("csrf").unwrap_or(""), who.csrf()) {
        return Err(ServerError::Csrf.into());
    }
    let account = state
        .store
        .account(who.user_id())
        .await?
        .ok_or(ServerError::Unauthenticated)?;
    let Some(sealed) = state.store.totp_pending(&account.id).await? else {
        return Ok(redirect("/portal/account/two-step"));
    };
    let secret = state.sign_in.totp_key.open(&account.id, &sealed)?;
    let step = totp::matching_step(&secret, fields.get("code").unwrap_or(""), now());
    let enabled = match step {
        Some(step) => state.store.enable_totp(&account.id, &sealed, step).await?,
        None => false,
    };
    if !enabled {
        let body = enrol_body(who.csrf(), &account.username, &secret, true)?;
        return Ok(show(&state, &who, &format!("Error: {TITLE}"), &body));
    }
    tracing::info!(user = %account.id, "portal: two-step verification turned on");
    match who {
        Enroller::Active(_) => Ok(redirect("/portal/account?done=two-step")),
        Enroller::Pending { token, .. } => {
            state.store.clear_failed_sign_ins(&account.id).await?;
            let (_, to) = complete(&state, &account.id, Some((&token, Stage::Enrol))).await?;
            Ok(redirect(to))
        }
    }
}

pub async fn page_view(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let user = &viewer.session.user;
    let account = state
        .store
        .account(&user.id)
        .await?
        .ok_or(ServerError::Unauthenticated)?;
    let linked = state.store.identity_count(&user.id).await? > 0;
    let org_name = |ods: &str| {
        state
            .issuers
            .get(ods)
            .map_or_else(|| ods.to_string(), |i| i.name.clone())
    };
    let mut memberships = String::from(r#"<ul class="nhsuk-list">"#);
    for m in &viewer.memberships {
        let acting = if m.org == user.org && m.role == user.role {
            " (acting now)"
        } else {
            ""
        };
        memberships.push_str(&format!(
            "<li>{}, {}{acting}</li>",
            html_escape(&org_name(&m.org)),
            html_escape(&role_label(&m.role))
        ));
    }
    memberships.push_str("</ul>");
    if viewer.memberships.len() > 1 {
        memberships
            .push_str(r#"<p><a href="/portal/organisation">Switch organisation or role</a></p>"#);
    }
    let two_step = if account.password_hash == passport_store::NO_PASSWORD {
        "Not needed: this account signs in only through single sign-on.".to_string()
    } else if account.totp_secret.is_some() {
        "On: you enter a code from your authenticator app when you sign in with your password."
            .to_string()
    } else {
        r#"Not set up. <a href="/portal/account/two-step">Set up two-step verification</a>"#
            .to_string()
    };
    let sso = if linked {
        "Linked: you can sign in with your organisation's single sign-on."
    } else {
        "Not linked."
    };
    let banner = if query.get("done").map(String::as_str) == Some("two-step") {
        success_banner("Two-step verification is on")
    } else {
        String::new()
    };
    let body = format!(
        r#"{banner}<h1>Your account</h1>{}"#,
        summary_list(&[
            ("Name".into(), html_escape(&user.display_name)),
            ("Username".into(), html_escape(&account.username)),
            ("Organisations and roles".into(), memberships),
            ("Two-step verification".into(), two_step),
            ("Single sign-on".into(), html_escape(sso)),
        ])
    );
    Ok(super::render(&state, &viewer, "Your account", Nav::None, &body).into_response())
}
