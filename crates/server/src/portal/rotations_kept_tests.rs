//! Purged doctors (details deleted by retention or erasure) in the cohort's figures: judged
//! from the kept lines exactly as from their report, and shown as "details deleted".
use super::*;

/// `m` as the store gives it after its details were deleted: names gone, report gone, its
/// lines kept as key, label and status kind.
fn purged(m: &CohortMember) -> CohortMember {
    let kept = m.report.as_deref().map(|text| {
        let report: Report = serde_json::from_str(text).unwrap();
        let kind = |s: &Status| {
            serde_json::to_value(s).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        };
        report
            .lines
            .iter()
            .map(|l| passport_store::KeptLine {
                key: l.key.clone(),
                requirement: l.requirement.clone(),
                kind: kind(&l.status),
            })
            .collect()
    });
    CohortMember {
        gmc_number: String::new(),
        forenames: String::new(),
        surname: String::new(),
        email: String::new(),
        report: None,
        purged_at: Some(99),
        kept_outcome: kept,
        ..m.clone()
    }
}

#[test]
fn a_purged_doctor_is_judged_as_before_from_the_kept_lines() {
    let lead = Status::AcceptedUnderLeadEmployer {
        issuer: "RHQ".into(),
        date: date!(2026 - 01 - 01),
    };
    let mut members = vec![
        member(
            0,
            RequestStatus::Responded,
            Some(report(vec![
                line("identity", met()),
                registration(),
                line("dbs", lead),
            ])),
        ),
        member(
            1,
            RequestStatus::Responded,
            Some(report(vec![
                line("cstf_fire", Status::Missing { reason: None }),
                line(
                    "cstf_ig",
                    Status::ExpiresDuringPlacement {
                        on: date!(2026 - 09 - 01),
                    },
                ),
                line(
                    "dbs",
                    Status::NotShared {
                        reason: "withheld".into(),
                    },
                ),
                registration(),
            ])),
        ),
        member(2, RequestStatus::Declined, None),
        member(3, RequestStatus::Open, None),
    ];
    let mut rejected = members[0].clone();
    rejected.decision = Some("rejected".into());
    members.push(rejected);
    for m in &members {
        let (live, gone) = (judge(m).unwrap(), purged(m));
        let after = judge(&gone).unwrap();
        assert_eq!(
            (after.standing, &after.gaps, &after.local_checks),
            (live.standing, &live.gaps, &live.local_checks),
            "{}",
            m.row_id
        );
    }
    // Every status kind reads back as its words.
    for status in [
        met(),
        Status::Missing { reason: None },
        Status::NotShared {
            reason: String::new(),
        },
        Status::NotPortable {
            reason: String::new(),
        },
        Status::ExpiresDuringPlacement {
            on: date!(2026 - 09 - 01),
        },
        Status::AcceptedUnderLeadEmployer {
            issuer: String::new(),
            date: date!(2026 - 01 - 01),
        },
    ] {
        let kind = serde_json::to_value(&status).unwrap()["kind"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            crate::portal::rotations_kept::kind_words(&kind),
            status.words()
        );
    }
    assert_eq!(
        crate::portal::rotations_kept::kind_words("new_kind"),
        "not known"
    );
    // Deleted before anything was kept (before migration 0011): HR's decision, else unknown.
    let mut bare = purged(&members[1]);
    bare.kept_outcome = None;
    let j = judge(&bare).unwrap();
    assert_eq!(
        (j.standing, j.gaps[0].key.as_str()),
        (Standing::Gaps, REPORT_DELETED_KEY)
    );
    bare.decision = Some("accepted".into());
    assert_eq!(judge(&bare).unwrap().standing, Standing::Ready);
    // Not purged, answered, and no report: still a fault.
    assert!(judge(&member(3, RequestStatus::Responded, None)).is_err());
}

#[test]
fn the_list_and_the_csv_say_details_deleted_where_the_names_were() {
    let live = member(
        0,
        RequestStatus::Responded,
        Some(report(vec![line("identity", met())])),
    );
    let gone = purged(&member(1, RequestStatus::Open, None));
    let judged = vec![judge(&live).unwrap(), judge(&gone).unwrap()];
    let csv = to_csv(&judged).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].ends_with(",request_id,details"), "{}", lines[0]);
    assert!(lines[1].starts_with("9300000,Alex,Example0,") && lines[1].ends_with(",tr-0,"));
    assert!(lines[2].starts_with(",,,,FY2,") && lines[2].ends_with(",tr-1,details deleted"));
    let refs: Vec<&Judged<'_>> = judged.iter().collect();
    let html = crate::portal::rotations_people::doctors("co-1", &refs, &Filter::default());
    assert!(html.contains("Alex Example0</a>") && html.contains("9300000"));
    assert!(
        html.contains(r#"href="/portal/transfers/tr-1">Details deleted on "#),
        "{html}"
    );
    assert!(!html.contains("Example1") && !html.contains("9300001"));
}
