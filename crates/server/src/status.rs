//! Status list tokens (IETF Token Status List) and the trust list, served with cache headers.
//! A signed token is kept for a tenth of its TTL and dropped when the organisation revokes.
use crate::{now, ServerError, Shared};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use passport_status_list::{sign_token, StatusList};

pub const STATUS_LIST_MEDIA_TYPE: &str = "application/statuslist+jwt";

pub fn routes() -> Router<Shared> {
    Router::new().route("/issuers/{ods}/status/{list}", get(status_list))
}

/// The signed status list token of one list (`sub` = its URI, `ttl` = how long to cache).
pub async fn status_list_token(
    state: &Shared,
    ods: &str,
    list_id: i64,
) -> Result<String, ServerError> {
    let now = now();
    let fresh_for = (state.config.status_ttl_secs / 10).max(1);
    if let Ok(cache) = state.status_cache.lock() {
        if let Some((token, made)) = cache.get(&(ods.to_string(), list_id)) {
            if now - made < fresh_for {
                return Ok(token.clone());
            }
        }
    }
    let issuer = state.issuer(ods)?;
    let stored = state
        .store
        .status_list(ods, list_id)
        .await?
        .ok_or_else(|| ServerError::NotFound(format!("status list {list_id} of {ods}")))?;
    let mut list = StatusList::new(stored.size, stored.bits)
        .map_err(|e| ServerError::Internal(e.to_string()))?;
    for (idx, status) in stored.entries {
        list.set(idx, status)
            .map_err(|e| ServerError::Internal(e.to_string()))?;
    }
    let ttl = u64::try_from(state.config.status_ttl_secs).unwrap_or(300);
    let token = sign_token(
        &list,
        &state.status_uri(ods, list_id),
        Some(&issuer.issuer_id),
        now,
        Some(now + 86_400),
        Some(ttl),
        &issuer.signer,
    )
    .map_err(|e| ServerError::Internal(e.to_string()))?;
    if let Ok(mut cache) = state.status_cache.lock() {
        cache.insert((ods.to_string(), list_id), (token.clone(), now));
    }
    Ok(token)
}

/// Forgets the organisation's cached tokens after a revocation, so the next fetch is current.
pub fn invalidate(state: &Shared, ods: &str) {
    if let Ok(mut cache) = state.status_cache.lock() {
        cache.retain(|(org, _), _| org != ods);
    }
    if let Ok(issuer) = state.issuer(ods) {
        state.statuses.forget_issuer(&issuer.issuer_id);
    }
}

async fn status_list(
    State(state): State<Shared>,
    Path((ods, list)): Path<(String, i64)>,
) -> Result<Response, ServerError> {
    let token = status_list_token(&state, &ods, list).await?;
    Ok((
        [
            (header::CONTENT_TYPE, STATUS_LIST_MEDIA_TYPE.to_string()),
            (
                header::CACHE_CONTROL,
                format!("public, max-age={}", state.config.status_ttl_secs),
            ),
        ],
        token,
    )
        .into_response())
}

/// The trust list signed by the registry key.
pub async fn trust_list(State(state): State<Shared>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/jwt".to_string()),
            (header::CACHE_CONTROL, "public, max-age=300".to_string()),
        ],
        state.trust_list_jwt().to_string(),
    )
        .into_response()
}
