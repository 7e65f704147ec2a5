//! Portal users signed in over HTTP, as a browser would: a cookie-holding client and the
//! session's CSRF token, with helpers to read pages and post forms.
#![allow(dead_code, clippy::unwrap_used)]
use super::TestServer;
use reqwest::{Client, StatusCode};

pub const PASSWORD: &str = "a portal test password, synthetic";

/// One argon2id hash for every test user (hashing is not under test here).
async fn password_hash() -> String {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_init(|| async {
        passport_server::portal::hash_password(PASSWORD)
            .await
            .unwrap()
    })
    .await
    .clone()
}

/// Creates `username` with one membership (`org`, `role`); returns the user id.
pub async fn user(server: &TestServer, org: &str, username: &str, role: &str) -> String {
    let name = format!("Test {role} of {org}");
    server
        .state
        .store
        .upsert_user(
            org,
            username,
            &name,
            role,
            &password_hash().await,
            passport_server::now(),
        )
        .await
        .unwrap()
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).expect("a csrf field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// A signed-in user.
pub struct Signed {
    pub username: String,
    pub client: Client,
    pub csrf: String,
    base: String,
}

/// Signs `username` in through the sign-in form.
pub async fn sign_in(server: &TestServer, username: &str) -> Signed {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = |p: &str| format!("{}{p}", server.base);
    let form = client
        .get(url("/portal/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = client
        .post(url("/portal/login"))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username} signs in");
    let home = client.get(url("/portal")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK, "{username} home");
    let csrf = csrf_of(&home.text().await.unwrap());
    Signed {
        username: username.to_string(),
        client,
        csrf,
        base: server.base.clone(),
    }
}

impl Signed {
    /// GET `path`: the status and body.
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// POST the form `fields` (and the session's CSRF token) to `path`: the status.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> StatusCode {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .unwrap()
            .status()
    }
}
