//! The portal against the real server on a random port, on SQLite and PostgreSQL: sign-in,
//! sessions and the attacks it must refuse (forged forms, another trust's ids, OH records
//! for HR, revocation by a role without the right, wrong passwords).
#![allow(clippy::unwrap_used)]
use crate::{now, AppState, Config, Shared};
use passport_keystore::KdfParams;
use passport_records::{ImportKind, SourceRecord};
use passport_store::testing::TestDb;
use reqwest::{header, Client, StatusCode};
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery staple";

pub(super) struct Portal {
    base: String,
    pub(super) state: Shared,
    /// Amara Okafor (ESR person 10000101) in RHQ and, as a different person, in R0A.
    amara_rhq: String,
    amara_r0a: String,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
    _db: TestDb,
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn sample(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn import(state: &Shared, org: &str, kind: ImportKind, records: &[SourceRecord]) {
    state
        .store
        .apply_import(org, kind.as_str(), "test", records, now(), |_| {})
        .await
        .unwrap();
}

/// One argon2id hash for every test user (hashing is the slow part, not under test here).
pub(super) async fn password_hash() -> String {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_init(|| async { super::hash_password(PASSWORD).await.unwrap() })
        .await
        .clone()
}

async fn start(db: TestDb, secure_cookies: bool) -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        bind: addr.to_string(),
        public_url: Some(format!("http://{addr}")),
        data_dir: dir.path().to_path_buf(),
        database_url: Some(db.url.clone()),
        keystore_passphrase: Some("test passphrase, not a secret".into()),
        secure_cookies,
        organisations: crate::orgs::demo_orgs(),
        ..Config::default()
    };
    let kdf = KdfParams {
        m_kib: 256,
        t: 1,
        p: 1,
    };
    let state = Arc::new(AppState::build(config, kdf, now()).await.unwrap());

    let hash = password_hash().await;
    for (org, username, role) in [
        ("RHQ", "rhq.hr", "hr"),
        ("RHQ", "rhq.training", "training"),
        ("RHQ", "rhq.oh", "oh"),
        ("RHQ", "rhq.admin", "admin"),
        ("R0A", "r0a.hr", "hr"),
    ] {
        let name = format!("Test {role} user of {org}");
        state
            .store
            .upsert_user(org, username, &name, role, &hash, now())
            .await
            .unwrap();
    }
    let staff = sample("esr-staff.csv");
    let rhq = passport_records::parse(ImportKind::EsrStaff, &staff, "RHQ").unwrap();
    import(&state, "RHQ", ImportKind::EsrStaff, &rhq).await;
    let oh =
        passport_records::parse(ImportKind::OccupationalHealth, &sample("oh.csv"), "RHQ").unwrap();
    import(&state, "RHQ", ImportKind::OccupationalHealth, &oh).await;
    let r0a_text = staff.replace(",RHQ", ",R0A");
    let r0a = passport_records::parse(ImportKind::EsrStaff, &r0a_text, "R0A").unwrap();
    import(&state, "R0A", ImportKind::EsrStaff, &r0a).await;
    // A record naming Amara's ESR person ID with another surname and date of birth: review.
    let mut doubtful = rhq[0].clone();
    doubtful.key.push_str("-doubtful");
    if let Some(p) = doubtful.person.as_mut() {
        p.family_name = "Adeyemi".into();
        p.date_of_birth = Some("1999-03-15".into());
    }
    import(&state, "RHQ", ImportKind::EsrStaff, &[doubtful]).await;

    let amara = |org: &'static str| {
        let state = state.clone();
        async move {
            let found = state.store.search_people(org, "10000101", 5).await.unwrap();
            assert_eq!(found.len(), 1, "{org}");
            found[0].id.clone()
        }
    };
    let amara_rhq = amara("RHQ").await;
    let amara_r0a = amara("R0A").await;
    assert_ne!(amara_rhq, amara_r0a);

    let app = crate::router(state.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Portal {
        base: format!("http://{addr}"),
        state,
        amara_rhq,
        amara_r0a,
        task,
        _dir: dir,
        _db: db,
    }
}

pub(super) async fn portals() -> Vec<Portal> {
    let mut out = Vec::new();
    for db in passport_store::testing::both().await.unwrap() {
        out.push(start(db, false).await);
    }
    out
}

pub(super) fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the first hidden `csrf` field of a page.
pub(super) fn csrf_of(html: &str) -> String {
    let start =
        html.find(r#"name="csrf" value=""#).expect("a csrf field") + r#"name="csrf" value=""#.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

impl Portal {
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs `username` in; returns the client (holding the session cookie) and the
    /// session's CSRF token.
    pub(super) async fn sign_in(&self, username: &str) -> (Client, String) {
        let c = client();
        let form = c
            .get(self.url("/portal/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = c
            .post(self.url("/portal/login"))
            .form(&[
                ("csrf", csrf_of(&form).as_str()),
                ("username", username),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username}");
        assert_eq!(r.headers()[header::LOCATION], "/portal");
        let home = c.get(self.url("/portal")).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::OK);
        let csrf = csrf_of(&home.text().await.unwrap());
        (c, csrf)
    }

    pub(super) async fn page(&self, c: &Client, path: &str) -> (StatusCode, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

#[tokio::test]
async fn signing_in_makes_a_session_and_wrong_passwords_do_not() {
    for p in portals().await {
        let c = client();
        let r = c.get(p.url("/portal")).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "signed out: to the sign-in page"
        );
        assert_eq!(r.headers()[header::LOCATION], "/portal/login");

        let r = c.get(p.url("/portal/login")).send().await.unwrap();
        let cookies = set_cookies(&r);
        assert!(
            cookies.iter().any(|c| c.starts_with("passport_login=")
                && c.contains("HttpOnly")
                && c.contains("SameSite=Strict")),
            "{cookies:?}"
        );
        let mut csrf = csrf_of(&r.text().await.unwrap());
        for (username, password) in [("rhq.hr", "wrong"), ("nobody", PASSWORD), ("", "")] {
            let r = c
                .post(p.url("/portal/login"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("username", username),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            assert!(
                !set_cookies(&r)
                    .iter()
                    .any(|c| c.starts_with("passport_session=")),
                "no session for {username}"
            );
            let html = r.text().await.unwrap();
            assert!(html.contains("Username or password is wrong"), "{username}");
            // Each sign-in page gets a fresh double-submit token.
            let fresh = csrf_of(&html);
            assert_ne!(fresh, csrf);
            csrf = fresh;
            assert!(!html.contains("No such user") && !html.contains("not found"));
            let r = c.get(p.url("/portal")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "still signed out");
        }

        // Without the double-submit cookie (another site posting the form): refused.
        let r = client()
            .post(p.url("/portal/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "rhq.hr"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(!set_cookies(&r)
            .iter()
            .any(|c| c.starts_with("passport_session=")));

        let r = c
            .post(p.url("/portal/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "rhq.hr"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let session = set_cookies(&r)
            .into_iter()
            .find(|c| c.starts_with("passport_session="))
            .unwrap();
        assert!(
            session.contains("HttpOnly")
                && session.contains("SameSite=Strict")
                && session.contains("Path=/")
        );
        assert!(!session.contains("Secure"), "plain-http configuration");
        let (status, home) = p.page(&c, "/portal").await;
        assert_eq!(status, StatusCode::OK);
        assert!(home.contains("Northfield Teaching Hospitals"), "org name");
        assert!(home.contains("Test hr user of RHQ") && home.contains("HR"));

        // Signing out ends the session on the server, not only in the browser.
        let csrf = csrf_of(&home);
        let r = c
            .post(p.url("/portal/logout"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let token = session
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("passport_session=");
        assert!(p.state.store.session(token, now()).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn secure_cookies_use_the_host_prefix() {
    let p = start(passport_store::testing::sqlite().unwrap(), true).await;
    let r = client().get(p.url("/portal/login")).send().await.unwrap();
    let cookies = set_cookies(&r);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("__Host-passport_login=")
                && c.contains("; Secure")
                && c.contains("Path=/")
                && !c.contains("Domain")),
        "{cookies:?}"
    );
    let postgres = start(passport_store::testing::postgres().await.unwrap(), true).await;
    let r = client()
        .get(postgres.url("/portal/login"))
        .send()
        .await
        .unwrap();
    assert!(set_cookies(&r)
        .iter()
        .any(|c| c.starts_with("__Host-passport_login=")));
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    for p in portals().await {
        let (c, _) = p.sign_in("rhq.hr").await;
        let r = client().get(p.url("/portal/login")).send().await.unwrap();
        assert_eq!(r.headers()[header::X_FRAME_OPTIONS], "DENY");
        assert!(r.headers().contains_key(header::CONTENT_SECURITY_POLICY));
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        for path in [
            "/portal",
            "/portal/staff?q=okafor",
            "/portal/review",
            &format!("/portal/staff/{}", p.amara_rhq),
        ] {
            let r = c.get(p.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            let h = r.headers();
            let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(
                csp.contains("script-src 'self'")
                    && csp.contains("style-src 'self'")
                    && csp.contains("frame-ancestors 'none'")
            );
            assert!(!csp.contains("unsafe-inline"));
            assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
            assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
            assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
            let html = r.text().await.unwrap();
            assert!(
                !html.contains("<script>") && !html.contains(" style="),
                "{path}: nothing inline"
            );
        }
        let css = super::assets::url("nhsuk-frontend.min.css");
        let r = c.get(p.url(&css)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable"));
        assert!(r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css"));
        let r = c
            .get(p.url("/portal/assets/../Cargo.toml"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    for p in portals().await {
        let (c, csrf) = p.sign_in("rhq.hr").await;
        let offers = format!("/portal/staff/{}/offers", p.amara_rhq);
        for form in [
            vec![],
            vec![("csrf", "")],
            vec![("csrf", "forged")],
            vec![("csrf", &csrf[..csrf.len() - 1])],
        ] {
            let r = c.post(p.url(&offers)).form(&form).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{form:?}");
            assert!(r
                .text()
                .await
                .unwrap()
                .contains("The form could not be accepted"));
        }
        let r = c
            .post(p.url(&offers))
            .body("not a form")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(
            p.state
                .store
                .offers_of("RHQ", &p.amara_rhq)
                .await
                .unwrap()
                .is_empty(),
            "no offer made"
        );

        // Another user's token does not do either.
        let (_, other) = p.sign_in("rhq.admin").await;
        let r = c
            .post(p.url(&offers))
            .form(&[("csrf", other.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let r = c
            .post(p.url("/portal/logout"))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            p.page(&c, "/portal").await.0,
            StatusCode::OK,
            "still signed in"
        );

        let items = p.state.store.review_queue("RHQ").await.unwrap();
        let r = c
            .post(p.url(&format!("/portal/review/{}", items[0].id)))
            .form(&[("choice", "new")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            p.state.store.review_queue("RHQ").await.unwrap().len(),
            items.len()
        );

        // With the token, the same request works.
        let r = c
            .post(p.url(&offers))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            p.state
                .store
                .offers_of("RHQ", &p.amara_rhq)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn another_trusts_people_are_not_found() {
    for p in portals().await {
        let (c, csrf) = p.sign_in("rhq.hr").await;
        let (status, _) = p.page(&c, &format!("/portal/staff/{}", p.amara_rhq)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, html) = p.page(&c, &format!("/portal/staff/{}", p.amara_r0a)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("Okafor"));
        let r = c
            .post(p.url(&format!("/portal/staff/{}/offers", p.amara_r0a)))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(p
            .state
            .store
            .offers_of("R0A", &p.amara_r0a)
            .await
            .unwrap()
            .is_empty());
        let (_, results) = p.page(&c, "/portal/staff?q=okafor").await;
        assert!(results.contains(&p.amara_rhq) && !results.contains(&p.amara_r0a));

        let (c, _) = p.sign_in("r0a.hr").await;
        let (status, _) = p.page(&c, &format!("/portal/staff/{}", p.amara_rhq)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, queue) = p.page(&c, "/portal/review").await;
        assert!(
            queue.contains("There is nothing to review"),
            "RHQ's queue is not R0A's"
        );
    }
}

#[tokio::test]
async fn occupational_health_detail_is_for_the_oh_role_only() {
    for p in portals().await {
        let person = format!("/portal/staff/{}", p.amara_rhq);
        for (user, sees_oh) in [
            ("rhq.hr", false),
            ("rhq.training", false),
            ("rhq.admin", false),
            ("rhq.oh", true),
        ] {
            let (c, _) = p.sign_in(user).await;
            let (status, html) = p.page(&c, &person).await;
            assert_eq!(status, StatusCode::OK, "{user}");
            assert!(html.contains("Employment (ESR assignment)"), "{user}");
            assert!(
                html.contains("Occupational health clearance"),
                "{user} sees clearance"
            );
            for detail in [
                "Measles Mumps and Rubella",
                "BCG Scar Evident",
                "<h3>Vaccination</h3>",
                "<h3>Observation</h3>",
            ] {
                assert_eq!(html.contains(detail), sees_oh, "{user}: {detail}");
            }
        }
    }
}

#[tokio::test]
async fn revoking_needs_a_role_that_may_and_then_works() {
    for p in portals().await {
        let view = p
            .state
            .store
            .person("RHQ", &p.amara_rhq)
            .await
            .unwrap()
            .unwrap();
        let record = view
            .records
            .iter()
            .find(|r| r.type_name == "Employment")
            .unwrap();
        let vaccination = view
            .records
            .iter()
            .find(|r| r.type_name == "Vaccination")
            .unwrap();
        let (cid, _) = p
            .state
            .store
            .register_issued(
                "RHQ",
                &p.amara_rhq,
                &record.id,
                "Employment",
                "jkt",
                "n-1",
                now(),
                None,
            )
            .await
            .unwrap();
        let (oh_cid, _) = p
            .state
            .store
            .register_issued(
                "RHQ",
                &p.amara_rhq,
                &vaccination.id,
                "Vaccination",
                "jkt",
                "n-1",
                now(),
                None,
            )
            .await
            .unwrap();
        let revoke = |cid: &str| format!("/portal/staff/{}/credentials/{cid}/revoke", p.amara_rhq);
        let live = |cid: String| {
            let state = p.state.clone();
            let pid = p.amara_rhq.clone();
            async move {
                let all = state.store.issued_to("RHQ", &pid).await.unwrap();
                all.iter()
                    .find(|c| c.id == cid)
                    .unwrap()
                    .revoked_at
                    .is_none()
            }
        };

        for user in ["rhq.training", "rhq.oh"] {
            let (c, csrf) = p.sign_in(user).await;
            let r = c
                .post(p.url(&revoke(&cid)))
                .form(&[("csrf", csrf.as_str()), ("reason", "x")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{user}");
            assert_eq!(
                p.page(&c, &revoke(&cid)).await.0,
                StatusCode::FORBIDDEN,
                "{user}"
            );
            let (_, html) = p.page(&c, &format!("/portal/staff/{}", p.amara_rhq)).await;
            assert!(!html.contains(&revoke(&cid)), "{user} gets no revoke link");
        }
        assert!(live(cid.clone()).await);

        let (c, csrf) = p.sign_in("rhq.hr").await;
        // HR may not see (nor so revoke) an OH-only credential.
        let r = c
            .post(p.url(&revoke(&oh_cid)))
            .form(&[("csrf", csrf.as_str()), ("reason", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(live(oh_cid.clone()).await);

        let (status, confirm) = p.page(&c, &revoke(&cid)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(confirm.contains("Revoking cannot be undone"));
        let r = c
            .post(p.url(&revoke(&cid)))
            .form(&[("csrf", csrf.as_str()), ("reason", "  ")])
            .send()
            .await
            .unwrap();
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("Enter a reason for revoking"));
        assert!(live(cid.clone()).await, "no reason, no revocation");
        let r = c
            .post(p.url(&revoke(&cid)))
            .form(&[("csrf", csrf.as_str()), ("reason", "issued in error")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(!live(cid.clone()).await);
        let (_, html) = p
            .page(&c, r.headers()[header::LOCATION].to_str().unwrap())
            .await;
        assert!(html.contains("The credential has been revoked") && html.contains("Revoked"));
        assert!(html.contains("issued in error (revoked by rhq.hr)"));
        // Twice: there is no live credential any more.
        let r = c
            .post(p.url(&revoke(&cid)))
            .form(&[("csrf", csrf.as_str()), ("reason", "again")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn an_offer_shows_its_qr_code_link_and_transaction_code() {
    for p in portals().await {
        let (c, csrf) = p.sign_in("rhq.training").await;
        let offers = format!("/portal/staff/{}/offers", p.amara_rhq);
        let r = c
            .post(p.url(&offers))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "training may not make offers"
        );

        let (c, csrf) = p.sign_in("rhq.hr").await;
        let (_, person) = p.page(&c, &format!("/portal/staff/{}", p.amara_rhq)).await;
        assert!(person.contains("Create an offer") && person.contains("No offers made yet"));
        let r = c
            .post(p.url(&offers))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        let html = r.text().await.unwrap();
        assert!(html.contains(r#"<svg class="app-qr" id="offer-qr" role="img""#));
        assert!(html.contains("href=\"openid-credential-offer://?credential_offer_uri="));
        let start = html.find(r#"id="tx-code">"#).unwrap() + r#"id="tx-code">"#.len();
        let code = &html[start..start + 6];
        assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        assert!(html.contains("Give this code to Amara Okafor separately"));
        let (_, person) = p.page(&c, &format!("/portal/staff/{}", p.amara_rhq)).await;
        assert!(person.contains("Waiting"), "the offer is listed");
        assert!(!person.contains("tx-code"), "the code is shown once only");
    }
}

#[tokio::test]
async fn the_review_queue_is_resolved_by_choosing_a_candidate() {
    for p in portals().await {
        let (c, csrf) = p.sign_in("rhq.training").await;
        assert_eq!(p.page(&c, "/portal/review").await.0, StatusCode::FORBIDDEN);
        let items = p.state.store.review_queue("RHQ").await.unwrap();
        let item = items
            .iter()
            .find(|i| i.record.key.contains("-doubtful"))
            .unwrap();
        let r = c
            .post(p.url(&format!("/portal/review/{}", item.id)))
            .form(&[("csrf", csrf.as_str()), ("choice", p.amara_rhq.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let (c, csrf) = p.sign_in("rhq.hr").await;
        let (status, queue) = p.page(&c, "/portal/review").await;
        assert_eq!(status, StatusCode::OK);
        assert!(queue.contains("Adeyemi") && queue.contains(&p.amara_rhq));
        let resolve = format!("/portal/review/{}", item.id);
        for bad in ["", "p-not-a-candidate", p.amara_r0a.as_str()] {
            let r = c
                .post(p.url(&resolve))
                .form(&[("csrf", csrf.as_str()), ("choice", bad)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{bad}");
            assert!(
                r.text().await.unwrap().contains("There is a problem"),
                "{bad}"
            );
        }
        assert_eq!(
            p.state.store.review_queue("RHQ").await.unwrap().len(),
            items.len()
        );
        let r = c
            .post(p.url(&resolve))
            .form(&[("csrf", csrf.as_str()), ("choice", p.amara_rhq.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            p.state.store.review_queue("RHQ").await.unwrap().len(),
            items.len() - 1
        );
        let (_, queue) = p.page(&c, "/portal/review?done=resolved").await;
        assert!(queue.contains("The record has been matched and stored"));
    }
}
