//! Forged ID tokens through the whole callback, on SQLite and PostgreSQL: a small in-test
//! provider (discovery, JWKS, token endpoint) hands the real server, for one flow each, an ID
//! token with a wrong nonce, another audience, another issuer, an expired one, or one signed by
//! a second key under the provider's `kid`. Each is refused and signs nobody in, after a
//! baseline shows the same setup with a good token does.
#![allow(clippy::unwrap_used)]
mod common;

use axum::routing::{get, post};
use axum::{Json, Router};
use passport_jose::{b64, Es256Signer, Signer};
use passport_store::{Membership, NO_PASSWORD};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const CLIENT: &str = common::oidc::CLIENT_ID;
const SUBJECT: &str = "forged-test-subject";

/// A provider whose token endpoint returns whatever ID token the test put in the slot.
async fn fake_provider(key: &Es256Signer) -> (String, Arc<Mutex<String>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let slot = Arc::new(Mutex::new(String::new()));
    let discovery = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "code_challenge_methods_supported": ["S256"],
    });
    let jwk = key.public_jwk();
    let jwks = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": jwk.x, "y": jwk.y, "kid": key.kid(), "use": "sig", "alg": "ES256"}]});
    let token = slot.clone();
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { Json(discovery) }),
        )
        .route("/jwks", get(move || async move { Json(jwks) }))
        .route(
            "/token",
            post(move || async move {
                let id_token = token.lock().unwrap().clone();
                Json(json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token}))
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (issuer, slot)
}

fn sign(key: &Es256Signer, kid: &str, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64::encode(json!({"alg": "ES256", "kid": kid, "typ": "JWT"}).to_string()),
        b64::encode(claims.to_string())
    );
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64::encode(sig))
}

#[tokio::test]
async fn forged_id_tokens_are_refused_through_the_whole_callback() {
    let (key, _) = Es256Signer::generate().unwrap();
    let (second, _) = Es256Signer::generate().unwrap();
    for db in passport_store::testing::both().await.unwrap() {
        let (issuer, slot) = fake_provider(&key).await;
        let config = common::oidc::config(&issuer, "sub");
        let server = common::start_with(db, |c| c.oidc = Some(config)).await;
        let id = server
            .state
            .store
            .upsert_account(
                "sso.only",
                "Sam Example",
                NO_PASSWORD,
                &[Membership::new("RHQ", "hr")],
                passport_server::now(),
            )
            .await
            .unwrap();
        server
            .state
            .store
            .link_identity(&id, &issuer, SUBJECT, passport_server::now())
            .await
            .unwrap();

        let now = passport_server::now();
        let good = |nonce: &str| json!({"iss": issuer, "aud": CLIENT, "sub": SUBJECT, "nonce": nonce, "iat": now, "exp": now + 300});
        type Forge<'a> = Box<dyn Fn(&str) -> String + 'a>;
        let cases: Vec<(&str, Forge, &str)> = vec![
            (
                "wrong nonce",
                Box::new(|_| sign(&key, key.kid(), &good("a-nonce-this-sign-in-never-sent"))),
                "nonce is not the one this sign-in sent",
            ),
            (
                "wrong audience",
                Box::new(|n| {
                    let mut c = good(n);
                    c["aud"] = json!("another-client");
                    sign(&key, key.kid(), &c)
                }),
                "not for this client",
            ),
            (
                "another issuer",
                Box::new(|n| {
                    let mut c = good(n);
                    c["iss"] = json!("https://idp.evil.example");
                    sign(&key, key.kid(), &c)
                }),
                "issuer is not the configured provider",
            ),
            (
                "expired",
                Box::new(|n| {
                    let mut c = good(n);
                    c["exp"] = json!(now - 3600);
                    sign(&key, key.kid(), &c)
                }),
                "has expired",
            ),
            (
                "a second key under the provider's kid",
                Box::new(|n| sign(&second, key.kid(), &good(n))),
                "signature does not verify",
            ),
            (
                "good (baseline)",
                Box::new(|n| sign(&key, key.kid(), &good(n))),
                "You are signed in",
            ),
        ];
        for (name, forge, expected) in cases {
            let (status, page, home) = attempt(&server.base, &slot, forge).await;
            assert!(page.contains(expected), "{name}: {page}");
            if name.ends_with("(baseline)") {
                assert_eq!(status, StatusCode::OK, "{name}");
                assert_eq!(home, StatusCode::OK, "{name}: signed in");
            } else {
                assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
                assert_eq!(home, StatusCode::SEE_OTHER, "{name}: nobody signed in");
            }
        }

        // A locked account stays locked through single sign-on, with a good token; unlocked,
        // the same sign-in works again.
        let store = &server.state.store;
        let locked = store.record_failed_sign_in(&id, 1, 900, passport_server::now());
        assert!(locked.await.unwrap(), "one failure at threshold 1 locks");
        let good_token: Forge = Box::new(|n| sign(&key, key.kid(), &good(n)));
        let (status, page, home) = attempt(&server.base, &slot, good_token).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "locked: {page}");
        assert!(page.contains("Your account is locked"), "{page}");
        assert_eq!(home, StatusCode::SEE_OTHER, "locked: nobody signed in");
        assert!(server.state.store.unlock_account(&id).await.unwrap());
        let good_token: Forge = Box::new(|n| sign(&key, key.kid(), &good(n)));
        let (status, _, home) = attempt(&server.base, &slot, good_token).await;
        assert_eq!((status, home), (StatusCode::OK, StatusCode::OK), "unlocked");
    }
}

/// One sign-in through the real callback, the provider answering with `forge(nonce)`; returns
/// the callback's status and page, and the status of the portal home page afterwards.
async fn attempt(
    base: &str,
    slot: &Mutex<String>,
    forge: Box<dyn Fn(&str) -> String + '_>,
) -> (StatusCode, String, StatusCode) {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c
        .get(format!("{base}/portal/oidc/start"))
        .send()
        .await
        .unwrap();
    let auth = reqwest::Url::parse(r.headers()[header::LOCATION].to_str().unwrap()).unwrap();
    let param = |k: &str| {
        auth.query_pairs()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    *slot.lock().unwrap() = forge(&param("nonce"));
    let r = c
        .get(format!(
            "{base}/portal/oidc/callback?code=any-code&state={}",
            param("state")
        ))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let page = r.text().await.unwrap();
    let home = c
        .get(format!("{base}/portal"))
        .send()
        .await
        .unwrap()
        .status();
    (status, page, home)
}
