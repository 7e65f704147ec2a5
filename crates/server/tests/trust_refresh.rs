//! A registry node and a consumer node, in process, on the real server (run twice: the registry
//! on SQLite and the consumer on PostgreSQL, then the other way round).
//!
//! The registry (X26) lists itself; its administrator adds the receiving trust R0A (the
//! consumer's issuer and key) and publishes; the consumer starts from the registry's URL. An
//! issuing node (RHQ, X24) is not on the registry's list, so the consumer refuses Amara's
//! credentials. The administrator adds RHQ and X24, publishes; the consumer's periodic refresh
//! takes the new version and the same wallet's answer is accepted in full. Then: a version that
//! drops the consumer's own key is refused loudly; the registry goes out of reach and a refresh
//! keeps the list; a restarted consumer starts with its last good list; an attacker serving an
//! older (rolled-back) version, or one signed by another key, is refused.
#![allow(clippy::unwrap_used)]
mod common;

use common::registry::{add, admin, jwks_of, org_fields, post_form, publish};
use common::transfer::{amara_wallet, fetched};
use common::{start_prepared, start_with, TestServer, TEST_KDF};
use passport_credentials::{PresentationVerifier, StatusLists};
use passport_jose::Es256Signer;
use passport_keystore::KeyStore;
use passport_server::orgs::{self, OrgConfig};
use passport_server::trust::{refresh, spawn_refresh, RefreshOutcome, Refusal};
use passport_server::AppState;
use passport_store::testing::{postgres, sqlite, TestDb};
use passport_trust_list::{OrgKind, TrustError, TrustList};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PASSPHRASE: &str = "test passphrase, not a secret";

fn demo(codes: &[&str]) -> Vec<OrgConfig> {
    orgs::demo_orgs()
        .into_iter()
        .filter(|o| codes.contains(&o.ods_code.as_str()))
        .collect()
}

/// The registry node: NHS England's registry, serving one organisation of its own.
async fn registry(db: TestDb) -> TestServer {
    start_with(db, |c| {
        c.organisations = vec![OrgConfig {
            ods_code: "X26".into(),
            name: "National trust list registry (synthetic)".into(),
            kind: "nhs-england".into(),
            may_issue: vec![],
        }];
    })
    .await
}

/// A data folder with R0A's key already in its key store, and the listener the consumer will
/// serve on: its trust list entry can be made before it starts.
async fn prepare_consumer() -> (tempfile::TempDir, tokio::net::TcpListener, Es256Signer) {
    let dir = tempfile::tempdir().unwrap();
    let mut keys = KeyStore::open_or_create(
        &dir.path().join("issuers.keystore"),
        PASSPHRASE.as_bytes(),
        TEST_KDF,
    )
    .unwrap();
    let key = keys
        .signer_or_generate("R0A", passport_server::now())
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    (dir, listener, key)
}

/// The catalogue type names an organisation of `kind` issues by default (or `named`).
fn type_names(kind: OrgKind, named: &[&str]) -> Vec<&'static str> {
    let catalogue = passport_catalogue::Catalogue::nhs();
    let named: Vec<String> = named.iter().map(|n| n.to_string()).collect();
    orgs::may_issue(catalogue, kind, &named)
        .iter()
        .filter_map(|vct| catalogue.by_vct(vct).map(|t| t.name))
        .collect()
}

/// A test's stand-in for whoever serves `/trust-list` at an address the consumer is pointed
/// at: it serves whatever the test puts in it.
async fn attacker() -> (String, Arc<Mutex<String>>) {
    let body = Arc::new(Mutex::new(String::new()));
    let served = body.clone();
    let app = axum::Router::new().route(
        "/trust-list",
        axum::routing::get(move || {
            let served = served.clone();
            async move { served.lock().unwrap().clone() }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/trust-list", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, body)
}

async fn version_within(server: &TestServer, version: u64, secs: u64) -> bool {
    for _ in 0..secs * 10 {
        if server.state.trust_list().sequence == version {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

fn refused(outcome: RefreshOutcome) -> Refusal {
    match outcome {
        RefreshOutcome::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn scenario(registry_db: TestDb, consumer_db: TestDb, issuing_db: TestDb) {
    let mut r = registry(registry_db).await;
    let s = admin(&r, "X26").await;
    assert_eq!(r.state.trust_list().sequence, 1);

    // The registry administrator adds the receiving trust and publishes version 2.
    let (dir, listener, r0a_key) = prepare_consumer().await;
    let c_base = format!("http://{}", listener.local_addr().unwrap());
    add(
        &s,
        &r,
        &org_fields(
            "R0A",
            &format!("{c_base}/issuers/R0A"),
            &jwks_of(&r0a_key),
            &type_names(OrgKind::Trust, &[]),
        ),
    )
    .await;
    publish(&s, &r).await;

    // The consumer starts from the registry's URL with the registry's public key.
    let trust_list_url = format!("{}/trust-list", r.base);
    let registry_jwk = r.state.config.data_dir.join("registry.jwk");
    let c = start_prepared(consumer_db, listener, dir, |config| {
        config.organisations = demo(&["R0A"]);
        config.trust_list_url = Some(trust_list_url.clone());
        config.registry_jwk_file = Some(registry_jwk.clone());
        config.trust_list_refresh_secs = 1;
    })
    .await;
    assert_eq!(c.state.trust_list().sequence, 2);
    assert!(!c.state.trust.is_registry());
    let last_good = passport_server::trust::last_good_path(&c.state.config.data_dir);
    assert_eq!(
        std::fs::read_to_string(&last_good).unwrap(),
        &*c.state.trust_list_jwt()
    );
    let v2_jwt = c.state.trust_list_jwt().to_string();
    // A consumer has no registry pages, even for a registry administrator of its own.
    let c_admin = admin(&c, "R0A").await;
    assert_eq!(
        c_admin.get("/portal/registry").await.0,
        StatusCode::NOT_FOUND
    );

    // The issuing node (RHQ, NHS England's X24) is on nobody's list but its own.
    let n = start_with(issuing_db, |config| {
        config.organisations = demo(&["RHQ", "X24"]);
    })
    .await;
    let wallet = amara_wallet(&n).await;
    let before = fetched(&c, &wallet).await;
    let (status, body) = before.post(before.honest()).await;
    let rows = c.state.store.presented("R0A", &before.id).await.unwrap();
    let failures = c.state.store.response_failures("R0A", &before.id).await;
    let reasons: Vec<String> = rows
        .iter()
        .map(|r| r.reason.clone())
        .chain(failures.unwrap().into_iter().map(|(reason, _)| reason))
        .collect();
    assert!(rows.iter().all(|r| !r.accepted), "{status} {body} {rows:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("is not on the trust list")),
        "{reasons:?}"
    );

    // The administrator adds RHQ and X24 as the issuing node runs them, and publishes.
    for (ods, kind, named) in [
        ("RHQ", OrgKind::Trust, &[][..]),
        (
            "X24",
            OrgKind::NhsEngland,
            &["TrainingProgramme", "TrainingPlacement"][..],
        ),
    ] {
        let issuer = &n.state.issuers[ods];
        let mut fields = org_fields(
            ods,
            &issuer.issuer_id,
            &jwks_of(&issuer.signer),
            &type_names(kind, named),
        );
        if kind == OrgKind::NhsEngland {
            fields.retain(|(k, _)| k != "kind");
            fields.push(("kind".into(), "nhs-england".into()));
        }
        add(&s, &r, &fields).await;
    }
    publish(&s, &r).await;
    assert_eq!(r.state.trust_list().sequence, 3);
    // The consumer's own schedule takes it.
    let task = spawn_refresh(&c.state);
    assert!(version_within(&c, 3, 20).await, "refreshed to version 3");
    task.abort();
    assert_eq!(
        refresh(&c.state, passport_server::now()).await,
        RefreshOutcome::Unchanged { version: 3 }
    );
    let after = fetched(&c, &wallet).await;
    let (status, body) = after.post(after.honest()).await;
    assert_eq!(status, 200, "{body}");
    let rows = c.state.store.presented("R0A", &after.id).await.unwrap();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.accepted),
        "{rows:?}"
    );

    // A version that no longer names the consumer's key: refused, loudly, and not kept.
    let r0a_changed = org_fields(
        "R0A",
        &format!("{c_base}/issuers/R0A"),
        &jwks_of(&Es256Signer::generate().unwrap().0),
        &[],
    );
    let (status, _, _) = post_form(
        &s,
        &r,
        "/portal/registry/organisations/R0A",
        &r0a_changed,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    publish(&s, &r).await;
    let refusal = refused(refresh(&c.state, passport_server::now()).await);
    assert!(
        matches!(
            &refusal,
            Refusal::DropsOwnOrganisation {
                version: 4,
                held: 3,
                ..
            }
        ),
        "{refusal:?}"
    );
    let said = refusal.to_string();
    assert!(
        said.contains("version 4") && said.contains("R0A") && said.contains("Keeping version 3"),
        "{said}"
    );
    assert_eq!(c.state.trust_list().sequence, 3);
    let kept = std::fs::read_to_string(&last_good).unwrap();
    assert_eq!(
        kept,
        &*c.state.trust_list_jwt(),
        "version 3 stays the last good one"
    );

    // The registry goes out of reach: the refresh says so and keeps version 3.
    r.stop().await;
    let refusal = refused(refresh(&c.state, passport_server::now()).await);
    assert!(
        matches!(&refusal, Refusal::Unreachable { held: 3, .. }),
        "{refusal:?}"
    );
    assert_eq!(c.state.trust_list().sequence, 3);

    // A restart while the registry is out of reach starts with the last good list, which
    // still trusts RHQ's credentials.
    let restarted = AppState::build(c.state.config.clone(), TEST_KDF, passport_server::now())
        .await
        .unwrap();
    assert_eq!(restarted.trust_list().sequence, 3);
    let trust = restarted.trust_list();
    let engine = PresentationVerifier {
        trust: &trust,
        statuses: &StatusLists::default(),
        catalogue: restarted.catalogue,
        leeway_secs: 60,
    };
    for held in wallet.credentials() {
        engine
            .check_received(&held.sd_jwt, passport_server::now())
            .unwrap();
    }

    // An attacker at the list's address serves the older version 2 (genuinely signed), or a
    // list signed with another key: both refused, version 3 stays.
    let (url, body) = attacker().await;
    let mut config = c.state.config.clone();
    config.trust_list_url = Some(url);
    *body.lock().unwrap() = v2_jwt.clone();
    let attacked = Arc::new(
        AppState::build(config, TEST_KDF, passport_server::now())
            .await
            .unwrap(),
    );
    assert_eq!(
        attacked.trust_list().sequence,
        3,
        "started from the last good list"
    );
    let refusal = refused(refresh(&attacked, passport_server::now()).await);
    assert_eq!(
        refusal,
        Refusal::Invalid {
            origin: attacked.config.trust_list_url.clone().unwrap(),
            error: TrustError::Rollback {
                held: 3,
                offered: 2
            },
            held: 3,
        }
    );
    let (forger, _) = Es256Signer::generate().unwrap();
    let mut forged: TrustList = (*attacked.trust_list()).clone();
    forged.sequence = 9;
    *body.lock().unwrap() = forged.sign(&forger).unwrap();
    let refusal = refused(refresh(&attacked, passport_server::now()).await);
    assert!(
        matches!(
            &refusal,
            Refusal::Invalid {
                error: TrustError::BadSignature,
                held: 3,
                ..
            }
        ),
        "{refusal:?}"
    );
    assert_eq!(attacked.trust_list().sequence, 3);
    assert_eq!(
        std::fs::read_to_string(&last_good).unwrap(),
        kept,
        "nothing refused is kept"
    );
    // Baseline for the attacker's address: the current version served there is no change.
    *body.lock().unwrap() = kept.clone();
    assert_eq!(
        refresh(&attacked, passport_server::now()).await,
        RefreshOutcome::Unchanged { version: 3 }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_follows_the_registry_keeps_its_last_good_list_and_refuses_rollback() {
    scenario(
        sqlite().unwrap(),
        postgres().await.unwrap(),
        sqlite().unwrap(),
    )
    .await;
    scenario(
        postgres().await.unwrap(),
        sqlite().unwrap(),
        postgres().await.unwrap(),
    )
    .await;
}
