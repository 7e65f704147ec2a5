//! The trust list registry's portal pages on a registry node (the real server, each test on
//! SQLite and on PostgreSQL): only registry administrators reach them; a forged CSRF token, a
//! bad JWK Set, a pasted private key, a taken ODS code or issuer and a draft that would shut the
//! node out are each refused with nothing changed, after a baseline shows the same request
//! succeed; publishing signs version n+1 with the registry key and serves it at once.
#![allow(clippy::unwrap_used)]
mod common;

use common::portal::{sign_in, user};
use common::registry::{
    add, admin, draft_codes, jwks_of, new_key, org_fields, post_form, publish, served, ADMIN,
};
use common::servers;
use passport_jose::Signer;
use passport_server::trust::{refresh, RefreshOutcome};
use passport_server::AppState;
use reqwest::StatusCode;

const RXX_ISSUER: &str = "https://northmoor.example/issuers/RXX";

#[tokio::test]
async fn only_registry_administrators_reach_the_registry() {
    for server in servers().await {
        let fields = org_fields("RXX", RXX_ISSUER, &jwks_of(&new_key()), &["Employment"]);
        let before = draft_codes(&server).await;
        for role in [
            "admin",
            "hr",
            "medical-staffing",
            "training",
            "oh",
            "auditor",
        ] {
            let name = format!("rhq.{role}");
            user(&server, "RHQ", &name, role).await;
            let s = sign_in(&server, &name).await;
            let (_, home) = s.get("/portal").await;
            assert!(
                !home.contains("/portal/registry"),
                "{role}: no way in shown"
            );
            for path in [
                "/portal/registry",
                "/portal/registry/organisations/new",
                "/portal/registry/organisations/RHQ",
            ] {
                assert_eq!(s.get(path).await.0, StatusCode::FORBIDDEN, "{role} {path}");
            }
            for path in [
                "/portal/registry/organisations",
                "/portal/registry/organisations/RHQ",
                "/portal/registry/publish",
            ] {
                let (status, _, _) = post_form(&s, &server, path, &fields, None).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} POST {path}");
            }
        }
        assert_eq!(draft_codes(&server).await, before, "nothing added");
        assert_eq!(
            server.state.trust.current().version(),
            1,
            "nothing published"
        );

        // Baseline: the registry administrator gets in, by the header and the home page too.
        let s = admin(&server, "RHQ").await;
        let (status, page) = s.get("/portal/registry").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("<h1>Trust list</h1>"), "{page}");
        assert!(page.contains("Publish version 2"), "{page}");
        let (_, home) = s.get("/portal").await;
        assert!(home.contains(r#"href="/portal/registry""#), "{home}");
        let (status, form) = s.get("/portal/registry/organisations/RHQ").await;
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains("Change RHQ"), "{form}");
        assert_eq!(
            s.get("/portal/registry/organisations/RZZ").await.0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_forged_or_missing_csrf_token_changes_nothing() {
    for server in servers().await {
        let s = admin(&server, "RHQ").await;
        let fields = org_fields("RXX", RXX_ISSUER, &jwks_of(&new_key()), &["Employment"]);
        for forged in ["forged-token", ""] {
            for path in [
                "/portal/registry/organisations",
                "/portal/registry/organisations/RHQ",
                "/portal/registry/publish",
            ] {
                let (status, _, _) = post_form(&s, &server, path, &fields, Some(forged)).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{path} with {forged:?}");
            }
        }
        assert!(!draft_codes(&server).await.contains(&"RXX".to_string()));
        assert_eq!(server.state.trust.current().version(), 1);
        // Baseline: the same posts with the session's token.
        add(&s, &server, &fields).await;
        publish(&s, &server).await;
        assert!(draft_codes(&server).await.contains(&"RXX".to_string()));
        assert_eq!(server.state.trust.current().version(), 2);
    }
}

#[tokio::test]
async fn bad_keys_are_refused_on_the_form_and_a_private_key_is_not_echoed() {
    for server in servers().await {
        let s = admin(&server, "RHQ").await;
        let key = new_key();
        let public = serde_json::to_value(key.public_jwk()).unwrap();
        let mut private = public.clone();
        private["d"] = serde_json::json!("c3ludGhldGljLXByaXZhdGUtc2NhbGFyLW5vdC1yZWFs");
        let mut off_curve = public.clone();
        off_curve["x"] = serde_json::json!(passport_jose::b64::encode([7u8; 32]));
        let mut rsa = public.clone();
        rsa["kty"] = serde_json::json!("RSA");
        let cases = [
            ("{\"keys\": [".to_string(), "not valid JSON"),
            (public.to_string(), "single key"),
            (
                serde_json::json!({ "keys": [private] }).to_string(),
                "private key",
            ),
            (
                serde_json::json!({ "keys": [off_curve] }).to_string(),
                "not on the P-256 curve",
            ),
            (serde_json::json!({ "keys": [rsa] }).to_string(), "EC P-256"),
        ];
        let before = draft_codes(&server).await;
        for (jwks, message) in &cases {
            let fields = org_fields("RXX", RXX_ISSUER, jwks, &["Employment"]);
            let (status, _, page) =
                post_form(&s, &server, "/portal/registry/organisations", &fields, None).await;
            assert_eq!(status, StatusCode::OK, "{jwks}");
            assert!(page.contains("nhsuk-error-summary"), "{jwks}: {page}");
            assert!(page.contains(r##"href="#jwks""##), "{jwks}");
            assert!(page.contains(message), "{jwks}: wants {message:?}");
            assert!(page.contains("<title>Error: Add an organisation"), "{jwks}");
            assert!(page.contains(r#"value="RXX""#), "the rest is kept");
            assert!(
                !page.contains("c3ludGhldGljLXByaXZhdGUtc2NhbGFyLW5vdC1yZWFs"),
                "a private key is never sent back"
            );
        }
        assert_eq!(draft_codes(&server).await, before, "nothing stored");

        // A change of an organisation with a private key is refused the same way.
        let mut rhq = org_fields("RHQ", &format!("{}/issuers/RHQ", server.base), "", &[]);
        rhq.retain(|(k, _)| k != "jwks");
        rhq.push(("jwks".into(), cases[2].0.clone()));
        let (status, _, page) = post_form(
            &s,
            &server,
            "/portal/registry/organisations/RHQ",
            &rhq,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("private key") && page.contains("Change RHQ"),
            "{page}"
        );
        let stored = server.state.store.registry_draft_org("RHQ").await.unwrap();
        assert!(!stored.unwrap().jwks.contains("\"d\""));

        // Baseline: the public key alone is taken.
        let good = org_fields("RXX", RXX_ISSUER, &jwks_of(&key), &["Employment"]);
        add(&s, &server, &good).await;
        let (_, page) = s.get("/portal/registry?done=added&ods=RXX").await;
        assert!(page.contains("RXX is on the draft"), "{page}");
        assert!(page.contains("RXX added"), "the change is named: {page}");
    }
}

#[tokio::test]
async fn a_taken_ods_code_or_issuer_is_refused_on_its_field() {
    for server in servers().await {
        let s = admin(&server, "RHQ").await;
        let jwks = jwks_of(&new_key());
        let taken = [
            (
                org_fields("RHQ", RXX_ISSUER, &jwks, &[]),
                r##"href="#ods-code""##,
                "RHQ is already on the draft",
            ),
            (
                org_fields("RXX", &format!("{}/issuers/RHQ", server.base), &jwks, &[]),
                r##"href="#issuer""##,
                "has this issuer identifier",
            ),
        ];
        for (fields, link, message) in &taken {
            let (status, _, page) =
                post_form(&s, &server, "/portal/registry/organisations", fields, None).await;
            assert_eq!(status, StatusCode::OK);
            assert!(page.contains(link) && page.contains(message), "{page}");
        }
        assert!(!draft_codes(&server).await.contains(&"RXX".to_string()));
        add(&s, &server, &org_fields("RXX", RXX_ISSUER, &jwks, &[])).await;
    }
}

#[tokio::test]
async fn publishing_signs_the_next_version_with_the_registry_key() {
    for server in servers().await {
        let s = admin(&server, "RHQ").await;
        let v1 = served(&server, &server).await;
        assert_eq!(v1.sequence, 1);
        let key = new_key();
        add(
            &s,
            &server,
            &org_fields(
                "RXX",
                RXX_ISSUER,
                &jwks_of(&key),
                &["Employment", "RightToWork"],
            ),
        )
        .await;
        // On the draft only: the list served has not changed.
        assert!(served(&server, &server).await.by_ods("RXX").is_none());

        publish(&s, &server).await;
        // Served at once, verifying with the registry key this node publishes for others to pin
        // (the same key written to its data folder).
        let pinned: passport_jose::Jwk = serde_json::from_str(
            &std::fs::read_to_string(server.state.config.data_dir.join("registry.jwk")).unwrap(),
        )
        .unwrap();
        assert_eq!(&pinned, server.state.trust.registry_jwk());
        let v2 = served(&server, &server).await;
        assert_eq!(v2.sequence, 2);
        assert!(v2.iat >= v1.iat && v2.exp > v2.iat);
        let rxx = v2.by_ods("RXX").unwrap();
        assert_eq!(rxx.issuer, RXX_ISSUER);
        assert_eq!(rxx.jwks.keys, vec![key.public_jwk().clone()]);
        let vct = |name: &str| (server.state.catalogue.by_name(name).unwrap().vct).clone();
        assert_eq!(rxx.may_issue, vec![vct("Employment"), vct("RightToWork")]);
        assert!(rxx.may_verify);
        assert_eq!(v2.organisations.len(), v1.organisations.len() + 1);
        let latest = server
            .state
            .store
            .latest_trust_list()
            .await
            .unwrap()
            .unwrap();
        assert_eq!((latest.version, latest.published_by.as_str()), (2, ADMIN));
        assert_eq!(
            server.state.trust_list().sequence,
            2,
            "in force on this node"
        );

        // A change, published: version 3.
        let mut changed = org_fields("RXX", RXX_ISSUER, &jwks_of(&key), &["Employment"]);
        changed.retain(|(k, _)| k != "may_verify" && k != "ods_code");
        changed.push(("may_verify".into(), "no".into()));
        let (status, location, _) = post_form(
            &s,
            &server,
            "/portal/registry/organisations/RXX",
            &changed,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/portal/registry?done=saved&ods=RXX");
        let (_, page) = s.get("/portal/registry").await;
        assert!(page.contains("RXX changed"), "{page}");
        publish(&s, &server).await;
        let v3 = served(&server, &server).await;
        assert_eq!(v3.sequence, 3);
        let rxx = v3.by_ods("RXX").unwrap();
        assert!(!rxx.may_verify);
        assert_eq!(rxx.may_issue, vec![vct("Employment")]);
        let (_, page) = s.get("/portal/registry?done=published").await;
        assert!(page.contains("Version 3 is published"), "{page}");
        assert!(page.contains("Publish version 4"), "{page}");
    }
}

#[tokio::test]
async fn a_draft_that_would_shut_this_node_out_is_not_published() {
    for server in servers().await {
        let s = admin(&server, "RHQ").await;
        // Baseline: the draft as it is publishes.
        publish(&s, &server).await;
        assert_eq!(server.state.trust.current().version(), 2);
        // RHQ's entry with another key: saved to the draft, but not signed.
        let mut rhq = org_fields(
            "RHQ",
            &format!("{}/issuers/RHQ", server.base),
            &jwks_of(&new_key()),
            &["Employment"],
        );
        rhq.retain(|(k, _)| k != "ods_code");
        let (status, _, _) = post_form(
            &s,
            &server,
            "/portal/registry/organisations/RHQ",
            &rhq,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, page) = post_form(&s, &server, "/portal/registry/publish", &[], None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("nhsuk-error-summary"), "{page}");
        assert!(page.contains(r##"href="#publish""##), "{page}");
        assert!(page.contains("shut itself out"), "{page}");
        assert_eq!(
            server.state.trust.current().version(),
            2,
            "nothing in force"
        );
        assert_eq!(served(&server, &server).await.sequence, 2, "nothing served");
        let latest = server
            .state
            .store
            .latest_trust_list()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(latest.version, 2, "nothing stored");
        // The node's key was never replaced on the list it serves.
        let own = server
            .state
            .issuer("RHQ")
            .unwrap()
            .signer
            .public_jwk()
            .clone();
        let listed = served(&server, &server).await;
        assert!(listed.by_ods("RHQ").unwrap().jwks.keys.contains(&own));
    }
}

#[tokio::test]
async fn a_registry_node_re_signs_at_half_life_and_takes_what_its_twin_published() {
    for server in servers().await {
        let now = passport_server::now();
        let v1 = server.state.trust_list();
        // Baseline: a fresh list is not re-signed, and a restart serves the same version.
        assert_eq!(
            refresh(&server.state, now).await,
            RefreshOutcome::Unchanged { version: 1 }
        );
        let twin = AppState::build(server.state.config.clone(), common::TEST_KDF, now)
            .await
            .unwrap();
        assert_eq!(twin.trust_list().sequence, 1, "a restart publishes nothing");
        assert_eq!(twin.trust.registry_jwk(), server.state.trust.registry_jwk());

        // Another process of the same registry (same database) publishes: this one takes it.
        let s = admin(&server, "RHQ").await;
        add(
            &s,
            &server,
            &org_fields("RXX", RXX_ISSUER, &jwks_of(&new_key()), &[]),
        )
        .await;
        publish(&s, &server).await;
        assert_eq!(
            refresh(&twin, now).await,
            RefreshOutcome::Updated { from: 1, to: 2 }
        );
        assert!(twin.trust_list().by_ods("RXX").is_some());

        // Half the list's life later: the same organisations, signed again as version 3.
        let later = now + passport_server::trust::LIST_LIFETIME_SECS / 2 + 60;
        assert_eq!(
            refresh(&server.state, later).await,
            RefreshOutcome::Updated { from: 2, to: 3 }
        );
        let v3 = server.state.trust_list();
        assert_eq!(
            (v3.iat, v3.exp),
            (later, later + passport_server::trust::LIST_LIFETIME_SECS)
        );
        assert_eq!(v3.organisations, twin.trust_list().organisations);
        assert!(v3.organisations.len() == v1.organisations.len() + 1);
        let latest = server
            .state
            .store
            .latest_trust_list()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (latest.version, latest.published_by.as_str()),
            (3, "system")
        );
    }
}
