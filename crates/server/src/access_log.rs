//! `POST /access-log`: the person's own access log, for their wallet.
//!
//! The body is the form `proof=<JWT>`, the proof `passport-access-log` defines (ES256, signed
//! by the wallet key, `aud` this node's public URL, `iat` within a minute, a single-use `jti`).
//! The answer is that crate's [`AccessLog`] JSON: every transfer request this node holds that
//! was answered with credentials bound to the proof's key (`verifier::response` keeps the key's
//! thumbprint when a response verifies), with its organisation, the role it was for, the
//! decision, whether the data has been deleted under the retention policy, and the audit
//! entries about it that were allowed or done (team and purpose, never the member of staff).
//!
//! Refusals: `invalid_request` (400) for a body that is not one `proof`, `invalid_proof` (400)
//! for a proof that breaks a rule or was used before, `slow_down` (429) past
//! [`MAX_PER_WINDOW`] requests per client address per [`WINDOW_SECS`]. A proof signed by any
//! other key is not refused: it is that key's log, empty unless that key answered requests
//! here, so an answer never tells whether someone else's key did. Reading the log is not
//! itself put in the audit log: it is the person reading about themselves.
use crate::portal::limiter::{client_ip, IpLimiter};
use crate::{now, ServerError, Shared};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use passport_access_log::{
    classify, verify_proof, AccessLog, AccessLogError, Decision, Deletion, Entry, Organisation,
    SharedRequest, MAX_ENTRIES, MAX_PROOF_BYTES, MAX_REQUESTS, PATH,
};
use passport_store::HolderRequest;
use serde_json::json;

/// Requests per client address per window (a wallet asks each node once per look).
pub const MAX_PER_WINDOW: i64 = 60;
pub const WINDOW_SECS: i64 = 60;

pub fn routes() -> Router<Shared> {
    Router::new().route(PATH, post(access_log))
}

/// The limiter of this endpoint: every request counts, not only failures.
pub fn limiter() -> IpLimiter {
    IpLimiter::new(MAX_PER_WINDOW, WINDOW_SECS)
}

fn refuse(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// The proof of a `proof=<JWT>` body: exactly one pair, a JWT's characters only (base64url and
/// dots need no percent-encoding, so none is accepted).
fn proof_of(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body)
        .ok()?
        .trim_end_matches(['\r', '\n']);
    let jwt = text.strip_prefix("proof=")?;
    let jwt_char = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    (!jwt.is_empty() && jwt.len() <= MAX_PROOF_BYTES && jwt.chars().all(jwt_char)).then_some(jwt)
}

async fn access_log(
    State(state): State<Shared>,
    request: Request,
) -> Result<Response, ServerError> {
    let now = now();
    let (parts, body) = request.into_parts();
    let ip = client_ip(
        &parts.headers,
        &parts.extensions,
        state.config.client_ip_header.as_deref(),
    );
    if let Some(wait) = state.access_log_limiter.blocked(ip, now) {
        let why = format!("too many requests from this address: try again in {wait} seconds");
        return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, "slow_down", &why));
    }
    state.access_log_limiter.failed(ip, now);
    let limit = MAX_PROOF_BYTES + 64;
    let Ok(body): Result<Bytes, _> = axum::body::to_bytes(body, limit).await else {
        let why = "the body is larger than a proof can be";
        return Ok(refuse(StatusCode::BAD_REQUEST, "invalid_request", why));
    };
    let Some(jwt) = proof_of(&body) else {
        let why = "send the form proof=<JWT> (one proof, nothing else)";
        return Ok(refuse(StatusCode::BAD_REQUEST, "invalid_request", why));
    };
    let proof = match verify_proof(jwt, &state.base_url, now) {
        Ok(p) => p,
        Err(e) => return Ok(refused(&e)),
    };
    let (store, expires) = (&state.store, proof.replay_until());
    if !store.use_access_log_proof(&proof.jti, expires, now).await? {
        return Ok(refused(&AccessLogError::Replayed));
    }
    let log = read(&state, &proof.thumbprint).await?;
    tracing::info!(
        requests = log.requests.len(),
        "access log read by its holder"
    );
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(log)).into_response())
}

fn refused(e: &AccessLogError) -> Response {
    refuse(StatusCode::BAD_REQUEST, e.code(), &e.to_string())
}

/// The log of the key with thumbprint `jkt` at this node.
pub async fn read(state: &Shared, jkt: &str) -> Result<AccessLog, ServerError> {
    let (requests, truncated) = state.store.requests_of_holder(jkt, MAX_REQUESTS).await?;
    let mut out = Vec::with_capacity(requests.len());
    for r in requests {
        let (entries, entries_truncated) = (state.store)
            .entries_about_request(&r.org, &r.id, MAX_ENTRIES)
            .await?;
        let entries = entries
            .into_iter()
            .filter_map(|e| {
                let (what, format, decision) = classify(&e.action, &e.detail)?;
                Some(Entry {
                    at: e.at,
                    what,
                    format,
                    decision,
                    action: e.action,
                    role: e.role,
                    purpose: e.purpose,
                })
            })
            .collect();
        out.push(shared_request(state, r, entries, entries_truncated));
    }
    Ok(AccessLog {
        node: state.base_url.clone(),
        key: jkt.to_string(),
        retention_days: state.config.retention_days,
        requests: out,
        truncated,
    })
}

fn shared_request(
    state: &Shared,
    r: HolderRequest,
    entries: Vec<Entry>,
    entries_truncated: bool,
) -> SharedRequest {
    let name = state
        .issuers
        .get(&r.org)
        .map(|i| i.name.clone())
        .or_else(|| state.trust_list().by_ods(&r.org).map(|o| o.name.clone()))
        .unwrap_or_else(|| r.org.clone());
    let role = passport_compliance::RoleProfile::from_json(&r.profile)
        .map_or_else(|_| "a role at this organisation".to_string(), |p| p.name);
    SharedRequest {
        id: r.id,
        organisation: Organisation { ods: r.org, name },
        audience: r.audience,
        role,
        asked_at: r.created_at,
        shared_at: r.responded_at,
        decision: r.decision.map(|outcome| Decision {
            outcome,
            at: r.decided_at,
        }),
        deleted: r.purged_at.map(|at| Deletion {
            at,
            reason: r.purge_reason.unwrap_or_else(|| "retention".into()),
        }),
        entries,
        entries_truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_one_proof_and_nothing_else() {
        assert_eq!(proof_of(b"proof=aa.bb.cc"), Some("aa.bb.cc"));
        assert_eq!(proof_of(b"proof=aa.bb.cc\r\n"), Some("aa.bb.cc"));
        for bad in [
            &b""[..],
            b"proof=",
            b"proof=aa.bb.cc&proof=dd.ee.ff",
            b"proof=aa.bb.cc&x=1",
            b"x=1&proof=aa.bb.cc",
            b"proof=aa%2Ebb.cc",
            b"proof=aa bb",
            b"{\"proof\":\"aa.bb.cc\"}",
            b"proof=\xff",
        ] {
            assert_eq!(proof_of(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        let long = format!("proof={}", "a".repeat(MAX_PROOF_BYTES + 1));
        assert_eq!(proof_of(long.as_bytes()), None);
    }

    #[test]
    fn the_portal_actions_the_log_reads_are_the_ones_the_portal_records() {
        use crate::portal::Action;
        let read = [
            Action::ViewTransfer("hr"),
            Action::ExportReport {
                audience: "hr",
                format: "csv",
            },
            Action::ViewTemporaryMovements,
        ];
        for action in read {
            let (what, ..) = classify(action.name(), "").unwrap_or_else(|| panic!("{action:?}"));
            assert_ne!(what, passport_access_log::What::Other, "{action:?}");
        }
        // The authorisation of a decision is not shown: its `transfer-decided` entry is.
        assert_eq!(classify(Action::DecideTransfer("hr").name(), ""), None);
        assert_eq!(classify(Action::PollTransfer("hr").name(), ""), None);
    }
}
