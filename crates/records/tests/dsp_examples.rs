//! Every employee record example of the national DSP API standard imports as `dsp-json`
//! (fixtures/dsp-examples.json, built from shared/reference/nhs-dsp-api by
//! fixtures/extract_dsp_examples.py), except `DBSCheckSupportingInformation`, which is
//! skipped with the catalogue's reason: it is identity evidence for a DBS application, not
//! a credential.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use passport_records::{parse_with_report, ImportKind, Source};
use serde_json::{json, Value};

const FIXTURE: &str = include_str!("fixtures/dsp-examples.json");

fn employees() -> Vec<Value> {
    let document: Value = serde_json::from_str(FIXTURE).unwrap();
    document["employees"].as_array().unwrap().clone()
}

#[test]
fn every_example_record_imports_on_its_own() {
    let mut imported = 0;
    let mut skipped = 0;
    for employee in employees() {
        let example = employee["example"].as_str().unwrap().to_owned();
        let text = serde_json::to_string(&employee).unwrap();
        let report = parse_with_report(ImportKind::DspJson, &text, "RHQ")
            .unwrap_or_else(|e| panic!("{example}: {e}"));
        let records = employee["records"].as_array().unwrap();
        assert_eq!(
            report.records.len() + report.skipped.len(),
            records.len(),
            "{example}"
        );
        for (record, source) in report.records.iter().zip(
            records
                .iter()
                .filter(|r| r["recordType"] != "DBSCheckSupportingInformation"),
        ) {
            assert_eq!(record.type_name, source["recordType"], "{example}");
            assert_eq!(record.source, Source::Dsp);
            assert_eq!(record.person.as_ref().unwrap().family_name, "Smith");
            assert!(record
                .identifiers
                .iter()
                .any(|i| i.to_string() == "esr-person:87654321"));
            assert!(record
                .identifiers
                .iter()
                .any(|i| i.to_string() == "local:RHQ/dsp:12345"));
        }
        for skip in &report.skipped {
            assert!(
                example.contains("DBSCheckSupportingInformation"),
                "{example}"
            );
            assert!(
                skip.reason.starts_with(
                    "not a credential: DBSCheckSupportingInformation: identity evidence"
                ),
                "{}",
                skip.reason
            );
        }
        imported += report.records.len();
        skipped += report.skipped.len();
    }
    assert_eq!((imported, skipped), (20, 2));
}

#[test]
fn the_whole_fixture_imports_with_duplicates_merged() {
    let report = parse_with_report(ImportKind::DspJson, FIXTURE, "RHQ").unwrap();
    // 22 records: 2 skipped, 20 imported, of which request, response and GetEmployeeRecords
    // copies of the same record are exact duplicates.
    assert_eq!(report.skipped.len(), 2);
    assert_eq!(report.duplicates, 12);
    let keys: Vec<&str> = report.records.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "dsp:dsp:12345:CoreSkillsTraining:Information Governance and Data Security:1",
            "dsp:dsp:12345:CoreSkillsTraining:Resuscitation Adult Basic Life Support:2",
            "dsp:dsp:12345:DBSCheckOutcome:123456789012",
            "dsp:dsp:12345:Vaccination:HEPB001:2024-10-01",
            "dsp:dsp:12345:ClinicalTest:DTP002:2024-09-01",
            "dsp:dsp:12345:Observation:TB001",
            "dsp:dsp:12345:RightToWork",
            "dsp:dsp:12345:ProfessionalRegistration:General Medical Council:1234567",
        ]
    );
    // The GMC number of the registration example identifies every record of employee 12345.
    for record in &report.records {
        let ids: Vec<String> = record.identifiers.iter().map(ToString::to_string).collect();
        assert_eq!(
            ids,
            ["gmc:1234567", "esr-person:87654321", "local:RHQ/dsp:12345"]
        );
    }
    assert_eq!(report.ignored_columns, ["example"]);
    let rtw = &report.records[6];
    assert!(
        rtw.claims.get("biometricPageImage").is_none() && rtw.claims.get("photograph").is_none()
    );
    assert_eq!(
        report.records[4].claims["interpretation"],
        json!("Not detected")
    );
}

/// The fixture holds every record example of the reference specification, when it is
/// present (it is beside the repository on development machines).
#[test]
fn the_fixture_covers_every_record_example_of_the_reference() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/nhs-dsp-api/specification/components/examples");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("reference folder not present: {}", dir.display());
        return;
    };
    let mut expected = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        // Sub-folders and the one example that is not JSON (a status response) hold no record.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if value.get("recordType").is_some() {
            expected += 1;
        } else if let Some(records) = value.get("records").and_then(Value::as_array) {
            expected += records.len();
        }
    }
    let in_fixture: usize = employees()
        .iter()
        .map(|e| e["records"].as_array().unwrap().len())
        .sum();
    assert_eq!(in_fixture, expected);
}
