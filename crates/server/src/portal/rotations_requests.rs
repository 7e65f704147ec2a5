//! The transfer requests of a rotation list, made in bulk: one DCQL query per role profile,
//! then per doctor a fresh response encryption key, nonce and state and a signed Request
//! Object, on the blocking pool and split over the machine's cores.
//!
//! Why sign now rather than when the wallet first asks: the invitation's link carries the
//! `client_id` (the hash of the organisation's verifier certificate), and that certificate is
//! made anew when the server starts. A request signed at import keeps matching the link it was
//! sent with for its whole life, across restarts. The cost, measured by
//! `tests/rotation_scale.rs` (`--ignored`): signing is most of an import, about 3.5 ms a doctor
//! in a debug build on two cores (10,000 doctors: 35 s signing, 7 s for SQLite's transaction,
//! 3 s for PostgreSQL's). It happens before the store's transaction opens, so the database is
//! held only for the inserts; the signed objects (about 15 KB each for the foundation doctor
//! profile, most of it its DCQL query, base64url-encoded) are held in memory until then.
use crate::verifier::request::{add_self_declared, audience_str, dcql_query, response_uri};
use crate::{ServerError, Shared};
use passport_compliance::{requested_credentials, Audience, RoleProfile};
use passport_jose::b64;
use passport_oid4vp::{
    random_value, sign_request, AuthorizationRequest, ClientMetadata, DcqlQuery, EncryptionKey,
};
use passport_records::RotationEntry;
use passport_store::PreparedRequest;
use std::collections::HashMap;
use std::sync::Arc;

/// The signed requests, in the order of the entries, and each profile as JSON.
pub struct Prepared {
    pub requests: Vec<PreparedRequest>,
    pub profiles: HashMap<String, String>,
    pub audience: &'static str,
}

/// The DCQL query of each profile the entries name, as the single transfer request asks it.
fn queries(
    state: &Shared,
    audience: Audience,
    profiles: &HashMap<String, RoleProfile>,
) -> Result<HashMap<String, DcqlQuery>, ServerError> {
    let mut out = HashMap::new();
    for (id, profile) in profiles {
        let requests = requested_credentials(profile, audience)
            .map_err(|e| ServerError::BadRequest(e.to_string()))?;
        if requests.is_empty() {
            return Err(ServerError::BadRequest(format!(
                "role profile {id} asks for nothing this team may see"
            )));
        }
        let mut query = dcql_query(&requests, state.catalogue);
        if audience == Audience::Hr {
            add_self_declared(&mut query, state.catalogue);
        }
        query
            .validate()
            .map_err(|e| ServerError::Internal(format!("DCQL query: {e}")))?;
        out.insert(id.clone(), query);
    }
    Ok(out)
}

/// Signs one request of `ods` asking `query`.
fn sign_one(
    state: &Shared,
    ods: &str,
    query: &DcqlQuery,
    now: i64,
    expires_at: i64,
) -> Result<PreparedRequest, ServerError> {
    let identity = state.verifier(ods)?;
    let issuer = state.issuer(ods)?;
    let internal = |e: &dyn std::fmt::Display| ServerError::Internal(e.to_string());
    let key = EncryptionKey::generate().map_err(|e| internal(&e))?;
    let nonce = random_value().map_err(|e| internal(&e))?;
    let state_value = random_value().map_err(|e| internal(&e))?;
    let id = passport_store::new_id("tr-");
    let request = AuthorizationRequest::new(
        identity.client_id.clone(),
        response_uri(state, ods, &id),
        nonce.clone(),
        state_value.clone(),
        query.clone(),
        ClientMetadata::for_request(&key),
        now,
        expires_at,
    );
    let request_object =
        sign_request(&request, &issuer.signer, &identity.certificate).map_err(|e| internal(&e))?;
    Ok(PreparedRequest {
        id,
        nonce,
        state: state_value,
        enc_key: b64::encode(key.to_bytes()),
        request_object,
        expires_at,
    })
}

/// One signed request per entry, for the team `audience`. `profiles` holds every profile the
/// entries name (the caller read them from the store).
pub async fn prepare(
    state: &Shared,
    ods: &str,
    audience: Audience,
    profiles: &HashMap<String, RoleProfile>,
    entries: &[RotationEntry],
    now: i64,
) -> Result<Prepared, ServerError> {
    state.verifier(ods)?;
    let queries = Arc::new(queries(state, audience, profiles)?);
    let expires_at = now + state.config.request_ttl_secs;
    let parts = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 4);
    let per_part = entries.len().div_ceil(parts).max(1);
    let mut tasks = Vec::new();
    for chunk in entries.chunks(per_part) {
        let ids: Vec<String> = chunk.iter().map(|e| e.role_profile.clone()).collect();
        let (state, queries, ods) = (state.clone(), queries.clone(), ods.to_string());
        tasks.push(tokio::task::spawn_blocking(move || {
            ids.iter()
                .map(|id| {
                    let query = queries.get(id).ok_or_else(|| {
                        ServerError::Internal(format!("no query for profile {id}"))
                    })?;
                    sign_one(&state, &ods, query, now, expires_at)
                })
                .collect::<Result<Vec<_>, ServerError>>()
        }));
    }
    let mut requests = Vec::with_capacity(entries.len());
    for task in tasks {
        let part = task
            .await
            .map_err(|e| ServerError::Internal(format!("signing task: {e}")))??;
        requests.extend(part);
    }
    let mut json = HashMap::new();
    for (id, profile) in profiles {
        let text =
            serde_json::to_string(profile).map_err(|e| ServerError::Internal(e.to_string()))?;
        json.insert(id.clone(), text);
    }
    Ok(Prepared {
        requests,
        profiles: json,
        audience: audience_str(audience),
    })
}
