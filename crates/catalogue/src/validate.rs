//! Turning JSON Schema failures into one readable line per violation.

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::{Map, Value};

/// Claims that SD-JWT VC and its companions put in the payload beside the record's own
/// claims. [`crate::CredentialType::validate`] sets them aside before checking the schema,
/// so a verified, processed payload can be checked as it is.
pub const REGISTERED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "nbf",
    "exp",
    "iat",
    "jti",
    "cnf",
    "vct",
    "vct#integrity",
    "aka_vcts",
    "status",
];

/// Checks `claims` against `validator`; returns every violation, each with its JSON Pointer.
/// Messages never repeat the offending value.
pub(crate) fn violations(validator: &Validator, vct: &str, claims: &Value) -> Vec<String> {
    // Fast path for issuance: a bare record that is valid costs one pass and no copy.
    if let Value::Object(map) = claims {
        let bare = !map.keys().any(|k| REGISTERED_CLAIMS.contains(&k.as_str()));
        if bare && validator.is_valid(claims) {
            return Vec::new();
        }
    }
    let mut errors = Vec::new();
    let record = match claims {
        Value::Object(map) => {
            if let Some(found) = map.get("vct") {
                if found.as_str() != Some(vct) {
                    errors.push(format!("/vct: {found} is not the type's vct \"{vct}\""));
                }
            }
            Value::Object(without_registered(map))
        }
        other => other.clone(),
    };
    for error in validator.iter_errors(&record) {
        describe(&error, &mut errors);
    }
    errors
}

fn without_registered(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(key, _)| !REGISTERED_CLAIMS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Escapes one JSON Pointer reference token (RFC 6901 section 3).
fn token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn describe(error: &ValidationError<'_>, out: &mut Vec<String>) {
    let at = error.instance_path().as_str();
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            out.push(format!("{at}/{}: required claim is missing", token(&name)));
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                out.push(format!(
                    "{at}/{}: claim is not allowed in this credential type",
                    token(name)
                ));
            }
        }
        _ => {
            let at = if at.is_empty() { "(root)" } else { at };
            // Masked: claim values are personal data and errors end up in logs.
            out.push(format!("{at}: {}", error.masked_with("the value")));
        }
    }
}
