//! Accounts, memberships, sessions and sign-in state, each on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]
use crate::testing::both;
use crate::{Membership, Stage, Store, StoreError, NO_PASSWORD};
use sqlx::any::AnyPoolOptions;

async fn stores() -> Vec<Store> {
    crate::tests::stores_with(&["RHQ", "R0A"]).await
}

fn m(org: &str, role: &str) -> Membership {
    Membership::new(org, role)
}

#[tokio::test]
async fn users_made_before_memberships_keep_their_org_role_and_sessions() {
    for db in both().await.unwrap() {
        // The schema as it was before 0004, with a user and a live session in it.
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&if db.url.starts_with("sqlite:") {
                format!("{}?mode=rwc", db.url)
            } else {
                db.url.clone()
            })
            .await
            .unwrap();
        let mut before = sqlx::migrate!("./migrations");
        before.migrations = std::borrow::Cow::Owned(
            before
                .migrations
                .iter()
                .filter(|mig| mig.version < 4)
                .cloned()
                .collect(),
        );
        before.run(&pool).await.unwrap();
        for sql in [
            "INSERT INTO organisations (ods_code, name, kind, issuer, created_at) VALUES ('RHQ', 'R', 'trust', 'https://x/RHQ', 1)",
            "INSERT INTO users (id, org, username, display_name, role, password_hash, created_at) VALUES ('u-old', 'RHQ', 'old.hr', 'Old', 'hr', 'h', 1)",
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ('00', 'u-old', 'c', 1, 99999999999)",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        // A session token whose hash is what was stored above.
        let token_hash = crate::sha256_hex(b"old-token");
        sqlx::query("UPDATE sessions SET token_hash = $1")
            .bind(&token_hash)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;

        let store = db.open().await.unwrap();
        assert_eq!(
            store.memberships("u-old").await.unwrap(),
            vec![m("RHQ", "hr")]
        );
        let session = store.session("old-token", 2).await.unwrap().unwrap();
        assert_eq!(
            (session.user.org.as_str(), session.user.role.as_str()),
            ("RHQ", "hr")
        );
        let account = store.account_by_username("old.hr").await.unwrap().unwrap();
        assert_eq!((account.failed_attempts, account.locked_until), (0, 0));
        assert_eq!(account.totp_secret, None);
    }
}

#[tokio::test]
async fn memberships_are_replaced_whole_and_a_bad_list_changes_nothing() {
    for store in stores().await {
        let id = store
            .upsert_account(
                "locum",
                "Lou Cumming",
                "h",
                &[m("RHQ", "hr"), m("R0A", "medical-staffing")],
                1,
            )
            .await
            .unwrap();
        let both = vec![m("R0A", "medical-staffing"), m("RHQ", "hr")];
        assert_eq!(store.memberships(&id).await.unwrap(), both);
        for bad in [
            vec![],
            vec![m("RHQ", "hr"), m("R0A", "root")],
            vec![m("RHQ", "HR")],
            vec![m("RHQ", "hr"), m("ZZZ", "hr")],
        ] {
            let e = store
                .upsert_account("locum", "Changed", "h2", &bad, 2)
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::Invalid(_)), "{bad:?}: {e}");
            assert_eq!(store.memberships(&id).await.unwrap(), both, "{bad:?}");
            let a = store.account(&id).await.unwrap().unwrap();
            assert_eq!(
                (a.display_name.as_str(), a.password_hash.as_str()),
                ("Lou Cumming", "h")
            );
        }
        // upsert_user keeps its meaning: exactly one membership.
        let same = store
            .upsert_user("R0A", "locum", "Lou", "auditor", "h", 3)
            .await
            .unwrap();
        assert_eq!(same, id);
        assert_eq!(
            store.memberships(&id).await.unwrap(),
            vec![m("R0A", "auditor")]
        );
        for role in crate::ROLES {
            store
                .upsert_user("RHQ", &format!("u.{role}"), "U", role, "h", 1)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn a_session_acts_only_for_a_membership_its_user_holds() {
    for store in stores().await {
        let id = store
            .upsert_account(
                "locum",
                "Lou",
                "h",
                &[m("RHQ", "hr"), m("R0A", "training")],
                1,
            )
            .await
            .unwrap();
        assert!(store
            .start_session(&id, "tok", "csrf", Stage::Choose, None, 10, 600)
            .await
            .unwrap());
        // Pending: not a session handlers can use.
        assert!(store.session("tok", 11).await.unwrap().is_none());
        let pending = store.pending_session("tok", 11).await.unwrap().unwrap();
        assert_eq!(
            (pending.stage, pending.csrf.as_str()),
            (Stage::Choose, "csrf")
        );

        // Forged choices: a role held elsewhere, an organisation not held, a role not held.
        for forged in [m("RHQ", "training"), m("R0A", "hr"), m("RHQ", "admin")] {
            assert!(!store
                .act_as("tok", Stage::Choose, &forged, 12, 3600)
                .await
                .unwrap());
            assert!(store.session("tok", 12).await.unwrap().is_none());
            assert_eq!(
                store
                    .pending_session("tok", 12)
                    .await
                    .unwrap()
                    .unwrap()
                    .stage,
                Stage::Choose
            );
        }
        // From the wrong stage: nothing.
        assert!(!store
            .act_as("tok", Stage::Totp, &m("RHQ", "hr"), 12, 3600)
            .await
            .unwrap());
        assert!(store
            .act_as("tok", Stage::Choose, &m("R0A", "training"), 12, 3600)
            .await
            .unwrap());
        let s = store.session("tok", 13).await.unwrap().unwrap();
        assert_eq!(
            (s.user.org.as_str(), s.user.role.as_str()),
            ("R0A", "training")
        );
        assert_eq!(s.expires_at, 12 + 3600);
        assert!(store.pending_session("tok", 13).await.unwrap().is_none());

        // Switching: to a held membership yes (lifetime unchanged), to a forged one no.
        assert!(!store
            .act_as("tok", Stage::Choose, &m("R0A", "admin"), 14, 99_999)
            .await
            .unwrap());
        assert_eq!(
            store.session("tok", 14).await.unwrap().unwrap().user.org,
            "R0A"
        );
        assert!(store
            .act_as("tok", Stage::Choose, &m("RHQ", "hr"), 14, 99_999)
            .await
            .unwrap());
        let s = store.session("tok", 15).await.unwrap().unwrap();
        assert_eq!((s.user.org.as_str(), s.user.role.as_str()), ("RHQ", "hr"));
        assert_eq!(s.expires_at, 12 + 3600);

        // Taking the membership away ends the session acting for it.
        store
            .upsert_account("locum", "Lou", "h", &[m("R0A", "training")], 16)
            .await
            .unwrap();
        assert!(store.session("tok", 17).await.unwrap().is_none());

        // An active session cannot start on a membership not held.
        assert!(!store
            .start_session(&id, "t2", "c", Stage::Active, Some(&m("RHQ", "hr")), 20, 60)
            .await
            .unwrap());
        assert!(store.session("t2", 21).await.unwrap().is_none());
        assert!(store
            .start_session(
                &id,
                "t2",
                "c",
                Stage::Active,
                Some(&m("R0A", "training")),
                20,
                60
            )
            .await
            .unwrap());
        assert!(store.session("t2", 21).await.unwrap().is_some());
        assert!(store.session("t2", 80).await.unwrap().is_none(), "expired");

        // Stages advance only from where they are.
        store
            .start_session(&id, "t3", "c", Stage::Totp, None, 20, 60)
            .await
            .unwrap();
        assert!(!store
            .advance_session("t3", Stage::Enrol, Stage::Choose, 21)
            .await
            .unwrap());
        assert!(store
            .advance_session("t3", Stage::Totp, Stage::Choose, 21)
            .await
            .unwrap());
        assert!(!store
            .advance_session("t3", Stage::Choose, Stage::Active, 21)
            .await
            .unwrap());
        store.end_session("t3").await.unwrap();
        assert!(store.pending_session("t3", 22).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn failed_sign_ins_lock_the_account_at_the_threshold() {
    for store in stores().await {
        let id = store
            .upsert_user("RHQ", "rhq.hr", "H", "hr", "h", 1)
            .await
            .unwrap();
        for i in 1..5 {
            assert!(!store.record_failed_sign_in(&id, 5, 900, 100).await.unwrap());
            let a = store.account(&id).await.unwrap().unwrap();
            assert_eq!(a.failed_attempts, i);
            assert!(!a.locked(100));
        }
        assert!(store.record_failed_sign_in(&id, 5, 900, 100).await.unwrap());
        let a = store.account(&id).await.unwrap().unwrap();
        assert!(a.locked(100) && a.locked(999) && !a.locked(1000));
        assert_eq!(a.failed_attempts, 0);
        // A success clears the count.
        store
            .record_failed_sign_in(&id, 5, 900, 2000)
            .await
            .unwrap();
        store.clear_failed_sign_ins(&id).await.unwrap();
        assert_eq!(
            store.account(&id).await.unwrap().unwrap().failed_attempts,
            0
        );
        // An unknown user id changes nothing and is not "locked".
        assert!(!store
            .record_failed_sign_in("u-nobody", 1, 900, 1)
            .await
            .unwrap());
    }
}

#[tokio::test]
async fn a_totp_step_is_accepted_once_and_enrolment_needs_the_pending_secret() {
    for store in stores().await {
        let id = store
            .upsert_user("RHQ", "rhq.hr", "H", "hr", "h", 1)
            .await
            .unwrap();
        // No secret yet: no step is accepted.
        assert!(!store.use_totp_step(&id, 10).await.unwrap());
        store.set_totp_pending(&id, "sealed-1").await.unwrap();
        store.set_totp_pending(&id, "sealed-2").await.unwrap();
        assert_eq!(
            store.totp_pending(&id).await.unwrap().as_deref(),
            Some("sealed-2")
        );
        // Confirming a secret that is no longer the one offered changes nothing.
        assert!(!store.enable_totp(&id, "sealed-1", 10).await.unwrap());
        assert_eq!(store.account(&id).await.unwrap().unwrap().totp_secret, None);
        assert!(store.enable_totp(&id, "sealed-2", 10).await.unwrap());
        let a = store.account(&id).await.unwrap().unwrap();
        assert_eq!(a.totp_secret.as_deref(), Some("sealed-2"));
        assert_eq!(store.totp_pending(&id).await.unwrap(), None);
        // Enabling again (a second pending secret) cannot replace the secret.
        store.set_totp_pending(&id, "sealed-3").await.unwrap();
        assert!(!store.enable_totp(&id, "sealed-3", 11).await.unwrap());
        // The confirming step is used; later steps once each; earlier steps never.
        assert!(!store.use_totp_step(&id, 10).await.unwrap());
        assert!(store.use_totp_step(&id, 11).await.unwrap());
        assert!(!store.use_totp_step(&id, 11).await.unwrap());
        assert!(!store.use_totp_step(&id, 9).await.unwrap());
        assert!(store.use_totp_step(&id, 13).await.unwrap());
        assert!(!store.use_totp_step(&id, 12).await.unwrap());
    }
}

#[tokio::test]
async fn an_identity_names_one_user_and_flows_are_taken_once() {
    for store in stores().await {
        let a = store
            .upsert_account("a", "A", NO_PASSWORD, &[m("RHQ", "hr")], 1)
            .await
            .unwrap();
        let b = store
            .upsert_user("R0A", "b", "B", "hr", "h", 1)
            .await
            .unwrap();
        let iss = "https://idp.example";
        store.link_identity(&a, iss, "sub-1", 1).await.unwrap();
        store.link_identity(&a, iss, "sub-1", 2).await.unwrap();
        let e = store.link_identity(&b, iss, "sub-1", 3).await.unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
        assert_eq!(
            store.user_by_identity(iss, "sub-1").await.unwrap(),
            Some(a.clone())
        );
        assert_eq!(store.user_by_identity(iss, "sub-2").await.unwrap(), None);
        assert_eq!(
            store
                .user_by_identity("https://other.example", "sub-1")
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.identity_count(&a).await.unwrap(), 1);
        assert!(store.link_identity(&b, "", "x", 1).await.is_err());

        store
            .create_oidc_flow("state-1", "nonce-1", "verifier-1", 100, 600)
            .await
            .unwrap();
        store
            .create_oidc_flow("state-2", "nonce-2", "verifier-2", 100, 600)
            .await
            .unwrap();
        assert_eq!(store.take_oidc_flow("state-x", 101).await.unwrap(), None);
        assert_eq!(
            store.take_oidc_flow("state-1", 101).await.unwrap(),
            Some(("nonce-1".into(), "verifier-1".into()))
        );
        assert_eq!(store.take_oidc_flow("state-1", 102).await.unwrap(), None);
        assert_eq!(store.take_oidc_flow("state-2", 700).await.unwrap(), None);

        assert_eq!(
            store
                .account_setting_or_insert("salt", "one")
                .await
                .unwrap(),
            "one"
        );
        assert_eq!(
            store
                .account_setting_or_insert("salt", "two")
                .await
                .unwrap(),
            "one"
        );
    }
}
