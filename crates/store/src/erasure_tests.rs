//! Subject access and erasure, on SQLite and on PostgreSQL: everything held about a person is
//! found (their rows, the transfer requests and review items about them, and nobody else's);
//! erasure revokes and deletes exactly that, keeps the tombstone and the audit chain, is not
//! possible from another organisation, and a re-import makes a fresh person.
#![allow(clippy::unwrap_used)]
use crate::governance_tests::stores;
use crate::{AuditEvent, ChainCheck, ErasureOutcome, NewTransferRequest, PresentedRow, Store};
use passport_records::{parse, IdScheme, Identifier, ImportKind};

fn sample(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    std::fs::read_to_string(&path).unwrap()
}

fn gmc(value: &str) -> Identifier {
    Identifier {
        scheme: IdScheme::Gmc,
        value: value.into(),
    }
}

async fn import(store: &Store, text: &str, now: i64) -> crate::ImportOutcome {
    let records = parse(ImportKind::EsrStaff, text, "RHQ").unwrap();
    store
        .apply_import("RHQ", "esr-staff", "sha", &records, now, |_| {})
        .await
        .unwrap()
}

/// A request of RHQ as HR types it: a name, an email and maybe a registration number.
async fn request(store: &Store, email: &str, registration: Option<&str>) -> String {
    let new = NewTransferRequest {
        org: "RHQ".into(),
        created_by: "u-hr".into(),
        person_name: "As Typed".into(),
        person_email: email.into(),
        registration_number: registration.map(Into::into),
        profile_id: "fy2-medicine".into(),
        profile: "{}".into(),
        start_date: "2027-08-04".into(),
        end_date: "2027-12-01".into(),
        move_kind: "rotation".into(),
        lead_employer: None,
        audience: "hr".into(),
        nonce: crate::new_id("n-"),
        state: crate::new_id("s-"),
        enc_key: "k".into(),
        expires_at: 10_000,
    };
    store
        .create_transfer_request(&new, 150, |id| Ok(format!("jwt-{id}")))
        .await
        .unwrap()
}

struct Setup {
    amara: String,
    tomasz: String,
    /// Amara's credential still live, and its status list place.
    live: (String, i64, i64),
    about_amara: Vec<String>,
    about_tomasz: String,
    item: String,
}

/// RHQ's staff; Amara with two credentials (one revoked already), a redeemed offer, two
/// requests about her (by email in other letter case; by GMC number), a review item naming her;
/// Tomasz with a credential and a request of his own.
async fn setup(store: &Store) -> Setup {
    let staff = sample("esr-staff.csv");
    import(store, &staff, 100).await;
    let amara = store.person_by_identifier("RHQ", &gmc("9100001")).await;
    let amara = amara.unwrap().unwrap();
    let tomasz = store.person_by_identifier("RHQ", &gmc("9100002")).await;
    let tomasz = tomasz.unwrap().unwrap();
    let mut live = None;
    for (who, n) in [(&amara, 2), (&tomasz, 1)] {
        let view = store.person("RHQ", who).await.unwrap().unwrap();
        let record = &view.records[0];
        for i in 0..n {
            let (id, at) = store
                .register_issued(
                    "RHQ",
                    who,
                    &record.id,
                    &record.type_name,
                    "jkt",
                    "n",
                    110,
                    None,
                )
                .await
                .unwrap();
            if who == &amara && i == 0 {
                store
                    .revoke_credential("RHQ", &id, "issued in error", 111)
                    .await
                    .unwrap();
            } else if who == &amara {
                live = Some((id, at.list_id, at.idx));
            }
        }
    }
    let offer = store
        .create_offer("RHQ", &amara, "code-1", "123456", "u-hr", 120, 1000)
        .await
        .unwrap();
    let redeemed = store
        .redeem_offer("RHQ", "code-1", Some("123456"), "token-1", 121, 600)
        .await
        .unwrap();
    assert_eq!(redeemed.unwrap().0.offer_id, offer.id);
    let by_email = request(store, "AMARA.Okafor@nhs.example", None).await;
    let row = PresentedRow {
        query_id: "identity".into(),
        vct: None,
        iss: None,
        issuer_ods: Some("RHQ".into()),
        accepted: true,
        reason: "verified".into(),
        claims: Some(r#"{"familyName":"Okafor"}"#.into()),
    };
    let rows = [row];
    let stored = store.record_response("RHQ", &by_email, "resp", &rows, "{}", None, 160);
    assert_eq!(stored.await.unwrap(), Ok(()));
    let by_gmc = request(store, "someone@else.example", Some("9100001")).await;
    let about_tomasz = request(store, "tomasz.kowalczyk@nhs.example", Some("9100002")).await;
    // Amara's row under another surname and birth date: her identifiers, but not surely her.
    let mut records = parse(ImportKind::EsrStaff, &staff, "RHQ").unwrap();
    let mut doubtful = records.remove(0);
    doubtful.key.push_str("-doubtful");
    if let Some(p) = doubtful.person.as_mut() {
        p.family_name = "Adeyemi".into();
        p.date_of_birth = Some("1999-03-15".into());
    }
    store
        .apply_import("RHQ", "esr-staff", "t", &[doubtful], 130, |_| {})
        .await
        .unwrap();
    let item = store.review_queue("RHQ").await.unwrap()[0].id.clone();
    Setup {
        amara,
        tomasz,
        live: live.unwrap(),
        about_amara: vec![by_email, by_gmc],
        about_tomasz,
        item,
    }
}

#[tokio::test]
async fn subject_data_holds_the_persons_rows_and_what_is_about_them_only() {
    for store in stores().await {
        let s = setup(&store).await;
        let data = store.subject_data("RHQ", &s.amara).await.unwrap().unwrap();
        assert_eq!(data.person.family_name, "Okafor");
        assert!(data.identifiers.contains(&gmc("9100001")));
        assert!(!data.records.is_empty());
        assert_eq!(data.offers.len(), 1);
        assert_eq!(data.credentials.len(), 2);
        let ids: Vec<&str> = data
            .requests
            .iter()
            .map(|r| r.request.id.as_str())
            .collect();
        assert_eq!(
            ids,
            s.about_amara.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(data.requests[0].presented.len(), 1);
        assert_eq!(data.review_items.len(), 1);
        assert_eq!(data.review_items[0].id, s.item);
        assert_eq!(data.audit_subjects()[0], s.amara);
        // Tomasz's request is his; another organisation holds nobody by Amara's id.
        let his = store.subject_data("RHQ", &s.tomasz).await.unwrap().unwrap();
        assert_eq!(his.requests.len(), 1);
        assert_eq!(his.requests[0].request.id, s.about_tomasz);
        assert!(his.review_items.is_empty());
        assert!(store.subject_data("R0A", &s.amara).await.unwrap().is_none());
    }
}

async fn count(store: &Store, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn erasure_revokes_and_deletes_what_is_about_the_person_and_keeps_the_tombstone() {
    for store in stores().await {
        let s = setup(&store).await;
        // An invitation to the address HR typed on the request matched by her GMC number (not
        // her own address), and one to Tomasz.
        for to in ["Someone@Else.example", "tomasz.kowalczyk@nhs.example"] {
            let mail = crate::outbox::NewMail {
                org: "RHQ",
                to,
                subject: "Your rotation",
                text: "Dear Dr Example, your link",
                html: None,
            };
            store.enqueue_mail(&mail, 150).await.unwrap();
        }
        let event = AuditEvent {
            org: "RHQ",
            actor_id: "u-hr",
            actor_name: "rhq.hr",
            role: "hr",
            action: "view-staff",
            subject: &s.amara,
            purpose: "review",
            outcome: "allowed",
            detail: "",
        };
        store.append_audit(&event, 190).await.unwrap();
        let before = store.subject_data("RHQ", &s.amara).await.unwrap();
        let tomasz = store.subject_data("RHQ", &s.tomasz).await.unwrap();

        // Another organisation cannot erase her: nothing changes.
        assert_eq!(
            store
                .erase_person("R0A", &s.amara, "u-x", 195)
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.subject_data("RHQ", &s.amara).await.unwrap(), before);

        let out = store.erase_person("RHQ", &s.amara, "u-admin", 200).await;
        let out = out.unwrap().unwrap();
        let held = before.unwrap();
        assert_eq!(
            out,
            ErasureOutcome {
                identifiers: held.identifiers.len() as u64,
                records: held.records.len() as u64,
                offers: 1,
                revoked: 1,
                credentials: 2,
                requests: 2,
                presented: 1,
                review_items: 1,
                rotation_rows: 0,
                mails: 1,
            }
        );
        assert_eq!(
            held.mails.len(),
            1,
            "the export lists the e-mail erasure deletes"
        );
        let mails = store.mail_items("RHQ", None, 10).await.unwrap();
        let left: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
        assert_eq!(left, ["tomasz.kowalczyk@nhs.example"]);
        // Her credential is revoked on the status list, where it stays.
        let (_, list, idx) = &s.live;
        let entries = store
            .status_list("RHQ", *list)
            .await
            .unwrap()
            .unwrap()
            .entries;
        assert!(entries.contains(&(*idx as u64, crate::STATUS_REVOKED as u8)));
        // Nothing findable by her name, identifiers or id; the tombstone stays.
        for q in ["Okafor", "Amara Okafor", "9100001", "10000101", "20000101"] {
            assert!(
                store.search_people("RHQ", q, 10).await.unwrap().is_empty(),
                "{q}"
            );
        }
        assert_eq!(
            store
                .person_by_identifier("RHQ", &gmc("9100001"))
                .await
                .unwrap(),
            None
        );
        assert!(store.subject_data("RHQ", &s.amara).await.unwrap().is_none());
        assert_eq!(
            store.erased_person("RHQ", &s.amara).await.unwrap(),
            Some((200, "u-admin".to_string()))
        );
        for sql in [
            "SELECT COUNT(*) FROM records WHERE person_id = $1",
            "SELECT COUNT(*) FROM offers WHERE person_id = $1",
            "SELECT COUNT(*) FROM access_tokens WHERE person_id = $1",
            "SELECT COUNT(*) FROM issued_credentials WHERE person_id = $1",
            "SELECT COUNT(*) FROM person_identifiers WHERE person_id = $1",
            "SELECT COUNT(*) FROM review_queue WHERE candidates LIKE '%' || $1 || '%'",
        ] {
            assert_eq!(count(&store, sql, &s.amara).await, 0, "{sql}");
        }
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM token_grants WHERE token_hash = $1",
                &crate::sha256_hex(b"token-1")
            )
            .await,
            0
        );
        for id in &s.about_amara {
            let r = store.transfer_request("RHQ", id).await.unwrap().unwrap();
            assert_eq!((r.purged_at, r.person_email.as_str()), (Some(200), ""));
            assert_eq!(r.purge_reason.as_deref(), Some(crate::PURGED_FOR_ERASURE));
            assert!(store.presented("RHQ", id).await.unwrap().is_empty());
        }
        // Tomasz, his credential and his request are as they were; the chain is intact.
        assert_eq!(store.subject_data("RHQ", &s.tomasz).await.unwrap(), tomasz);
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { entries: 1, .. }
        ));
        let entries = store
            .audit_entries("RHQ", Some(&s.amara), None, 10)
            .await
            .unwrap();
        assert_eq!(
            entries.len(),
            1,
            "the entry about her stays, naming only her id"
        );

        // Erasing again finds nobody; re-importing makes a fresh person.
        assert_eq!(
            store
                .erase_person("RHQ", &s.amara, "u-admin", 201)
                .await
                .unwrap(),
            None
        );
        let again = import(&store, &sample("esr-staff.csv"), 300).await;
        assert_eq!(again.new_people, 1, "{again:?}");
        let fresh = store.person_by_identifier("RHQ", &gmc("9100001")).await;
        let fresh = fresh.unwrap().unwrap();
        assert_ne!(fresh, s.amara);
        assert!(store.issued_to("RHQ", &fresh).await.unwrap().is_empty());
    }
}
