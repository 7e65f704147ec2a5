//! The receiving trust: OpenID4VP 1.0 verifier endpoints, transfer requests and verification.
//!
//! - `GET /verifiers/{ODS}/requests/{id}`: the signed Request Object (`request_uri`), served as
//!   `application/oauth-authz-req+jwt` while the request awaits its response.
//! - `POST /verifiers/{ODS}/responses/{id}`: the Response URI (`direct_post.jwt`).
//! - `GET /verifiers/{ODS}/requests/{id}/done?response_code=...`: where the same-device flow
//!   lands after the wallet has answered.
use crate::{now, ServerError, Shared};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

pub mod request;
pub mod response;
pub mod statuses;

/// A verifying organisation's OpenID4VP identity: its certificate (for the key on the trust
/// list) and the `x509_hash` client identifier made from it.
pub struct VerifierIdentity {
    pub certificate: Vec<u8>,
    pub client_id: String,
}

impl VerifierIdentity {
    /// A certificate for the organisation's key, valid from a minute ago for a year.
    pub fn new(
        signer: &dyn passport_jose::Signer,
        name: &str,
        ods: &str,
        now: i64,
    ) -> Result<Self, ServerError> {
        let certificate =
            passport_oid4vp::verifier_certificate(signer, name, ods, now - 60, now + 365 * 86_400)
                .map_err(|e| ServerError::Startup(format!("verifier certificate of {ods}: {e}")))?;
        let client_id = passport_oid4vp::client_id_for(&certificate);
        Ok(VerifierIdentity {
            certificate,
            client_id,
        })
    }
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/verifiers/{ods}/requests/{id}", get(request_object))
        .route("/verifiers/{ods}/responses/{id}", post(response_endpoint))
        .route("/verifiers/{ods}/requests/{id}/done", get(done))
}

fn oid4vp_error(status: u16, error: &str, description: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn request_object(
    State(state): State<Shared>,
    Path((ods, id)): Path<(String, String)>,
) -> Result<Response, ServerError> {
    let now = now();
    let req = state.store.transfer_request(&ods, &id).await?;
    let Some(req) = req else {
        return Ok(oid4vp_error(404, "invalid_request_uri", "no such request"));
    };
    if req.status == passport_store::RequestStatus::Responded || now >= req.expires_at {
        return Ok(oid4vp_error(
            400,
            "invalid_request_uri",
            "this request has been answered or has expired",
        ));
    }
    state.store.mark_request_fetched(&ods, &id, now).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/oauth-authz-req+jwt"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        req.request_object,
    )
        .into_response())
}

async fn response_endpoint(
    State(state): State<Shared>,
    Path((ods, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ServerError> {
    let now = now();
    match response::handle(&state, &ods, &id, &body, now).await? {
        Ok(code) => {
            tracing::info!(org = %ods, request = %id, "transfer response verified");
            let redirect = format!(
                "{}/verifiers/{ods}/requests/{id}/done?response_code={code}",
                state.base_url
            );
            Ok((
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({ "redirect_uri": redirect })),
            )
                .into_response())
        }
        Err(refused) if refused.declined => {
            tracing::info!(org = %ods, request = %id, "transfer declined by the person");
            Ok(([(header::CACHE_CONTROL, "no-store")], Json(json!({}))).into_response())
        }
        Err(refused) => {
            tracing::info!(org = %ods, request = %id, reason = %refused.description, "transfer response refused");
            Ok(oid4vp_error(
                refused.status,
                refused.error,
                &passport_oid4vp::sanitize_description(&refused.description),
            ))
        }
    }
}

#[derive(serde::Deserialize)]
struct DoneQuery {
    response_code: Option<String>,
}

/// The page a phone lands on in the same-device flow: it says the passport was shared only to
/// the browser holding this response's code (OpenID4VP 1.0 section 14.2: session fixation).
async fn done(
    State(state): State<Shared>,
    Path((ods, id)): Path<(String, String)>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ServerError> {
    let ok = match q.response_code.as_deref() {
        Some(code) => state.store.check_response_code(&ods, &id, code).await?,
        None => false,
    };
    let org = state
        .trust_list()
        .by_ods(&ods)
        .map_or(ods.clone(), |o| o.name.clone());
    let (title, text) = if ok {
        (
            "Your passport has been shared",
            format!(
                "{} has received the credentials you chose to share. You can close this page.",
                crate::portal::html_escape(&org)
            ),
        )
    } else {
        (
            "This link is not valid",
            "There is nothing to show here. If you were sharing your passport, check your wallet app.".to_string(),
        )
    };
    let body = format!("<h1>{title}</h1><p>{text}</p>");
    let page = crate::portal::html::page(title, None, crate::portal::html::Nav::None, &body);
    Ok((
        if ok {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        },
        [(header::CACHE_CONTROL, "no-store")],
        Html(page),
    )
        .into_response())
}
