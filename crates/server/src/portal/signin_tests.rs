//! Signing in against the real server on a random port, on SQLite and PostgreSQL: choosing and
//! switching memberships (and forged choices), TOTP enrolment and codes (and replays), account
//! lockout, per-address rate limiting, and pages that never say whether a username exists.
#![allow(clippy::unwrap_used)]
use super::tests::{client, csrf_of, password_hash};
use super::totp;
use crate::{now, AppState, Config, Shared};
use passport_keystore::KdfParams;
use passport_store::testing::TestDb;
use passport_store::Membership;
use reqwest::{header, Client, StatusCode};
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery staple";

struct Server {
    base: String,
    state: Shared,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
    _db: TestDb,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start(db: TestDb, edit: impl FnOnce(&mut Config)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = Config {
        bind: addr.to_string(),
        public_url: Some(format!("http://{addr}")),
        data_dir: dir.path().to_path_buf(),
        database_url: Some(db.url.clone()),
        keystore_passphrase: Some("test passphrase, not a secret".into()),
        secure_cookies: false,
        organisations: crate::orgs::demo_orgs(),
        ..Config::default()
    };
    edit(&mut config);
    let kdf = KdfParams {
        m_kib: 256,
        t: 1,
        p: 1,
    };
    let state = Arc::new(AppState::build(config, kdf, now()).await.unwrap());
    let hash = password_hash().await;
    let store = &state.store;
    store
        .upsert_account(
            "locum",
            "Lou Cumming",
            &hash,
            &[
                Membership::new("RHQ", "hr"),
                Membership::new("R0A", "training"),
            ],
            now(),
        )
        .await
        .unwrap();
    for (org, username, role) in [("RHQ", "rhq.hr", "hr"), ("RHQ", "rhq.admin", "admin")] {
        store
            .upsert_user(
                org,
                username,
                &format!("Test {username}"),
                role,
                &hash,
                now(),
            )
            .await
            .unwrap();
    }
    let serving = state.clone();
    let task = tokio::spawn(async move {
        let _ = crate::serve(serving, listener).await;
    });
    Server {
        base: format!("http://{addr}"),
        state,
        task,
        _dir: dir,
        _db: db,
    }
}

async fn servers(edit: impl Fn(&mut Config)) -> Vec<Server> {
    let mut out = Vec::new();
    for db in passport_store::testing::both().await.unwrap() {
        out.push(start(db, &edit).await);
    }
    out
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, c: &Client, path: &str) -> (StatusCode, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn post(&self, c: &Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        c.post(self.url(path)).form(form).send().await.unwrap()
    }

    /// Posts the password form from `ip` (the `X-Forwarded-For` address when the server reads
    /// it); returns the response.
    async fn password(
        &self,
        c: &Client,
        username: &str,
        password: &str,
        ip: &str,
    ) -> reqwest::Response {
        let (_, form) = self.get(c, "/portal/login").await;
        c.post(self.url("/portal/login"))
            .header("x-forwarded-for", ip)
            .form(&[
                ("csrf", csrf_of(&form).as_str()),
                ("username", username),
                ("password", password),
            ])
            .send()
            .await
            .unwrap()
    }

    async fn signed_in(&self, c: &Client) -> bool {
        c.get(self.url("/portal")).send().await.unwrap().status() == StatusCode::OK
    }
}

fn location(r: &reqwest::Response) -> &str {
    r.headers()[header::LOCATION].to_str().unwrap()
}

/// The page without its per-response random tokens, to compare two refusals.
fn without_tokens(html: &str) -> String {
    html.lines()
        .filter(|l| !l.contains(r#"name="csrf""#))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn several_memberships_choose_then_switch_and_forged_choices_change_nothing() {
    for s in servers(|_| {}).await {
        let c = client();
        let r = s.password(&c, "locum", PASSWORD, "192.0.2.1").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/portal/organisation");
        assert!(!s.signed_in(&c).await, "choosing is not signed in yet");

        let (status, page) = s.get(&c, "/portal/organisation").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(r#"value="RHQ:hr""#) && page.contains(r#"value="R0A:training""#));
        let csrf = csrf_of(&page);

        // Forged: memberships the user does not hold (a role held elsewhere, another role).
        for forged in ["R0A:hr", "RHQ:training", "RHQ:admin", "RTH:hr"] {
            let r = s
                .post(
                    &c,
                    "/portal/organisation",
                    &[("csrf", &csrf), ("membership", forged)],
                )
                .await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{forged}");
            assert!(!s.signed_in(&c).await, "{forged}");
            assert_eq!(s.get(&c, "/portal/organisation").await.0, StatusCode::OK);
        }
        // No CSRF token, no choice.
        let r = s
            .post(&c, "/portal/organisation", &[("membership", "RHQ:hr")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(!s.signed_in(&c).await);
        // Nothing chosen: the page again, with an error.
        let r = s.post(&c, "/portal/organisation", &[("csrf", &csrf)]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("Select the organisation"));

        // Baseline: a membership the user holds.
        let r = s
            .post(
                &c,
                "/portal/organisation",
                &[("csrf", &csrf), ("membership", "RHQ:hr")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/portal");
        let (status, home) = s.get(&c, "/portal").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            home.contains("(HR, Northfield Teaching Hospitals"),
            "{home}"
        );
        assert!(home.contains(r#"href="/portal/organisation">Switch organisation"#));

        // Switching later: forged refused, held accepted.
        let csrf = csrf_of(&home);
        let r = s
            .post(
                &c,
                "/portal/organisation",
                &[("csrf", &csrf), ("membership", "R0A:hr")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (_, home) = s.get(&c, "/portal").await;
        assert!(home.contains("(HR, Northfield Teaching Hospitals"));
        let r = s
            .post(
                &c,
                "/portal/organisation",
                &[("csrf", &csrf), ("membership", "R0A:training")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, home) = s.get(&c, "/portal").await;
        assert!(home.contains("(Training, "), "{home}");
        assert!(!home.contains("Northfield Teaching Hospitals"));
        let (_, account) = s.get(&c, "/portal/account").await;
        assert!(account.contains("Training (acting now)"), "{account}");

        // One membership: straight in, and no switcher.
        let c = client();
        let r = s.password(&c, "rhq.hr", PASSWORD, "192.0.2.1").await;
        assert_eq!(location(&r), "/portal");
        let (_, home) = s.get(&c, "/portal").await;
        assert!(!home.contains("Switch organisation"));
    }
}

/// The current TOTP code of `secret` for `step`.
fn code(secret: &[u8], step: i64) -> String {
    format!("{:06}", totp::code_at(secret, step, 6))
}

/// Sets up TOTP for the signed-in client `c` (user `user_id`); returns the secret and the step
/// the confirming code used.
async fn enrol(s: &Server, c: &Client, user_id: &str, then: &str) -> (Vec<u8>, i64) {
    let (status, page) = s.get(c, "/portal/account/two-step").await;
    assert_eq!(status, StatusCode::OK);
    let sealed = s.state.store.totp_pending(user_id).await.unwrap().unwrap();
    let secret = s.state.sign_in.totp_key.open(user_id, &sealed).unwrap();
    let key = totp::base32(&secret);
    assert!(page.contains("otpauth://totp/NHS%20Staff%20Passport:"));
    assert!(page.contains(&format!("secret={key}")) && page.contains(r#"id="totp-qr""#));
    assert!(!sealed.contains(&key), "stored sealed, not in clear");
    let csrf = csrf_of(&page);
    let wrong = code(&secret, totp::step_of(now()) + 5);
    let r = s
        .post(
            c,
            "/portal/account/two-step",
            &[("csrf", &csrf), ("code", &wrong)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("The code is wrong"));
    let step = totp::step_of(now());
    let r = s
        .post(
            c,
            "/portal/account/two-step",
            &[("csrf", &csrf), ("code", &code(&secret, step))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), then);
    (secret, step)
}

#[tokio::test]
async fn totp_is_enrolled_with_a_first_code_then_asked_for_and_never_replayed() {
    for s in servers(|_| {}).await {
        let id = s
            .state
            .store
            .account_by_username("rhq.hr")
            .await
            .unwrap()
            .unwrap()
            .id;
        let c = client();
        s.password(&c, "rhq.hr", PASSWORD, "192.0.2.1").await;
        let (_, account) = s.get(&c, "/portal/account").await;
        assert!(account.contains("Not set up"));
        let (secret, step) = enrol(&s, &c, &id, "/portal/account?done=two-step").await;
        let (_, account) = s.get(&c, "/portal/account?done=two-step").await;
        assert!(account.contains("Two-step verification is on") && account.contains("On: "));
        // Never shown again.
        let r = c
            .get(s.url("/portal/account/two-step"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(!r.text().await.unwrap().contains(&totp::base32(&secret)));

        // Signing in now takes a code after the password.
        let c = client();
        let r = s.password(&c, "rhq.hr", PASSWORD, "192.0.2.1").await;
        assert_eq!(location(&r), "/portal/login/code");
        assert!(!s.signed_in(&c).await, "the password alone is not enough");
        let (_, page) = s.get(&c, "/portal/login/code").await;
        let csrf = csrf_of(&page);
        // The confirming code's step is used up: a replay of it is refused.
        for bad in [code(&secret, step), "000000".into(), "12345".into()] {
            let r = s
                .post(&c, "/portal/login/code", &[("csrf", &csrf), ("code", &bad)])
                .await;
            assert_eq!(r.status(), StatusCode::OK, "{bad}");
            assert!(r
                .text()
                .await
                .unwrap()
                .contains("wrong or has already been used"));
            assert!(!s.signed_in(&c).await);
        }
        let r = s
            .post(
                &c,
                "/portal/login/code",
                &[("code", &code(&secret, step + 1))],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token");
        // Baseline: the next step's code (within the one-step drift).
        let next = code(&secret, step + 1);
        let r = s
            .post(
                &c,
                "/portal/login/code",
                &[("csrf", &csrf), ("code", &next)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/portal");
        assert!(s.signed_in(&c).await);
        assert_eq!(
            s.state
                .store
                .account(&id)
                .await
                .unwrap()
                .unwrap()
                .failed_attempts,
            0,
            "a full sign-in clears the failures"
        );

        // The same code again, in another sign-in: refused.
        let c = client();
        s.password(&c, "rhq.hr", PASSWORD, "192.0.2.1").await;
        let (_, page) = s.get(&c, "/portal/login/code").await;
        let r = s
            .post(
                &c,
                "/portal/login/code",
                &[("csrf", &csrf_of(&page)), ("code", &next)],
            )
            .await;
        assert!(r.text().await.unwrap().contains("already been used"));
        assert!(!s.signed_in(&c).await);
    }
}

#[tokio::test]
async fn a_deployment_requiring_totp_sends_a_new_account_to_enrol_before_anything_else() {
    for s in servers(|c| c.totp_required = true).await {
        let id = s
            .state
            .store
            .account_by_username("locum")
            .await
            .unwrap()
            .unwrap()
            .id;
        let c = client();
        let r = s.password(&c, "locum", PASSWORD, "192.0.2.1").await;
        assert_eq!(location(&r), "/portal/account/two-step");
        assert!(!s.signed_in(&c).await);
        assert_eq!(
            s.get(&c, "/portal/organisation").await.0,
            StatusCode::SEE_OTHER
        );
        // Two memberships: enrolled, then choose.
        enrol(&s, &c, &id, "/portal/organisation").await;
        let (_, page) = s.get(&c, "/portal/organisation").await;
        let r = s
            .post(
                &c,
                "/portal/organisation",
                &[("csrf", &csrf_of(&page)), ("membership", "R0A:training")],
            )
            .await;
        assert_eq!(location(&r), "/portal");
        assert!(s.signed_in(&c).await);
    }
}

#[tokio::test]
async fn failures_lock_the_account_and_every_refusal_reads_the_same() {
    for s in servers(|c| {
        c.lockout_threshold = 3;
        c.lockout_minutes = 10;
    })
    .await
    {
        let c = client();
        let unknown = s
            .password(&c, "nobody.here", "wrong password", "192.0.2.1")
            .await;
        assert_eq!(unknown.status(), StatusCode::OK);
        let unknown = without_tokens(&unknown.text().await.unwrap());
        assert!(unknown.contains("Username or password is wrong"));
        let id = s
            .state
            .store
            .account_by_username("rhq.hr")
            .await
            .unwrap()
            .unwrap()
            .id;
        for i in 1..=3 {
            let r = s
                .password(&c, "rhq.hr", "wrong password", "192.0.2.1")
                .await;
            let page = without_tokens(&r.text().await.unwrap());
            assert_eq!(
                page.replace("rhq.hr", "nobody.here"),
                unknown,
                "attempt {i} reads like an unknown user"
            );
        }
        let a = s.state.store.account(&id).await.unwrap().unwrap();
        assert!(a.locked(now()) && a.locked_until <= now() + 600);
        // Locked: the right password is refused, with the same page.
        let r = s.password(&c, "rhq.hr", PASSWORD, "192.0.2.1").await;
        assert_eq!(r.status(), StatusCode::OK);
        let page = without_tokens(&r.text().await.unwrap());
        assert_eq!(page.replace("rhq.hr", "nobody.here"), unknown);
        assert!(!s.signed_in(&c).await);
        // Baseline: another account signs in from the same place.
        let other = client();
        s.password(&other, "rhq.admin", PASSWORD, "192.0.2.1").await;
        assert!(s.signed_in(&other).await);
        // Unlocked (as when the lock runs out: see the store's test), the right password works.
        assert!(s.state.store.unlock_account(&id).await.unwrap());
        s.password(&c, "rhq.hr", PASSWORD, "192.0.2.1").await;
        assert!(s.signed_in(&c).await);
    }
}

#[tokio::test]
async fn an_address_over_its_failure_budget_is_refused_before_the_password() {
    for s in servers(|c| {
        c.ip_failure_limit = 3;
        c.client_ip_header = Some("x-forwarded-for".into());
    })
    .await
    {
        let c = client();
        for name in ["a.nobody", "b.nobody", "c.nobody"] {
            let r = s.password(&c, name, "guess", "192.0.2.66").await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        let r = s.password(&c, "rhq.hr", PASSWORD, "192.0.2.66").await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("too many failed sign-ins from your network"));
        assert!(!s.signed_in(&c).await);
        // Not counted against the account: it was never checked.
        let a = s
            .state
            .store
            .account_by_username("rhq.hr")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.failed_attempts, 0);
        // Baseline: the same account from another address.
        let r = s.password(&c, "rhq.hr", PASSWORD, "192.0.2.67").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(s.signed_in(&c).await);
    }
}
