//! Rotation rows under retention, subject access and erasure, on SQLite and on PostgreSQL:
//! a purged request's row keeps the post and the report's kinds but no name, e-mail or GMC
//! number, a recent changeover is untouched, and a person's rows and e-mails are exported and
//! erased by their email and GMC number, never by their name.
#![allow(clippy::unwrap_used)]
use crate::governance_tests::stores;
use crate::outbox::NewMail;
use crate::{
    new_id, ChainCheck, ChangeoverTarget, CohortMember, KeptLine, MailText, PreparedRequest,
    RotationImport, Store, SECONDS_PER_DAY,
};
use passport_records::{parse, IdScheme, Identifier, ImportKind, RotationEntry};
use std::collections::HashMap;

const DAY: i64 = SECONDS_PER_DAY;
const NOW: i64 = 1_000 * DAY;

fn entry(n: usize, gmc: &str, surname: &str, email: &str) -> RotationEntry {
    RotationEntry {
        line: n + 2,
        gmc_number: gmc.into(),
        forenames: "Alex".into(),
        surname: surname.into(),
        email: email.into(),
        grade: "FY2".into(),
        specialty: "Cardiology".into(),
        site_code: "R0A01".into(),
        site_name: Some("Eastbridge General Hospital".into()),
        start_date: "2027-08-04".into(),
        end_date: "2027-12-01".into(),
        role_profile: "fy2".into(),
    }
}

/// Imports `entries` into a new changeover of `org` at `at`, each request lasting 14 days,
/// with one invitation each: the changeover id and the request ids in list order.
async fn import(
    store: &Store,
    org: &str,
    entries: &[RotationEntry],
    at: i64,
) -> (String, Vec<String>) {
    let requests: Vec<PreparedRequest> = (0..entries.len())
        .map(|n| PreparedRequest {
            id: new_id("tr-"),
            nonce: format!("nonce-{n}-{}", new_id("")),
            state: format!("state-{n}-{}", new_id("")),
            enc_key: "k".into(),
            request_object: format!("signed-{n}"),
            expires_at: at + 14 * DAY,
        })
        .collect();
    let profiles = HashMap::from([("fy2".to_string(), r#"{"id":"fy2"}"#.to_string())]);
    let import = RotationImport {
        org,
        created_by: "u-ms",
        target: ChangeoverTarget::New {
            name: "August (synthetic)",
            date: "2027-08-04",
        },
        profiles: &profiles,
        audience: "hr",
        entries,
        requests: &requests,
    };
    let invite = |e: &RotationEntry, r: &PreparedRequest| MailText {
        subject: "Your rotation".into(),
        text: format!("Dear Dr {}, open {}", e.surname, r.id),
        html: None,
    };
    let done = store.import_rotation(&import, at, invite).await.unwrap();
    (
        done.changeover_id,
        requests.into_iter().map(|r| r.id).collect(),
    )
}

/// A report as the compliance crate writes it (evidence, reasons and dates included).
const REPORT: &str = r#"{"profile":"fy2","lines":[
 {"requirement":"Identity","key":"identity","status":{"kind":"met","issuer":"RHQ","date":"2026-01-01"},
  "evidence":{"issuer":"x","issuer_ods":"RHQ","issuer_name":"RHQ","date":null,"summary":"Alex Example0"},"note":null},
 {"requirement":"Fire safety","key":"cstf_fire","status":{"kind":"missing","reason":"expired 2025-01-01"},"evidence":null,"note":null},
 {"requirement":"GMC registration","key":"professional_registration","status":{"kind":"not_portable","reason":"check the live register"},"evidence":null,"note":null}]}"#;

async fn answer(store: &Store, org: &str, id: &str, at: i64) {
    let response = format!("resp-{id}");
    let stored = store.record_response(org, id, &response, &[], REPORT, None, at);
    assert_eq!(stored.await.unwrap(), Ok(()));
}

async fn raw_row(store: &Store, request: &str) -> (String, String, String, String, String) {
    let r: (String, String, String, String, String) = sqlx::query_as(
        "SELECT id, gmc_number, forenames, surname, email FROM rotation_rows WHERE request_id = $1",
    )
    .bind(request)
    .fetch_one(store.pool())
    .await
    .unwrap();
    r
}

fn kept(key: &str, requirement: &str, kind: &str) -> KeptLine {
    KeptLine {
        key: key.into(),
        requirement: requirement.into(),
        kind: kind.into(),
    }
}

#[tokio::test]
async fn retention_purges_rotation_rows_with_their_requests_and_keeps_the_figures() {
    for store in stores().await {
        // Old: imported 120 days ago, expired 106 days ago. One answered and accepted 100 days
        // ago, one answered and never decided, one never answered.
        let old_entries: Vec<RotationEntry> = (0..3)
            .map(|n| {
                let gmc = format!("{}", 9_300_000 + n);
                entry(
                    n,
                    &gmc,
                    &format!("Example{n}"),
                    &format!("alex.{n}@nhs.example"),
                )
            })
            .collect();
        let created = NOW - 120 * DAY;
        let (old, old_requests) = import(&store, "R0A", &old_entries, created).await;
        answer(&store, "R0A", &old_requests[0], created + DAY).await;
        answer(&store, "R0A", &old_requests[1], created + DAY).await;
        let decided = store.decide_transfer(
            "R0A",
            &old_requests[0],
            "accepted",
            "",
            "u-hr",
            NOW - 100 * DAY,
        );
        decided.await.unwrap();
        // Recent: imported yesterday and answered; not due. Its row must stay whole.
        let recent_entries = [entry(0, "9400000", "Recent", "recent@nhs.example")];
        let (recent, recent_requests) = import(&store, "R0A", &recent_entries, NOW - DAY).await;
        answer(&store, "R0A", &recent_requests[0], NOW - DAY + 60).await;
        let recent_before = store.cohort("R0A", &recent).await.unwrap();
        let before = store.cohort("R0A", &old).await.unwrap();
        let pending_mails = store.mail_items("R0A", None, 100).await.unwrap();
        assert_eq!(pending_mails.len(), 4);

        let out = store.apply_retention("R0A", 90, NOW).await.unwrap();
        assert_eq!((out.requests, out.undecided, out.rotation_rows), (3, 2, 3));

        let after = store.cohort("R0A", &old).await.unwrap();
        assert_eq!(after.len(), 3, "the cohort still counts three doctors");
        for (b, a) in before.iter().zip(&after) {
            let (row_id, gmc, forenames, surname, email) = raw_row(&store, &a.request_id).await;
            assert_eq!(
                gmc, row_id,
                "a purged row holds its own id, never a GMC number"
            );
            for gone in [
                &forenames,
                &surname,
                &email,
                &a.forenames,
                &a.surname,
                &a.email,
            ] {
                assert!(gone.is_empty(), "{gone}");
            }
            assert_eq!(a.gmc_number, "");
            assert_eq!(a.purged_at, Some(NOW));
            // The post, the list and where the doctor stood stay.
            let post = |m: &CohortMember| {
                (
                    m.row_id.clone(),
                    m.line,
                    m.grade.clone(),
                    m.specialty.clone(),
                    m.site_code.clone(),
                )
            };
            assert_eq!(post(a), post(b));
            assert_eq!((&a.start_date, &a.end_date), (&b.start_date, &b.end_date));
            assert_eq!((a.status, &a.decision), (b.status, &b.decision));
            assert_eq!(a.report, None);
        }
        let lines = vec![
            kept("identity", "Identity", "met"),
            kept("cstf_fire", "Fire safety", "missing"),
            kept(
                "professional_registration",
                "GMC registration",
                "not_portable",
            ),
        ];
        assert_eq!(after[0].kept_outcome.as_ref(), Some(&lines));
        assert_eq!(after[1].kept_outcome.as_ref(), Some(&lines));
        assert_eq!(
            after[2].kept_outcome, None,
            "never answered: no report to keep"
        );
        assert_eq!(after[0].decision.as_deref(), Some("accepted"));
        // Nothing of the doctors is left in the rows, whatever the column.
        let named: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM rotation_rows WHERE changeover_id = $1 AND (gmc_number LIKE '93%' \
             OR surname LIKE 'Example%' OR email LIKE '%@%' OR kept_outcome LIKE '%Example%' \
             OR kept_outcome LIKE '%2025%')",
        )
        .bind(&old)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(named, 0);

        // The recent changeover, the queued invitations and the GMC numbers of live rows stay.
        assert_eq!(store.cohort("R0A", &recent).await.unwrap(), recent_before);
        assert_eq!(
            store.mail_items("R0A", None, 100).await.unwrap(),
            pending_mails
        );
        assert!(store
            .changeover_gmc_numbers("R0A", &old)
            .await
            .unwrap()
            .is_empty());
        let live = store.changeover_gmc_numbers("R0A", &recent).await.unwrap();
        assert!(live.contains("9400000"));
        // A second run finds nothing; the audit chain is whole.
        let again = store.apply_retention("R0A", 90, NOW).await.unwrap();
        assert_eq!((again.requests, again.rotation_rows), (0, 0));
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { .. }
        ));
    }
}

fn gmc(value: &str) -> Identifier {
    Identifier {
        scheme: IdScheme::Gmc,
        value: value.into(),
    }
}

async fn mails_to(store: &Store, address: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox_mail WHERE LOWER(to_addr) = LOWER($1)")
        .bind(address)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_persons_rotation_rows_and_mails_are_exported_and_erased_by_email_and_gmc_only() {
    for store in stores().await {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/esr-staff.csv");
        let staff = std::fs::read_to_string(path).unwrap();
        let records = parse(ImportKind::EsrStaff, &staff, "RHQ").unwrap();
        (store.apply_import("RHQ", "esr-staff", "sha", &records, 100, |_| {}))
            .await
            .unwrap();
        let amara = store.person_by_identifier("RHQ", &gmc("9100001")).await;
        let amara = amara.unwrap().unwrap();
        let tomasz = store.person_by_identifier("RHQ", &gmc("9100002")).await;
        let tomasz = tomasz.unwrap().unwrap();
        // RHQ's rotation list: Amara by her GMC number, her address in other letter case;
        // Tomasz; and another Amara Okafor (same name, other number and address).
        let entries = [
            entry(0, "9100001", "Okafor", "Amara.Okafor@NHS.example"),
            entry(1, "9100002", "Kowalczyk", "tomasz.kowalczyk@nhs.example"),
            entry(2, "9100099", "Okafor", "a.okafor@elsewhere.example"),
        ];
        let (changeover, requests) = import(&store, "RHQ", &entries, 150).await;
        // A re-offer to her address, and a mail elsewhere that names her: only the first is hers.
        for to in ["amara.okafor@nhs.example", "someone@else.example"] {
            let mail = NewMail {
                org: "RHQ",
                to,
                subject: "Amara Okafor",
                text: "Dear Amara Okafor",
                html: None,
            };
            store.enqueue_mail(&mail, 160).await.unwrap();
        }

        let data = store.subject_data("RHQ", &amara).await.unwrap().unwrap();
        assert_eq!(data.rotation_rows.len(), 1);
        let row = &data.rotation_rows[0];
        assert_eq!(
            (row.gmc_number.as_str(), row.surname.as_str()),
            ("9100001", "Okafor")
        );
        assert_eq!(
            (row.request_id.as_str(), row.changeover_id.as_str()),
            (requests[0].as_str(), changeover.as_str())
        );
        assert_eq!(row.changeover_name, "August (synthetic)");
        let to: Vec<&str> = data.mails.iter().map(|m| m.to.as_str()).collect();
        assert_eq!(to, ["Amara.Okafor@NHS.example", "amara.okafor@nhs.example"]);
        assert!(data.requests.iter().any(|r| r.request.id == requests[0]));
        let his = store.subject_data("RHQ", &tomasz).await.unwrap().unwrap();
        assert_eq!(his.rotation_rows.len(), 1);
        assert_eq!(his.mails.len(), 1);
        let other_row = raw_row(&store, &requests[2]).await;

        // Another organisation erases nothing; RHQ erases what the export listed.
        assert_eq!(
            store.erase_person("R0A", &amara, "u-x", 195).await.unwrap(),
            None
        );
        assert_eq!(mails_to(&store, "amara.okafor@nhs.example").await, 2);
        let out = store.erase_person("RHQ", &amara, "u-admin", 200).await;
        let out = out.unwrap().unwrap();
        assert_eq!((out.rotation_rows, out.mails), (1, 2));
        assert!(
            out.summary().ends_with(", 1 rotation list rows, 2 e-mails"),
            "{}",
            out.summary()
        );
        assert_eq!(mails_to(&store, "amara.okafor@nhs.example").await, 0);
        assert_eq!(
            mails_to(&store, "someone@else.example").await,
            1,
            "never by name"
        );
        let cohort = store.cohort("RHQ", &changeover).await.unwrap();
        assert_eq!(cohort.len(), 3);
        assert_eq!(cohort[0].purged_at, Some(200));
        assert!(cohort[0].surname.is_empty() && cohort[0].gmc_number.is_empty());
        // Tomasz and the other Okafor are as they were.
        assert_eq!(
            store.subject_data("RHQ", &tomasz).await.unwrap().unwrap(),
            his
        );
        assert_eq!(raw_row(&store, &requests[2]).await, other_row);
        assert_eq!(cohort[2].surname, "Okafor");
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn migration_0011_deletes_the_details_of_rows_whose_request_was_purged_before_it() {
    const MIGRATION: &str = include_str!("../migrations/0011_governance_rotations.sql");
    let update = MIGRATION
        .split(';')
        .find(|s| s.contains("UPDATE rotation_rows"))
        .unwrap();
    for store in stores().await {
        let entries = [
            entry(0, "9300000", "Example0", "alex.0@nhs.example"),
            entry(1, "9300001", "Example1", "alex.1@nhs.example"),
        ];
        let (changeover, requests) = import(&store, "R0A", &entries, NOW).await;
        // As retention left a request before 0011: purged, its rotation row whole.
        sqlx::query("UPDATE transfer_requests SET purged_at = $1, person_name = '' WHERE id = $2")
            .bind(NOW + 5)
            .bind(&requests[0])
            .execute(store.pool())
            .await
            .unwrap();
        let whole = raw_row(&store, &requests[1]).await;
        sqlx::query(update).execute(store.pool()).await.unwrap();
        let (row_id, gmc, forenames, surname, email) = raw_row(&store, &requests[0]).await;
        assert_eq!(gmc, row_id);
        assert!(forenames.is_empty() && surname.is_empty() && email.is_empty());
        let cohort = store.cohort("R0A", &changeover).await.unwrap();
        assert_eq!(
            (cohort[0].purged_at, &cohort[0].kept_outcome),
            (Some(NOW + 5), &None)
        );
        // The other request was not purged: its row is as it was.
        assert_eq!(raw_row(&store, &requests[1]).await, whole);
        assert_eq!(cohort[1].purged_at, None);
    }
}
