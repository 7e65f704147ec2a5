//! The OpenID Connect test provider (`oidc/provider.mjs`, panva's oidc-provider from the npm
//! registry) started on 127.0.0.1 for a test, and a portal server configured to use it.
#![allow(dead_code, clippy::unwrap_used)]
use passport_server::portal::oidc_config::OidcConfig;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const CLIENT_ID: &str = "passport-portal";
pub const CLIENT_SECRET: &str = "synthetic-client-secret-for-tests";
pub const USERNAME: &str = "staff.one";
pub const PASSWORD: &str = "synthetic provider password";
pub const SUBJECT: &str = "staff-0001";
pub const EMAIL: &str = "staff.one@example.nhs.uk";

const SETUP: &str = "the single sign-on tests need Node.js and the test provider's packages: \
                     run `npm ci --prefix oidc` in the repository (scripts/test.sh does)";

/// The provider process, ended when the test ends (it was started by this test).
pub struct TestProvider {
    child: Child,
    /// Held open: a provider writing to a closed pipe would die mid-test.
    _stdout: BufReader<std::process::ChildStdout>,
    pub issuer: String,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port on 127.0.0.1 (the provider is told it before the server it redirects to exists).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the provider on `port` with one client redirecting to `redirect_uri`.
pub fn start_provider(port: u16, redirect_uri: &str, id_token_alg: &str) -> TestProvider {
    let dir = super::browser::workspace().join("oidc");
    assert!(
        dir.join("node_modules/oidc-provider/package.json").exists(),
        "oidc/node_modules/oidc-provider is missing: {SETUP}"
    );
    let mut child = Command::new("node")
        .current_dir(&dir)
        .arg("provider.mjs")
        .args(["--port", &port.to_string()])
        .args(["--redirect-uri", redirect_uri])
        .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
        .args(["--username", USERNAME, "--password", PASSWORD])
        .args(["--subject", SUBJECT, "--email", EMAIL])
        .args(["--id-token-alg", id_token_alg])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): {SETUP}"));
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let started: serde_json::Value = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("the test provider did not start ({e}: {line:?}): {SETUP}"));
    TestProvider {
        child,
        _stdout: stdout,
        issuer: started["issuer"].as_str().unwrap().to_string(),
    }
}

/// The `[oidc]` section for a provider at `issuer`.
pub fn config(issuer: &str, user_claim: &str) -> OidcConfig {
    OidcConfig {
        issuer: issuer.into(),
        client_id: CLIENT_ID.into(),
        client_secret: Some(CLIENT_SECRET.into()),
        scopes: vec!["openid".into(), "email".into(), "profile".into()],
        user_claim: user_claim.into(),
        label: "Sign in with the test identity provider".into(),
        ..OidcConfig::default()
    }
}
