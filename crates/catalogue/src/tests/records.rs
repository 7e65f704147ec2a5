//! Tests: a good record of every type.

use serde_json::{json, Value};

use super::*;

pub(super) fn employment() -> Value {
    json!({"recordType": "Employment", "organisationOds": "RHQ", "organisationName": "Sheffield Teaching Hospitals NHS Foundation Trust",
        "assignmentNumber": "12345678-2", "esrIdentifier": "87654321", "staffGroup": "Medical and Dental", "jobRole": "Specialty Registrar",
        "positionTitle": "Specialty Registrar in Cardiology", "grade": "ST4", "contractType": "Fixed term", "wholeTimeEquivalent": 0.8,
        "startDate": "2026-08-05", "endDate": "2027-08-03"})
}

pub(super) fn right_to_work_share_code() -> Value {
    json!({"recordType": "RightToWork", "legalFirstName": "Amara", "legalSurname": "Okafor", "birthDate": "1994-03-12",
        "rightToWorkCheckType": "Home Office share code", "dateOfRightToWorkCheck": "2026-06-01", "permissionExpiryDate": "2029-01-31",
        "evidenceCheckedBy": "Sheffield Teaching Hospitals NHS Foundation Trust"})
}

pub(super) fn skill() -> Value {
    json!({"recordType": "Skill", "skillName": "Cannulation", "description": "Peripheral intravenous cannulation in adults",
        "assessedBy": {"name": "Sam Patel", "role": "Clinical Nurse Educator"}, "assessmentDate": "2026-02-10", "expiryDate": "2029-02-09",
        "awardingOrganisation": "RHQ"})
}

pub(super) fn oh_clearance() -> Value {
    json!({"recordType": "OccupationalHealthClearance", "clearanceOutcome": "Fit with adjustments", "adjustmentsSummary": "Avoid night shifts",
        "eppCleared": true, "eppClearanceDate": "2025-07-20", "roleRiskCategory": "Clinical, exposure-prone procedures",
        "assessmentDate": "2025-07-20", "reviewDate": "2028-07-20", "ohProvider": "RHQ"})
}

pub(super) fn placement() -> Value {
    json!({"recordType": "TrainingPlacement", "placementId": "2455781", "nationalPostNumber": "YHD/RHQ01/027/ST4/001", "siteCode": "RHQ01",
        "siteName": "Northern General Hospital", "employingBodyOds": "RHQ", "trainingBodyOds": "RHQ", "grade": "ST4", "specialty": "Cardiology",
        "startDate": "2026-08-05", "endDate": "2027-08-03", "wholeTimeEquivalent": 1, "placementType": "In post"})
}

fn good_records() -> Vec<Value> {
    vec![
        json!({"recordType": "Identity", "legalFirstName": "Jane", "middleNames": "Annabel", "legalSurname": "Smith", "birthDate": "1998-10-22",
            "identityCheckMethod": "Identity service provider", "evidenceCheckedBy": "Yoti Ltd", "dateOfIdCheck": "2024-05-01", "GPG45profile": "H1A"}),
        employment(),
        right_to_work_share_code(),
        dbs(),
        json!({"recordType": "ProfessionalRegistration", "professionalBody": "Health and Care Professions Council", "registrationNumber": "PA12345"}),
        cstf(),
        skill(),
        oh_clearance(),
        json!({"recordType": "Vaccination", "code": "HEPB001", "description": "Hepatitis B Vaccine", "date": "2024-10"}),
        json!({"recordType": "ClinicalTest", "code": "DTP002", "description": "Diphtheria Antibody Test", "date": "2024-09-01", "interpretation": "Equivocal"}),
        json!({"recordType": "Observation", "code": "TB001", "description": "BCG Scar Evident", "result": "No"}),
        json!({"recordType": "TrainingProgramme", "programmeName": "Cardiology", "programmeNumber": "YHD031", "trainingNumber": "YHD/031/004/N",
            "curriculum": "Cardiology (2022)", "specialty": "Cardiology", "programmeStartDate": "2024-08-07", "programmeEndDate": "2029-08-01",
            "gmcNumber": "7123456", "designatedBody": "NHS England Yorkshire and the Humber", "localOffice": "Yorkshire and the Humber"}),
        placement(),
        json!({"recordType": "Reference", "refereeOrganisationOds": "RR8", "refereeName": "Dr Alex Morgan", "refereeRole": "Medical Staffing Manager",
            "employmentStartDate": "2025-08-06", "employmentEndDate": "2026-08-04", "jobTitle": "Specialty Registrar (ST3)",
            "referenceDate": "2026-06-15", "reasonForLeaving": "End of rotation", "disciplinaryProceedings": false}),
        json!({"recordType": "SelfDeclaredDetails", "preferredName": "Jen", "email": "jane.smith@example.org", "phone": "07700 900123",
            "address": {"lines": ["1 Long Lane", "Leeds"], "postcode": "LS1 4AP"},
            "emergencyContacts": [{"name": "Sam Smith", "relationship": "Partner", "phone": "07700 900456"}],
            "nationalInsuranceNumber": "AB123456C"}),
    ]
}

#[test]
fn a_realistic_record_of_every_type_validates() {
    let records = good_records();
    assert_eq!(records.len(), nhs().iter().count());
    for (t, record) in nhs().iter().zip(&records) {
        assert_eq!(record["recordType"], t.name);
        t.validate(record).unwrap_or_else(|e| panic!("{e}"));
    }
}
