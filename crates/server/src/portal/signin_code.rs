//! The second factor at sign-in: after a right password, an account with TOTP set up waits at
//! [`Stage::Totp`] for a code. A wrong or replayed code counts against the account (lockout)
//! and the client address like a wrong password; the account's lock ends the pending session.
use super::auth::{read_form, redirect, same_secret};
use super::html::{csrf_field, error_summary, page, Nav, PageError};
use super::limiter::client_ip;
use super::signin::{complete, count_failure, login_page, pending, Problem};
use super::totp;
use crate::{now, ServerError, Shared};
use axum::extract::{Request, State};
use axum::http::header::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use passport_store::Stage;

fn code_page(csrf: &str, wrong: bool) -> Response {
    let message = "The code is wrong or has already been used. Enter the code your authenticator app shows now.";
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
    let body = format!(
        r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
{summary}
<h1>Enter your security code</h1>
<form action="/portal/login/code" method="post" novalidate>
{csrf}
<div class="nhsuk-form-group{group}">
<label class="nhsuk-label" for="code">Security code</label>
<div class="nhsuk-hint" id="code-hint">The 6-digit code from the authenticator app you set up for this account.</div>
{error}
<input class="nhsuk-input nhsuk-input--width-10{input_error}" id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" spellcheck="false"{described}>
</div>
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Continue</button>
</form>
<p><a href="/portal/login">Sign in as someone else</a></p>
</div></div>"#,
        csrf = csrf_field(csrf),
    );
    let title = if wrong {
        "Error: Enter your security code"
    } else {
        "Enter your security code"
    };
    Html(page(title, None, Nav::None, &body)).into_response()
}

pub async fn code_form(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match pending(&state, &headers, Stage::Totp).await? {
        Some((_, _, csrf)) => Ok(code_page(&csrf, false)),
        None => Ok(redirect("/portal/login")),
    }
}

pub async fn code(State(state): State<Shared>, req: Request) -> Result<Response, PageError> {
    let ip = client_ip(
        req.headers(),
        req.extensions(),
        state.config.client_ip_header.as_deref(),
    );
    let found = pending(&state, req.headers(), Stage::Totp).await?;
    let fields = read_form(req, &state).await?;
    let Some((token, user_id, csrf)) = found else {
        return Ok(redirect("/portal/login"));
    };
    if !same_secret(fields.get("csrf").unwrap_or(""), &csrf) {
        return Err(ServerError::Csrf.into());
    }
    if let Some(wait) = state.sign_in.limiter.blocked(ip, now()) {
        state.store.end_session(&token).await?;
        return Ok(login_page(&state, "", Problem::TooMany(wait)));
    }
    let account = state
        .store
        .account(&user_id)
        .await?
        .ok_or(ServerError::Unauthenticated)?;
    let secret = match (&account.totp_secret, account.locked(now())) {
        (Some(sealed), false) => state.sign_in.totp_key.open(&account.id, sealed)?,
        _ => {
            state.store.end_session(&token).await?;
            return Ok(login_page(&state, &account.username, Problem::Refused));
        }
    };
    let step = totp::matching_step(&secret, fields.get("code").unwrap_or(""), now());
    let accepted = match step {
        Some(step) => state.store.use_totp_step(&account.id, step).await?,
        None => false,
    };
    if !accepted {
        count_failure(&state, ip, Some(&account.id)).await?;
        tracing::info!(user = %account.id, "portal sign-in: TOTP code refused");
        let now_locked = state
            .store
            .account(&account.id)
            .await?
            .is_some_and(|a| a.locked(now()));
        if now_locked {
            state.store.end_session(&token).await?;
            return Ok(login_page(&state, &account.username, Problem::Refused));
        }
        return Ok(code_page(&csrf, true));
    }
    state.store.clear_failed_sign_ins(&account.id).await?;
    let (_, to) = complete(&state, &account.id, Some((&token, Stage::Totp))).await?;
    tracing::info!(user = %account.id, "portal sign-in with TOTP");
    Ok(redirect(to))
}
