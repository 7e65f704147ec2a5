//! Records from the national Digital Staff Passport (DSP) API, turned into claims.
//!
//! The DSP API's own examples drift from its schema: booleans sent as strings (`"true"`),
//! `registrationNumber` as a number, enum values in another case (`"Not Detected"`).
//! Credential claims stay strictly typed, so a DSP record is normalised first, guided by
//! the catalogue schema, then validated.

use serde_json::{Map, Value};

use crate::{Catalogue, CatalogueError, CredentialType};

/// DSP fields that never go into a credential: document images and photographs.
const DROPPED_FIELDS: &[&str] = &["biometricPageImage", "photograph"];

/// DSP record types deliberately left out of the catalogue.
const NOT_CREDENTIALS: &[(&str, &str)] = &[(
    "DBSCheckSupportingInformation",
    "identity evidence for a DBS application (address, passport and driving licence \
     numbers): it goes to the DBS registered body, not into a credential",
)];

/// Normalises a DSP `AddEmployeeRecord` body into valid claims of its credential type.
///
/// - string booleans `"true"`/`"false"` become booleans, numbers become strings where the
///   schema wants a string, and enum values are matched without regard to case;
/// - `biometricPageImage` and `photograph` are dropped;
/// - a DSP `RightToWork` record is always an identity service provider check, so it gets
///   `rightToWorkCheckType` "IDSP British/Irish passport" and `dateOfRightToWorkCheck` =
///   `dateOfIdCheck` when it lacks them.
///
/// Anything else that breaks the schema (unknown fields included) is an error.
pub fn normalise_dsp_record<'c>(
    catalogue: &'c Catalogue,
    record: &Value,
) -> Result<(&'c CredentialType, Value), CatalogueError> {
    let record_type = record
        .get("recordType")
        .and_then(Value::as_str)
        .ok_or_else(|| CatalogueError::UnknownType("record without recordType".to_owned()))?;
    if let Some((name, why)) = NOT_CREDENTIALS.iter().find(|(n, _)| *n == record_type) {
        return Err(CatalogueError::UnknownType(format!("{name}: {why}")));
    }
    let credential = catalogue
        .by_name(record_type)
        .filter(|t| !t.self_declared)
        .ok_or_else(|| CatalogueError::UnknownType(record_type.to_owned()))?;
    let Value::Object(fields) = record else {
        return Err(CatalogueError::UnknownType(record_type.to_owned()));
    };
    let properties = credential
        .schema
        .get("properties")
        .and_then(Value::as_object);
    let mut claims = Map::new();
    for (name, value) in fields {
        if DROPPED_FIELDS.contains(&name.as_str()) {
            continue;
        }
        let property = properties.and_then(|p| p.get(name));
        claims.insert(name.clone(), coerce(value, property));
    }
    if credential.name == "RightToWork" {
        claims
            .entry("rightToWorkCheckType")
            .or_insert_with(|| Value::from("IDSP British/Irish passport"));
        if let Some(date) = claims.get("dateOfIdCheck").cloned() {
            claims.entry("dateOfRightToWorkCheck").or_insert(date);
        }
    }
    let claims = Value::Object(claims);
    credential.validate(&claims)?;
    Ok((credential, claims))
}

/// Brings one DSP value to the type its schema property asks for, where that is lossless.
fn coerce(value: &Value, property: Option<&Value>) -> Value {
    let Some(property) = property else {
        return value.clone();
    };
    let wanted = property.get("type").and_then(Value::as_str);
    match (wanted, value) {
        (Some("boolean"), Value::String(text)) => match text.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => value.clone(),
        },
        (Some("string"), Value::Number(number)) => Value::String(number.to_string()),
        (Some("string"), Value::String(text)) => property
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|options| {
                options
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|option| option.eq_ignore_ascii_case(text))
            })
            .map_or_else(|| value.clone(), Value::from),
        _ => value.clone(),
    }
}
