//! Storage tests, each on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]
use crate::testing::both;
use crate::{OrgRow, Store};
use passport_records::{parse, IdScheme, Identifier, ImportKind};

fn sample(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    std::fs::read_to_string(&path).unwrap()
}

async fn with_org(store: &Store, ods: &str) {
    store
        .upsert_org(
            &OrgRow {
                ods_code: ods.into(),
                name: format!("{ods} (synthetic)"),
                kind: "trust".into(),
                issuer: format!("https://x/issuers/{ods}"),
            },
            1,
        )
        .await
        .unwrap();
}

/// A SQLite and a PostgreSQL store (fresh databases), each with the synthetic organisations
/// `orgs`: what almost every storage test runs on.
pub(crate) async fn stores_with(orgs: &[&str]) -> Vec<Store> {
    let mut out = Vec::new();
    for db in both().await.unwrap() {
        let store = db.open().await.unwrap();
        for ods in orgs {
            with_org(&store, ods).await;
        }
        // Keep the SQLite folder alive for the test's duration.
        std::mem::forget(db);
        out.push(store);
    }
    out
}

async fn stores() -> Vec<Store> {
    stores_with(&["RHQ", "R0A"]).await
}

async fn import(
    store: &Store,
    org: &str,
    kind: ImportKind,
    text: &str,
    now: i64,
) -> crate::ImportOutcome {
    let records = parse(kind, text, org).unwrap();
    store
        .apply_import(org, kind.as_str(), "sha", &records, now, |_| {})
        .await
        .unwrap()
}

#[tokio::test]
async fn reimport_changes_nothing_and_a_changed_record_supersedes_and_revokes() {
    for store in stores().await {
        let staff = sample("esr-staff.csv");
        let comps = sample("esr-competences.csv");
        let first = import(&store, "RHQ", ImportKind::EsrStaff, &staff, 100).await;
        assert!(first.created > 0 && first.new_people > 0, "{first:?}");
        let again = import(&store, "RHQ", ImportKind::EsrStaff, &staff, 101).await;
        assert_eq!(
            (again.created, again.superseded, again.new_people),
            (0, 0, 0),
            "{again:?}"
        );
        let c1 = import(&store, "RHQ", ImportKind::EsrCompetences, &comps, 102).await;
        let c2 = import(&store, "RHQ", ImportKind::EsrCompetences, &comps, 103).await;
        assert_eq!(c2.created + c2.superseded, 0, "{c1:?} then {c2:?}");

        // Issue a credential from Fire Safety of person 10000101, then change its award date.
        let esr = Identifier {
            scheme: IdScheme::EsrPerson,
            value: "10000101".into(),
        };
        let person = store
            .person_by_identifier("RHQ", &esr)
            .await
            .unwrap()
            .unwrap();
        let view = store.person("RHQ", &person).await.unwrap().unwrap();
        let fire = view
            .records
            .iter()
            .find(|r| r.claims["subjectName"] == "Fire Safety")
            .unwrap()
            .clone();
        let (cred, at) = store
            .register_issued(
                "RHQ",
                &person,
                &fire.id,
                &fire.type_name,
                "jkt",
                "n-1",
                104,
                None,
            )
            .await
            .unwrap();
        let changed = comps.replace(
            "10000101,Amara,Okafor,NHS|CSTF|Fire Safety - 2 Years|,2025-08-06",
            "10000101,Amara,Okafor,NHS|CSTF|Fire Safety - 2 Years|,2026-08-01",
        );
        assert_ne!(changed, comps, "the sample row to change exists");
        let c3 = import(&store, "RHQ", ImportKind::EsrCompetences, &changed, 105).await;
        assert_eq!((c3.superseded, c3.revoked), (1, 1), "{c3:?}");
        let issued = store.issued_to("RHQ", &person).await.unwrap();
        let mine = issued.iter().find(|c| c.id == cred).unwrap();
        assert_eq!(mine.revoked_at, Some(105));
        let list = store.status_list("RHQ", at.list_id).await.unwrap().unwrap();
        assert_eq!(list.entries, vec![(at.idx as u64, 1)]);
        let view = store.person("RHQ", &person).await.unwrap().unwrap();
        let fire_now: Vec<_> = view
            .records
            .iter()
            .filter(|r| r.claims["subjectName"] == "Fire Safety")
            .collect();
        assert_eq!(fire_now.len(), 1, "one current record per key");
        assert_eq!(fire_now[0].claims["dateLastAwarded"], "2026-08-01");

        // Trust R0A sees none of RHQ's people.
        assert!(store.person("R0A", &person).await.unwrap().is_none());
        assert!(store
            .search_people("R0A", "Okafor", 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .search_people("RHQ", "okafor", 10)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .search_people("RHQ", "9100001", 10)
                .await
                .unwrap()
                .len(),
            1,
            "by GMC number"
        );
    }
}

#[tokio::test]
async fn conflicting_names_are_queued_never_merged_and_a_person_resolves_them() {
    for store in stores().await {
        import(
            &store,
            "RHQ",
            ImportKind::EsrStaff,
            &sample("esr-staff.csv"),
            100,
        )
        .await;
        let people_before = store.count_people("RHQ").await.unwrap();
        // The same ESR person id under another name.
        let comps = "esr_person_id,forenames,surname,competence_name,date_achieved,expiry_date,awarding_organisation,learning_method,assessed,assessor_name,assessor_role,description,status\n\
                     10000101,Beatrice,Quill,NHS|CSTF|Fire Safety - 2 Years|,2025-08-06,,,,,,,,\n";
        let out = import(&store, "RHQ", ImportKind::EsrCompetences, comps, 101).await;
        assert_eq!((out.queued, out.created), (1, 0), "{out:?}");
        let again = import(&store, "RHQ", ImportKind::EsrCompetences, comps, 102).await;
        assert_eq!(
            (again.queued, again.still_queued),
            (0, 1),
            "the same item is not queued twice"
        );
        assert_eq!(store.count_people("RHQ").await.unwrap(), people_before);
        let queue = store.review_queue("RHQ").await.unwrap();
        assert_eq!(queue.len(), 1);
        assert!(
            queue[0].reason.contains("Quill") || queue[0].reason.contains("Okafor"),
            "{}",
            queue[0].reason
        );
        assert!(store.review_queue("R0A").await.unwrap().is_empty());
        // Another trust cannot resolve it.
        assert!(store
            .resolve_review("R0A", &queue[0].id, None, "u", 103)
            .await
            .is_err());
        let esr = Identifier {
            scheme: IdScheme::EsrPerson,
            value: "10000101".into(),
        };
        let person = store
            .person_by_identifier("RHQ", &esr)
            .await
            .unwrap()
            .unwrap();
        store
            .resolve_review("RHQ", &queue[0].id, Some(&person), "u", 103)
            .await
            .unwrap();
        assert!(store.review_queue("RHQ").await.unwrap().is_empty());
        let view = store.person("RHQ", &person).await.unwrap().unwrap();
        assert!(view
            .records
            .iter()
            .any(|r| r.claims["subjectName"] == "Fire Safety"));
    }
}

#[tokio::test]
async fn offers_redeem_once_nonces_are_single_use_and_status_indices_unique() {
    for store in stores().await {
        import(
            &store,
            "RHQ",
            ImportKind::EsrStaff,
            &sample("esr-staff.csv"),
            100,
        )
        .await;
        let esr = Identifier {
            scheme: IdScheme::EsrPerson,
            value: "10000102".into(),
        };
        let person = store
            .person_by_identifier("RHQ", &esr)
            .await
            .unwrap()
            .unwrap();
        store
            .create_offer("RHQ", &person, "code-1", "123456", "u", 100, 60)
            .await
            .unwrap();
        assert!(
            store
                .create_offer("R0A", &person, "code-2", "1", "u", 100, 60)
                .await
                .is_err(),
            "not R0A's person"
        );
        assert_eq!(
            store.live_offer("RHQ", "code-1", 120).await.unwrap(),
            Some(person.clone())
        );
        let wrong = store
            .redeem_offer("RHQ", "code-1", Some("000000"), "tok", 120, 60)
            .await
            .unwrap();
        assert!(matches!(
            wrong,
            Err(crate::OfferState::WrongTxCode { attempts_left: 4 })
        ));
        let ok = store
            .redeem_offer("RHQ", "code-1", Some("123456"), "tok", 121, 60)
            .await
            .unwrap();
        let (ctx, grants) = ok.unwrap();
        assert_eq!(ctx.person_id, person);
        assert!(!grants.is_empty());
        let again = store
            .redeem_offer("RHQ", "code-1", Some("123456"), "tok2", 122, 60)
            .await
            .unwrap();
        assert_eq!(again.unwrap_err(), crate::OfferState::AlreadyUsed);
        assert!(store.token("RHQ", "tok", 130).await.unwrap().is_some());
        assert!(store.token("R0A", "tok", 130).await.unwrap().is_none());
        assert!(
            store.token("RHQ", "tok", 1000).await.unwrap().is_none(),
            "expired"
        );

        store.create_nonce("RHQ", "n1", 200).await.unwrap();
        assert!(
            !store.consume_nonce("R0A", "n1", 150).await.unwrap(),
            "another org's nonce"
        );
        assert!(store.consume_nonce("RHQ", "n1", 150).await.unwrap());
        assert!(
            !store.consume_nonce("RHQ", "n1", 150).await.unwrap(),
            "replayed"
        );
        store.create_nonce("RHQ", "n2", 200).await.unwrap();
        assert!(
            !store.consume_nonce("RHQ", "n2", 250).await.unwrap(),
            "expired"
        );

        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let (_, at) = store
                .register_issued(
                    "RHQ",
                    &person,
                    &grants[0].record_id,
                    "Employment",
                    "j",
                    "n",
                    1,
                    None,
                )
                .await
                .unwrap();
            assert!(at.idx >= 0 && at.idx < crate::LIST_SIZE);
            assert!(seen.insert((at.list_id, at.idx)), "index handed out twice");
        }
    }
}

#[tokio::test]
async fn a_replaced_phone_revokes_only_what_its_keys_hold_for_that_person() {
    for store in stores().await {
        let staff = sample("esr-staff.csv");
        import(&store, "RHQ", ImportKind::EsrStaff, &staff, 100).await;
        let r0a_staff = staff.replace(",RHQ", ",R0A");
        import(&store, "R0A", ImportKind::EsrStaff, &r0a_staff, 100).await;
        let esr = Identifier {
            scheme: IdScheme::EsrPerson,
            value: "10000101".into(),
        };
        let person = |org: &'static str| {
            let (store, esr) = (&store, &esr);
            async move {
                let id = store.person_by_identifier(org, esr).await.unwrap().unwrap();
                let view = store.person(org, &id).await.unwrap().unwrap();
                (id, view.records[0].clone())
            }
        };
        let (rhq, record) = person("RHQ").await;
        let (r0a, r0a_record) = person("R0A").await;
        let mut issue = Vec::new();
        for (org, pid, rec, jkt) in [
            ("RHQ", &rhq, &record, "old-phone"),
            ("RHQ", &rhq, &record, "old-phone"),
            ("RHQ", &rhq, &record, "new-phone"),
            ("R0A", &r0a, &r0a_record, "old-phone"),
        ] {
            let (id, at) = store
                .register_issued(org, pid, &rec.id, &rec.type_name, jkt, "n", 101, None)
                .await
                .unwrap();
            issue.push((id, at));
        }

        let keys = vec!["old-phone".to_string()];
        let mut revoked = store
            .revoke_bound_to("RHQ", &rhq, &keys, "lost phone", 102)
            .await
            .unwrap();
        revoked.sort();
        let mut expected = vec![issue[0].0.clone(), issue[1].0.clone()];
        expected.sort();
        assert_eq!(revoked, expected);
        let live = |org: &'static str, pid: String| {
            let store = &store;
            async move {
                let all = store.issued_to(org, &pid).await.unwrap();
                all.into_iter()
                    .filter(|c| c.revoked_at.is_none())
                    .map(|c| c.id)
                    .collect::<Vec<_>>()
            }
        };
        // The new phone's credential and the other trust's are untouched.
        assert_eq!(live("RHQ", rhq.clone()).await, vec![issue[2].0.clone()]);
        assert_eq!(live("R0A", r0a.clone()).await, vec![issue[3].0.clone()]);
        for (_, at) in &issue[..2] {
            let list = store.status_list("RHQ", at.list_id).await.unwrap().unwrap();
            assert!(list.entries.contains(&(at.idx as u64, 1)), "{list:?}");
        }
        // Again: nothing left on those keys. Another trust's person id: nothing, in RHQ.
        let again = store.revoke_bound_to("RHQ", &rhq, &keys, "again", 103);
        assert!(again.await.unwrap().is_empty());
        let other = store.revoke_bound_to("RHQ", &r0a, &keys, "x", 103);
        assert!(other.await.unwrap().is_empty());
        assert_eq!(live("R0A", r0a).await, vec![issue[3].0.clone()]);
    }
}

#[tokio::test]
async fn database_size_is_reported_and_grows_with_what_is_stored() {
    for store in stores().await {
        let empty = store.database_bytes().await.unwrap();
        assert!(empty > 0, "{:?}: {empty}", store.backend());
        import(
            &store,
            "RHQ",
            ImportKind::EsrStaff,
            &sample("esr-staff.csv"),
            10,
        )
        .await;
        let text = sample("esr-competences.csv");
        import(&store, "RHQ", ImportKind::EsrCompetences, &text, 10).await;
        let after = store.database_bytes().await.unwrap();
        assert!(after > empty, "{:?}: {empty} -> {after}", store.backend());
    }
}
