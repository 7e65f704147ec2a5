//! The server's errors and their one mapping to HTTP: RFC 9457 problem details for our own APIs
//! and pages; OpenID4VCI endpoints answer in the spec's own error shape (see `oid4vci.rs`).
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{0}")]
    Startup(String),
    #[error("storage: {0}")]
    Store(#[from] passport_store::StoreError),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("sign in first")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("the form is out of date or was not sent by this site (CSRF check failed)")]
    Csrf,
    #[error("credential engine: {0}")]
    Engine(#[from] passport_credentials::EngineError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServerError {
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) | ServerError::Csrf => StatusCode::FORBIDDEN,
            ServerError::Store(passport_store::StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            ServerError::Store(passport_store::StoreError::Conflict(_)) => StatusCode::CONFLICT,
            ServerError::Store(passport_store::StoreError::Invalid(_)) => StatusCode::BAD_REQUEST,
            ServerError::Engine(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::Startup(_) | ServerError::Store(_) | ServerError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn title(&self) -> &'static str {
        match self.status() {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Bad request",
            StatusCode::UNAUTHORIZED => "Not signed in",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::CONFLICT => "Conflict",
            StatusCode::UNPROCESSABLE_ENTITY => "Refused",
            _ => "Server error",
        }
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!("{self}");
        }
        // Internal details stay in the log; the caller learns what kind of failure it was.
        let detail = if status.is_server_error() {
            "something went wrong on the server; it has been logged".to_string()
        } else {
            self.to_string()
        };
        let body = json!({
            "type": "about:blank",
            "title": self.title(),
            "status": status.as_u16(),
            "detail": detail,
        });
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    }
}
