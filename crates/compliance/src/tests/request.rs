//! The request: only the claims that decide, HR never gets OH-only types, and every claim
//! and vct exists in the catalogue schemas.

use serde_json::Value;

use super::*;
use crate::{requested_credentials, Audience, CredentialRequest};

/// The catalogue schemas, read from the catalogue crate beside this one.
fn schema(type_slug: &str) -> Value {
    let text = match type_slug {
        "identity" => include_str!("../../../catalogue/schemas/identity.schema.json"),
        "right-to-work" => include_str!("../../../catalogue/schemas/right-to-work.schema.json"),
        "employment" => include_str!("../../../catalogue/schemas/employment.schema.json"),
        "dbs-check-outcome" => {
            include_str!("../../../catalogue/schemas/dbs-check-outcome.schema.json")
        }
        "professional-registration" => {
            include_str!("../../../catalogue/schemas/professional-registration.schema.json")
        }
        "core-skills-training" => {
            include_str!("../../../catalogue/schemas/core-skills-training.schema.json")
        }
        "occupational-health-clearance" => {
            include_str!("../../../catalogue/schemas/occupational-health-clearance.schema.json")
        }
        "vaccination" => include_str!("../../../catalogue/schemas/vaccination.schema.json"),
        "clinical-test" => include_str!("../../../catalogue/schemas/clinical-test.schema.json"),
        "observation" => include_str!("../../../catalogue/schemas/observation.schema.json"),
        "training-programme" => {
            include_str!("../../../catalogue/schemas/training-programme.schema.json")
        }
        "training-placement" => {
            include_str!("../../../catalogue/schemas/training-placement.schema.json")
        }
        other => panic!("no schema for {other}"),
    };
    serde_json::from_str(text).expect("schema JSON")
}

fn slug_of(vct: &str) -> &str {
    vct.strip_prefix(crate::VCT_BASE)
        .and_then(|s| s.strip_suffix("/v1"))
        .expect("a catalogue vct")
}

fn claims(r: &CredentialRequest) -> Vec<&str> {
    r.claims.iter().map(|p| p[0].as_str()).collect()
}

fn all_requests() -> Vec<CredentialRequest> {
    let mut all = Vec::new();
    for p in default_profiles().expect("valid") {
        for audience in [Audience::Hr, Audience::OccupationalHealth] {
            all.extend(requested_credentials(&p, audience).expect("valid profile"));
        }
    }
    all
}

#[test]
fn every_requested_vct_and_claim_exists_in_the_catalogue() {
    for r in all_requests() {
        let schema = schema(slug_of(&r.vct));
        let id = schema["$id"].as_str().expect("$id");
        assert_eq!(format!("{}/schema.json", r.vct), id);
        for path in &r.claims {
            assert_eq!(path.len(), 1);
            assert!(
                schema["properties"].get(&path[0]).is_some(),
                "{} has no {}",
                r.vct,
                path[0]
            );
            assert_ne!(path[0], "recordType");
        }
        for v in &r.values {
            assert!(
                r.claims.contains(&v.path),
                "values only for requested claims"
            );
        }
    }
}

#[test]
fn the_test_credentials_follow_the_catalogue_schemas() {
    let samples = [
        cstf("Fire Safety", "1", "Fire Safety", "2025-06-01"),
        dbs("2025-01-10"),
        oh("Fit", true),
        oh("Fit with adjustments", false),
        registration("General Medical Council", "7654321"),
        identity("M1B"),
        right_to_work("Home Office share code", Some("2026-12-31")),
        employment("Fixed term", "2025-08-06", Some("2026-08-04")),
        programme("2025-08-06", "2027-08-03"),
        tis_placement("FY2", "2026-08-05", "2027-02-02"),
    ];
    for p in samples {
        let schema = schema(slug_of(&p.vct));
        for name in p.claims.keys() {
            assert!(
                schema["properties"].get(name).is_some(),
                "{} has no {name}",
                p.vct
            );
        }
        for required in schema["required"].as_array().expect("required") {
            assert!(
                p.claims.contains_key(required.as_str().expect("name")),
                "{} lacks {required}",
                p.vct
            );
        }
    }
}

#[test]
fn ids_are_dcql_ids_unique_per_request_and_in_profile_order() {
    for p in default_profiles().expect("valid") {
        let hr = requested_credentials(&p, Audience::Hr).expect("valid");
        let ids: Vec<&str> = hr.iter().map(|r| r.id.as_str()).collect();
        let keys: Vec<String> = p.requirements.iter().map(|r| r.key()).collect();
        assert_eq!(ids, keys, "{}: one request per requirement, in order", p.id);
        for (i, id) in ids.iter().enumerate() {
            assert!(
                !id.is_empty()
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
                "{id}"
            );
            assert!(!ids[..i].contains(id), "{id} twice");
        }
    }
}

#[test]
fn hr_never_gets_oh_only_types_and_oh_gets_only_oh_types() {
    let oh_only = ["vaccination", "clinical-test", "observation"];
    for p in default_profiles().expect("valid") {
        let hr = requested_credentials(&p, Audience::Hr).expect("valid");
        assert!(
            hr.iter().all(|r| !oh_only.contains(&slug_of(&r.vct))),
            "{}",
            p.id
        );
        let oh = requested_credentials(&p, Audience::OccupationalHealth).expect("valid");
        let slugs: Vec<&str> = oh.iter().map(|r| slug_of(&r.vct)).collect();
        if p.requirements
            .contains(&crate::Requirement::OccupationalHealth {})
        {
            assert_eq!(
                slugs,
                [
                    "occupational-health-clearance",
                    "vaccination",
                    "clinical-test",
                    "observation"
                ]
            );
        } else {
            assert!(slugs.is_empty(), "{}", p.id);
        }
    }
}

#[test]
fn each_request_asks_only_for_the_claims_that_decide() {
    let nurse = requested_credentials(&profile("ward-nurse-band-5"), Audience::Hr).expect("valid");
    let get = |id: &str| {
        nurse
            .iter()
            .find(|r| r.id == id)
            .expect("requested")
            .clone()
    };
    let fire = get("cstf_fire_safety_l1");
    assert_eq!(
        claims(&fire),
        ["subjectName", "subjectLevel", "dateLastAwarded"]
    );
    assert_eq!(
        fire.vct,
        "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1"
    );
    assert!(fire.multiple);
    assert_eq!(
        serde_json::to_value(&fire.values).expect("json"),
        serde_json::json!([{"path": ["subjectName"], "values": ["Fire Safety"]}, {"path": ["subjectLevel"], "values": ["1"]}])
    );
    let resus = get("cstf_resuscitation_l2_adult");
    assert_eq!(
        claims(&resus),
        [
            "subjectName",
            "subjectLevel",
            "competencyName",
            "dateLastAwarded"
        ]
    );
    assert_eq!(resus.values[1].values, ["2", "3"]);
    // Not a doctor in training: whether information was disclosed cannot change the outcome.
    assert_eq!(
        claims(&get("dbs")),
        [
            "typeOfDbsCheck",
            "adultsBarredListChecked",
            "disclosureIssueDate",
            "certificateNumber"
        ]
    );
    // Not exposure-prone: EPP status is not asked.
    assert_eq!(
        claims(&get("occupational_health")),
        [
            "clearanceOutcome",
            "adjustmentsSummary",
            "roleRiskCategory",
            "assessmentDate"
        ]
    );
    assert_eq!(
        claims(&get("professional_registration")),
        ["professionalBody", "registrationNumber"]
    );
    assert!(!get("identity").multiple);
    // A doctor in training, exposure-prone: the DBS disclosure flag and EPP status are asked.
    let surgeon = requested_credentials(&profile("specialty-registrar-surgery"), Audience::Hr)
        .expect("valid");
    let get = |id: &str| {
        surgeon
            .iter()
            .find(|r| r.id == id)
            .expect("requested")
            .clone()
    };
    assert!(claims(&get("dbs")).contains(&"informationDisclosed"));
    assert!(claims(&get("dbs")).contains(&"childrensBarredListChecked"));
    assert!(claims(&get("occupational_health")).contains(&"eppCleared"));
    assert_eq!(
        claims(&get("training_placement")),
        ["grade", "startDate", "endDate"]
    );
    // Never names, pay or clinical detail beyond what decides.
    for r in all_requests() {
        for c in claims(&r) {
            assert!(
                ![
                    "applicantFirstName",
                    "applicantSurname",
                    "esrIdentifier",
                    "assignmentNumber",
                    "gmcNumber"
                ]
                .contains(&c),
                "{c}"
            );
        }
    }
}

#[test]
fn an_invalid_profile_gets_no_request() {
    let mut p = profile("ward-nurse-band-5");
    p.requirements.push(crate::Requirement::Identity {});
    assert!(requested_credentials(&p, Audience::Hr).is_err());
}
