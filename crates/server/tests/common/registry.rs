//! The trust list registry as its administrator and its consumers meet it over HTTP: the
//! organisation form's fields, posting forms and reading the page that comes back, and the
//! signed list a node serves, verified with the registry key.
#![allow(dead_code, clippy::unwrap_used)]
use super::portal::{sign_in, user, Signed};
use super::TestServer;
use passport_jose::{Es256Signer, Signer};
use passport_trust_list::TrustList;
use reqwest::StatusCode;

pub const ADMIN: &str = "registry.admin";

/// A registry administrator of `org` on `server`, signed in.
pub async fn admin(server: &TestServer, org: &str) -> Signed {
    user(server, org, ADMIN, "registry-admin").await;
    sign_in(server, ADMIN).await
}

/// A JWK Set of the public key of `signer`, as an organisation would send it.
pub fn jwks_of(signer: &dyn Signer) -> String {
    serde_json::json!({ "keys": [signer.public_jwk()] }).to_string()
}

/// A fresh key (for an organisation that is not a node of the test).
pub fn new_key() -> Es256Signer {
    Es256Signer::generate().unwrap().0
}

/// The organisation form's fields: a trust that may issue `types` and verify.
pub fn org_fields(ods: &str, issuer: &str, jwks: &str, types: &[&str]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("ods_code".to_string(), ods.to_string()),
        ("name".into(), format!("{ods} NHS Trust (synthetic)")),
        ("kind".into(), "trust".into()),
        ("issuer".into(), issuer.to_string()),
        ("jwks".into(), jwks.to_string()),
        ("may_verify".into(), "yes".into()),
    ];
    fields.extend(
        types
            .iter()
            .map(|t| ("may_issue".to_string(), (*t).to_string())),
    );
    fields
}

/// POSTs `fields` with the session's CSRF token (unless `csrf` overrides it): the status, the
/// redirect's target and the page.
pub async fn post_form(
    s: &Signed,
    server: &TestServer,
    path: &str,
    fields: &[(String, String)],
    csrf: Option<&str>,
) -> (StatusCode, String, String) {
    let mut form = vec![("csrf".to_string(), csrf.unwrap_or(&s.csrf).to_string())];
    form.extend_from_slice(fields);
    let r = s
        .client
        .post(format!("{}{path}", server.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

/// Adds an organisation to the draft through the form; the redirect must follow.
pub async fn add(s: &Signed, server: &TestServer, fields: &[(String, String)]) {
    let (status, location, page) =
        post_form(s, server, "/portal/registry/organisations", fields, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(
        location.starts_with("/portal/registry?done=added"),
        "{location}"
    );
}

/// Publishes the draft through the form; the redirect must follow.
pub async fn publish(s: &Signed, server: &TestServer) {
    let (status, location, page) =
        post_form(s, server, "/portal/registry/publish", &[], None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, "/portal/registry?done=published");
}

/// The list `server` serves at `/trust-list`, as signed.
pub async fn served_jwt(server: &TestServer) -> String {
    let r = super::http()
        .get(format!("{}/trust-list", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

/// The list `server` serves, verified with the registry key `registry` serves.
pub async fn served(server: &TestServer, registry: &TestServer) -> TrustList {
    let key = registry.state.registry_jwk.verifying_key().unwrap();
    TrustList::verify(&served_jwt(server).await, &key, passport_server::now()).unwrap()
}

/// The number of organisations on `server`'s draft.
pub async fn draft_codes(server: &TestServer) -> Vec<String> {
    (server.state.store.registry_draft().await.unwrap())
        .into_iter()
        .map(|d| d.ods_code)
        .collect()
}
