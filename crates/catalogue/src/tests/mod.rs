//! Unit tests of the whole catalogue: schemas, DSP examples, rejections, Type Metadata.
#![allow(clippy::unwrap_used)]

mod catalogue;
mod dsp;
mod metadata;
mod records;
mod rejections;

use serde_json::Value;

use crate::*;

use dsp::DSP_EXAMPLES;
use records::{employment, oh_clearance, placement, right_to_work_share_code, skill};
use rejections::{cstf, dbs};

pub(super) fn nhs() -> &'static Catalogue {
    Catalogue::nhs()
}

pub(super) fn of(name: &str) -> &'static CredentialType {
    nhs().by_name(name).unwrap()
}

pub(super) fn errors(name: &str, claims: &Value) -> Vec<String> {
    match of(name).validate(claims) {
        Err(CatalogueError::InvalidClaims { errors, .. }) => errors,
        other => panic!("expected invalid claims for {name}, got {other:?}"),
    }
}

pub(super) fn assert_error_at(name: &str, claims: &Value, pointer: &str, words: &str) {
    let errors = errors(name, claims);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(&format!("{pointer}: ")) && e.contains(words)),
        "no error at {pointer} mentioning {words:?} in {errors:?}"
    );
}

pub(super) fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_uppercase()
            && (!chars[i - 1].is_uppercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push('-');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Every (path, property schema, required) in a schema, depth first.
pub(super) fn schema_claims(schema: &Value) -> Vec<(Vec<String>, Value, bool)> {
    fn walk(
        schema: &Value,
        parent: &[String],
        mandatory: bool,
        out: &mut Vec<(Vec<String>, Value, bool)>,
    ) {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = schema["properties"].as_object() {
            for (name, property) in properties {
                let mut path = parent.to_vec();
                path.push(name.clone());
                let is_mandatory = mandatory && required.contains(&name.as_str());
                out.push((path.clone(), property.clone(), is_mandatory));
                walk(property, &path, is_mandatory, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(schema, &[], true, &mut out);
    out
}
