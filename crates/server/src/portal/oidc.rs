//! Single sign-on: OpenID Connect authorisation code flow with PKCE (S256), as NHS identity
//! providers use it. The provider is configured per deployment (`[oidc]`, see
//! [`super::oidc_config`]); its endpoints come from discovery and its keys from its JWKS.
//!
//! Invariants:
//! - `state` (256 bits) is bound to the browser by a cookie and to the server by a stored flow
//!   (its hash) that is taken once: a callback with another state, from another browser, or
//!   replayed, is refused and signs nobody in.
//! - `nonce` and the PKCE code verifier are random per flow and kept server-side; the ID token
//!   must carry that nonce ([`super::oidc_token`] checks it with iss, aud, exp, iat and the
//!   signature).
//! - The user is the local account linked to (issuer, the configured claim's value). An
//!   identity not linked is refused with a page that says so: accounts are never created here.
//! - Provider endpoints must be https (http only on loopback), and discovery's `issuer` must be
//!   exactly the configured one.
use super::auth::{
    cookie, redirect, same_secret, session_cookie_name, session_token, set_cookie,
    set_cookie_same_site,
};
use super::html::{attr, html_escape, page, Nav, PageError};
pub use super::oidc_client::{OidcClient, OidcError};
use super::oidc_token;
use super::signin::complete;
use crate::issuance::random_token;
use crate::{now, ServerError, Shared};
use axum::extract::{Query, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

/// How long the browser may take at the provider.
pub const FLOW_TTL_SECS: i64 = 600;
fn flow_cookie_name(state: &Shared) -> &'static str {
    if state.config.secure_cookies {
        "__Host-passport_oidc"
    } else {
        "passport_oidc"
    }
}

/// A sign-in that did not happen, as a page: what went wrong and a way back. The flow's cookie
/// is cleared (the flow is spent), except by [`mismatch`].
fn refusal(state: &Shared, status: StatusCode, title: &str, detail: &str) -> Response {
    let body = format!(
        r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds"><h1>{}</h1><p>{}</p><p><a href="/portal/login">Go back to the sign-in page</a></p></div></div>"#,
        html_escape(title),
        html_escape(detail)
    );
    let mut response = (status, Html(page(title, None, Nav::None, &body))).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie_same_site(state, flow_cookie_name(state), "", 0, "Lax"),
    );
    response
}

/// A callback whose `state` is not this browser's: refused without touching the browser's own
/// flow (a link planted by someone else must not cancel a sign-in in progress).
fn mismatch(state: &Shared) -> Response {
    let mut response = failed(
        state,
        "This sign-in was not started in this browser, or it has expired",
    );
    response.headers_mut().remove(header::SET_COOKIE);
    response
}

fn failed(state: &Shared, why: &str) -> Response {
    tracing::info!(reason = %why, "portal single sign-on refused");
    refusal(
        state,
        StatusCode::BAD_REQUEST,
        "You could not be signed in",
        &format!("{why}. Start again from the sign-in page."),
    )
}

/// `/portal/oidc/start`: a new flow, then off to the provider.
pub async fn start(State(state): State<Shared>) -> Result<Response, PageError> {
    let Some(client) = state.sign_in.oidc.as_ref() else {
        return Err(ServerError::NotFound("single sign-on is not set up".into()).into());
    };
    let provider = match client.provider().await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("single sign-on: {e}");
            return Ok(refusal(
                &state,
                StatusCode::BAD_GATEWAY,
                "Single sign-on is not available",
                "The sign-in service could not be reached. Try again later, or sign in with a username and password.",
            ));
        }
    };
    let (flow_state, nonce, verifier) = (random_token(), random_token(), random_token());
    state
        .store
        .create_oidc_flow(&flow_state, &nonce, &verifier, now(), FLOW_TTL_SECS)
        .await?;
    let url = client.authorization_url(
        &provider.authorization_endpoint,
        &flow_state,
        &nonce,
        &verifier,
    );
    let mut response = redirect(&url);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie_same_site(
            &state,
            flow_cookie_name(&state),
            &flow_state,
            FLOW_TTL_SECS,
            "Lax",
        ),
    );
    Ok(response)
}

/// `/portal/oidc/callback`: the provider sends the browser back with `code` and `state`.
pub async fn callback(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(client) = state.sign_in.oidc.as_ref() else {
        return Err(ServerError::NotFound("single sign-on is not set up".into()).into());
    };
    let sent_state = query.get("state").map(String::as_str).unwrap_or("");
    let browser_state = cookie(&headers, flow_cookie_name(&state)).unwrap_or("");
    if !same_secret(sent_state, browser_state) {
        return Ok(mismatch(&state));
    }
    let Some((nonce, verifier)) = state.store.take_oidc_flow(sent_state, now()).await? else {
        return Ok(failed(
            &state,
            "This sign-in has expired or has already been used",
        ));
    };
    // RFC 9207: a provider that names itself in the response must be ours (mix-up defence).
    if query
        .get("iss")
        .is_some_and(|iss| iss != &client.settings.issuer)
    {
        return Ok(failed(
            &state,
            "The response came from another sign-in service",
        ));
    }
    if let Some(error) = query.get("error") {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        return Ok(failed(
            &state,
            &format!("The sign-in service did not sign you in ({error})"),
        ));
    }
    let Some(code) = query.get("code").filter(|c| !c.is_empty()) else {
        return Ok(failed(
            &state,
            "The sign-in service sent no authorisation code",
        ));
    };
    let provider = match client.provider().await {
        Ok(p) => p,
        Err(e) => return Ok(failed(&state, &e.to_string())),
    };
    let claims = match client
        .exchange(&provider.token_endpoint, code, &verifier)
        .await
    {
        Ok(id_token) => client.verify(&id_token, &provider.keys, &nonce).await,
        Err(e) => Err(e),
    };
    let claims = match claims {
        Ok(c) => c,
        Err(e) => return Ok(failed(&state, &upper_first(&e.to_string()))),
    };
    let subject = match oidc_token::user_name_claim(&claims, &client.settings.user_claim) {
        Ok(s) => s,
        Err(e) => return Ok(failed(&state, &upper_first(&e.to_string()))),
    };
    let issuer = &client.settings.issuer;
    let Some(user_id) = state.store.user_by_identity(issuer, &subject).await? else {
        tracing::info!(%issuer, %subject, "single sign-on: identity not linked to an account");
        return Ok(refusal(
            &state,
            StatusCode::FORBIDDEN,
            "Your account is not set up for this portal",
            &format!(
                "You signed in as {subject}, but no portal account is linked to that identity. Ask your organisation's portal administrator to link it (identity {subject} at {issuer})."
            ),
        ));
    };
    // An account an administrator (or repeated failures) locked stays locked whichever way in.
    let locked = state
        .store
        .account(&user_id)
        .await?
        .map(|a| a.locked(now()));
    if locked != Some(false) {
        tracing::info!(user = %user_id, "single sign-on: account locked");
        return Ok(refusal(
            &state,
            StatusCode::FORBIDDEN,
            "Your account is locked",
            "Your portal account is locked for now. Try again later, or ask your organisation's portal administrator to unlock it.",
        ));
    }
    if let Some(old) = session_token(&state, &headers) {
        state.store.end_session(&old).await?;
    }
    let (token, to) = match complete(&state, &user_id, None).await {
        Ok(done) => done,
        Err(ServerError::Forbidden(why)) => {
            return Ok(refusal(
                &state,
                StatusCode::FORBIDDEN,
                "You cannot use this portal",
                &upper_first(&why),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user = %user_id, "portal sign-in by single sign-on");
    // A page, not a redirect: the session cookie is SameSite=Strict, and a navigation that
    // began at the provider's site would not send it. The refresh starts on our own site.
    let body = format!(
        r#"<meta http-equiv="refresh" content="0;url={to}"><div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds"><h1>You are signed in</h1><p><a href="{to}" id="continue">Continue to the portal</a></p></div></div>"#,
        to = attr(to)
    );
    let mut response = Html(page("You are signed in", None, Nav::None, &body)).into_response();
    let h = response.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(
            &state,
            session_cookie_name(&state),
            &token,
            state.config.session_ttl_secs,
        ),
    );
    h.append(
        header::SET_COOKIE,
        set_cookie_same_site(&state, flow_cookie_name(&state), "", 0, "Lax"),
    );
    Ok(response)
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
