//! The registry's draft and published versions, each test on SQLite and on PostgreSQL: a
//! baseline that works, then each refusal leaving the stored state as it was.
#![allow(clippy::unwrap_used)]
use super::{DraftOrg, PublishedList};
use crate::testing::{both, TestDb};
use crate::{Store, StoreError};

async fn stores() -> Vec<(TestDb, Store)> {
    let mut out = Vec::new();
    for db in both().await.unwrap() {
        let store = db.open().await.unwrap();
        out.push((db, store));
    }
    out
}

fn org(ods: &str) -> DraftOrg {
    DraftOrg {
        ods_code: ods.into(),
        name: format!("{ods} NHS Trust (synthetic)"),
        kind: "trust".into(),
        issuer: format!("https://passport.example/issuers/{ods}"),
        jwks: r#"{"keys":[]}"#.into(),
        may_issue: vec!["https://w3id.org/nhs-staff-passport/vct/Employment/v1".into()],
        may_verify: true,
        updated_at: 100,
        updated_by: "registry.admin".into(),
    }
}

fn version(n: i64) -> PublishedList {
    PublishedList {
        version: n,
        jwt: format!("header.payload-{n}.signature"),
        issued_at: 1000 + n,
        expires_at: 2000 + n,
        organisations: 2,
        published_at: 1000 + n,
        published_by: "registry.admin".into(),
    }
}

#[tokio::test]
async fn draft_organisations_add_read_and_change() {
    for (db, store) in stores().await {
        let name = db.backend.as_str();
        assert!(store.registry_draft().await.unwrap().is_empty(), "{name}");
        store.add_draft_org(&org("RTH")).await.unwrap();
        store.add_draft_org(&org("R0A")).await.unwrap();
        let draft = store.registry_draft().await.unwrap();
        assert_eq!(
            draft
                .iter()
                .map(|o| o.ods_code.as_str())
                .collect::<Vec<_>>(),
            ["R0A", "RTH"],
            "{name}: by ODS code"
        );
        assert_eq!(draft[1], org("RTH"), "{name}: read back as written");

        let mut changed = org("RTH");
        changed.name = "Westmoor Hospitals NHS Trust (synthetic)".into();
        changed.may_verify = false;
        changed.may_issue = vec![];
        changed.issuer = "https://westmoor.example/issuers/RTH".into();
        changed.updated_at = 200;
        store.update_draft_org(&changed).await.unwrap();
        assert_eq!(
            store.registry_draft_org("RTH").await.unwrap(),
            Some(changed),
            "{name}"
        );
        assert_eq!(store.registry_draft_org("RXX").await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_taken_ods_code_or_issuer_is_a_conflict_and_changes_nothing() {
    for (db, store) in stores().await {
        let name = db.backend.as_str();
        store.add_draft_org(&org("RTH")).await.unwrap();
        store.add_draft_org(&org("R0A")).await.unwrap();
        let before = store.registry_draft().await.unwrap();

        let mut again = org("RTH");
        again.name = "Another name".into();
        let e = store.add_draft_org(&again).await.unwrap_err();
        assert!(
            matches!(&e, StoreError::Conflict(m) if m.contains("RTH is already")),
            "{name}: {e}"
        );
        let mut same_issuer = org("RXX");
        same_issuer.issuer = org("RTH").issuer;
        let e = store.add_draft_org(&same_issuer).await.unwrap_err();
        assert!(
            matches!(&e, StoreError::Conflict(m) if m.contains("issuer")),
            "{name}: {e}"
        );
        let mut steal = org("R0A");
        steal.issuer = org("RTH").issuer;
        let e = store.update_draft_org(&steal).await.unwrap_err();
        assert!(
            matches!(&e, StoreError::Conflict(m) if m.contains("issuer")),
            "{name}: {e}"
        );
        let e = store.update_draft_org(&org("RXX")).await.unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{name}: {e}");
        let mut not_json = org("RYY");
        not_json.jwks = "{keys".into();
        let e = store.add_draft_org(&not_json).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{name}: {e}");
        assert_eq!(store.registry_draft().await.unwrap(), before, "{name}");
    }
}

#[tokio::test]
async fn versions_only_go_up_and_the_latest_is_served() {
    for (db, store) in stores().await {
        let name = db.backend.as_str();
        assert_eq!(store.latest_trust_list().await.unwrap(), None, "{name}");
        store.publish_trust_list(&version(1)).await.unwrap();
        store.publish_trust_list(&version(2)).await.unwrap();
        assert_eq!(
            store.latest_trust_list().await.unwrap(),
            Some(version(2)),
            "{name}"
        );
        for stale in [1, 2] {
            let mut v = version(stale);
            v.jwt = "another.list.signed".into();
            let e = store.publish_trust_list(&v).await.unwrap_err();
            assert!(matches!(e, StoreError::Conflict(_)), "{name}: {e}");
        }
        // Skipping versions is allowed (a failed publication leaves a gap); going back is not.
        store.publish_trust_list(&version(4)).await.unwrap();
        let e = store.publish_trust_list(&version(3)).await.unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{name}: {e}");
        let all = store.trust_list_versions(10).await.unwrap();
        assert_eq!(
            all.iter().map(|v| v.version).collect::<Vec<_>>(),
            [4, 2, 1],
            "{name}"
        );
        assert_eq!(all[1], version(2), "{name}: stored as published");
    }
}

#[tokio::test]
async fn two_publications_of_one_version_at_once_leave_one() {
    for (db, store) in stores().await {
        let name = db.backend.as_str();
        store.publish_trust_list(&version(1)).await.unwrap();
        let (a, b) = (store.clone(), store.clone());
        let mut other = version(2);
        other.jwt = "the.other.admin".into();
        let (ra, rb) = tokio::join!(
            async move { a.publish_trust_list(&version(2)).await },
            async move { b.publish_trust_list(&other).await }
        );
        assert_eq!(
            usize::from(ra.is_ok()) + usize::from(rb.is_ok()),
            1,
            "{name}: {ra:?} {rb:?}"
        );
        let refused = ra.err().or(rb.err()).unwrap();
        assert!(
            matches!(refused, StoreError::Conflict(_)),
            "{name}: {refused}"
        );
        assert_eq!(store.trust_list_versions(10).await.unwrap().len(), 2);
    }
}
