//! Tests: DSP examples.

use serde_json::{json, Value};

use super::*;

pub(super) const DSP_EXAMPLES: &[(&str, &str)] = &[
    (
        "ClinicalTest",
        include_str!("../../fixtures/dsp/AddEmployeeRecordRequestClinicalTest.json"),
    ),
    (
        "CoreSkillsTraining",
        include_str!("../../fixtures/dsp/AddEmployeeRecordRequestCoreSkillsTraining.json"),
    ),
    (
        "DBSCheckOutcome",
        include_str!("../../fixtures/dsp/AddEmployeeRecordRequestDBSCheckOutcome.json"),
    ),
    (
        "DBSCheckSupportingInformation",
        include_str!(
            "../../fixtures/dsp/AddEmployeeRecordRequestDBSCheckSupportingInformation.json"
        ),
    ),
    (
        "Observation",
        include_str!("../../fixtures/dsp/AddEmployeeRecordRequestObservation.json"),
    ),
    (
        "ProfessionalRegistration",
        include_str!("../../fixtures/dsp/AddEmployeeRecordRequestProfessionalRegistration.json"),
    ),
    (
        "RightToWork",
        include_str!("../../fixtures/dsp/AddEmployeeRecordRequestRightToWork.json"),
    ),
    (
        "Vaccination",
        include_str!("../../fixtures/dsp/AddEmployeeRecordRequestVaccination.json"),
    ),
];

#[test]
fn every_dsp_example_in_the_catalogue_normalises_to_valid_claims() {
    for (name, text) in DSP_EXAMPLES {
        let record: Value = serde_json::from_str(text).unwrap();
        assert_eq!(record["recordType"], *name);
        if *name == "DBSCheckSupportingInformation" {
            // Not a credential: identity evidence for the DBS application itself.
            let error = normalise_dsp_record(nhs(), &record).unwrap_err();
            assert!(
                matches!(&error, CatalogueError::UnknownType(why) if why.contains("not into a credential"))
            );
            continue;
        }
        let (credential, claims) =
            normalise_dsp_record(nhs(), &record).unwrap_or_else(|e| panic!("{name} example: {e}"));
        assert_eq!(credential.name, *name);
        credential.validate(&claims).unwrap();
        assert!(claims.get("biometricPageImage").is_none() && claims.get("photograph").is_none());
    }
}

#[test]
fn clean_dsp_examples_validate_as_they_are() {
    for (name, text) in DSP_EXAMPLES {
        if matches!(*name, "CoreSkillsTraining" | "Vaccination" | "Observation") {
            let record: Value = serde_json::from_str(text).unwrap();
            of(name).validate(&record).unwrap();
        }
    }
}

#[test]
fn dsp_drift_is_normalised_to_typed_claims() {
    let (_, dbs) =
        normalise_dsp_record(nhs(), &serde_json::from_str(DSP_EXAMPLES[2].1).unwrap()).unwrap();
    assert_eq!(dbs["adultsBarredListChecked"], true);
    assert_eq!(dbs["informationDisclosed"], false);
    let (_, test) =
        normalise_dsp_record(nhs(), &serde_json::from_str(DSP_EXAMPLES[0].1).unwrap()).unwrap();
    assert_eq!(test["interpretation"], "Not detected");
    let (_, registration) =
        normalise_dsp_record(nhs(), &serde_json::from_str(DSP_EXAMPLES[5].1).unwrap()).unwrap();
    assert_eq!(registration["registrationNumber"], "1234567");
    let (_, rtw) =
        normalise_dsp_record(nhs(), &serde_json::from_str(DSP_EXAMPLES[6].1).unwrap()).unwrap();
    assert_eq!(rtw["rightToWorkCheckType"], "IDSP British/Irish passport");
    assert_eq!(rtw["dateOfRightToWorkCheck"], "2024-05-01");
    assert_eq!(rtw["identityVerified"], true);
    // Raw DSP drift is rejected by the strict schemas.
    let raw: Value = serde_json::from_str(DSP_EXAMPLES[2].1).unwrap();
    assert_error_at(
        "DBSCheckOutcome",
        &raw,
        "/adultsBarredListChecked",
        "boolean",
    );
}

#[test]
fn normalising_does_not_hide_real_errors() {
    let record = json!({"recordType": "Vaccination", "code": "HEPB001", "description": "Hepatitis B Vaccine", "date": "01/10/2024", "nhsNumber": "9434765919"});
    let Err(CatalogueError::InvalidClaims { errors, .. }) = normalise_dsp_record(nhs(), &record)
    else {
        panic!("expected invalid claims");
    };
    assert!(
        errors.iter().any(|e| e.starts_with("/date: ")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("/nhsNumber: ")),
        "{errors:?}"
    );
    assert!(matches!(
        normalise_dsp_record(nhs(), &json!({"recordType": "Payslip"})),
        Err(CatalogueError::UnknownType(t)) if t == "Payslip"
    ));
    assert!(normalise_dsp_record(nhs(), &json!({"code": "x"})).is_err());
}

#[test]
fn fixtures_match_the_shared_reference_when_present() {
    let reference = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/nhs-dsp-api/specification/components/examples");
    if !reference.is_dir() {
        eprintln!("shared/reference not present; fixture drift not checked");
        return;
    }
    for (name, text) in DSP_EXAMPLES {
        let path = reference.join(format!("AddEmployeeRecordRequest{name}.json"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            *text,
            "{}",
            path.display()
        );
    }
}
