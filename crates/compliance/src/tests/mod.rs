//! Tests: synthetic people, credentials built with the catalogue's claim names.

mod dbs_oh;
mod lead_employer;
mod periods;
mod profiles;
mod report;
mod request;
mod rules;
mod training;

use serde_json::{json, Value};
use time::Date;

use crate::{
    default_profiles, evaluate, vct, LocalPeriods, Placement, PlacementKind, Presented, Report,
    ReportLine, RoleProfile, Status,
};

/// A date from `YYYY-MM-DD`.
pub(super) fn d(text: &str) -> Date {
    crate::date::parse(text).expect("a test date")
}

/// August changeover 2026 (first Wednesday) to the February changeover.
pub(super) fn rotation() -> Placement {
    Placement {
        start: d("2026-08-05"),
        end: d("2027-02-02"),
        kind: PlacementKind::Rotation,
    }
}

/// A month before the placement starts.
pub(super) fn today() -> Date {
    d("2026-07-01")
}

/// A credential issued by a synthetic trust.
pub(super) fn cred(type_slug: &str, claims: Value) -> Presented {
    Presented {
        vct: vct(type_slug),
        iss: "https://passport.example.test/issuers/RZZ".to_owned(),
        issuer_ods: "RZZ".to_owned(),
        issuer_name: "Synthetic Valley NHS Trust".to_owned(),
        claims: claims.as_object().cloned().expect("claims are an object"),
    }
}

/// A CSTF competence with every schema field, the sender's own expiry deliberately wrong
/// (ten years) so that a test passing proves it is not read.
pub(super) fn cstf(subject: &str, level: &str, competency: &str, awarded: &str) -> Presented {
    cred(
        "core-skills-training",
        json!({
            "recordType": "CoreSkillsTraining",
            "competencyFramework": "CSTF",
            "subjectName": subject,
            "competencyName": competency,
            "subjectLevel": level,
            "renewalPeriodNumber": "10",
            "renewalPeriodUnits": "Years",
            "proficiencyLevel": "0 - Not Assessed",
            "attainmentStatus": "ACHIEVED",
            "learningMethod": "E-learning",
            "awardingOrganisation": "RZZ",
            "dateLastAwarded": awarded,
            "dateTo": "2099-12-31"
        }),
    )
}

/// An enhanced DBS check with both barred lists, clear.
pub(super) fn dbs(issued: &str) -> Presented {
    cred(
        "dbs-check-outcome",
        json!({
            "recordType": "DBSCheckOutcome",
            "applicantFirstName": "Alex",
            "applicantMiddleNames": "",
            "applicantSurname": "Testperson",
            "applicantDateOfBirth": "1998-01-01",
            "typeOfDbsCheck": "Enhanced with barred list(s) check",
            "adultsBarredListChecked": true,
            "childrensBarredListChecked": true,
            "certificateNumber": "001234567890",
            "disclosureIssueDate": issued,
            "informationDisclosed": false,
            "workforceType": "Child and Adult",
            "registeredBodyNumber": "00012345678",
            "registeredBodyName": "Synthetic Checks Ltd"
        }),
    )
}

/// An occupational health clearance.
pub(super) fn oh(outcome: &str, epp: bool) -> Presented {
    let mut claims = json!({
        "recordType": "OccupationalHealthClearance",
        "clearanceOutcome": outcome,
        "eppCleared": epp,
        "roleRiskCategory": if epp { "Clinical, exposure-prone procedures" } else { "Clinical" },
        "assessmentDate": "2025-07-20",
        "ohProvider": "RZZ"
    });
    if epp {
        claims["eppClearanceDate"] = json!("2025-07-28");
    }
    if outcome == "Fit with adjustments" {
        claims["adjustmentsSummary"] = json!("No night shifts");
    }
    cred("occupational-health-clearance", claims)
}

pub(super) fn registration(body: &str, number: &str) -> Presented {
    cred(
        "professional-registration",
        json!({
            "recordType": "ProfessionalRegistration",
            "professionalBody": body,
            "registrationNumber": number,
            "registrationDate": "2023-08-01",
            "registrationCheckDate": "2025-08-01"
        }),
    )
}

pub(super) fn identity(gpg45: &str) -> Presented {
    cred(
        "identity",
        json!({
            "recordType": "Identity",
            "legalFirstName": "Alex",
            "legalSurname": "Testperson",
            "birthDate": "1998-01-01",
            "identityCheckMethod": "Identity service provider",
            "evidenceCheckedBy": "Synthetic ID Ltd",
            "dateOfIdCheck": "2023-07-10",
            "GPG45profile": gpg45
        }),
    )
}

pub(super) fn right_to_work(check: &str, permission_ends: Option<&str>) -> Presented {
    let mut claims = json!({
        "recordType": "RightToWork",
        "legalFirstName": "Alex",
        "legalSurname": "Testperson",
        "birthDate": "1998-01-01",
        "rightToWorkCheckType": check,
        "dateOfRightToWorkCheck": "2023-07-10"
    });
    if let Some(end) = permission_ends {
        claims["permissionExpiryDate"] = json!(end);
    }
    cred("right-to-work", claims)
}

pub(super) fn employment(contract: &str, start: &str, end: Option<&str>) -> Presented {
    let mut claims = json!({
        "recordType": "Employment",
        "organisationOds": "RZZ",
        "organisationName": "Synthetic Valley NHS Trust",
        "assignmentNumber": "20000001",
        "staffGroup": "Medical and Dental",
        "jobRole": "Foundation Year 1",
        "contractType": contract,
        "startDate": start
    });
    if let Some(end) = end {
        claims["endDate"] = json!(end);
    }
    cred("employment", claims)
}

pub(super) fn programme(start: &str, end: &str) -> Presented {
    cred(
        "training-programme",
        json!({
            "recordType": "TrainingProgramme",
            "programmeName": "Foundation Programme",
            "programmeNumber": "FP-0001",
            "specialty": "Foundation",
            "programmeStartDate": start,
            "programmeEndDate": end,
            "gmcNumber": "7654321"
        }),
    )
}

pub(super) fn tis_placement(grade: &str, start: &str, end: &str) -> Presented {
    cred(
        "training-placement",
        json!({
            "recordType": "TrainingPlacement",
            "placementId": "P-0001",
            "nationalPostNumber": "SYN/RZZ01/001/F1/001",
            "siteCode": "RZZ01",
            "employingBodyOds": "RZZ",
            "trainingBodyOds": "RZZ",
            "grade": grade,
            "specialty": "General (Internal) Medicine",
            "startDate": start,
            "endDate": end,
            "wholeTimeEquivalent": 1
        }),
    )
}

/// A shipped profile by id.
pub(super) fn profile(id: &str) -> RoleProfile {
    default_profiles()
        .expect("shipped profiles are valid")
        .into_iter()
        .find(|p| p.id == id)
        .expect("a shipped profile")
}

/// Evaluates with the national periods, the rotation and `today()`.
pub(super) fn run(profile_id: &str, presented: &[Presented]) -> Report {
    evaluate(
        &profile(profile_id),
        &LocalPeriods::national_defaults(),
        &rotation(),
        presented,
        today(),
    )
    .expect("evaluates")
}

/// The line of a requirement key.
pub(super) fn line<'a>(report: &'a Report, key: &str) -> &'a ReportLine {
    report
        .lines
        .iter()
        .find(|l| l.key == key)
        .expect("a line for the key")
}

/// The reason of a `Missing`, `NotPortable` or `NotShared` status.
pub(super) fn reason(status: &Status) -> &str {
    match status {
        Status::Missing { reason: Some(r) }
        | Status::NotPortable { reason: r }
        | Status::NotShared { reason: r } => r,
        other => panic!("no reason in {other:?}"),
    }
}

pub(super) fn met(date: &str) -> Status {
    Status::Met {
        issuer: "RZZ".to_owned(),
        date: d(date),
    }
}
