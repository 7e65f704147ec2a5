//! Record claims for people: each claim under its schema title, in schema order, dates
//! written out, nested objects and lists kept readable.
use super::html::{claim_date, html_escape};
use passport_catalogue::CredentialType;
use serde_json::{Map, Value};

/// `(label, value HTML)` rows of a record's claims, `recordType` left out. Claims the schema
/// does not name (there should be none: schemas forbid them) come last under their own name.
pub fn claim_rows(ty: &CredentialType, claims: &Value) -> Vec<(String, String)> {
    let empty = Map::new();
    let props = ty
        .schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    object_rows(props, claims.as_object().unwrap_or(&empty))
}

fn object_rows(props: &Map<String, Value>, claims: &Map<String, Value>) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for (name, prop) in props {
        if name == "recordType" {
            continue;
        }
        if let Some(value) = claims.get(name) {
            rows.push((title(name, prop), value_html(prop, value)));
        }
    }
    for (name, value) in claims {
        if name != "recordType" && !props.contains_key(name) {
            rows.push((name.clone(), value_html(&Value::Null, value)));
        }
    }
    rows
}

fn title(name: &str, prop: &Value) -> String {
    prop.get("title")
        .and_then(Value::as_str)
        .map_or_else(|| name.to_string(), str::to_string)
}

fn is_date(prop: &Value) -> bool {
    prop.get("format").and_then(Value::as_str) == Some("date")
        || prop
            .get("pattern")
            .and_then(Value::as_str)
            .is_some_and(|p| p.starts_with("^\\d{4}"))
}

fn value_html(prop: &Value, value: &Value) -> String {
    match value {
        Value::String(s) if is_date(prop) => html_escape(&claim_date(s)),
        Value::String(s) => html_escape(s),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::Number(n) => html_escape(&n.to_string()),
        Value::Null => String::new(),
        Value::Array(items) => {
            let item_prop = prop.get("items").unwrap_or(&Value::Null);
            let mut out = String::from(r#"<ul class="nhsuk-list">"#);
            for item in items {
                out.push_str("<li>");
                out.push_str(&value_html(item_prop, item));
                out.push_str("</li>");
            }
            out.push_str("</ul>");
            out
        }
        Value::Object(map) => {
            let empty = Map::new();
            let props = prop
                .get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            object_rows(props, map)
                .into_iter()
                .map(|(k, v)| format!("{}: {v}", html_escape(&k)))
                .collect::<Vec<_>>()
                .join("<br>")
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use passport_catalogue::Catalogue;
    use serde_json::json;

    #[test]
    fn claims_read_with_schema_titles_and_dates() {
        let ty = Catalogue::nhs().by_name("Vaccination").unwrap();
        let rows = claim_rows(
            ty,
            &json!({"recordType": "Vaccination", "code": "<b>X</b>", "description": "Hepatitis B", "date": "2024-03-05"}),
        );
        assert_eq!(
            rows,
            vec![
                ("Code".to_string(), "&lt;b&gt;X&lt;/b&gt;".to_string()),
                ("Vaccination".to_string(), "Hepatitis B".to_string()),
                ("Date".to_string(), "5 March 2024".to_string()),
            ]
        );
    }

    #[test]
    fn unknown_claims_still_show_escaped() {
        let ty = Catalogue::nhs().by_name("Employment").unwrap();
        let rows = claim_rows(ty, &json!({"jobRole": "Nurse", "x<y": [1, {"a": true}]}));
        assert_eq!(rows[0], ("Job role".to_string(), "Nurse".to_string()));
        assert_eq!(rows[1].0, "x<y");
        assert!(rows[1].1.contains("<li>1</li>") && rows[1].1.contains("a: Yes"));
    }
}
