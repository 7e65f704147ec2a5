//! Tests: rejections.

use serde_json::{json, Value};

use super::*;

pub(super) fn cstf() -> Value {
    serde_json::from_str(DSP_EXAMPLES[1].1).unwrap()
}

pub(super) fn dbs() -> Value {
    normalise_dsp_record(nhs(), &serde_json::from_str(DSP_EXAMPLES[2].1).unwrap())
        .unwrap()
        .1
}

#[test]
fn missing_required_claim_is_reported_at_its_path() {
    let mut record = cstf();
    record.as_object_mut().unwrap().remove("dateLastAwarded");
    assert_error_at(
        "CoreSkillsTraining",
        &record,
        "/dateLastAwarded",
        "required claim is missing",
    );
}

#[test]
fn wrong_enum_value_is_reported_at_its_path() {
    let mut record = cstf();
    record["competencyFramework"] = json!("CPD");
    assert_error_at(
        "CoreSkillsTraining",
        &record,
        "/competencyFramework",
        "is not one of",
    );
    let mut record = dbs();
    record["typeOfDbsCheck"] = json!("Enhanced");
    assert_error_at(
        "DBSCheckOutcome",
        &record,
        "/typeOfDbsCheck",
        "is not one of",
    );
}

#[test]
fn dbs_numbers_have_exact_lengths() {
    let mut record = dbs();
    record["certificateNumber"] = json!("12345678901");
    assert_error_at(
        "DBSCheckOutcome",
        &record,
        "/certificateNumber",
        r"^\d{12}$",
    );
    let mut record = dbs();
    record["registeredBodyNumber"] = json!("123456789012");
    assert_error_at(
        "DBSCheckOutcome",
        &record,
        "/registeredBodyNumber",
        r"^\d{11}$",
    );
    of("DBSCheckOutcome").validate(&dbs()).unwrap();
}

#[test]
fn errors_never_repeat_claim_values() {
    let mut record = dbs();
    record["certificateNumber"] = json!("98765432101");
    record["applicantSurname"] = json!(42);
    let errors = errors("DBSCheckOutcome", &record);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| !e.contains("98765432101") && !e.contains("42")),
        "{errors:?}"
    );
}

#[test]
fn extra_claims_are_rejected_by_name() {
    let mut record = cstf();
    record["favouriteColour"] = json!("green");
    assert_error_at(
        "CoreSkillsTraining",
        &record,
        "/favouriteColour",
        "not allowed",
    );
}

#[test]
fn pay_and_salary_are_rejected_in_employment() {
    let mut record = employment();
    of("Employment").validate(&record).unwrap();
    record["salary"] = json!(35392);
    record["payBand"] = json!("Band 5 point 2");
    let errors = errors("Employment", &record);
    assert!(
        errors.contains(&"/salary: claim is not allowed in this credential type".to_owned()),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("/payBand: ")),
        "{errors:?}"
    );
}

#[test]
fn every_violation_is_listed() {
    let mut record = dbs();
    record["certificateNumber"] = json!("1");
    record["workforceType"] = json!("Other");
    record.as_object_mut().unwrap().remove("registeredBodyName");
    let errors = errors("DBSCheckOutcome", &record);
    assert_eq!(errors.len(), 3, "{errors:?}");
    let message = of("DBSCheckOutcome")
        .validate(&record)
        .unwrap_err()
        .to_string();
    assert!(message.contains("/workforceType") && message.contains(&of("DBSCheckOutcome").vct));
}

#[test]
fn dates_must_be_real_calendar_dates() {
    let mut record = cstf();
    record["dateLastAwarded"] = json!("01/11/2023");
    assert_error_at(
        "CoreSkillsTraining",
        &record,
        "/dateLastAwarded",
        r"^\d{4}-\d{2}-\d{2}$",
    );
    record["dateLastAwarded"] = json!("2023-02-30");
    assert_error_at(
        "CoreSkillsTraining",
        &record,
        "/dateLastAwarded",
        "is not a \"date\"",
    );
    let vaccination = json!({"recordType": "Vaccination", "code": "MMR001", "description": "MMR", "date": "1999"});
    of("Vaccination").validate(&vaccination).unwrap();
}

#[test]
fn ods_codes_have_a_shape() {
    let mut record = cstf();
    record["awardingOrganisation"] = json!("rhq");
    assert_error_at(
        "CoreSkillsTraining",
        &record,
        "/awardingOrganisation",
        "^[A-Z0-9]{3,6}$",
    );
    record["awardingOrganisation"] = json!("R0A");
    of("CoreSkillsTraining").validate(&record).unwrap();
    let mut placement = placement();
    placement["siteCode"] = json!("RH8");
    assert_error_at(
        "TrainingPlacement",
        &placement,
        "/siteCode",
        "^[A-Z0-9]{5}$",
    );
}

#[test]
fn registration_numbers_follow_the_regulator() {
    let gmc = json!({"recordType": "ProfessionalRegistration", "professionalBody": "General Medical Council", "registrationNumber": "1234567"});
    of("ProfessionalRegistration").validate(&gmc).unwrap();
    let mut short = gmc.clone();
    short["registrationNumber"] = json!("123456");
    assert_error_at(
        "ProfessionalRegistration",
        &short,
        "/registrationNumber",
        r"^\d{7}$",
    );
    let mut number = gmc.clone();
    number["registrationNumber"] = json!(1234567);
    assert_error_at(
        "ProfessionalRegistration",
        &number,
        "/registrationNumber",
        "string",
    );
    let nmc = json!({"recordType": "ProfessionalRegistration", "professionalBody": "Nursing and Midwifery Council", "registrationNumber": "12A3456E"});
    of("ProfessionalRegistration").validate(&nmc).unwrap();
    let mut bad_nmc = nmc.clone();
    bad_nmc["registrationNumber"] = json!("1234567");
    assert_error_at(
        "ProfessionalRegistration",
        &bad_nmc,
        "/registrationNumber",
        r"^\d{2}[A-Z]\d{4}[A-Z]$",
    );
}

#[test]
fn identity_service_checks_need_their_evidence() {
    let mut record = right_to_work_share_code();
    of("RightToWork").validate(&record).unwrap();
    record["rightToWorkCheckType"] = json!("IDSP British/Irish passport");
    record.as_object_mut().unwrap().remove("evidenceCheckedBy");
    let errors = errors("RightToWork", &record);
    for claim in [
        "identityDocumentExpiryDate",
        "identityVerified",
        "evidenceCheckedBy",
        "dateOfIdCheck",
        "GPG45profile",
    ] {
        assert!(
            errors.contains(&format!("/{claim}: required claim is missing")),
            "{claim}: {errors:?}"
        );
    }
}

#[test]
fn epp_clearance_needs_its_date() {
    let mut record = oh_clearance();
    of("OccupationalHealthClearance").validate(&record).unwrap();
    record.as_object_mut().unwrap().remove("eppClearanceDate");
    assert_error_at(
        "OccupationalHealthClearance",
        &record,
        "/eppClearanceDate",
        "required",
    );
    record["eppCleared"] = json!(false);
    of("OccupationalHealthClearance").validate(&record).unwrap();
    record["clearanceOutcome"] = json!("fit");
    assert_error_at(
        "OccupationalHealthClearance",
        &record,
        "/clearanceOutcome",
        "is not one of",
    );
}

#[test]
fn nested_claims_are_checked_with_their_path() {
    let mut record = skill();
    of("Skill").validate(&record).unwrap();
    record["assessedBy"].as_object_mut().unwrap().remove("role");
    record["assessedBy"]["grade"] = json!("Band 7");
    let errors = errors("Skill", &record);
    assert!(
        errors.contains(&"/assessedBy/role: required claim is missing".to_owned()),
        "{errors:?}"
    );
    assert!(
        errors.contains(
            &"/assessedBy/grade: claim is not allowed in this credential type".to_owned()
        ),
        "{errors:?}"
    );
}

#[test]
fn a_processed_sd_jwt_vc_payload_validates_as_it_is() {
    let t = of("CoreSkillsTraining");
    let mut payload = cstf();
    payload["vct"] = json!(t.vct);
    payload["iss"] = json!("https://rhq.example.nhs.uk");
    payload["iat"] = json!(1_767_225_600);
    payload["exp"] = json!(1_830_297_600);
    payload["cnf"] = json!({"jwk": {"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}});
    payload["status"] =
        json!({"status_list": {"idx": 7, "uri": "https://rhq.example.nhs.uk/status/1"}});
    t.validate(&payload).unwrap();
    nhs().validate(&t.vct, &payload).unwrap();
    payload["vct"] = json!(of("Skill").vct);
    assert_error_at("CoreSkillsTraining", &payload, "/vct", "not the type's vct");
    assert!(matches!(
        nhs().validate("https://example.com/vct/payslip/v1", &payload),
        Err(CatalogueError::UnknownType(_))
    ));
}

#[test]
fn non_objects_are_rejected_at_the_root() {
    assert_error_at("Observation", &json!(["Yes"]), "(root)", "object");
}
