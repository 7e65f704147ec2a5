//! Passwords, sessions, cookies and CSRF: what every portal handler relies on. The sign-in
//! steps themselves are in [`super::signin`] (password, TOTP, choosing a membership) and
//! [`super::oidc`] (single sign-on).
//!
//! - Passwords: argon2id (the `argon2` crate's defaults: m = 19 MiB, t = 2, p = 1), hashed and
//!   verified on the blocking pool. Verification compares in constant time, and an unknown
//!   username (or an account without a password) is checked against a dummy hash so every
//!   failure takes as long and reads the same.
//! - Sessions: a 32-byte random token (base64url) in an `HttpOnly; SameSite=Strict; Path=/`
//!   cookie, `__Host-passport_session` with `Secure` when `secure_cookies` is on (the default),
//!   `passport_session` without `Secure` otherwise (plain-http demo). The store keeps only the
//!   token's hash, the expiry, the stage of signing in, the membership it acts for and the
//!   session's CSRF token. Only an active session is a [`Viewer`].
//! - CSRF: every POST form carries the session's CSRF token in a hidden `csrf` field; the
//!   [`Posted`] extractor compares it in constant time before a handler sees the form, so a
//!   POST handler cannot forget the check. The sign-in form, which has no session yet, uses a
//!   double-submit token: a random value in a `__Host-passport_login` (or `passport_login`)
//!   cookie that must equal the form's hidden field. Another site can neither read that cookie
//!   nor set it (`__Host-` forbids `Domain`, SameSite=Strict keeps it off cross-site posts).
//!   The forms of the later sign-in steps carry their pending session's CSRF token.
use super::html::PageError;
use crate::{now, ServerError, Shared};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use passport_store::{Membership, Session};
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
/// usable stored hash (unknown user, an account that signs in only by single sign-on) a dummy
/// hash is checked instead, and the answer is false.
pub(super) async fn verify_password(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        static DUMMY: OnceLock<String> = OnceLock::new();
        let dummy = || {
            DUMMY
                .get_or_init(|| hash_blocking("no such user").unwrap_or_default())
                .clone()
        };
        let real = stored.filter(|h| PasswordHash::new(h).is_ok());
        let known = real.is_some();
        let hash = real.unwrap_or_else(dummy);
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

pub(super) fn session_cookie_name(state: &Shared) -> &'static str {
    if state.config.secure_cookies {
        "__Host-passport_session"
    } else {
        "passport_session"
    }
}

pub(super) fn login_cookie_name(state: &Shared) -> &'static str {
    if state.config.secure_cookies {
        "__Host-passport_login"
    } else {
        "passport_login"
    }
}

/// The value of cookie `name` in the request, if sent.
pub(super) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value (`SameSite=Strict`). `max_age` 0 deletes the cookie.
pub(super) fn set_cookie(state: &Shared, name: &str, value: &str, max_age: i64) -> HeaderValue {
    set_cookie_same_site(state, name, value, max_age, "Strict")
}

/// A `Set-Cookie` value with the given `SameSite` (`Lax` only for the single sign-on flow's
/// cookie, which must come back on the provider's cross-site redirect).
pub(super) fn set_cookie_same_site(
    state: &Shared,
    name: &str,
    value: &str,
    max_age: i64,
    same_site: &str,
) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub(super) fn redirect(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The session token sent with a request, if it looks like one.
pub(super) fn session_token(state: &Shared, headers: &HeaderMap) -> Option<String> {
    cookie(headers, session_cookie_name(state))
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .map(str::to_string)
}

/// The signed-in user of a request. Extracting it fails with `Unauthenticated` (a redirect to
/// the sign-in page) when there is no live, active session.
pub struct Viewer {
    pub session: Session,
    /// Every membership the user holds (the one acted for is `session.user.org`/`role`).
    pub memberships: Vec<Membership>,
    token: String,
}

impl Viewer {
    pub(super) fn token(&self) -> &str {
        &self.token
    }
}

impl FromRequestParts<Shared> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(state, &parts.headers).ok_or(ServerError::Unauthenticated)?;
        let session = state
            .store
            .session(&token, now())
            .await?
            .ok_or(ServerError::Unauthenticated)?;
        let memberships = state.store.memberships(&session.user.id).await?;
        Ok(Viewer {
            session,
            memberships,
            token,
        })
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

pub(super) async fn read_form(req: Request, state: &Shared) -> Result<Fields, ServerError> {
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
