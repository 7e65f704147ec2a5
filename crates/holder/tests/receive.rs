//! The wallet against a small issuer built from `passport-oid4vci` on a loopback port: the whole
//! Pre-Authorized Code Flow, and the ways it must fail. (The end-to-end test against the real
//! passport server lives with the server.)
#![allow(clippy::unwrap_used)]
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use passport_catalogue::Catalogue;
use passport_holder::{HolderError, KdfParams, Step, Wallet};
use passport_jose::{Es256Signer, Jwk, Signer};
use passport_oid4vci::*;
use passport_sd_jwt::issue::RandomSalts;
use passport_sd_jwt::vc::{issue, Envelope};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const CODE: &str = "pre-authorized-code-1";
const TX: &str = "493536";
const TOKEN: &str = "access-token-1";

#[derive(Default)]
struct Behaviour {
    /// Answer the first credential request with invalid_nonce.
    reject_first_nonce: AtomicBool,
    /// Bind the credential to a key other than the proof's.
    bind_to_other_key: AtomicBool,
}

struct Mock {
    base: String,
    issuer: String,
    key: Es256Signer,
    nonces: Mutex<Vec<String>>,
    notifications: Mutex<Vec<(String, String)>>,
    credential_requests: AtomicUsize,
    next_id: AtomicUsize,
    behaviour: Behaviour,
}

type Shared = Arc<Mock>;

struct Oops(Oid4vciError);

impl IntoResponse for Oops {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.http_status()).unwrap();
        (status, Json(self.0.to_json())).into_response()
    }
}

impl From<Oid4vciError> for Oops {
    fn from(e: Oid4vciError) -> Self {
        Oops(e)
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn offer_of(m: &Mock) -> CredentialOffer {
    CredentialOffer::pre_authorized(
        &m.issuer,
        vec!["CoreSkillsTraining".into()],
        CODE,
        Some(TxCode::numeric(6, "From your HR team")),
    )
}

async fn offer(State(m): State<Shared>) -> Json<Value> {
    Json(serde_json::to_value(offer_of(&m)).unwrap())
}

async fn issuer_md(State(m): State<Shared>) -> Json<Value> {
    Json(issuer_metadata(&m.issuer, Catalogue::nhs(), "Mock Trust"))
}

async fn as_md(State(m): State<Shared>) -> Json<Value> {
    Json(authorization_server_metadata(&m.issuer))
}

async fn token(body: Bytes) -> Result<Json<TokenResponse>, Oops> {
    let request = TokenRequest::parse_form(&body)?;
    if request.pre_authorized_code != CODE {
        return Err(Oid4vciError::InvalidGrant("unknown pre-authorized code".into()).into());
    }
    check_tx_code(Some(TX), request.tx_code.as_deref())?;
    Ok(Json(TokenResponse::bearer(
        TOKEN,
        300,
        vec![AuthorizationDetail::openid_credential(
            "CoreSkillsTraining",
            vec!["cst-fire-safety".into(), "cst-moving-handling".into()],
        )],
    )))
}

async fn nonce(State(m): State<Shared>) -> Json<NonceResponse> {
    let n = format!("nonce-{}", m.next_id.fetch_add(1, Ordering::SeqCst));
    m.nonces.lock().unwrap().push(n.clone());
    Json(NonceResponse { c_nonce: n })
}

fn authorised(headers: &HeaderMap) -> Result<(), Oid4vciError> {
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some(v) if v == format!("Bearer {TOKEN}") => Ok(()),
        _ => Err(Oid4vciError::InvalidToken("bad token".into())),
    }
}

async fn credential(
    State(m): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<CredentialResponse>, Oops> {
    authorised(&headers)?;
    let request = CredentialRequest::parse(&body, BATCH_SIZE)?;
    let RequestedCredential::Identifier(id) = &request.credential else {
        return Err(Oid4vciError::InvalidCredentialRequest("use the identifier".into()).into());
    };
    if !id.starts_with("cst-") {
        return Err(Oid4vciError::UnknownCredentialIdentifier(id.clone()).into());
    }
    let first = m.credential_requests.fetch_add(1, Ordering::SeqCst) == 0;
    let mut issued = Vec::new();
    for proof in &request.proofs {
        let p = verify_proof(proof, &m.issuer, now(), 300)?;
        let known = {
            let mut nonces = m.nonces.lock().unwrap();
            let at = nonces.iter().position(|n| *n == p.nonce);
            at.map(|i| nonces.remove(i)).is_some()
        };
        if !known || (first && m.behaviour.reject_first_nonce.load(Ordering::SeqCst)) {
            return Err(Oid4vciError::InvalidNonce("stale c_nonce".into()).into());
        }
        let holder: Jwk = if m.behaviour.bind_to_other_key.load(Ordering::SeqCst) {
            Es256Signer::generate().unwrap().0.public_jwk().clone()
        } else {
            p.jwk
        };
        let envelope = Envelope {
            iss: m.issuer.clone(),
            vct: Catalogue::nhs()
                .by_name("CoreSkillsTraining")
                .unwrap()
                .vct
                .clone(),
            iat: now(),
            exp: Some(now() + 3600),
            nbf: None,
            holder: Some(holder),
            status: None,
        };
        let claims = json!({"recordType": "CoreSkillsTraining", "subjectName": id});
        let sd = issue(
            &m.key,
            &envelope,
            claims.as_object().unwrap().clone(),
            &[passport_sd_jwt::ClaimPath::keys(&["subjectName"])],
            &mut RandomSalts::default(),
            1,
        )
        .unwrap();
        issued.push(sd.compact());
    }
    let notification_id = format!("n-{}", m.next_id.fetch_add(1, Ordering::SeqCst));
    Ok(Json(CredentialResponse::issued(
        issued,
        Some(notification_id),
    )))
}

async fn notification(
    State(m): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, Oops> {
    authorised(&headers)?;
    let n = NotificationRequest::parse(&body)?;
    m.notifications
        .lock()
        .unwrap()
        .push((n.notification_id, n.event.as_str().to_string()));
    Ok(StatusCode::NO_CONTENT)
}

async fn start() -> Shared {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mock = Arc::new(Mock {
        issuer: format!("{base}/issuers/RHQ"),
        base,
        key: Es256Signer::generate().unwrap().0,
        nonces: Mutex::default(),
        notifications: Mutex::default(),
        credential_requests: AtomicUsize::new(0),
        next_id: AtomicUsize::new(0),
        behaviour: Behaviour::default(),
    });
    let app = Router::new()
        .route("/offers/1", get(offer))
        .route(
            "/.well-known/openid-credential-issuer/issuers/RHQ",
            get(issuer_md),
        )
        .route(
            "/.well-known/oauth-authorization-server/issuers/RHQ",
            get(as_md),
        )
        .route("/issuers/RHQ/token", post(token))
        .route("/issuers/RHQ/nonce", post(nonce))
        .route("/issuers/RHQ/credential", post(credential))
        .route("/issuers/RHQ/notification", post(notification))
        .with_state(mock.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    mock
}

fn link(m: &Mock) -> String {
    offer_link(&format!("{}/offers/1", m.base))
}

fn http() -> reqwest::Client {
    passport_holder::http_client().unwrap()
}

#[tokio::test]
async fn receives_every_granted_credential_and_notifies() {
    let m = start().await;
    let mut wallet = Wallet::in_memory().unwrap();
    let got = wallet
        .receive(&link(&m), Some(TX), &http(), now())
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(wallet.credentials(), &got[..]);
    for (c, id) in got.iter().zip(["cst-fire-safety", "cst-moving-handling"]) {
        assert_eq!(c.issuer, m.issuer);
        assert_eq!(c.configuration_id, "CoreSkillsTraining");
        assert_eq!(c.credential_identifier.as_deref(), Some(id));
        assert_eq!(
            c.vct,
            "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1"
        );
        let claims = c.claims().unwrap();
        assert_eq!(claims["subjectName"], id);
        assert_eq!(
            Jwk::from_json(&claims["cnf"]["jwk"]).unwrap().thumbprint(),
            wallet.device_jwk().thumbprint()
        );
    }
    let notes = m.notifications.lock().unwrap().clone();
    assert_eq!(notes.len(), 2);
    assert!(notes.iter().all(|(_, e)| e == "credential_accepted"));
    assert!(
        m.nonces.lock().unwrap().is_empty(),
        "every nonce fetched was used"
    );
}

#[tokio::test]
async fn file_wallet_keeps_what_it_received() {
    let m = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.json");
    let light = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };
    let mut wallet = Wallet::create_or_open(&path, b"pass", light).unwrap();
    // By value this time.
    let by_value = offer_link_by_value(&offer_of(&m));
    wallet
        .receive(&by_value, Some(TX), &http(), now())
        .await
        .unwrap();
    let reopened = Wallet::create_or_open(&path, b"pass", light).unwrap();
    assert_eq!(reopened.credentials().len(), 2);
    assert_eq!(reopened.device_jwk(), wallet.device_jwk());
}

#[tokio::test]
async fn issuer_refusals_are_surfaced_with_their_code() {
    let m = start().await;
    let mut wallet = Wallet::in_memory().unwrap();
    let e = wallet
        .receive(&link(&m), Some("000000"), &http(), now())
        .await
        .unwrap_err();
    match &e {
        HolderError::Server {
            step,
            status,
            error,
            error_description,
        } => {
            assert_eq!(
                (*step, *status, error.as_str()),
                (Step::Token, 400, "invalid_grant")
            );
            assert_eq!(
                error_description.as_deref(),
                Some("the Transaction Code is wrong")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "token endpoint answered HTTP 400 invalid_grant: the Transaction Code is wrong"
    );
    let e = wallet
        .receive(&link(&m), None, &http(), now())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            HolderError::TxCodeRequired {
                length: Some(6),
                ..
            }
        ),
        "{e}"
    );
    let e = wallet
        .receive(&link(&m), Some("12345"), &http(), now())
        .await
        .unwrap_err();
    assert!(matches!(e, HolderError::TxCodeFormat(_)), "{e}");
    // A proof from the far past is refused by the issuer's proof check.
    let e = wallet
        .receive(&link(&m), Some(TX), &http(), now() - 3600)
        .await
        .unwrap_err();
    assert_eq!(e.server_error_code(), Some("invalid_proof"), "{e}");
    assert!(wallet.credentials().is_empty());
}

#[tokio::test]
async fn invalid_nonce_is_retried_once_with_a_fresh_nonce() {
    let m = start().await;
    m.behaviour.reject_first_nonce.store(true, Ordering::SeqCst);
    let mut wallet = Wallet::in_memory().unwrap();
    let got = wallet
        .receive(&link(&m), Some(TX), &http(), now())
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(m.credential_requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn credential_bound_to_another_key_is_refused_and_reported() {
    let m = start().await;
    m.behaviour.bind_to_other_key.store(true, Ordering::SeqCst);
    let mut wallet = Wallet::in_memory().unwrap();
    let e = wallet
        .receive(&link(&m), Some(TX), &http(), now())
        .await
        .unwrap_err();
    assert!(matches!(e, HolderError::CredentialCheck(_)), "{e}");
    assert!(wallet.credentials().is_empty(), "all or nothing");
    let notes = m.notifications.lock().unwrap().clone();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].1, "credential_failure");
}

#[tokio::test]
async fn plain_http_to_other_hosts_is_not_followed() {
    let mut wallet = Wallet::in_memory().unwrap();
    let link = offer_link("http://passport.example.nhs.uk/offers/1");
    let e = wallet
        .receive(&link, Some(TX), &http(), now())
        .await
        .unwrap_err();
    assert!(matches!(e, HolderError::InsecureUrl { .. }), "{e}");
    let e = wallet
        .receive("openid-credential-offer://?x=1", None, &http(), now())
        .await
        .unwrap_err();
    assert!(matches!(e, HolderError::Offer(_)), "{e}");
}
