//! Bad files: every bad row is reported with its line and column, and one bad row stops the
//! whole file. Also: pay never enters, duplicates merge, conflicts name both lines.

#![allow(clippy::unwrap_used)]

use passport_records::{parse, parse_with_report, ImportKind, RecordsError};

const ESR_HEADER: &str = "esr_person_id,assignment_number,forenames,surname,date_of_birth,email,gmc_number,organisation_ods,organisation_name,staff_group,job_role,assignment_category,assignment_status,start_date,end_date,primary_assignment";

fn esr_row(person: &str, assignment: &str, names: &str, dob: &str, gmc: &str) -> String {
    format!(
        "{person},{assignment},{names},{dob},x.y@nhs.example,{gmc},RHQ,Sheffield Teaching Hospitals NHS Foundation Trust,Medical and Dental,Specialty Registrar,Fixed Term Temp,Active Assignment,2025-08-06,2026-08-04,Y"
    )
}

/// The (line, reason) pairs of a refused file.
fn problems(kind: ImportKind, text: &str) -> Vec<(usize, String)> {
    match parse(kind, text, "RHQ") {
        Err(RecordsError::Rows(rows)) => rows.into_iter().map(|r| (r.line, r.reason)).collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

fn lines(problems: &[(usize, String)]) -> Vec<usize> {
    problems.iter().map(|(line, _)| *line).collect()
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_column() {
    let text = [
        ESR_HEADER.to_owned(),
        esr_row(
            "10000201",
            "20000201",
            "Ada,Lovelace",
            "1990-01-02",
            "9100011",
        ),
        "10000202,20000202,Too,Few,1990-01-02".to_owned(),
        esr_row("10000203", "20000203", "Bea,Brown", "1990-13-01", ""),
        esr_row("10000204", "20000204", "Cal,Cook", "1991-02-03", "12345"),
        esr_row("10000205", "20000205", "Dee,", "1992-03-04", ""),
        esr_row("10000206", "20000206", "Eve,Evans", "04/05/1993", "9100016"),
    ]
    .join("\n");
    let found = problems(ImportKind::EsrStaff, &text);
    assert_eq!(
        found,
        [
            (
                3,
                "has 5 field(s) but the header has 16 column(s)".to_owned()
            ),
            (
                4,
                "column date_of_birth: '1990-13-01' is not a date (YYYY-MM-DD or DD/MM/YYYY)"
                    .to_owned()
            ),
            (
                5,
                "column gmc_number: '12345' is not a valid GMC: 7 digits".to_owned()
            ),
            (6, "column surname: is required but empty".to_owned()),
        ]
    );
}

#[test]
fn one_bad_row_among_many_imports_nothing() {
    let sample = include_str!("../../../samples/esr-staff.csv");
    assert_eq!(
        parse(ImportKind::EsrStaff, sample, "RHQ").unwrap().len(),
        12
    );
    let broken = sample.replace("2021-09-01", "2021-09-31");
    let found = problems(ImportKind::EsrStaff, &broken);
    assert_eq!(
        found,
        [(
            5,
            "column start_date: '2021-09-31' is not a date (YYYY-MM-DD or DD/MM/YYYY)".to_owned()
        )]
    );
}

#[test]
fn british_dates_are_read_and_stored_as_iso() {
    let text = format!(
        "{ESR_HEADER}\n{}",
        esr_row("10000206", "20000206", "Eve,Evans", "04/05/1993", "")
    );
    let records = parse(ImportKind::EsrStaff, &text, "RHQ").unwrap();
    assert_eq!(
        records[0].person.as_ref().unwrap().date_of_birth.as_deref(),
        Some("1993-05-04")
    );
}

#[test]
fn pay_columns_are_never_imported() {
    let text = "esr_person_id,assignment_number,forenames,surname,date_of_birth,organisation_ods,organisation_name,staff_group,job_role,grade,assignment_category,assignment_status,start_date,Annual Salary,Pay Scale,grade_point,Spinal Point,hourly_rate,basic_pay\n\
                10000301,20000301,Fay,Fox,1990-01-02,RHQ,Sheffield Teaching Hospitals NHS Foundation Trust,Nursing and Midwifery Registered,Staff Nurse,Band 5,Permanent,Active Assignment,2024-01-01,31049.00,XN05,5.2,17,16.13,2587.42\n";
    let report = parse_with_report(ImportKind::EsrStaff, text, "RHQ").unwrap();
    assert_eq!(
        report.ignored_columns,
        [
            "Annual Salary",
            "Pay Scale",
            "grade_point",
            "Spinal Point",
            "hourly_rate",
            "basic_pay"
        ]
    );
    let claims = &report.records[0].claims;
    let names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        names.iter().all(|n| !["salary", "pay", "point", "rate"]
            .iter()
            .any(|p| n.to_lowercase().contains(p))),
        "{names:?}"
    );
    let everything = serde_json::to_string(&report.records).unwrap();
    for value in ["31049", "XN05", "5.2", "16.13", "2587"] {
        assert!(!everything.contains(value), "{value} leaked");
    }
    assert_eq!(claims["grade"], "Band 5");
    // A grade column holding money is refused rather than passed on.
    let money = text.replace("Band 5", "£31049");
    let found = problems(ImportKind::EsrStaff, &money);
    assert!(
        found[0]
            .1
            .starts_with("column grade: '£31049' looks like pay"),
        "{found:?}"
    );
}

#[test]
fn exact_duplicates_merge_and_conflicting_duplicates_name_both_lines() {
    let row = esr_row("10000201", "20000201", "Ada,Lovelace", "1990-01-02", "");
    let text = format!("{ESR_HEADER}\n{row}\n{row}\n");
    let report = parse_with_report(ImportKind::EsrStaff, &text, "RHQ").unwrap();
    assert_eq!((report.records.len(), report.duplicates), (1, 1));

    let changed = row.replace("Specialty Registrar", "Clinical Fellow");
    let text = format!(
        "{ESR_HEADER}\n{row}\n{}\n{changed}\n",
        esr_row("10000202", "20000202", "Bo,Bell", "1991-01-01", "")
    );
    let found = problems(ImportKind::EsrStaff, &text);
    assert_eq!(
        found,
        [
            (
                2,
                "record esr-assignment:20000201 appears again on line 4 with different content"
                    .to_owned()
            ),
            (
                4,
                "record esr-assignment:20000201 already appears on line 2 with different content"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn one_person_one_identity_within_a_file() {
    let a = esr_row("10000201", "20000201", "Ada,Lovelace", "1990-01-02", "");
    let b = esr_row("10000201", "20000201-2", "Ada,Lovelace", "1990-02-01", "").replace(",Y", ",N");
    let found = problems(ImportKind::EsrStaff, &format!("{ESR_HEADER}\n{a}\n{b}\n"));
    assert_eq!(lines(&found), [2, 3]);
    assert!(found[0].1.starts_with("ESR person 10000201 is Ada Lovelace (born 1990-01-02, x.y@nhs.example) here but Ada Lovelace (born 1990-02-01"), "{found:?}");
    // Two primary assignments for one person.
    let b = esr_row("10000201", "20000201-2", "Ada,Lovelace", "1990-01-02", "");
    let found = problems(ImportKind::EsrStaff, &format!("{ESR_HEADER}\n{a}\n{b}\n"));
    assert_eq!(lines(&found), [2, 3]);
    assert!(found[0]
        .1
        .contains("more than one primary assignment (lines 2, 3)"));
}

#[test]
fn assignments_of_another_organisation_are_refused() {
    let row =
        esr_row("10000201", "20000201", "Ada,Lovelace", "1990-01-02", "").replace(",RHQ,", ",R0A,");
    let found = problems(ImportKind::EsrStaff, &format!("{ESR_HEADER}\n{row}\n"));
    assert_eq!(
        found[0].1,
        "column organisation_ods: 'R0A' is not the importing organisation RHQ or one of its sites"
    );
}

#[test]
fn ended_assignments_need_an_end_date() {
    let row = esr_row("10000201", "20000201", "Ada,Lovelace", "1990-01-02", "")
        .replace("Active Assignment", "Terminate Assignment")
        .replace("2026-08-04", "");
    let found = problems(ImportKind::EsrStaff, &format!("{ESR_HEADER}\n{row}\n"));
    assert_eq!(
        found[0].1,
        "column end_date: is required when the assignment status is Terminate Assignment"
    );
}

#[test]
fn a_missing_column_makes_the_file_unusable() {
    let text = ESR_HEADER.replace("staff_group,", "") + "\n";
    assert_eq!(
        parse(ImportKind::EsrStaff, &text, "RHQ").unwrap_err(),
        RecordsError::Format("the header lacks required column(s): staff_group".into())
    );
    assert!(matches!(
        parse(ImportKind::EsrStaff, "", "RHQ"),
        Err(RecordsError::Format(_))
    ));
    assert_eq!(parse(ImportKind::EsrStaff, ESR_HEADER, "RHQ").unwrap(), []);
}

#[test]
fn bad_competence_rows() {
    let text = "esr_person_id,competence_name,date_achieved,assessor_name,assessor_role\n\
                10000101,NHS|CSTF|Fire Safety - 2 Years|,2025-01-01,,\n\
                10000101,Fire Safety,2025-01-01,,\n\
                10000101,NHS|CSTF|Fire Safety|,2025-01-01,,\n\
                10000101,NHS|CSTF|Fire Safety - 0 Years|,2025-01-01,,\n\
                10000101,RHQ|SKILL|Venepuncture|,2025-01-01,,\n\
                1000010X,NHS|CSTF|Conflict Resolution - 3 Years|,,,\n";
    let found = problems(ImportKind::EsrCompetences, text);
    assert_eq!(
        found,
        [
            (3, "column competence_name: 'Fire Safety' is neither a national competence (NHS|CSTF|<subject> - <period>|, NHS|MAND|...|) nor a local skill (<ODS>|SKILL|<skill>|)".to_owned()),
            (4, "column competence_name: competence name 'NHS|CSTF|Fire Safety|' has no renewal period (e.g. ' - 3 Years')".to_owned()),
            (5, "column competence_name: competence name 'NHS|CSTF|Fire Safety - 0 Years|' does not end with a renewal period of at least 1 Year(s) or Month(s), e.g. '3 Years'".to_owned()),
            (6, "column assessor_name: is required but empty".to_owned()),
            (6, "column assessor_role: is required but empty".to_owned()),
            (7, "column esr_person_id: '1000010X' is not a valid ESR person: 6 to 10 digits".to_owned()),
            (7, "column date_achieved: is required but empty".to_owned()),
        ]
    );
}

#[test]
fn two_awards_of_one_competence_in_one_file_conflict() {
    let text = "esr_person_id,competence_name,date_achieved\n\
                10000101,NHS|CSTF|Fire Safety - 2 Years|,2023-01-01\n\
                10000101,NHS|CSTF|Fire Safety - 2 Years|,2025-01-01\n\
                10000101,NHS|CSTF|Fire Safety - 2 Years|,2025-01-01\n";
    // Line 4 repeats line 3 exactly, and so conflicts with line 2 too.
    assert_eq!(
        lines(&problems(ImportKind::EsrCompetences, text)),
        [2, 2, 3, 4]
    );
    // Levels 1 and 2 of one subject share a competency name but are different records.
    let text = "esr_person_id,competence_name,date_achieved\n\
                10000101,NHS|CSTF|Infection Prevention and Control - Level 1 - 3 Years|,2025-01-01\n\
                10000101,NHS|CSTF|Infection Prevention and Control - Level 2 - 1 Year|,2025-01-01\n";
    assert_eq!(
        parse(ImportKind::EsrCompetences, text, "RHQ")
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn clinical_detail_never_rides_on_a_clearance() {
    let text = "esr_person_id,record_kind,code,description,date,result,interpretation,clearance_outcome,epp_cleared,epp_clearance_date,role_risk_category\n\
                10000102,clearance,,,2024-07-15,HIV negative,,Fit,N,,Clinical\n\
                10000102,clearance,,,2024-07-15,,,Fit,Y,,Clinical\n\
                10000102,vaccination,HEPB001,Hepatitis B Vaccine,2016-09-01,,,Fit,,,\n\
                10000102,test,HBSAG001,Hepatitis B Surface Antigen Test,2024-07-01,,Positive-ish,,,,\n\
                10000102,scan,X1,Chest X-ray,2024-07-01,,,,,,\n";
    let found = problems(ImportKind::OccupationalHealth, text);
    assert_eq!(
        found,
        [
            (2, "column result: must be empty on a clearance row (clinical detail never goes to HR)".to_owned()),
            (3, "column epp_clearance_date: is required when epp_cleared is Y".to_owned()),
            (4, "column clearance_outcome: must be empty on a vaccination row".to_owned()),
            (5, "column interpretation: 'Positive-ish' is not one of: Detected, Not detected, Equivocal".to_owned()),
            (6, "column record_kind: 'scan' is not one of: clearance, vaccination, test, observation".to_owned()),
        ]
    );
}

#[test]
fn bad_tis_rows() {
    let header = include_str!("../../../samples/tis.csv")
        .lines()
        .next()
        .unwrap();
    let good = include_str!("../../../samples/tis.csv")
        .lines()
        .nth(3)
        .unwrap();
    let text = [
        header.to_owned(),
        good.to_owned(),
        good.replace(",ST3,", ",Registrar,")
            .replace("320001", "320002"),
        good.replace("2026-08-04,1,", "2025-08-01,1,")
            .replace("320001", "320003"),
        good.replace(",Current", ",Cancelled")
            .replace("320001", "320004"),
        good.replace("9100002", "910002")
            .replace("320001", "320005"),
    ]
    .join("\n");
    let found = problems(ImportKind::TisPlacements, &text);
    assert_eq!(
        found,
        [
            (3, "column grade: 'Registrar' is not one of: FY1, FY2, CT1, CT2, CT3, ST1, ST2, ST3, ST4, ST5, ST6, ST7, ST8, GPST1, GPST2, GPST3, GPST4, IMT1, IMT2, IMT3, DCT1, DCT2, DCT3".to_owned()),
            (4, "column placement_end_date: '2025-08-01' is before the start date 2025-08-06".to_owned()),
            (5, "column placement_status: 'Cancelled' is not one of: Current, Future, Past, Deleted".to_owned()),
            (6, "column gmc_number: '910002' is not a valid GMC: 7 digits".to_owned()),
        ]
    );
}

#[test]
fn bad_dsp_files() {
    let format = |text: &str| match parse(ImportKind::DspJson, text, "RHQ") {
        Err(RecordsError::Format(message)) => message,
        other => panic!("expected a format error, got {other:?}"),
    };
    assert!(format("{not json").starts_with("not JSON"));
    assert!(format(
        r#"[{"recordType": "Vaccination", "code": "X", "description": "Y", "date": "2024"}]"#
    )
    .starts_with("a bare array of records"));
    assert!(format(r#"{"employees": [], "extra": 1}"#).starts_with("unknown top-level member"));
    assert!(format(r#"{"system": "a b", "employees": []}"#).starts_with("system 'a b'"));

    let text = r#"[
      {"id": "E1", "records": [
        {"recordType": "Vaccination", "code": "HEPB001", "description": "Hepatitis B Vaccine", "date": "2024-10-01"},
        {"recordType": "Vaccination", "code": "HEPB001", "description": "Hepatitis B Vaccine"},
        {"recordType": "Payslip", "amount": "2587.42"},
        {"code": "TB001"}
      ]},
      {"firstName": "Jane", "records": [
        {"recordType": "Observation", "code": "TB001", "description": "BCG Scar Evident", "result": "Yes"}
      ]},
      {"id": "E3", "esrIdentifier": "87", "records": [
        {"recordType": "ProfessionalRegistration", "professionalBody": "Health and Care Professions Council", "registrationNumber": "12345"}
      ]}
    ]"#;
    let found = problems(ImportKind::DspJson, text);
    assert_eq!(lines(&found), [2, 3, 4, 5, 5, 6, 6]);
    assert!(
        found[0].1.starts_with("Vaccination: invalid claims") && found[0].1.contains("date"),
        "{}",
        found[0].1
    );
    assert_eq!(
        found[1].1,
        "member recordType: 'Payslip' is not a record type of the credential catalogue"
    );
    assert_eq!(found[2].1, "member recordType: is required");
    assert_eq!(
        found[3].1,
        "employee 2 (without id): firstName and surname go together: give both or neither"
    );
    assert_eq!(
        found[4].1,
        "employee 2 (without id): member id: is required (the employee's ID in the sending system)"
    );
    assert_eq!(found[5].1, "member registrationNumber: invalid identifier: '12345' is not a valid HCPC: 2 letters and 4 to 6 digits, like PA12345");
    assert_eq!(found[6].1, "employee 3 (E3): member esrIdentifier: invalid identifier: '87' is not a valid ESR person: 6 to 10 digits");

    // One employee, two GMC numbers: which is theirs is for a person to find out.
    let text = r#"{"id": "E9", "records": [
        {"recordType": "ProfessionalRegistration", "professionalBody": "General Medical Council", "registrationNumber": "9100001"},
        {"recordType": "ProfessionalRegistration", "professionalBody": "General Medical Council", "registrationNumber": "9100009"}
    ]}"#;
    assert_eq!(
        problems(ImportKind::DspJson, text),
        [(
            1,
            "employee E9 has two registrations with one body: GMC 9100001 and GMC 9100009"
                .to_owned()
        )]
    );
}
