//! Claims path pointer processing for JSON-based Credentials (OpenID4VP 1.0 section 7.1.1),
//! keeping the concrete path of every selected element so that a Wallet discloses exactly those.
use super::PathElement;
use serde_json::{Map, Value};

/// One element selected by a claims path pointer: its concrete path (no `null`s) and value.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedClaim<'a> {
    pub path: Vec<PathElement>,
    pub value: &'a Value,
}

/// Applies `path` to the processed claims of a Credential, as section 7.1.1 says:
///
/// 1. start with the root object;
/// 2. left to right: a string selects that key of every selected element (an element that is not
///    an object is an error; one without the key drops out); `null` selects every element of
///    every selected array (a non-array is an error); an index selects that element of every
///    selected array (a non-array is an error; an array without the index drops out);
/// 3. an empty selection is an error.
///
/// Returns `None` for every error: the claim is then treated as absent from the Credential.
pub fn process_path<'a>(
    claims: &'a Map<String, Value>,
    path: &[PathElement],
) -> Option<Vec<SelectedClaim<'a>>> {
    let (first, rest) = path.split_first()?;
    // Step 1 and the first component: the root is an object, so only a key applies to it.
    let PathElement::Key(key) = first else {
        return None;
    };
    let mut selected: Vec<SelectedClaim<'a>> = match claims.get(key) {
        Some(value) => vec![SelectedClaim {
            path: vec![first.clone()],
            value,
        }],
        None => Vec::new(),
    };
    for component in rest {
        let mut next = Vec::new();
        for item in selected {
            match (component, item.value) {
                (PathElement::Key(k), Value::Object(map)) => {
                    if let Some(value) = map.get(k) {
                        next.push(child(&item.path, component.clone(), value));
                    }
                }
                (PathElement::All, Value::Array(items)) => {
                    for (i, value) in items.iter().enumerate() {
                        next.push(child(&item.path, PathElement::Index(i as u64), value));
                    }
                }
                (PathElement::Index(i), Value::Array(items)) => {
                    let found = usize::try_from(*i).ok().and_then(|i| items.get(i));
                    if let Some(value) = found {
                        next.push(child(&item.path, component.clone(), value));
                    }
                }
                // Steps 2.1-2.3: the selected element has the wrong type: abort with an error.
                _ => return None,
            }
        }
        selected = next;
    }
    // Step 3: nothing selected is an error.
    (!selected.is_empty()).then_some(selected)
}

fn child<'a>(
    parent: &[PathElement],
    component: PathElement,
    value: &'a Value,
) -> SelectedClaim<'a> {
    let mut path = parent.to_vec();
    path.push(component);
    SelectedClaim { path, value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dcql::PathElement::{All, Index, Key};
    use serde_json::json;

    /// The claims path pointer example of section 7.3, with its selections.
    #[test]
    fn section_7_3_example() {
        let credential = json!({
            "name": "Arthur Dent",
            "address": {"street_address": "42 Market Street", "locality": "Milliways", "postal_code": "12345"},
            "degrees": [
                {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
                {"type": "Master of Science", "university": "University of Betelgeuse"}
            ],
            "nationalities": ["British", "Betelgeusian"]
        });
        let claims = credential.as_object().expect("object");
        let get = |p: Vec<PathElement>| {
            process_path(claims, &p).map(|s| {
                s.into_iter()
                    .map(|c| (c.path, c.value.clone()))
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            get(vec![Key("name".into())]),
            Some(vec![(vec![Key("name".into())], json!("Arthur Dent"))])
        );
        assert_eq!(
            get(vec![Key("address".into())]).expect("address")[0].1,
            credential["address"]
        );
        assert_eq!(
            get(vec![Key("address".into()), Key("street_address".into())]).expect("street")[0].1,
            json!("42 Market Street")
        );
        assert_eq!(
            get(vec![Key("degrees".into()), All, Key("type".into())]),
            Some(vec![
                (
                    vec![Key("degrees".into()), Index(0), Key("type".into())],
                    json!("Bachelor of Science")
                ),
                (
                    vec![Key("degrees".into()), Index(1), Key("type".into())],
                    json!("Master of Science")
                ),
            ])
        );
        assert_eq!(
            get(vec![Key("nationalities".into()), Index(1)]),
            Some(vec![(
                vec![Key("nationalities".into()), Index(1)],
                json!("Betelgeusian")
            )])
        );
        // Errors: missing key, index past the end, wrong types, null on the root.
        assert_eq!(get(vec![Key("age".into())]), None);
        assert_eq!(get(vec![Key("nationalities".into()), Index(2)]), None);
        assert_eq!(get(vec![Key("name".into()), Key("x".into())]), None);
        assert_eq!(get(vec![Key("address".into()), All]), None);
        assert_eq!(get(vec![Key("address".into()), Index(0)]), None);
        assert_eq!(get(vec![All]), None);
        assert_eq!(get(vec![]), None);
    }
}
