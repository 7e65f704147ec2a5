//! Signing in with a local account: password, then (if set up) a TOTP code, then (with several
//! memberships) which organisation and role to act as. Each step after the password is a
//! pending session ([`Stage`]) that no portal handler accepts as signed in.
//!
//! Invariants:
//! - Responses never say whether a username exists: an unknown username, a wrong password and
//!   a locked account get the same page, after the same argon2id work.
//! - A client address over its failure budget ([`IpLimiter`]) is refused before any password
//!   is checked; every failed password or code counts against it and against the account
//!   (`lockout_threshold` failures lock it for `lockout_minutes`).
//! - A session acts only for a membership its user holds: a forged choice is refused and
//!   changes nothing (the store checks it in the same UPDATE).
use super::auth::{
    cookie, login_cookie_name, read_form, redirect, same_secret, session_cookie_name,
    session_token, set_cookie, verify_password, Posted,
};
use super::html::{attr, error_summary, html_escape, page, Nav, PageError};
use super::limiter::{client_ip, IpLimiter};
use super::oidc::OidcClient;
use super::totp::TotpKey;
use crate::issuance::random_token;
use crate::{now, Config, ServerError, Shared};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use passport_keystore::KdfParams;
use passport_store::{Stage, Store};
use std::net::IpAddr;

/// How long a sign-in may wait at a step after the password (code, enrolment, choice).
pub const PENDING_TTL_SECS: i64 = 600;

/// What signing in keeps in memory: the key sealing TOTP secrets, the per-address failure
/// counts and the single sign-on client.
pub struct SignInState {
    pub totp_key: TotpKey,
    pub limiter: IpLimiter,
    pub oidc: Option<OidcClient>,
}

impl SignInState {
    /// Derives the TOTP key (argon2id over the key store passphrase and this deployment's
    /// salt, kept in the database) and checks the single sign-on configuration.
    pub async fn build(
        config: &Config,
        store: &Store,
        kdf: KdfParams,
    ) -> Result<SignInState, ServerError> {
        let passphrase = config.keystore_passphrase.clone().unwrap_or_default();
        let mut salt = [0u8; 16];
        passport_store::fill_random(&mut salt);
        let salt = store
            .account_setting_or_insert("totp_key_salt", &passport_jose::b64::encode(salt))
            .await?;
        let salt = passport_jose::b64::decode(&salt)
            .map_err(|e| ServerError::Startup(format!("stored TOTP key salt: {e}")))?;
        let totp_key = TotpKey::derive(&passphrase, &salt, kdf)?;
        let oidc = match &config.oidc {
            Some(c) => Some(OidcClient::new(
                c.settle(&config.public_url())
                    .map_err(|e| ServerError::Startup(format!("configuration: {e}")))?,
            )?),
            None => None,
        };
        Ok(SignInState {
            totp_key,
            limiter: IpLimiter::new(config.ip_failure_limit, config.ip_failure_window_secs),
            oidc,
        })
    }
}

/// Why the sign-in page is shown again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Problem {
    None,
    /// Wrong username, password or code, or a locked account: one message for all.
    Refused,
    /// This client address failed too often; seconds to wait.
    TooMany(i64),
}

fn refused_message(state: &Shared) -> String {
    format!(
        "Username or password is wrong. After {} failed attempts an account is locked for {} minutes.",
        state.config.lockout_threshold, state.config.lockout_minutes
    )
}

fn too_many_message(wait: i64) -> String {
    format!(
        "There have been too many failed sign-ins from your network. Try again in {} minutes.",
        (wait + 59) / 60
    )
}

/// The sign-in page, with a fresh double-submit token in the cookie and the form.
pub(super) fn login_page(state: &Shared, username: &str, problem: Problem) -> Response {
    let token = random_token();
    let message = match problem {
        Problem::None => None,
        Problem::Refused => Some(refused_message(state)),
        Problem::TooMany(wait) => Some(too_many_message(wait)),
    };
    let (summary, group_class, error, described, input_error) = match &message {
        Some(m) => (
            error_summary(&[(m.clone(), "username".to_string())]),
            " nhsuk-form-group--error",
            format!(
                r#"<span class="nhsuk-error-message" id="username-error"><span class="nhsuk-u-visually-hidden">Error: </span>{}</span>"#,
                html_escape(m)
            ),
            r#" aria-describedby="username-error""#,
            " nhsuk-input--error",
        ),
        None => (String::new(), "", String::new(), "", ""),
    };
    let sso = match state.sign_in.oidc.as_ref() {
        Some(client) => format!(
            r#"<h2 class="nhsuk-heading-m">Or use single sign-on</h2>
<p><a class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" role="button" draggable="false" href="/portal/oidc/start">{}</a></p>"#,
            html_escape(&client.settings.label)
        ),
        None => String::new(),
    };
    let body = format!(
        r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
{summary}
<h1>Sign in</h1>
<p>Sign in with the account your organisation gave you.</p>
<form action="/portal/login" method="post" novalidate>
<input type="hidden" name="csrf" value="{token}">
<div class="nhsuk-form-group{group_class}">
<label class="nhsuk-label" for="username">Username</label>
{error}
<input class="nhsuk-input nhsuk-u-width-two-thirds{input_error}" id="username" name="username" type="text" value="{username}" autocomplete="username" spellcheck="false" autocapitalize="none"{described}>
</div>
<div class="nhsuk-form-group nhsuk-password-input" data-module="nhsuk-password-input">
<label class="nhsuk-label" for="password">Password</label>
<div class="nhsuk-input-wrapper">
<input class="nhsuk-input nhsuk-password-input__input nhsuk-js-password-input-input nhsuk-u-width-two-thirds" id="password" name="password" type="password" spellcheck="false" autocomplete="current-password" autocapitalize="none">
<button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-password-input__toggle nhsuk-js-password-input-toggle" data-module="nhsuk-button" type="button" aria-label="Show password" aria-controls="password" hidden>Show</button>
</div>
</div>
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Sign in</button>
</form>
{sso}
</div></div>"#,
        token = attr(&token),
        username = attr(username),
    );
    let title = if message.is_some() {
        "Error: Sign in"
    } else {
        "Sign in"
    };
    let status = match problem {
        Problem::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::OK,
    };
    let mut response = (status, Html(page(title, None, Nav::None, &body))).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, login_cookie_name(state), &token, 3600),
    );
    response
}

pub async fn login_form(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(token) = session_token(&state, &headers) {
        if state.store.session(&token, now()).await?.is_some() {
            return Ok(redirect("/portal"));
        }
    }
    Ok(login_page(&state, "", Problem::None))
}

fn lock_secs(state: &Shared) -> i64 {
    state.config.lockout_minutes.saturating_mul(60)
}

/// A failed password or code: counted against the client address and, if it names one,
/// the account.
pub(super) async fn count_failure(
    state: &Shared,
    ip: IpAddr,
    user_id: Option<&str>,
) -> Result<(), ServerError> {
    state.sign_in.limiter.failed(ip, now());
    if let Some(id) = user_id {
        if state
            .store
            .record_failed_sign_in(id, state.config.lockout_threshold, lock_secs(state), now())
            .await?
        {
            tracing::warn!(user = %id, "portal account locked after repeated failed sign-ins");
        }
    }
    Ok(())
}

pub async fn login(State(state): State<Shared>, req: Request) -> Result<Response, PageError> {
    let ip = client_ip(
        req.headers(),
        req.extensions(),
        state.config.client_ip_header.as_deref(),
    );
    let expected = cookie(req.headers(), login_cookie_name(&state))
        .unwrap_or("")
        .to_string();
    let previous = session_token(&state, req.headers());
    let fields = read_form(req, &state).await?;
    if !same_secret(fields.get("csrf").unwrap_or(""), &expected) {
        return Err(ServerError::Csrf.into());
    }
    let username = fields.get("username").unwrap_or("").trim().to_string();
    if let Some(wait) = state.sign_in.limiter.blocked(ip, now()) {
        tracing::info!(%ip, "portal sign-in refused: too many failures from this address");
        return Ok(login_page(&state, &username, Problem::TooMany(wait)));
    }
    let password = fields.get("password").unwrap_or("").to_string();
    let account = if username.is_empty() {
        None
    } else {
        state.store.account_by_username(&username).await?
    };
    // The argon2id work is done whatever happens next, so timing says nothing either.
    let ok = verify_password(account.as_ref().map(|a| a.password_hash.clone()), password).await;
    let account = match account {
        Some(a) if ok && !a.locked(now()) => a,
        Some(a) => {
            if !ok && !a.locked(now()) {
                count_failure(&state, ip, Some(&a.id)).await?;
            } else if !ok {
                state.sign_in.limiter.failed(ip, now());
            }
            tracing::info!("portal sign-in refused");
            return Ok(login_page(&state, &username, Problem::Refused));
        }
        None => {
            count_failure(&state, ip, None).await?;
            tracing::info!("portal sign-in refused");
            return Ok(login_page(&state, &username, Problem::Refused));
        }
    };
    // A new session every time: a token planted before sign-in never becomes a session.
    if let Some(old) = previous {
        state.store.end_session(&old).await?;
    }
    let next = if account.totp_secret.is_some() {
        Some((Stage::Totp, "/portal/login/code"))
    } else if state.config.totp_required {
        Some((Stage::Enrol, "/portal/account/two-step"))
    } else {
        None
    };
    let mut response = match next {
        Some((stage, to)) => {
            let token = random_token();
            state
                .store
                .start_session(
                    &account.id,
                    &token,
                    &random_token(),
                    stage,
                    None,
                    now(),
                    PENDING_TTL_SECS,
                )
                .await?;
            let mut r = redirect(to);
            r.headers_mut().append(
                header::SET_COOKIE,
                // The store ends a pending session after PENDING_TTL_SECS; the cookie lives as
                // long as the session it may become.
                set_cookie(
                    &state,
                    session_cookie_name(&state),
                    &token,
                    state.config.session_ttl_secs,
                ),
            );
            r
        }
        None => {
            state.store.clear_failed_sign_ins(&account.id).await?;
            let (token, to) = complete(&state, &account.id, None).await?;
            tracing::info!(user = %account.id, "portal sign-in");
            let mut r = redirect(to);
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    &state,
                    session_cookie_name(&state),
                    &token,
                    state.config.session_ttl_secs,
                ),
            );
            r
        }
    };
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, login_cookie_name(&state), "", 0),
    );
    Ok(response)
}

/// Every factor is checked: a user with one membership acts for it at once; with several, the
/// session waits at [`Stage::Choose`]. `existing` is a pending session (token, stage) to move
/// on; without one a new session is started. Returns the session token and where to go next.
pub(super) async fn complete(
    state: &Shared,
    user_id: &str,
    existing: Option<(&str, Stage)>,
) -> Result<(String, &'static str), ServerError> {
    let memberships = state.store.memberships(user_id).await?;
    let ttl = state.config.session_ttl_secs;
    let (token, moved) = match (existing, memberships.as_slice()) {
        (_, []) => {
            return Err(ServerError::Forbidden(
                "this account has no organisation to act for".into(),
            ))
        }
        (Some((token, from)), [only]) => (
            token.to_string(),
            state.store.act_as(token, from, only, now(), ttl).await?,
        ),
        (Some((token, from)), _) => (
            token.to_string(),
            from == Stage::Choose
                || state
                    .store
                    .advance_session(token, from, Stage::Choose, now())
                    .await?,
        ),
        (None, [only]) => {
            let token = random_token();
            let ok = state
                .store
                .start_session(
                    user_id,
                    &token,
                    &random_token(),
                    Stage::Active,
                    Some(only),
                    now(),
                    ttl,
                )
                .await?;
            (token, ok)
        }
        (None, _) => {
            let token = random_token();
            let ok = state
                .store
                .start_session(
                    user_id,
                    &token,
                    &random_token(),
                    Stage::Choose,
                    None,
                    now(),
                    PENDING_TTL_SECS,
                )
                .await?;
            (token, ok)
        }
    };
    if !moved {
        return Err(ServerError::Unauthenticated);
    }
    let to = if memberships.len() == 1 {
        "/portal"
    } else {
        "/portal/organisation"
    };
    Ok((token, to))
}

/// The pending session of a request at `stage`: (token, user id, CSRF token).
pub(super) async fn pending(
    state: &Shared,
    headers: &HeaderMap,
    stage: Stage,
) -> Result<Option<(String, String, String)>, ServerError> {
    let Some(token) = session_token(state, headers) else {
        return Ok(None);
    };
    Ok(state
        .store
        .pending_session(&token, now())
        .await?
        .filter(|p| p.stage == stage)
        .map(|p| (token, p.user_id, p.csrf)))
}

pub async fn logout(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    state.store.end_session(posted.viewer.token()).await?;
    let mut response = redirect("/portal/login");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, session_cookie_name(&state), "", 0),
    );
    Ok(response)
}
