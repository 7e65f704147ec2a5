//! The report: order, counts, ignored credentials, JSON and the ESR CSV.

use serde_json::json;

use super::*;
use crate::{ComplianceError, Status};

fn full_foundation_doctor() -> Vec<Presented> {
    vec![
        identity("M1B"),
        right_to_work("IDSP British/Irish passport", None),
        employment("Fixed term", "2025-08-06", Some("2026-08-04")),
        dbs("2024-08-05"),
        registration("General Medical Council", "7654321"),
        oh("Fit with adjustments", false),
        programme("2025-08-06", "2027-08-03"),
        tis_placement("FY2", "2026-08-05", "2027-02-02"),
        cstf(
            "Equality, Diversity and Human Rights",
            "1",
            "Equality, Diversity and Human Rights",
            "2025-09-01",
        ),
        cstf(
            "Information Governance and Data Security",
            "1",
            "Information Governance and Data Security",
            "2025-10-01",
        ),
    ]
}

#[test]
fn lines_follow_the_profile_order_and_the_counts_add_up() {
    let p = profile("foundation-doctor-medicine");
    let report = run("foundation-doctor-medicine", &full_foundation_doctor());
    let keys: Vec<String> = p.requirements.iter().map(|r| r.key()).collect();
    let got: Vec<&str> = report.lines.iter().map(|l| l.key.as_str()).collect();
    assert_eq!(got, keys);
    let s = report.summary;
    assert_eq!(s.total, report.lines.len());
    assert_eq!(
        s.met + s.expires_during_placement + s.missing + s.not_portable + s.not_shared,
        s.total
    );
    // identity, right to work, employment, DBS, OH, programme, placement, EDHR.
    assert_eq!(
        (
            s.met,
            s.expires_during_placement,
            s.not_portable,
            s.not_shared
        ),
        (8, 1, 1, 0)
    );
    assert_eq!(report.lines[0].requirement, "Identity check");
    assert_eq!(
        line(&report, "cstf_safeguarding_children_l2").requirement,
        "Safeguarding Children (CSTF) level 2 or above"
    );
}

#[test]
fn credentials_the_profile_did_not_ask_for_are_ignored() {
    let mut presented = full_foundation_doctor();
    let before = run("non-clinical-temporary-mover", &presented);
    presented.push(cred(
        "skill",
        json!({"recordType": "Skill", "skillName": "Venepuncture"}),
    ));
    presented.push(cred("vaccination", json!({"recordType": "Vaccination", "code": "X", "description": "Hepatitis B", "date": "2020"})));
    presented.push(Presented {
        vct: "https://example.test/vct/other/v1".to_owned(),
        ..dbs("2025-01-01")
    });
    assert_eq!(run("non-clinical-temporary-mover", &presented), before);
    // The mover's profile asks for no DBS: the DBS credential changed nothing.
    assert!(before.lines.iter().all(|l| l.key != "dbs"));
}

#[test]
fn the_report_serialises_to_json_and_back() {
    let report = run("foundation-doctor-medicine", &full_foundation_doctor());
    let value = serde_json::to_value(&report).expect("json");
    assert_eq!(
        value["placement"],
        json!({"start": "2026-08-05", "end": "2027-02-02", "kind": "rotation"})
    );
    assert_eq!(
        value["lines"][0]["status"],
        json!({"kind": "met", "issuer": "RZZ", "date": "2023-07-10"})
    );
    let ig = value["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["key"] == "cstf_information_governance_and_data_security_l1")
        .expect("line");
    assert_eq!(
        ig["status"],
        json!({"kind": "expires_during_placement", "on": "2026-10-01"})
    );
    assert_eq!(
        value["lines"][10]["status"],
        json!({"kind": "missing", "reason": null})
    );
    let back: Report = serde_json::from_str(&report.to_json().expect("json")).expect("parses");
    assert_eq!(back, report);
}

#[test]
fn the_csv_has_one_quoted_row_per_requirement() {
    let report = run("foundation-doctor-medicine", &full_foundation_doctor());
    let csv = report.to_csv().expect("csv");
    let rows: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(rows[0], "requirement,status,date,issuer_ods,detail");
    assert_eq!(
        rows.len(),
        report.lines.len() + 2,
        "header, rows, empty after the last CRLF"
    );
    assert_eq!(rows[1], "Identity check,met,2023-07-10,RZZ,\"GPG45 profile M1B, checked by Synthetic ID Ltd on 2023-07-10; confirm likeness in person at first attendance\"");
    assert!(csv.contains(
        "\r\n\"Equality, Diversity and Human Rights (CSTF) level 1 or above\",met,2025-09-01,RZZ,"
    ));
    assert!(csv.contains("\r\nConflict Resolution (CSTF) level 1 or above,missing,,,\r\n"));
    let dbs_row = rows
        .iter()
        .find(|r| r.starts_with("DBS check"))
        .expect("dbs row");
    assert!(
        dbs_row.starts_with(
            "DBS check: enhanced with the adults' and children's barred lists,met,2024-08-05,RZZ,"
        ),
        "{dbs_row}"
    );
    // Read back with a CSV reader: five columns everywhere.
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert!(reader.records().all(|r| r.expect("row").len() == 5));
}

#[test]
fn csv_cells_never_start_a_formula() {
    let mut o = oh("Fit with adjustments", false);
    o.claims.insert(
        "adjustmentsSummary".to_owned(),
        json!("=HYPERLINK(\"http://x\")"),
    );
    let mut report = run("foundation-doctor-medicine", &[o]);
    report.lines[0].note = Some("@SUM(A1)".to_owned());
    report.lines[0].status = Status::Missing {
        reason: Some("-1".to_owned()),
    };
    let csv = report.to_csv().expect("csv");
    assert!(
        csv.contains(",\"'-1; @SUM(A1)\"") || csv.contains(",'-1; @SUM(A1)"),
        "{csv}"
    );
    assert!(
        csv.contains("adjustments needed: =HYPERLINK"),
        "inside a cell, not at its start"
    );
}

#[test]
fn a_placement_that_ends_before_it_starts_is_an_error() {
    let backwards = Placement {
        start: d("2026-08-05"),
        end: d("2026-08-04"),
        kind: PlacementKind::Rotation,
    };
    let err = evaluate(
        &profile("ward-nurse-band-5"),
        &LocalPeriods::national_defaults(),
        &backwards,
        &[],
        today(),
    );
    assert_eq!(
        err,
        Err(ComplianceError::PlacementDates {
            start: "2026-08-05".to_owned(),
            end: "2026-08-04".to_owned()
        })
    );
    // One day is fine.
    let one_day = Placement {
        end: d("2026-08-05"),
        ..backwards
    };
    assert!(evaluate(
        &profile("ward-nurse-band-5"),
        &LocalPeriods::national_defaults(),
        &one_day,
        &[],
        today()
    )
    .is_ok());
}

#[test]
fn self_declared_details_are_a_separate_section_that_meets_nothing() {
    let plain = run("foundation-doctor-medicine", &full_foundation_doctor());
    assert!(plain.self_declared.is_none());
    assert!(!plain.to_json().expect("json").contains("self_declared"));
    let mut report = plain.clone();
    report.self_declared = Some(vec![
        crate::DeclaredItem {
            claim: "preferredName".to_owned(),
            label: "Preferred name".to_owned(),
            value: "Amy".to_owned(),
        },
        crate::DeclaredItem {
            claim: "phone".to_owned(),
            label: "Phone number".to_owned(),
            value: "+44 7700 900123".to_owned(),
        },
    ]);
    // Lines and counts are the requirements' alone.
    assert_eq!(report.lines, plain.lines);
    assert_eq!(report.summary, plain.summary);
    let back: Report = serde_json::from_str(&report.to_json().expect("json")).expect("parses");
    assert_eq!(back, report);
    // A report stored before the field existed still reads.
    let old: Report = serde_json::from_str(&plain.to_json().expect("json")).expect("parses");
    assert!(old.self_declared.is_none());
    let csv = report.to_csv().expect("csv");
    assert!(csv.contains(
        "\r\nDeclared by the person (not verified): Preferred name,\"declared by the person, not checked\",,,Amy\r\n"
    ), "{csv}");
    // Never read as a formula.
    assert!(csv.contains(",'+44 7700 900123\r\n"), "{csv}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert!(reader.records().all(|r| r.expect("row").len() == 5));
}
