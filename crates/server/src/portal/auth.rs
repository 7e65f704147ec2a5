//! Signing in and out, sessions and CSRF.
//!
//! - Passwords: argon2id (the `argon2` crate's defaults: m = 19 MiB, t = 2, p = 1), hashed and
//!   verified on the blocking pool. Verification compares in constant time, and an unknown
//!   username is checked against a dummy hash so both failures take as long and read the same.
//! - Sessions: a 32-byte random token (base64url) in an `HttpOnly; SameSite=Strict; Path=/`
//!   cookie, `__Host-passport_session` with `Secure` when `secure_cookies` is on (the default),
//!   `passport_session` without `Secure` otherwise (plain-http demo). The store keeps only the
//!   token's hash, the expiry and the session's CSRF token.
//! - CSRF: every POST form carries the session's CSRF token in a hidden `csrf` field; the
//!   [`Posted`] extractor compares it in constant time before a handler sees the form, so a
//!   POST handler cannot forget the check. The sign-in form, which has no session yet, uses a
//!   double-submit token: a random value in a `__Host-passport_login` (or `passport_login`)
//!   cookie that must equal the form's hidden field. Another site can neither read that cookie
//!   nor set it (`__Host-` forbids `Domain`, SameSite=Strict keeps it off cross-site posts).
use super::html::{attr, error_summary, page, Nav, PageError};
use crate::issuance::random_token;
use crate::{now, ServerError, Shared};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use passport_store::Session;
use std::sync::OnceLock;

/// Hashes a password with argon2id and a random 128-bit salt, as a PHC string. For creating
/// users (the demo seeding, an admin tool).
pub async fn hash_password(password: &str) -> Result<String, ServerError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| ServerError::Internal(format!("password hashing task: {e}")))?
}

fn hash_blocking(password: &str) -> Result<String, ServerError> {
    let mut salt = [0u8; 16];
    passport_store::fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| ServerError::Internal(format!("password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Internal(format!("password hashing: {e}")))
}

/// True if `password` matches `stored` (a PHC string; its own parameters are used). With no
/// stored hash (unknown user) a dummy hash is checked instead, and the answer is false.
async fn verify_password(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        static DUMMY: OnceLock<String> = OnceLock::new();
        let known = stored.is_some();
        let hash = match stored {
            Some(h) => h,
            None => DUMMY
                .get_or_init(|| hash_blocking("no such user").unwrap_or_default())
                .clone(),
        };
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
    .unwrap_or(false)
}

/// Constant-time equality of two secrets (the length is not secret).
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && !a.is_empty()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn session_cookie_name(state: &Shared) -> &'static str {
    if state.config.secure_cookies {
        "__Host-passport_session"
    } else {
        "passport_session"
    }
}

fn login_cookie_name(state: &Shared) -> &'static str {
    if state.config.secure_cookies {
        "__Host-passport_login"
    } else {
        "passport_login"
    }
}

/// The value of cookie `name` in the request, if sent.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value. `max_age` 0 deletes the cookie.
fn set_cookie(state: &Shared, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let text =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn redirect(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// The signed-in user of a request. Extracting it fails with `Unauthenticated` (a redirect to
/// the sign-in page) when there is no live session.
pub struct Viewer {
    pub session: Session,
    token: String,
}

impl FromRequestParts<Shared> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, session_cookie_name(state))
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or(ServerError::Unauthenticated)?
            .to_string();
        let session = state
            .store
            .session(&token, now())
            .await?
            .ok_or(ServerError::Unauthenticated)?;
        Ok(Viewer { session, token })
    }
}

/// The fields of a posted form, in order.
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of field `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of field `name`, in order (a checkbox group, repeated selects).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every field, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

async fn read_form(req: Request, state: &Shared) -> Result<Fields, ServerError> {
    // A body that is not a form carries no token: it fails the CSRF check.
    let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state)
        .await
        .map_err(|_| ServerError::Csrf)?;
    Ok(Fields(fields))
}

/// A POST from a signed-in user whose `csrf` field matched the session's token. The only way
/// a portal POST handler gets its form.
pub struct Posted {
    pub viewer: Viewer,
    pub fields: Fields,
}

impl FromRequest<Shared> for Posted {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &Shared) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let fields = read_form(Request::from_parts(parts, body), state).await?;
        if !same_secret(fields.get("csrf").unwrap_or(""), &viewer.session.csrf) {
            return Err(ServerError::Csrf.into());
        }
        Ok(Posted { viewer, fields })
    }
}

/// The sign-in page, with a fresh double-submit token in the cookie and the form.
fn login_page(state: &Shared, username: &str, failed: bool) -> Response {
    let token = random_token();
    let (summary, group_class, error) = if failed {
        let message = "Username or password is wrong";
        (
            error_summary(&[(message.to_string(), "username".to_string())]),
            " nhsuk-form-group--error",
            format!(
                r#"<span class="nhsuk-error-message" id="username-error"><span class="nhsuk-u-visually-hidden">Error: </span>{message}</span>"#
            ),
        )
    } else {
        (String::new(), "", String::new())
    };
    let described = if failed {
        r#" aria-describedby="username-error""#
    } else {
        ""
    };
    let input_error = if failed { " nhsuk-input--error" } else { "" };
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
</div></div>"#,
        token = attr(&token),
        username = attr(username),
    );
    let title = if failed { "Error: Sign in" } else { "Sign in" };
    let mut response = Html(page(title, None, Nav::None, &body)).into_response();
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
    if let Some(token) = cookie(&headers, session_cookie_name(&state)) {
        if state.store.session(token, now()).await?.is_some() {
            return Ok(redirect("/portal"));
        }
    }
    Ok(login_page(&state, "", false))
}

pub async fn login(State(state): State<Shared>, req: Request) -> Result<Response, PageError> {
    let expected = cookie(req.headers(), login_cookie_name(&state))
        .unwrap_or("")
        .to_string();
    let previous = cookie(req.headers(), session_cookie_name(&state)).map(str::to_string);
    let fields = read_form(req, &state).await?;
    if !same_secret(fields.get("csrf").unwrap_or(""), &expected) {
        return Err(ServerError::Csrf.into());
    }
    let username = fields.get("username").unwrap_or("").trim().to_string();
    let password = fields.get("password").unwrap_or("").to_string();
    let user = if username.is_empty() {
        None
    } else {
        state.store.user_by_username(&username).await?
    };
    let ok = verify_password(user.as_ref().map(|u| u.password_hash.clone()), password).await;
    let user = match user {
        Some(u) if ok => u,
        _ => {
            tracing::info!("portal sign-in refused");
            return Ok(login_page(&state, &username, true));
        }
    };
    // A new session every time: a token planted before sign-in never becomes a session.
    if let Some(old) = previous {
        state.store.end_session(&old).await?;
    }
    let token = random_token();
    let csrf = random_token();
    let ttl = state.config.session_ttl_secs;
    state
        .store
        .create_session(&user.id, &token, &csrf, now(), ttl)
        .await?;
    tracing::info!(user = %user.id, org = %user.org, "portal sign-in");
    let mut response = redirect("/portal");
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(&state, session_cookie_name(&state), &token, ttl),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(&state, login_cookie_name(&state), "", 0),
    );
    Ok(response)
}

pub async fn logout(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    state.store.end_session(&posted.viewer.token).await?;
    let mut response = redirect("/portal/login");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, session_cookie_name(&state), "", 0),
    );
    Ok(response)
}

/// The name of the signed-in user's organisation.
pub fn org_name<'a>(state: &'a Shared, viewer: &'a Viewer) -> &'a str {
    state
        .issuers
        .get(&viewer.session.user.org)
        .map_or(viewer.session.user.org.as_str(), |i| i.name.as_str())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2id_hashes_verify_and_wrong_passwords_do_not() {
        let hash = hash_password("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(verify_password(Some(hash.clone()), "correct horse".into()).await);
        assert!(!verify_password(Some(hash.clone()), "correct horse ".into()).await);
        assert!(!verify_password(None, "correct horse".into()).await);
        assert!(!verify_password(Some("not a hash".into()), "x".into()).await);
        assert_ne!(
            hash,
            hash_password("correct horse").await.unwrap(),
            "salted"
        );
    }

    #[test]
    fn secrets_compare_whole_and_never_empty() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", ""));
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; passport_session=tok; x=y"),
        );
        h.append(
            header::COOKIE,
            HeaderValue::from_static("__Host-passport_session=sec"),
        );
        assert_eq!(cookie(&h, "passport_session"), Some("tok"));
        assert_eq!(cookie(&h, "__Host-passport_session"), Some("sec"));
        assert_eq!(cookie(&h, "session"), None);
    }
}
