//! Rotation lists, each on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]
use super::*;
use crate::ReminderTarget;
use crate::Store;

async fn stores() -> Vec<Store> {
    crate::tests::stores_with(&["RHQ", "R0A"]).await
}

fn entry(n: usize) -> RotationEntry {
    RotationEntry {
        line: n + 2,
        gmc_number: format!("{}", 9_300_000 + n),
        forenames: "Alex".into(),
        surname: format!("Example{n}"),
        email: format!("alex.{n}@nhs.example"),
        grade: "FY2".into(),
        specialty: if n.is_multiple_of(2) {
            "Cardiology"
        } else {
            "Geriatric Medicine"
        }
        .into(),
        site_code: "R0A01".into(),
        site_name: n
            .is_multiple_of(3)
            .then(|| "Eastbridge General Hospital".into()),
        start_date: "2027-08-04".into(),
        end_date: "2027-12-01".into(),
        role_profile: "fy2".into(),
    }
}

fn prepared(n: usize, expires_at: i64) -> PreparedRequest {
    PreparedRequest {
        id: new_id("tr-"),
        nonce: format!("nonce-{n}-{}", new_id("")),
        state: format!("state-{n}-{}", new_id("")),
        enc_key: "k".into(),
        request_object: format!("signed-{n}"),
        expires_at,
    }
}

fn profiles() -> HashMap<String, String> {
    HashMap::from([("fy2".to_string(), r#"{"id":"fy2"}"#.to_string())])
}

fn invite(e: &RotationEntry, r: &PreparedRequest) -> MailText {
    MailText {
        subject: format!("Your rotation: {}", e.surname),
        text: format!("open {}", r.id),
        html: None,
    }
}

async fn import(
    store: &Store,
    org: &str,
    target: ChangeoverTarget<'_>,
    entries: &[RotationEntry],
) -> Result<ImportedRotation> {
    let requests: Vec<PreparedRequest> = (0..entries.len()).map(|n| prepared(n, 5_000)).collect();
    let profiles = profiles();
    let import = RotationImport {
        org,
        created_by: "u-1",
        target,
        profiles: &profiles,
        audience: "hr",
        entries,
        requests: &requests,
    };
    store.import_rotation(&import, 1_000, invite).await
}

async fn counts(store: &Store, org: &str) -> (usize, usize, usize) {
    let requests = store.transfer_requests(org, 100_000).await.unwrap().len();
    let mails = store.mail_items(org, None, 100_000).await.unwrap().len();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rotation_rows WHERE org = $1")
        .bind(org)
        .fetch_one(store.pool())
        .await
        .unwrap();
    (requests, mails, usize::try_from(rows).unwrap())
}

const NEW: ChangeoverTarget<'static> = ChangeoverTarget::New {
    name: "August 2027",
    date: "2027-08-04",
};

#[tokio::test]
async fn a_list_lands_whole_in_batches_with_one_request_and_one_invitation_per_doctor() {
    for store in stores().await {
        // More than two batches, the last one partial.
        let entries: Vec<RotationEntry> = (0..BATCH_ROWS * 2 + 37).map(entry).collect();
        let done = import(&store, "R0A", NEW, &entries).await.unwrap();
        assert_eq!((done.doctors, done.invitations), (1037, 1037));
        assert_eq!(counts(&store, "R0A").await, (1037, 1037, 1037));
        let list = store.changeovers("R0A").await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].name.as_str(), list[0].doctors),
            ("August 2027", 1037)
        );
        let cohort = store.cohort("R0A", &done.changeover_id).await.unwrap();
        assert_eq!(cohort.len(), 1037);
        let first = &cohort[0];
        assert_eq!((first.line, first.gmc_number.as_str()), (2, "9300000"));
        assert_eq!(first.status, RequestStatus::Open);
        assert_eq!(
            first.site_name.as_deref(),
            Some("Eastbridge General Hospital")
        );
        assert_eq!(cohort[1].site_name, None);
        let req = store
            .transfer_request("R0A", &first.request_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(req.person_name, "Alex Example0");
        assert_eq!(req.registration_number.as_deref(), Some("9300000"));
        assert_eq!(
            (req.move_kind.as_str(), req.profile.as_str()),
            ("rotation", r#"{"id":"fy2"}"#)
        );
        assert_eq!(req.request_object, "signed-0");
        let mail = store.mail_items("R0A", None, 5_000).await.unwrap();
        assert!(mail
            .iter()
            .any(|m| m.to == "alex.1036@nhs.example" && m.subject == "Your rotation: Example1036"));
        // Another trust sees none of it.
        assert!(store
            .changeover("RHQ", &done.changeover_id)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .cohort("RHQ", &done.changeover_id)
            .await
            .unwrap()
            .is_empty());
        assert!(store.changeovers("RHQ").await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_second_list_joins_a_changeover_but_may_not_repeat_a_doctor_nor_reach_another_trust() {
    for store in stores().await {
        let first: Vec<RotationEntry> = (0..3).map(entry).collect();
        let id = import(&store, "R0A", NEW, &first)
            .await
            .unwrap()
            .changeover_id;
        let before = counts(&store, "R0A").await;
        assert_eq!(before, (3, 3, 3));
        // Baseline: new doctors join the same changeover.
        let more: Vec<RotationEntry> = (3..5).map(entry).collect();
        let done = import(&store, "R0A", ChangeoverTarget::Existing(&id), &more)
            .await
            .unwrap();
        assert_eq!(done.changeover_id, id);
        assert_eq!(counts(&store, "R0A").await, (5, 5, 5));
        // A doctor already there: refused, naming the line, nothing written.
        let again: Vec<RotationEntry> = (5..7).chain([1]).map(entry).collect();
        let err = import(&store, "R0A", ChangeoverTarget::Existing(&id), &again)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(m) if m.contains("line 3: GMC number 9300001 is already")),
            "{err:?}"
        );
        assert_eq!(counts(&store, "R0A").await, (5, 5, 5));
        // Another trust's changeover id is not found, and nothing is written anywhere.
        let err = import(&store, "RHQ", ChangeoverTarget::Existing(&id), &more)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
        assert_eq!(counts(&store, "RHQ").await, (0, 0, 0));
        assert_eq!(counts(&store, "R0A").await, (5, 5, 5));
        // A bad address refused by the outbox rolls the whole list back, changeover included.
        let mut bad: Vec<RotationEntry> = (10..12).map(entry).collect();
        bad[1].email = "two@nhs.example, three@nhs.example".into();
        assert!(import(&store, "R0A", NEW, &bad).await.is_err());
        assert_eq!(counts(&store, "R0A").await, (5, 5, 5));
        assert_eq!(store.changeovers("R0A").await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn reminders_go_only_to_doctors_who_have_not_answered_while_the_request_is_open() {
    for store in stores().await {
        let entries: Vec<RotationEntry> = (0..4).map(entry).collect();
        let id = import(&store, "R0A", NEW, &entries)
            .await
            .unwrap()
            .changeover_id;
        let cohort = store.cohort("R0A", &id).await.unwrap();
        // Doctor 0 shares, doctor 1 declines; 2 and 3 have not answered.
        let report = r#"{"summary":{}}"#;
        store
            .record_response(
                "R0A",
                &cohort[0].request_id,
                "jwe-0",
                &[],
                report,
                None,
                1_100,
            )
            .await
            .unwrap()
            .unwrap();
        store
            .decline_transfer("R0A", &cohort[1].request_id)
            .await
            .unwrap();
        let targets = store.reminder_targets("R0A", &id, 1_200).await.unwrap();
        let gmc: Vec<&str> = targets.iter().map(|t| t.request_id.as_str()).collect();
        assert_eq!(
            gmc,
            [cohort[2].request_id.as_str(), cohort[3].request_id.as_str()]
        );
        assert_eq!(targets[0].request_object, "signed-2");
        // Doctor 3 answers between reading the targets and queueing: no reminder for them.
        store
            .record_response(
                "R0A",
                &cohort[3].request_id,
                "jwe-3",
                &[],
                report,
                None,
                1_250,
            )
            .await
            .unwrap()
            .unwrap();
        let mails: Vec<(ReminderTarget, MailText)> = targets
            .into_iter()
            .map(|t| {
                let m = MailText {
                    subject: "Reminder".into(),
                    text: t.request_id.clone(),
                    html: None,
                };
                (t, m)
            })
            .collect();
        let before = counts(&store, "R0A").await.1;
        assert_eq!(
            store
                .queue_reminders("R0A", &id, &mails, 1_300)
                .await
                .unwrap(),
            1
        );
        assert_eq!(counts(&store, "R0A").await.1, before + 1);
        let after = store.cohort("R0A", &id).await.unwrap();
        let reminded: Vec<i64> = after.iter().map(|m| m.reminders).collect();
        assert_eq!(reminded, [0, 0, 1, 0]);
        assert_eq!(after[2].last_reminded_at, Some(1_300));
        // Another trust cannot remind R0A's doctors; an expired request gets no reminder.
        assert_eq!(
            store
                .queue_reminders("RHQ", &id, &mails, 1_300)
                .await
                .unwrap(),
            0
        );
        assert!(store
            .reminder_targets("R0A", &id, 5_000)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .queue_reminders("R0A", &id, &mails, 5_000)
                .await
                .unwrap(),
            0
        );
        assert_eq!(counts(&store, "R0A").await.1, before + 1);
    }
}
