//! SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc, section "SD-JWT VC Type Metadata").
//!
//! Built from the JSON Schema, so labels and descriptions have one source: each schema
//! property's `title` becomes the claim's display `label`, its `description` the claim's
//! display `description`.

use serde_json::{json, Map, Value};

use crate::CredentialType;

/// Language tag (RFC 5646) of every display entry: British English.
pub const LOCALE: &str = "en-GB";

/// NHS blue and white, for wallets that use the `simple` rendering method.
const BACKGROUND_COLOR: &str = "#005EB8";
const TEXT_COLOR: &str = "#FFFFFF";

pub(crate) fn type_metadata(credential: &CredentialType) -> Value {
    let schema = &credential.schema;
    let developer_description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or(credential.description);
    let mut claims = Vec::new();
    claim_metadata(credential, schema, &[], true, &mut claims);
    json!({
        "vct": credential.vct,
        "name": credential.display_name,
        "description": developer_description,
        "display": [{
            "locale": LOCALE,
            "name": credential.display_name,
            "description": credential.description,
            "rendering": {
                "simple": {
                    "background_color": BACKGROUND_COLOR,
                    "text_color": TEXT_COLOR,
                }
            }
        }],
        "claims": claims,
    })
}

/// One claim metadata object per property of `object_schema`, depth first.
/// `parent_mandatory` is false under an optional object, whose children then cannot be
/// mandatory either.
fn claim_metadata(
    credential: &CredentialType,
    object_schema: &Value,
    parent: &[&str],
    parent_mandatory: bool,
    out: &mut Vec<Value>,
) {
    let Some(properties) = object_schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = object_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, property) in properties {
        let mut path: Vec<&str> = parent.to_vec();
        path.push(name);
        let mandatory = parent_mandatory && required.contains(&name.as_str());
        let mut entry = Map::new();
        entry.insert("path".into(), json!(path));
        entry.insert("display".into(), json!([display(name, property)]));
        if mandatory {
            entry.insert("mandatory".into(), Value::Bool(true));
        }
        entry.insert("sd".into(), Value::from(sd(credential, &path)));
        out.push(Value::Object(entry));
        if property.get("type").and_then(Value::as_str) == Some("object") {
            claim_metadata(credential, property, &path, mandatory, out);
        }
    }
}

/// `never` for claims that stay disclosed (the record type), `always` for every other
/// top-level claim: the issuer makes each one its own Disclosure. Nested claims are
/// `allowed`: the draft counts a claim as selectively disclosable only when it has its own
/// Disclosure, and an issuer may disclose a small object (e.g. `assessedBy`) as a whole.
fn sd(credential: &CredentialType, path: &[&str]) -> &'static str {
    match path {
        [name] if credential.always_disclosed.contains(name) => "never",
        [_] => "always",
        _ => "allowed",
    }
}

fn display(name: &str, property: &Value) -> Value {
    let label = property
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or(name);
    let mut entry = Map::new();
    entry.insert("locale".into(), Value::from(LOCALE));
    entry.insert("label".into(), Value::from(label));
    if let Some(description) = property.get("description").and_then(Value::as_str) {
        // Schema descriptions mark code with backticks; end users see plain text.
        entry.insert(
            "description".into(),
            Value::from(description.replace('`', "")),
        );
    }
    Value::Object(entry)
}
