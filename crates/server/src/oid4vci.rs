//! OpenID4VCI 1.0 endpoints of each organisation: metadata, credential offer, token (pre-authorised
//! code with transaction code), nonce, credential (JWT key proofs, batches), notification.
//! Errors answer in the specification's shape (`{error, error_description}`) with its status.
use crate::issuance::{issue_record, random_token};
use crate::{now, ServerError, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use passport_oid4vci::{
    AuthorizationDetail, CredentialOffer, CredentialRequest, CredentialResponse,
    NotificationRequest, Oid4vciError, RequestedCredential, TokenRequest, TokenResponse, TxCode,
};
use serde_json::json;

/// Proofs older than this are refused (their nonce has expired long before, too).
const PROOF_MAX_AGE_SECS: i64 = 300;
/// Credentials per request (one per proof): lets a wallet hold unlinkable copies.
pub const BATCH_SIZE: usize = 3;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/.well-known/openid-credential-issuer/issuers/{ods}",
            get(issuer_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server/issuers/{ods}",
            get(as_metadata),
        )
        .route(
            "/.well-known/jwt-vc-issuer/issuers/{ods}",
            get(jwt_vc_issuer_metadata),
        )
        .route("/issuers/{ods}/offers/{code}", get(offer))
        .route("/issuers/{ods}/token", post(token))
        .route("/issuers/{ods}/nonce", post(nonce))
        .route("/issuers/{ods}/credential", post(credential))
        .route("/issuers/{ods}/notification", post(notification))
}

/// An OpenID4VCI error response, or a server failure (logged, answered as `server_error`).
pub enum VciError {
    Protocol(Oid4vciError),
    Server(ServerError),
}

impl From<Oid4vciError> for VciError {
    fn from(e: Oid4vciError) -> Self {
        VciError::Protocol(e)
    }
}

impl From<ServerError> for VciError {
    fn from(e: ServerError) -> Self {
        VciError::Server(e)
    }
}

impl From<passport_store::StoreError> for VciError {
    fn from(e: passport_store::StoreError) -> Self {
        VciError::Server(e.into())
    }
}

impl IntoResponse for VciError {
    fn into_response(self) -> Response {
        match self {
            VciError::Protocol(e) => {
                let status =
                    StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
                let mut headers = HeaderMap::new();
                headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
                if let Some(v) = e
                    .www_authenticate()
                    .and_then(|v| header::HeaderValue::from_str(&v).ok())
                {
                    headers.insert(header::WWW_AUTHENTICATE, v);
                }
                (status, headers, Json(e.to_json())).into_response()
            }
            VciError::Server(ServerError::NotFound(what)) => (
                StatusCode::NOT_FOUND,
                Json(json!({"error": "invalid_request", "error_description": format!("not found: {what}")})),
            )
                .into_response(),
            VciError::Server(e) => {
                tracing::error!("OpenID4VCI: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(json!({"error": "server_error", "error_description": "the issuer failed; try again later"})),
                )
                    .into_response()
            }
        }
    }
}

fn no_store<T: IntoResponse>(body: T) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], body).into_response()
}

async fn issuer_metadata(
    State(state): State<Shared>,
    Path(ods): Path<String>,
) -> Result<Response, VciError> {
    let issuer = state.issuer(&ods)?;
    Ok(Json(passport_oid4vci::issuer_metadata(
        &issuer.issuer_id,
        state.catalogue,
        &issuer.name,
    ))
    .into_response())
}

async fn as_metadata(
    State(state): State<Shared>,
    Path(ods): Path<String>,
) -> Result<Response, VciError> {
    let issuer = state.issuer(&ods)?;
    Ok(Json(passport_oid4vci::authorization_server_metadata(
        &issuer.issuer_id,
    ))
    .into_response())
}

/// SD-JWT VC issuer metadata: where a verifier without the trust list finds the issuer's key.
async fn jwt_vc_issuer_metadata(
    State(state): State<Shared>,
    Path(ods): Path<String>,
) -> Result<Response, VciError> {
    let issuer = state.issuer(&ods)?;
    let mut jwk = serde_json::to_value(passport_jose::Signer::public_jwk(&issuer.signer))
        .map_err(|e| ServerError::Internal(e.to_string()))?;
    jwk["kid"] = passport_jose::Signer::kid(&issuer.signer).into();
    Ok(Json(json!({"issuer": issuer.issuer_id, "jwks": {"keys": [jwk]}})).into_response())
}

/// The offer behind a `credential_offer_uri`: the URI's last segment is the pre-authorised
/// code, so a live offer is found by its hash and nothing secret is stored in clear.
async fn offer(
    State(state): State<Shared>,
    Path((ods, code)): Path<(String, String)>,
) -> Result<Response, VciError> {
    let issuer = state.issuer(&ods)?;
    let live = state.store.live_offer(&ods, &code, now()).await?;
    let Some(person_id) = live else {
        return Err(
            ServerError::NotFound("credential offer (unknown, used or expired)".into()).into(),
        );
    };
    let mut configs: Vec<String> = state
        .store
        .person(&ods, &person_id)
        .await?
        .map(|p| p.records.into_iter().map(|r| r.type_name).collect())
        .unwrap_or_default();
    configs.sort();
    configs.dedup();
    let offer = CredentialOffer::pre_authorized(
        &issuer.issuer_id,
        configs,
        &code,
        Some(TxCode::numeric(
            6,
            "Enter the 6-digit code your HR team gave you separately",
        )),
    );
    Ok(no_store(Json(
        serde_json::to_value(&offer).map_err(|e| ServerError::Internal(e.to_string()))?,
    )))
}

async fn token(
    State(state): State<Shared>,
    Path(ods): Path<String>,
    body: Bytes,
) -> Result<Response, VciError> {
    state.issuer(&ods)?;
    let request = TokenRequest::parse_form(&body)?;
    let access_token = random_token();
    let redeemed = state
        .store
        .redeem_offer(
            &ods,
            &request.pre_authorized_code,
            request.tx_code.as_deref(),
            &access_token,
            now(),
            state.config.token_ttl_secs,
        )
        .await?;
    let (_, grants) = redeemed.map_err(|why| Oid4vciError::InvalidGrant(why.to_string()))?;
    // One authorization_details entry per configuration, listing its datasets (records).
    let mut details: Vec<AuthorizationDetail> = Vec::new();
    for g in grants {
        match details
            .iter_mut()
            .find(|d| d.credential_configuration_id == g.type_name)
        {
            Some(d) => d.credential_identifiers.push(g.credential_identifier),
            None => details.push(AuthorizationDetail::openid_credential(
                &g.type_name,
                vec![g.credential_identifier],
            )),
        }
    }
    let response = TokenResponse::bearer(
        &access_token,
        u64::try_from(state.config.token_ttl_secs).unwrap_or(600),
        details,
    );
    Ok(no_store(Json(response)))
}

async fn nonce(State(state): State<Shared>, Path(ods): Path<String>) -> Result<Response, VciError> {
    state.issuer(&ods)?;
    let nonce = random_token();
    state
        .store
        .create_nonce(&ods, &nonce, now() + state.config.nonce_ttl_secs)
        .await?;
    Ok(no_store(Json(json!({ "c_nonce": nonce }))))
}

/// The bearer access token of the request (RFC 6750 section 2.1).
fn bearer(headers: &HeaderMap) -> Result<&str, Oid4vciError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Oid4vciError::InvalidToken("a Bearer access token is required".into()))
}

async fn credential(
    State(state): State<Shared>,
    Path(ods): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, VciError> {
    let issuer = state.issuer(&ods)?;
    let now = now();
    let access_token = bearer(&headers)?;
    let context = state
        .store
        .token(&ods, access_token, now)
        .await?
        .ok_or_else(|| Oid4vciError::InvalidToken("unknown or expired access token".into()))?;
    let request = CredentialRequest::parse(&body, BATCH_SIZE)?;
    let identifier = match &request.credential {
        RequestedCredential::Identifier(id) => id,
        RequestedCredential::Configuration(id) => {
            return Err(Oid4vciError::InvalidCredentialRequest(format!(
                "this issuer grants datasets by credential_identifier (from the token response), not by configuration {id:?}"
            ))
            .into())
        }
    };
    // Every proof is checked before anything is consumed or issued.
    let mut keys = Vec::with_capacity(request.proofs.len());
    let mut nonce: Option<String> = None;
    for proof in &request.proofs {
        let verified =
            passport_oid4vci::verify_proof(proof, &issuer.issuer_id, now, PROOF_MAX_AGE_SECS)?;
        match &nonce {
            None => nonce = Some(verified.nonce.clone()),
            Some(n) if *n != verified.nonce => {
                return Err(Oid4vciError::InvalidProof(
                    "all proofs of one request must carry the same c_nonce".into(),
                )
                .into())
            }
            Some(_) => {}
        }
        keys.push(verified.jwk);
    }
    let nonce =
        nonce.ok_or_else(|| Oid4vciError::InvalidProof("proofs.jwt holds no proof".into()))?;
    let (_, record) = state
        .store
        .granted_record(access_token, identifier)
        .await?
        .ok_or_else(|| {
            Oid4vciError::UnknownCredentialIdentifier(
                "not granted by this access token, or its record has changed since the offer"
                    .into(),
            )
        })?;
    if !state.store.consume_nonce(&ods, &nonce, now).await? {
        return Err(Oid4vciError::InvalidNonce(
            "c_nonce unknown, used or expired: fetch a new one from the nonce endpoint".into(),
        )
        .into());
    }
    let notification_id = passport_store::new_id("n-");
    let mut credentials = Vec::with_capacity(keys.len());
    for key in &keys {
        credentials.push(
            issue_record(
                &state,
                &ods,
                &context.person_id,
                &record,
                key,
                &notification_id,
                now,
            )
            .await?,
        );
    }
    Ok(no_store(Json(CredentialResponse::issued(
        credentials,
        Some(notification_id),
    ))))
}

async fn notification(
    State(state): State<Shared>,
    Path(ods): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, VciError> {
    state.issuer(&ods)?;
    let access_token = bearer(&headers)?;
    state
        .store
        .token(&ods, access_token, now())
        .await?
        .ok_or_else(|| Oid4vciError::InvalidToken("unknown or expired access token".into()))?;
    let request = NotificationRequest::parse(&body)?;
    let known = state
        .store
        .record_notification(
            &ods,
            access_token,
            &request.notification_id,
            request.event.as_str(),
        )
        .await?;
    if !known {
        return Err(Oid4vciError::InvalidNotificationId(
            "not a notification_id of this access token".into(),
        )
        .into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
