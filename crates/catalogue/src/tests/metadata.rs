//! Tests: Type Metadata.

use serde_json::{json, Value};

use super::*;

#[test]
fn type_metadata_follows_the_draft() {
    for t in nhs().iter() {
        let metadata = t.type_metadata();
        assert_eq!(metadata["vct"], t.vct);
        assert_eq!(metadata["name"], t.display_name);
        assert!(metadata["description"].is_string());
        assert!(metadata.get("schema").is_none() && metadata.get("schema_uri").is_none());
        let display = metadata["display"].as_array().unwrap();
        assert_eq!(display.len(), 1);
        assert_eq!(display[0]["locale"], "en-GB");
        assert!(display[0].get("lang").is_none());
        assert_eq!(display[0]["name"], t.display_name);
        assert_eq!(display[0]["description"], t.description);
        assert!(display[0]["rendering"]["simple"]["background_color"].is_string());
        for claim in metadata["claims"].as_array().unwrap() {
            let path = claim["path"].as_array().unwrap();
            assert!(!path.is_empty() && path.iter().all(Value::is_string));
            let label = &claim["display"][0];
            assert_eq!(label["locale"], "en-GB");
            assert!(!label["label"].as_str().unwrap().is_empty());
            assert!(!label["description"].as_str().unwrap().contains('`'));
            assert!(matches!(
                claim["sd"].as_str(),
                Some("always" | "allowed" | "never")
            ));
        }
    }
}

#[test]
fn type_metadata_covers_every_schema_claim() {
    for t in nhs().iter() {
        let metadata = t.type_metadata();
        let claims = metadata["claims"].as_array().unwrap();
        let expected = schema_claims(&t.schema);
        assert_eq!(claims.len(), expected.len(), "{}", t.name);
        for (path, property, mandatory) in expected {
            let claim = claims
                .iter()
                .find(|c| c["path"] == json!(path))
                .unwrap_or_else(|| panic!("{} has no claim metadata for {path:?}", t.name));
            assert_eq!(claim["display"][0]["label"], property["title"]);
            assert_eq!(
                claim.get("mandatory") == Some(&json!(true)),
                mandatory,
                "{} {path:?}",
                t.name
            );
            let sd = match path.len() {
                1 if path[0] == "recordType" => "never",
                1 => "always",
                _ => "allowed",
            };
            assert_eq!(claim["sd"], sd, "{} {path:?}", t.name);
        }
    }
}

#[test]
fn claim_labels_are_human_readable() {
    let metadata = of("CoreSkillsTraining").type_metadata();
    let label = |name: &str| {
        metadata["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == json!([name]))
            .map(|c| c["display"][0]["label"].clone())
            .unwrap()
    };
    assert_eq!(label("dateLastAwarded"), "Date last awarded");
    assert_eq!(label("recordType"), "Record type");
    let dbs = of("DBSCheckOutcome").type_metadata();
    assert!(dbs["claims"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["display"][0]["label"] == "Type of DBS check"));
    let skill = of("Skill").type_metadata();
    assert!(skill["claims"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["path"] == json!(["assessedBy", "name"])
            && c["display"][0]["label"] == "Assessor name"
            && c["mandatory"] == true));
}
