//! Interoperability of our OpenID4VCI issuer with an independent wallet: the OpenWallet
//! Foundation's `@openid4vc/openid4vci` (oid4vc-ts, TypeScript, from the npm registry, pinned in
//! interop/package-lock.json), driven by interop/receive-theirs.mjs with Node.js.
//!
//! The real server runs on SQLite with the sample ESR files imported into RHQ. The independent
//! client resolves an offer by reference, fetches both metadata documents, redeems the
//! pre-authorised code with the transaction code, and for every granted credential_identifier
//! fetches a c_nonce, signs a JWT key proof with its own P-256 key through the library's proof
//! helper, receives the credential and notifies. Every credential it received is then checked by
//! our credential engine and must be bound to the library's key.
//!
//! Setup: `npm ci --prefix interop` from the workspace root. Without Node.js or
//! interop/node_modules these tests fail (never skip) and say so.
#![allow(clippy::unwrap_used)]
mod common;

use common::{import, sample, TestServer};
use passport_credentials::{PresentationVerifier, StatusLists};
use passport_jose::Jwk;
use passport_records::{IdScheme, Identifier, ImportKind};
use passport_sd_jwt::SdJwt;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const SETUP: &str =
    "run `npm ci --prefix interop` in the workspace root (needs Node.js >= 20 and npm; \
     the interop tests never skip)";

/// interop/ beside the crates, after checking that Node.js and the pinned client are there.
fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../interop");
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("`node --version` failed ({}): {SETUP}", out.status),
        Err(e) => panic!("Node.js (`node`) is not available ({e}): {SETUP}"),
    }
    let marker = dir.join("node_modules/@openid4vc/openid4vci/package.json");
    assert!(marker.is_file(), "{} is missing: {SETUP}", marker.display());
    dir
}

/// What a run of receive-theirs.mjs produced.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "receive-theirs.mjs printed no JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs the independent wallet on a blocking thread, so that the server keeps serving.
async fn their_wallet(link: &str, tx_code: &str) -> Run {
    let dir = interop_dir();
    let (link, tx_code) = (link.to_string(), tx_code.to_string());
    tokio::task::spawn_blocking(move || {
        let out = Command::new("node")
            .arg("receive-theirs.mjs")
            .args(["--offer", &link, "--tx-code", &tx_code])
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run node receive-theirs.mjs ({e}): {SETUP}"));
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

/// A server on SQLite with the ESR staff and competence samples imported into RHQ, and the
/// person id of ESR person 10000101 (Amara Okafor).
async fn server_with_amara() -> (TestServer, String) {
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    for (kind, file) in [
        (ImportKind::EsrStaff, "esr-staff.csv"),
        (ImportKind::EsrCompetences, "esr-competences.csv"),
    ] {
        let out = import(&server, "RHQ", kind, &sample(file)).await;
        assert!(out.created > 0, "{file}: {out:?}");
    }
    let id = Identifier {
        scheme: IdScheme::EsrPerson,
        value: "10000101".into(),
    };
    let person = server
        .state
        .store
        .person_by_identifier("RHQ", &id)
        .await
        .unwrap()
        .unwrap();
    (server, person)
}

fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_wallet_receives_every_granted_credential() {
    let (server, amara) = server_with_amara().await;
    let records = server
        .state
        .store
        .person("RHQ", &amara)
        .await
        .unwrap()
        .unwrap()
        .records;
    assert!(records.len() > 1, "the sample person has several records");
    let offer = passport_server::issuance::create_offer(
        &server.state,
        "RHQ",
        &amara,
        "rhq.hr",
        passport_server::now(),
    )
    .await
    .unwrap();
    assert!(offer
        .link
        .starts_with("openid-credential-offer://?credential_offer_uri="));

    let run = their_wallet(&offer.link, &offer.tx_code).await;
    assert!(
        run.ok,
        "the independent wallet failed:\n{}\nstdout: {}",
        run.stderr, run.stdout
    );
    let out = run.json();
    let issuer = format!("{}/issuers/RHQ", server.base);
    assert_eq!(out["credential_issuer"], issuer);
    assert_eq!(
        out["version"], "V1",
        "the library must read our metadata as OpenID4VCI 1.0"
    );
    assert_eq!(out["offer"]["credential_issuer"], issuer);

    // The library found the metadata where OpenID4VCI 1.0 (section 12.2.2) and RFC 8414
    // (section 3.1) put it: the well-known segment inserted before the issuer's path.
    let fetched: Vec<(String, String, u64)> = out["trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["method"].as_str().unwrap().to_string(),
                path_of(t["url"].as_str().unwrap()).to_string(),
                t["status"].as_u64().unwrap(),
            )
        })
        .collect();
    for wanted in [
        "/.well-known/openid-credential-issuer/issuers/RHQ",
        "/.well-known/oauth-authorization-server/issuers/RHQ",
    ] {
        assert!(
            fetched
                .iter()
                .any(|(m, p, s)| m == "GET" && p == wanted && *s == 200),
            "{wanted} not fetched: {fetched:?}"
        );
    }
    assert!(fetched
        .iter()
        .any(|(m, p, s)| m == "POST" && p == "/issuers/RHQ/token" && *s == 200));

    // The library's own Credential Request names the configuration, not the granted dataset:
    // OpenID4VCI 1.0 section 8.2 forbids that once the Token Response returned
    // authorization_details, and our issuer says so (see interop/README.md).
    let default = &out["default_request"];
    assert_eq!(default["accepted"], false, "{default}");
    assert_eq!(default["response"]["status"], 400, "{default}");
    assert_eq!(
        default["response"]["error"], "invalid_credential_request",
        "{default}"
    );

    // One credential per current record, one request per granted identifier, each identifier
    // once; the library reports each notification sent.
    let credentials = out["credentials"].as_array().unwrap();
    assert_eq!(
        credentials.len(),
        records.len(),
        "one credential per current record"
    );
    let granted: BTreeSet<&str> = out["token"]["authorization_details"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["credential_identifiers"].as_array().unwrap())
        .map(|id| id.as_str().unwrap())
        .collect();
    let requested: BTreeSet<&str> = credentials
        .iter()
        .map(|c| c["credential_identifier"].as_str().unwrap())
        .collect();
    assert_eq!(granted.len(), records.len());
    assert_eq!(requested, granted, "every granted identifier, once each");
    assert_eq!(out["rewrites"].as_array().unwrap().len(), records.len());
    assert!(credentials.iter().all(|c| c["notified"] == true));

    // Every credential verifies with our engine and is bound to the library's key.
    let holder = Jwk::from_json(&out["holder_jwk"]).unwrap();
    let verifier = PresentationVerifier {
        trust: &server.state.trust_list(),
        statuses: &StatusLists::default(),
        catalogue: server.state.catalogue,
        leeway_secs: 60,
    };
    let mut types = Vec::new();
    for c in credentials {
        let credential = c["credential"].as_str().unwrap();
        let (iss, type_name) = verifier
            .check_received(credential, passport_server::now())
            .unwrap_or_else(|e| panic!("{}: {e}", c["credential_identifier"]));
        assert_eq!(iss, issuer);
        assert_eq!(type_name, c["credential_configuration_id"]);
        let payload = SdJwt::parse(credential)
            .unwrap()
            .unverified_payload()
            .unwrap();
        assert_eq!(
            Jwk::from_json(&payload["cnf"]["jwk"]).unwrap(),
            holder,
            "cnf.jwk is not the independent wallet's key"
        );
        types.push(type_name.to_string());
    }
    let mut expected: Vec<String> = records.iter().map(|r| r.type_name.clone()).collect();
    expected.sort();
    types.sort();
    assert_eq!(types, expected, "one credential of each record's type");

    // The issuer's own register: issued to the library's key, and accepted by its notifications.
    let issued = server.state.store.issued_to("RHQ", &amara).await.unwrap();
    assert_eq!(issued.len(), records.len());
    let thumbprint = holder.thumbprint();
    for c in &issued {
        assert_eq!(c.holder_jkt, thumbprint);
        assert_eq!(c.wallet_event.as_deref(), Some("credential_accepted"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_wallet_with_wrong_tx_code_gets_invalid_grant() {
    let (server, amara) = server_with_amara().await;
    let offer = passport_server::issuance::create_offer(
        &server.state,
        "RHQ",
        &amara,
        "rhq.hr",
        passport_server::now(),
    )
    .await
    .unwrap();
    // Six digits, and certainly not the right ones.
    let right: u32 = offer.tx_code.parse().unwrap();
    let wrong = format!("{:06}", (right + 1) % 1_000_000);

    let run = their_wallet(&offer.link, &wrong).await;
    assert!(
        !run.ok,
        "a wrong transaction code was accepted: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("FAILED at token"),
        "expected the token stage to fail: {}",
        run.stderr
    );
    let out = run.json();
    assert_eq!(out["stage"], "token");
    assert_eq!(out["status"], 400, "{out}");
    assert_eq!(out["error"], "invalid_grant", "{out}");
    assert!(server
        .state
        .store
        .issued_to("RHQ", &amara)
        .await
        .unwrap()
        .is_empty());
}
