//! Forgeries for the attack tests: credentials re-signed, re-issued by the wrong party or
//! altered byte by byte, and a server that hands out an altered request object.
#![allow(dead_code, clippy::unwrap_used)]
use super::transfer::Answering;
use passport_credentials::{CredentialIssuer, IssueRequest};
use passport_holder::ReceivedCredential;
use passport_jose::{b64, Es256Signer, Signer};
use passport_sd_jwt::issue::RandomSalts;
use passport_sd_jwt::vc::StatusReference;
use passport_sd_jwt::SdJwt;
use serde_json::{json, Value};

/// The issuer-signed JWT of `prefix` (`<JWT>~<D1>~...~`) signed again by `signer`, header and
/// payload (so `iss`) kept but `kid` set to `kid` (the signer's own when `None`).
pub fn resign(prefix: &str, signer: &Es256Signer, kid: Option<&str>) -> String {
    let (jwt, rest) = prefix.split_once('~').unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut header: Value = serde_json::from_slice(&b64::decode(parts[0]).unwrap()).unwrap();
    header["kid"] = kid.unwrap_or(signer.kid()).into();
    let input = format!("{}.{}", b64::encode(header.to_string()), parts[1]);
    let signature = b64::encode(signer.sign(input.as_bytes()).unwrap());
    format!("{input}.{signature}~{rest}")
}

/// Changes one ASCII digit (`9` becomes `8`, any other goes up by one).
pub fn bump(digit: &mut u8) {
    assert!(digit.is_ascii_digit());
    *digit = if *digit == b'9' { b'8' } else { *digit + 1 };
}

/// `prefix` with one byte of its signed payload changed: the last digit of the status list
/// index (a holder moving a revoked credential to another entry).
pub fn tamper_status_index(prefix: &str) -> String {
    let (jwt, rest) = prefix.split_once('~').unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut payload = b64::decode(parts[1]).unwrap();
    let at = payload.windows(6).position(|w| w == b"\"idx\":").unwrap() + 6;
    let digits = payload[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    bump(&mut payload[at + digits - 1]);
    format!("{}.{}.{}~{rest}", parts[0], b64::encode(&payload), parts[2])
}

/// The disclosure of `name` in `prefix`, re-encoded with its own salt and `value`.
pub fn swap_disclosure(prefix: &str, name: &str, value: &str) -> String {
    let sd = SdJwt::parse(prefix).unwrap();
    let d = sd
        .disclosures
        .iter()
        .find(|d| d.name.as_deref() == Some(name));
    let d = d.unwrap();
    let forged = b64::encode(json!([d.salt().unwrap(), name, value]).to_string());
    prefix.replace(&d.encoded, &forged)
}

/// `prefix` with a new, freshly salted disclosure of `name` appended.
pub fn inject_disclosure(prefix: &str, name: &str, value: &str) -> String {
    let salt = passport_oid4vp::random_value().unwrap();
    let injected = b64::encode(json!([salt, name, value]).to_string());
    format!("{prefix}{injected}~")
}

/// The record claims of a held credential (its envelope left out).
pub fn record_claims(held: &ReceivedCredential) -> Value {
    const ENVELOPE: [&str; 8] = [
        "iss", "iat", "nbf", "exp", "cnf", "vct", "status", "_sd_alg",
    ];
    let mut claims = held.claims().unwrap();
    claims.retain(|k, _| !ENVELOPE.contains(&k.as_str()));
    Value::Object(claims)
}

pub fn status_of(held: &ReceivedCredential) -> StatusReference {
    let s = &held.claims().unwrap()["status"]["status_list"];
    StatusReference {
        uri: s["uri"].as_str().unwrap().into(),
        idx: s["idx"].as_u64().unwrap(),
    }
}

/// The claims of the wallet's credential for `query`, issued by the engine as `iss` with
/// `signer` (issued two hours ago, expiring at `exp`), bound to the wallet's key, with the
/// status entry of the wallet's credential for `status_from`; disclosed as the wallet would and
/// bound to the request.
pub fn reissue(
    a: &Answering<'_>,
    query: &str,
    (iss, signer): (&str, &dyn Signer),
    status_from: &str,
    exp: Option<i64>,
) -> String {
    let engine = CredentialIssuer {
        iss: iss.into(),
        signer,
        catalogue: a.server.state.catalogue,
        max_decoys: 3,
    };
    let req = IssueRequest {
        vct: a.held(query).vct.clone(),
        claims: record_claims(a.held(query)),
        holder: a.wallet.device_jwk().clone(),
        status: status_of(a.held(status_from)),
        iat: passport_server::now() - 7200,
        exp,
    };
    let credential = engine.issue(&req, &mut RandomSalts::default()).unwrap();
    a.bind(&a.disclosed_of(query, &credential))
}

/// Serves `body` as a request object at `http://127.0.0.1:<port>/request` until the returned
/// task is aborted.
pub async fn serve_request_object(body: String) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/request", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/request",
        axum::routing::get(move || async move {
            ([("content-type", "application/oauth-authz-req+jwt")], body)
        }),
    );
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, task)
}
