//! The lead employer arrangement: each pre-employment check issued by the lead employer is
//! accepted; the same credential from anyone else is judged as before; what the arrangement
//! never overrides; the report's counts, JSON and CSV.

use serde_json::json;

use super::*;
use crate::{evaluate_with, Arrangement, ComplianceError, Status};

/// The synthetic lead employer: the helpers' own issuer.
const LEAD: &str = "RZZ";

/// `p` as issued by another trust, not the lead employer.
fn elsewhere(mut p: Presented) -> Presented {
    p.iss = "https://passport.example.test/issuers/RYY".to_owned();
    p.issuer_ods = "RYY".to_owned();
    p.issuer_name = "Synthetic Hills NHS Trust".to_owned();
    p
}

fn under_lead(profile_id: &str, presented: &[Presented]) -> Report {
    evaluate_with(
        &profile(profile_id),
        &LocalPeriods::national_defaults(),
        &rotation(),
        presented,
        today(),
        &Arrangement::lead_employer(LEAD),
    )
    .expect("evaluates")
}

fn accepted(date: &str) -> Status {
    Status::AcceptedUnderLeadEmployer {
        issuer: LEAD.to_owned(),
        date: d(date),
    }
}

/// Each pre-employment check: (profile, requirement key, credential, date of the check, the
/// status the same credential gets from another issuer).
fn checks() -> Vec<(&'static str, &'static str, Presented, &'static str, Status)> {
    vec![
        (
            "foundation-doctor-medicine",
            "identity",
            identity("M1B"),
            "2023-07-10",
            met("2023-07-10"),
        ),
        (
            "foundation-doctor-medicine",
            "right_to_work",
            right_to_work("IDSP British/Irish passport", None),
            "2023-07-10",
            met("2023-07-10"),
        ),
        (
            "foundation-doctor-medicine",
            "employment",
            employment("Fixed term", "2025-08-06", Some("2026-08-04")),
            "2025-08-06",
            met("2025-08-06"),
        ),
        (
            "foundation-doctor-medicine",
            "occupational_health",
            oh("Fit", false),
            "2025-07-20",
            met("2025-07-20"),
        ),
        // Three years old before the start: not portable from anyone else.
        (
            "foundation-doctor-medicine",
            "dbs",
            dbs("2023-06-01"),
            "2023-06-01",
            Status::NotPortable {
                reason: String::new(),
            },
        ),
        // Three years old during the placement.
        (
            "foundation-doctor-medicine",
            "dbs",
            dbs("2023-11-01"),
            "2023-11-01",
            Status::ExpiresDuringPlacement {
                on: d("2026-11-01"),
            },
        ),
        // A nurse is not a doctor in training: never portable from anyone else.
        (
            "ward-nurse-band-5",
            "dbs",
            dbs("2025-01-10"),
            "2025-01-10",
            Status::NotPortable {
                reason: String::new(),
            },
        ),
    ]
}

/// Statuses compared by kind and dates, reasons left out (other tests pin their wording).
fn same(a: &Status, b: &Status) -> bool {
    match (a, b) {
        (Status::NotPortable { .. }, Status::NotPortable { .. }) => true,
        _ => a == b,
    }
}

#[test]
fn each_pre_employment_check_from_the_lead_employer_is_accepted_and_from_anyone_else_judged_as_before(
) {
    for (profile_id, key, credential, date, ordinary) in checks() {
        let report = under_lead(profile_id, std::slice::from_ref(&credential));
        let got = line(&report, key);
        assert_eq!(
            got.status,
            accepted(date),
            "{profile_id} {key} from the lead"
        );
        assert_eq!(
            got.evidence.as_ref().map(|e| e.issuer_ods.as_str()),
            Some(LEAD)
        );
        // Baseline: the same credential from another trust, same arrangement.
        let other = under_lead(profile_id, &[elsewhere(credential.clone())]);
        let status = &line(&other, key).status;
        let want = match ordinary {
            Status::Met { date, .. } => Status::Met {
                issuer: "RYY".to_owned(),
                date,
            },
            s => s,
        };
        assert!(
            same(status, &want),
            "{profile_id} {key} from RYY: {status:?}"
        );
        // And without any arrangement, from the lead employer itself: as before.
        let plain = run(profile_id, std::slice::from_ref(&credential));
        let status = &line(&plain, key).status;
        let want = match &want {
            Status::Met { date, .. } => met(&date.to_string()),
            s => s.clone(),
        };
        assert!(
            same(status, &want),
            "{profile_id} {key} no lead: {status:?}"
        );
    }
}

#[test]
fn registration_training_and_tis_are_not_pre_employment_checks_of_the_lead_employer() {
    let report = under_lead(
        "foundation-doctor-medicine",
        &[
            registration("General Medical Council", "7654321"),
            cstf(
                "Conflict Resolution",
                "1",
                "Conflict Resolution",
                "2025-09-01",
            ),
            programme("2025-08-06", "2027-08-03"),
        ],
    );
    assert!(matches!(
        line(&report, "professional_registration").status,
        Status::NotPortable { .. }
    ));
    assert_eq!(
        line(&report, "cstf_conflict_resolution_l1").status,
        met("2025-09-01")
    );
    assert_eq!(
        line(&report, "training_programme").status,
        met("2025-08-06")
    );
    assert_eq!(report.summary.accepted_under_lead_employer, 0);
}

#[test]
fn what_the_lead_employer_s_credential_itself_says_is_not_overridden() {
    let cases: Vec<(&str, Presented)> = vec![
        // Assessed not fit.
        ("occupational_health", oh("Not fit", false)),
        // Identity checked below medium confidence.
        ("identity", identity("L1A")),
        // Permission to work ended before the start.
        (
            "right_to_work",
            right_to_work("Home Office online check", Some("2026-05-31")),
        ),
        // A basic DBS check where enhanced with barred lists is required.
        ("dbs", {
            let mut p = dbs("2025-01-10");
            p.claims
                .insert("typeOfDbsCheck".into(), json!("Basic check"));
            p
        }),
    ];
    for (key, credential) in cases {
        let report = under_lead("foundation-doctor-medicine", &[credential]);
        assert!(
            matches!(
                line(&report, key).status,
                Status::Missing { reason: Some(_) }
            ),
            "{key}: {:?}",
            line(&report, key).status
        );
    }
    // Withheld deciding claims stay not shared.
    let mut withheld = oh("Fit", false);
    withheld.claims.remove("clearanceOutcome");
    let report = under_lead("foundation-doctor-medicine", &[withheld]);
    assert!(matches!(
        line(&report, "occupational_health").status,
        Status::NotShared { .. }
    ));
    // A permission to work that ends during the placement still does.
    let report = under_lead(
        "foundation-doctor-medicine",
        &[right_to_work(
            "Home Office online check",
            Some("2026-12-31"),
        )],
    );
    assert_eq!(
        line(&report, "right_to_work").status,
        Status::ExpiresDuringPlacement {
            on: d("2027-01-01")
        }
    );
}

#[test]
fn information_disclosed_on_the_lead_employer_s_dbs_is_accepted_with_a_note() {
    let mut disclosed = dbs("2025-01-10");
    disclosed
        .claims
        .insert("informationDisclosed".into(), json!(true));
    let report = under_lead("foundation-doctor-medicine", &[disclosed.clone()]);
    let got = line(&report, "dbs");
    assert_eq!(got.status, accepted("2025-01-10"));
    let note = got.note.as_deref().unwrap_or_default();
    assert!(note.contains("lead employer's risk assessment"), "{note}");
    // From anyone else: a local risk assessment is needed.
    let other = under_lead("foundation-doctor-medicine", &[elsewhere(disclosed)]);
    assert!(reason(&line(&other, "dbs").status).contains("local risk assessment"));
}

#[test]
fn a_check_met_on_its_own_terms_outranks_one_accepted_under_the_arrangement() {
    let report = under_lead(
        "foundation-doctor-medicine",
        &[identity("M1B"), elsewhere(identity("H1A"))],
    );
    assert_eq!(
        line(&report, "identity").status,
        Status::Met {
            issuer: "RYY".to_owned(),
            date: d("2023-07-10")
        }
    );
}

#[test]
fn the_report_counts_names_and_exports_the_new_status() {
    let report = under_lead(
        "foundation-doctor-medicine",
        &[
            identity("M1B"),
            dbs("2023-06-01"),
            elsewhere(oh("Fit", false)),
        ],
    );
    let s = report.summary;
    assert_eq!((s.accepted_under_lead_employer, s.met), (2, 1));
    assert_eq!(
        s.met
            + s.accepted_under_lead_employer
            + s.expires_during_placement
            + s.missing
            + s.not_portable
            + s.not_shared,
        s.total
    );
    assert_eq!(report.lead_employer.as_deref(), Some(LEAD));

    let json: serde_json::Value =
        serde_json::from_str(&report.to_json().expect("json")).expect("parses");
    let dbs_line = json["lines"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["key"] == "dbs"))
        .expect("a dbs line");
    assert_eq!(
        dbs_line["status"],
        json!({"kind": "accepted_under_lead_employer", "issuer": "RZZ", "date": "2023-06-01"})
    );
    assert_eq!(json["lead_employer"], "RZZ");
    assert_eq!(json["summary"]["accepted_under_lead_employer"], 2);
    let back: Report = serde_json::from_value(json).expect("reads back");
    assert_eq!(back, report);

    let csv = report.to_csv().expect("csv");
    let row = csv
        .lines()
        .find(|l| l.starts_with("DBS check"))
        .expect("a DBS row");
    assert_eq!(
        row,
        "DBS check: enhanced with the adults' and children's barred lists,\
         accepted under the lead employer arrangement,2023-06-01,RZZ,\
         \"check made by the lead employer RZZ, not repeated by the host; \
         Enhanced with barred list(s) check, certificate 001234567890, issued 2023-06-01; \
         adults' barred list checked; children's barred list checked\""
    );
    let oh_row = csv
        .lines()
        .find(|l| l.starts_with("Occupational health"))
        .expect("an OH row");
    assert!(oh_row.contains(",met,2025-07-20,RYY,"), "{oh_row}");
    assert_eq!(
        Status::AcceptedUnderLeadEmployer {
            issuer: LEAD.into(),
            date: d("2023-06-01")
        }
        .words(),
        "accepted under the lead employer arrangement"
    );
}

#[test]
fn a_report_without_an_arrangement_reads_as_before() {
    let report = run("foundation-doctor-medicine", &[identity("M1B")]);
    let json = report.to_json().expect("json");
    let mut value: serde_json::Value = serde_json::from_str(&json).expect("parses");
    assert!(value.get("lead_employer").is_none(), "no lead employer key");
    // Reports stored before the arrangement existed (no count) still read.
    if let Some(summary) = value["summary"].as_object_mut() {
        summary.remove("accepted_under_lead_employer");
    }
    let back: Report = serde_json::from_value(value).expect("old report reads");
    assert_eq!(back, report);
}

#[test]
fn a_lead_employer_that_is_not_an_ods_code_is_refused() {
    for bad in ["rzz", "RZ", "RZZ RZZ", "", "R-Z-Z", "ABCDEFGHIJ"] {
        let e = evaluate_with(
            &profile("foundation-doctor-medicine"),
            &LocalPeriods::national_defaults(),
            &rotation(),
            &[],
            today(),
            &Arrangement::lead_employer(bad),
        )
        .expect_err("refused");
        assert!(matches!(e, ComplianceError::LeadEmployer(_)), "{bad}: {e}");
    }
    assert!(Arrangement::lead_employer("OHP01").validate().is_ok());
}

#[test]
fn placement_kinds_have_stable_names() {
    for kind in PlacementKind::ALL {
        assert_eq!(PlacementKind::parse(kind.as_str()), Some(kind));
        assert_eq!(
            serde_json::to_value(kind).expect("serialises"),
            json!(kind.as_str())
        );
    }
    assert_eq!(PlacementKind::parse("Secondment"), None);
    assert_eq!(PlacementKind::LicenceToAttend.as_str(), "licence_to_attend");
}
