//! Offering anew after a placement changed, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]
use super::*;
use crate::{ImportOutcome, Store};
use passport_records::{parse, IdScheme, Identifier, ImportKind};

async fn stores() -> Vec<Store> {
    crate::tests::stores_with(&["X24", "R0A"]).await
}

fn tis() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/tis.csv");
    std::fs::read_to_string(path).unwrap()
}

/// Offers made so far in this process: codes are unique, as real ones are.
static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn plan(p: &ReofferPerson) -> ReofferPlan {
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    ReofferPlan {
        code: format!("code-{}-{n}", p.person_id),
        tx_code: "123456".into(),
        mails: vec![
            MailText {
                subject: "Your updated placement".into(),
                text: format!("Dear {} {}: link", p.given_name, p.family_name),
                html: None,
            },
            MailText {
                subject: "Your code".into(),
                text: "123456".into(),
                html: None,
            },
        ],
    }
}

async fn import(store: &Store, org: &str, text: &str, reoffer: bool) -> ImportOutcome {
    let records = parse(ImportKind::TisPlacements, text, org).unwrap();
    let r = Reoffer {
        plan: &plan,
        ttl_secs: 600,
        created_by: "import:tis",
    };
    store
        .apply_import_reoffering(
            org,
            "tis",
            "sha",
            &records,
            100,
            |_| {},
            reoffer.then_some(&r),
        )
        .await
        .unwrap()
}

async fn person(store: &Store, org: &str, gmc: &str) -> String {
    let id = Identifier::new(IdScheme::Gmc, gmc).unwrap();
    store.person_by_identifier(org, &id).await.unwrap().unwrap()
}

/// Registers a credential issued from the person's current placement `placement_id`.
async fn issue_placement(store: &Store, org: &str, gmc: &str, placement_id: &str) {
    let pid = person(store, org, gmc).await;
    let view = store.person(org, &pid).await.unwrap().unwrap();
    let record = view
        .records
        .iter()
        .find(|r| r.type_name == "TrainingPlacement" && r.claims["placementId"] == placement_id)
        .unwrap();
    store
        .register_issued(
            org,
            &pid,
            &record.id,
            "TrainingPlacement",
            "jkt",
            "n",
            50,
            None,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_revoked_placement_brings_a_fresh_offer_and_its_emails_to_the_address_on_record() {
    for store in stores().await {
        let text = tis();
        import(&store, "X24", &text, true).await;
        // Amara holds her current placement's credential; Tom holds nothing.
        issue_placement(&store, "X24", "9100001", "310003").await;
        let changed = text
            .replace(
                "2025-08-06,2025-12-02,1,In post,Current",
                "2025-08-06,2025-12-09,1,In post,Current",
            )
            .replace(
                "2025-08-06,2026-08-04,1,In post,Current",
                "2025-08-06,2026-08-11,1,In post,Current",
            );
        assert_ne!(changed, text);
        let out = import(&store, "X24", &changed, true).await;
        assert_eq!((out.superseded, out.revoked, out.reoffered), (2, 1, 1));
        let amara = person(&store, "X24", "9100001").await;
        let offers = store.offers_of("X24", &amara).await.unwrap();
        assert_eq!(offers.len(), 1);
        assert_eq!(offers[0].expires_at, 700);
        let mails = store.mail_items("X24", None, 10).await.unwrap();
        assert_eq!(mails.len(), 2);
        assert!(mails.iter().all(|m| m.to == "amara.okafor@nhs.example"));
        // Tom never held the placement's credential: nothing to replace, no offer, no mail.
        let tom = person(&store, "X24", "9100002").await;
        assert!(store.offers_of("X24", &tom).await.unwrap().is_empty());
        // A placement she holds deleted in TIS: withdrawn, revoked, offered anew (her
        // programme and other placements are still current).
        issue_placement(&store, "X24", "9100001", "310001").await;
        let deleted = changed.replace("2024-12-03,1,In post,Past", "2024-12-03,1,In post,Deleted");
        let out = import(&store, "X24", &deleted, true).await;
        assert_eq!((out.withdrawn, out.revoked, out.reoffered), (1, 1, 1));
        assert_eq!(store.offers_of("X24", &amara).await.unwrap().len(), 2);
        assert_eq!(store.mail_items("X24", None, 10).await.unwrap().len(), 4);
    }
}

#[tokio::test]
async fn no_offer_without_the_option_nor_without_an_address() {
    for store in stores().await {
        let text = tis();
        // Baseline without the option: the revocation happens, no offer is made.
        import(&store, "X24", &text, false).await;
        issue_placement(&store, "X24", "9100001", "310003").await;
        let changed = text.replace(
            "2025-12-02,1,In post,Current",
            "2025-12-09,1,In post,Current",
        );
        let out = import(&store, "X24", &changed, false).await;
        assert_eq!((out.revoked, out.reoffered), (1, 0));
        assert!(store.mail_items("X24", None, 10).await.unwrap().is_empty());

        // No address on record (the file has no email column): revoked, not offered.
        let no_email: String = text
            .lines()
            .map(|l| {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells.remove(3);
                cells.join(",")
            })
            .collect::<Vec<_>>()
            .join("\n");
        import(&store, "R0A", &no_email, true).await;
        issue_placement(&store, "R0A", "9100001", "310003").await;
        let changed = no_email.replace(
            "2025-12-02,1,In post,Current",
            "2025-12-09,1,In post,Current",
        );
        let out = import(&store, "R0A", &changed, true).await;
        assert_eq!((out.revoked, out.reoffered), (1, 0));
        assert!(store.mail_items("R0A", None, 10).await.unwrap().is_empty());
        let amara = person(&store, "R0A", "9100001").await;
        assert!(store.offers_of("R0A", &amara).await.unwrap().is_empty());
    }
}
