//! The passport server: one HTTP server for any number of organisations. Each organisation
//! has its own issuer identifier (`{public_url}/issuers/{ODS}`) and key.
//!
//! Handlers are thin: parse, authorise, call the store or the credential engine, render.
//! Errors map to HTTP in one place (`error.rs`; OpenID4VCI errors in `oid4vci.rs`).
use axum::routing::get;
use axum::Router;

pub mod access_log;
pub mod config;
mod cors;
pub mod demo;
pub mod error;
pub mod issuance;
pub mod mail;
pub mod oid4vci;
pub mod orgs;
pub mod portal;
pub mod reoffer;
pub mod retention;
pub mod state;
pub mod status;
pub mod temporary;
pub mod trust;
pub mod verifier;
pub mod wallet;
pub mod webhooks;

pub use config::Config;
pub use error::ServerError;
pub use state::{AppState, Shared};

/// Seconds since the epoch. The only clock the server reads.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Every route of the server.
pub fn router(state: Shared) -> Router {
    let protocol = Router::new()
        .route("/trust-list", get(status::trust_list))
        .merge(oid4vci::routes())
        .merge(status::routes())
        .merge(verifier::routes())
        .merge(access_log::routes())
        .layer(axum::middleware::from_fn(cors::layer));
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(protocol)
        .nest("/portal", portal::routes())
        .merge(wallet::routes())
        .with_state(state)
}

/// Serves `state` on `listener` until the process is stopped, with the outbox worker
/// (webhooks and e-mail) running beside it for as long as it serves.
pub async fn serve(state: Shared, listener: tokio::net::TcpListener) -> Result<(), ServerError> {
    let mailer = mail::mailer_from_config(&state.config)?;
    let _outbox = webhooks::spawn(state.clone(), mailer)?;
    // Temporary arrangements ended on the day after their end date.
    let _temporary = temporary::spawn(state.clone(), || verifier::response::date_of(now()))?;
    // The trust list refreshed on its schedule (a registry node: re-signed in time).
    let _trust = trust::spawn_refresh(&state);
    // Old presentation data deleted under the retention policy.
    let _retention = retention::spawn(&state)?;
    // The peer address is the client's for sign-in rate limiting (unless a proxy header is set).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .await
        .map_err(|e| ServerError::Internal(e.to_string()))
}
