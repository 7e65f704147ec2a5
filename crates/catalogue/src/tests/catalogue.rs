//! Tests: the catalogue itself.

use std::collections::HashSet;

use serde_json::json;

use super::*;

#[test]
fn every_schema_compiles_and_meets_the_2020_12_meta_schema() {
    let catalogue = Catalogue::build().unwrap();
    assert_eq!(catalogue.iter().count(), 15);
    for t in catalogue.iter() {
        assert_eq!(
            t.schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{}",
            t.name
        );
        jsonschema::meta::validate(&t.schema)
            .unwrap_or_else(|e| panic!("{} schema breaks the meta-schema: {e}", t.name));
    }
}

#[test]
fn nhs_catalogue_is_built_once() {
    assert!(std::ptr::eq(Catalogue::nhs(), Catalogue::nhs()));
}

#[test]
fn vct_values_and_names_are_unique_and_well_formed() {
    let mut vcts = HashSet::new();
    let mut names = HashSet::new();
    for t in nhs().iter() {
        assert!(vcts.insert(t.vct.clone()), "duplicate vct {}", t.vct);
        assert!(names.insert(t.name), "duplicate name {}", t.name);
        assert_eq!(t.vct, format!("{VCT_BASE}{}/v1", kebab(t.name)));
        assert_eq!(t.schema["$id"], format!("{}/schema.json", t.vct));
        assert_eq!(t.schema["title"], t.display_name, "{}", t.name);
        assert_eq!(nhs().by_vct(&t.vct).unwrap().name, t.name);
        assert_eq!(nhs().by_name(t.name).unwrap().vct, t.vct);
    }
    assert_eq!(
        of("CoreSkillsTraining").vct,
        "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1"
    );
    assert_eq!(
        of("DBSCheckOutcome").vct,
        "https://w3id.org/nhs-staff-passport/vct/dbs-check-outcome/v1"
    );
    assert!(nhs().by_vct("https://example.com/nope").is_none());
    assert!(nhs().by_name("DBSCheckSupportingInformation").is_none());
}

#[test]
fn record_type_is_a_required_always_disclosed_const() {
    for t in nhs().iter() {
        assert_eq!(t.schema["properties"]["recordType"]["const"], t.name);
        assert!(t.schema["required"]
            .as_array()
            .unwrap()
            .contains(&json!("recordType")));
        assert_eq!(t.always_disclosed, vec!["recordType"]);
        assert_eq!(t.json_schema(), &t.schema);
    }
}

#[test]
fn every_object_is_closed_and_every_claim_is_labelled() {
    for t in nhs().iter() {
        assert_eq!(t.schema["additionalProperties"], false, "{}", t.name);
        for (path, property, _) in schema_claims(&t.schema) {
            let title = property["title"].as_str().unwrap_or("");
            assert!(!title.is_empty(), "{} {path:?} has no title", t.name);
            assert!(
                property["description"].is_string(),
                "{} {path:?} has no description",
                t.name
            );
            if property["type"] == "object" {
                assert_eq!(
                    property["additionalProperties"], false,
                    "{} {path:?}",
                    t.name
                );
            }
            if property["format"] == "date" {
                assert_eq!(
                    property["pattern"], r"^\d{4}-\d{2}-\d{2}$",
                    "{} {path:?}",
                    t.name
                );
            }
        }
    }
}

#[test]
fn dates_are_full_dates_except_dsp_screening_partial_dates() {
    for t in nhs().iter() {
        for (path, property, _) in schema_claims(&t.schema) {
            let name = path.last().unwrap().to_lowercase();
            if name.contains("date") && !name.contains("update") {
                match t.name {
                    "Vaccination" | "ClinicalTest" => {
                        assert_eq!(property["pattern"], r"^\d{4}(-\d{2}(-\d{2})?)?$");
                        assert!(property.get("format").is_none());
                    }
                    _ => assert_eq!(property["format"], "date", "{} {path:?}", t.name),
                }
            }
        }
    }
}

#[test]
fn only_screening_records_are_occupational_health_only() {
    let oh: Vec<&str> = nhs()
        .for_audience(Audience::OccupationalHealth)
        .map(|t| t.name)
        .collect();
    assert_eq!(oh, ["Vaccination", "ClinicalTest", "Observation"]);
    assert!(of("Vaccination").is_occupational_health_only());
    assert_eq!(of("OccupationalHealthClearance").audience, Audience::Hr);
    assert_eq!(Audience::OccupationalHealth.as_str(), "occupational-health");
}

#[test]
fn lifetimes_are_chosen_per_type() {
    assert_eq!(of("Identity").validity_days, None);
    assert_eq!(of("CoreSkillsTraining").validity_days, None);
    assert_eq!(of("DBSCheckOutcome").validity_days, Some(1095));
    assert_eq!(of("ProfessionalRegistration").validity_days, Some(365));
}

#[test]
fn employment_and_identity_hold_no_pay_and_no_images() {
    for (name, banned) in [
        ("Employment", ["pay", "salary", "wage"]),
        ("Identity", ["image", "photo", "biometric"]),
        ("RightToWork", ["image", "photo", "biometric"]),
    ] {
        for (path, _, _) in schema_claims(&of(name).schema) {
            let claim = path.join(".").to_lowercase();
            assert!(
                banned.iter().all(|b| !claim.contains(b)),
                "{name} has {claim}"
            );
        }
    }
}

#[test]
fn self_declared_details_is_the_one_self_declared_type() {
    let t = nhs().self_declared().unwrap();
    assert_eq!(t.name, "SelfDeclaredDetails");
    assert_eq!(
        t.vct,
        "https://w3id.org/nhs-staff-passport/vct/self-declared-details/v1"
    );
    assert!(nhs().is_self_declared(&t.vct));
    assert_eq!(nhs().iter().filter(|t| t.self_declared).count(), 1);
    assert!(!nhs().is_self_declared(&of("Identity").vct));
    // Only recordType is required: every detail is optional.
    assert_eq!(t.schema["required"], json!(["recordType"]));
    // An organisation's import can never carry it.
    let err = normalise_dsp_record(
        nhs(),
        &json!({"recordType": "SelfDeclaredDetails", "preferredName": "Amy"}),
    )
    .unwrap_err();
    assert!(matches!(err, CatalogueError::UnknownType(_)), "{err:?}");
}

#[test]
fn self_declared_details_accepts_good_claims_and_refuses_bad_ones() {
    let t = of("SelfDeclaredDetails");
    let full = json!({
        "recordType": "SelfDeclaredDetails",
        "preferredName": "Amy",
        "email": "amara@example.org",
        "phone": "+44 7700 900123",
        "address": {"lines": ["1 Long Lane", "Leeds"], "postcode": "LS1 4AP"},
        "emergencyContacts": [{"name": "Chidi Okafor", "relationship": "Brother", "phone": "07700 900456"}],
        "nationalInsuranceNumber": "AB123456C"
    });
    t.validate(&full).unwrap();
    t.validate(&json!({"recordType": "SelfDeclaredDetails"}))
        .unwrap();
    t.validate(&json!({"recordType": "SelfDeclaredDetails", "preferredName": "Amy"}))
        .unwrap();
    let with = |name: &str, value: serde_json::Value| {
        let mut c = full.clone();
        c[name] = value;
        c
    };
    let base = "SelfDeclaredDetails";
    for bad in [
        "QQ12345C",
        "qq123456c",
        "QQ123456E",
        "GB123456A",
        "DA123456A",
        "QQ 12 34 56 C",
    ] {
        assert_error_at(
            base,
            &with("nationalInsuranceNumber", json!(bad)),
            "/nationalInsuranceNumber",
            "",
        );
    }
    assert_error_at(base, &with("email", json!("not an email")), "/email", "");
    assert_error_at(base, &with("phone", json!("call me")), "/phone", "");
    assert_error_at(
        base,
        &with("preferredName", json!("")),
        "/preferredName",
        "",
    );
    assert_error_at(
        base,
        &with(
            "address",
            json!({"lines": ["1 Long Lane"], "country": "UK"}),
        ),
        "/address/country",
        "not allowed",
    );
    assert_error_at(
        base,
        &with("address", json!({"postcode": "LS1 4AP"})),
        "/address/lines",
        "required",
    );
    assert_error_at(
        base,
        &with(
            "emergencyContacts",
            json!([{"name": "Chidi", "phone": "07700 900456"}]),
        ),
        "/emergencyContacts/0/relationship",
        "required",
    );
    assert_error_at(
        base,
        &with("emergencyContacts", json!([])),
        "/emergencyContacts",
        "",
    );
    assert_error_at(base, &with("salary", json!(1)), "/salary", "not allowed");
    assert_error_at(
        base,
        &with("recordType", json!("Identity")),
        "/recordType",
        "",
    );
}
