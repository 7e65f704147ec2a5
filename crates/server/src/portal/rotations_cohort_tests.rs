use super::*;
use passport_compliance::{Placement, PlacementKind, Report, ReportLine, Status, Summary};
use time::macros::date;

fn line(key: &str, status: Status) -> ReportLine {
    ReportLine {
        requirement: format!("Requirement {key}"),
        key: key.into(),
        status,
        evidence: None,
        note: None,
    }
}

fn met() -> Status {
    Status::Met {
        issuer: "RHQ".into(),
        date: date!(2026 - 01 - 01),
    }
}

fn report(lines: Vec<ReportLine>) -> String {
    let r = Report {
        profile: "fy2".into(),
        placement: Placement {
            start: date!(2026 - 08 - 05),
            end: date!(2026 - 12 - 01),
            kind: PlacementKind::Rotation,
        },
        today: date!(2026 - 07 - 01),
        summary: Summary::of(&lines),
        lines,
        self_declared: None,
        lead_employer: None,
    };
    serde_json::to_string(&r).unwrap()
}

fn member(n: usize, status: RequestStatus, report: Option<String>) -> CohortMember {
    CohortMember {
        row_id: format!("rr-{n}"),
        request_id: format!("tr-{n}"),
        line: n as i64 + 2,
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
        site_name: Some("Eastbridge General Hospital".into()),
        start_date: "2026-08-05".into(),
        end_date: "2026-12-01".into(),
        role_profile: "fy2".into(),
        reminders: 0,
        last_reminded_at: None,
        status,
        expires_at: 10,
        responded_at: None,
        decision: None,
        report,
        purged_at: None,
        kept_outcome: None,
    }
}

fn registration() -> ReportLine {
    line(
        "professional_registration",
        Status::NotPortable {
            reason: "check the live register".into(),
        },
    )
}

#[test]
fn standing_follows_the_report_the_decision_and_the_request() {
    let ready = member(
        0,
        RequestStatus::Responded,
        Some(report(vec![line("identity", met()), registration()])),
    );
    let j = judge(&ready).unwrap();
    assert_eq!(j.standing, Standing::Ready, "a local check is not a gap");
    assert_eq!(j.local_checks.len(), 1);

    let gaps = member(
        1,
        RequestStatus::Responded,
        Some(report(vec![
            line("identity", met()),
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
        ])),
    );
    let j = judge(&gaps).unwrap();
    assert_eq!(j.standing, Standing::Gaps);
    let words: Vec<&str> = j.gaps.iter().map(|g| g.words).collect();
    assert_eq!(words, ["missing", "expires during placement", "not shared"]);

    // HR accepting makes the doctor ready whatever the gaps; not accepting is a gap.
    let mut accepted = gaps.clone();
    accepted.decision = Some("accepted".into());
    let j = judge(&accepted).unwrap();
    assert_eq!((j.standing, j.gaps.len()), (Standing::Ready, 0));
    let mut rejected = ready.clone();
    rejected.decision = Some("rejected".into());
    let j = judge(&rejected).unwrap();
    assert_eq!(
        (j.standing, j.gaps[0].key.as_str()),
        (Standing::Gaps, NOT_ACCEPTED_KEY)
    );

    for (status, standing) in [
        (RequestStatus::Open, Standing::NotResponded),
        (RequestStatus::Fetched, Standing::NotResponded),
        (RequestStatus::Declined, Standing::Declined),
    ] {
        assert_eq!(judge(&member(2, status, None)).unwrap().standing, standing);
    }
    // A response without its report is a fault, not a guess.
    assert!(judge(&member(3, RequestStatus::Responded, None)).is_err());
    assert!(judge(&member(3, RequestStatus::Responded, Some("{".into()))).is_err());
}

#[test]
fn figures_count_every_doctor_once_and_gaps_per_requirement() {
    let fire = || line("cstf_fire", Status::Missing { reason: None });
    let mut members = [
        member(
            0,
            RequestStatus::Responded,
            Some(report(vec![line("identity", met()), registration()])),
        ),
        member(
            1,
            RequestStatus::Responded,
            Some(report(vec![fire(), registration()])),
        ),
        member(
            2,
            RequestStatus::Responded,
            Some(report(vec![
                fire(),
                line(
                    "dbs",
                    Status::Missing {
                        reason: Some("expired".into()),
                    },
                ),
            ])),
        ),
        member(3, RequestStatus::Declined, None),
        member(4, RequestStatus::Open, None),
        member(5, RequestStatus::Fetched, None),
    ];
    members[5].site_code = "R0A02".into();
    members[5].site_name = None;
    members[5].start_date = "2026-08-12".into();
    let judged: Vec<Judged<'_>> = members.iter().map(|m| judge(m).unwrap()).collect();
    let f = figures(&judged);
    assert_eq!(
        f.totals,
        Counts {
            ready: 1,
            gaps: 2,
            not_responded: 2,
            declined: 1
        }
    );
    assert_eq!(f.totals.total(), 6);
    let gaps: Vec<(&str, usize)> = f.gaps.iter().map(|g| (g.key.as_str(), g.doctors)).collect();
    assert_eq!(gaps, [("cstf_fire", 2), ("dbs", 1)]);
    assert_eq!(f.local_checks[0].doctors, 2);
    let specialty: Vec<(&str, usize, usize)> = f
        .by_specialty
        .iter()
        .map(|g| (g.key.as_str(), g.counts.total(), g.counts.ready))
        .collect();
    assert_eq!(
        specialty,
        [("Cardiology", 3, 1), ("Geriatric Medicine", 3, 0)]
    );
    let sites: Vec<&str> = f.by_site.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(sites, ["R0A01 Eastbridge General Hospital", "R0A02"]);
    let starts: Vec<(&str, &str)> = f
        .by_start
        .iter()
        .map(|g| (g.key.as_str(), g.label.as_str()))
        .collect();
    assert_eq!(
        starts,
        [
            ("2026-08-05", "5 August 2026"),
            ("2026-08-12", "12 August 2026")
        ]
    );

    let only = |filter: Filter| -> Vec<usize> {
        judged
            .iter()
            .filter(|j| filter.matches(j))
            .map(|j| j.member.line as usize - 2)
            .collect()
    };
    assert_eq!(only(Filter::default()).len(), 6);
    assert_eq!(
        only(Filter {
            gap: Some("cstf_fire".into()),
            ..Filter::default()
        }),
        [1, 2]
    );
    assert_eq!(
        only(Filter {
            standing: Some(Standing::NotResponded),
            site: Some("R0A01".into()),
            ..Filter::default()
        }),
        [4]
    );
    assert_eq!(
        only(Filter {
            specialty: Some("Cardiology".into()),
            ..Filter::default()
        }),
        [0, 2, 4]
    );
}

#[test]
fn the_csv_has_a_row_per_doctor_and_no_cell_a_spreadsheet_would_run() {
    let mut m = member(
        0,
        RequestStatus::Responded,
        Some(report(vec![line(
            "cstf_fire",
            Status::Missing { reason: None },
        )])),
    );
    m.surname = "=HYPERLINK(\"http://evil.example\")".into();
    m.specialty = "@SUM(A1)".into();
    let other = member(1, RequestStatus::Open, None);
    let judged = vec![judge(&m).unwrap(), judge(&other).unwrap()];
    let csv = to_csv(&judged).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("gmc_number,forenames,surname,"));
    assert!(
        lines[1].contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",'@SUM(A1),"), "{}", lines[1]);
    assert!(
        lines[1].contains(",gaps,Requirement cstf_fire (missing),"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",not-responded,"), "{}", lines[2]);
    for s in Standing::ALL {
        assert_eq!(Standing::parse(s.as_str()), Some(s));
    }
}

#[path = "rotations_kept_tests.rs"]
mod kept;
