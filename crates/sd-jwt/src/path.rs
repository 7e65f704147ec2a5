//! Claim paths, in the form DCQL (OpenID4VP section 7) and SD-JWT VC type metadata use:
//! a JSON array of object keys (strings), array indices (numbers) and `null` for "every element".
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    Key(String),
    Index(usize),
    /// `null`: every element of an array.
    AllElements,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ClaimPath(pub Vec<PathSegment>);

impl ClaimPath {
    /// A path of object keys, e.g. `ClaimPath::keys(&["address", "locality"])`.
    pub fn keys(keys: &[&str]) -> Self {
        ClaimPath(keys.iter().map(|k| PathSegment::Key((*k).into())).collect())
    }

    /// Parses the JSON array form; anything else is `None`.
    pub fn from_json(value: &Value) -> Option<Self> {
        let items = value.as_array()?;
        if items.is_empty() {
            return None;
        }
        items
            .iter()
            .map(|v| match v {
                Value::String(s) => Some(PathSegment::Key(s.clone())),
                Value::Number(n) => n.as_u64().map(|i| PathSegment::Index(i as usize)),
                Value::Null => Some(PathSegment::AllElements),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(ClaimPath)
    }

    pub fn to_json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|s| match s {
                    PathSegment::Key(k) => Value::String(k.clone()),
                    PathSegment::Index(i) => Value::from(*i),
                    PathSegment::AllElements => Value::Null,
                })
                .collect(),
        )
    }

    pub fn child(&self, segment: PathSegment) -> Self {
        let mut p = self.clone();
        p.0.push(segment);
        p
    }

    /// Whether `self` (a pattern, possibly with `null`) covers the concrete path `other` or an
    /// ancestor of it: selecting `["address"]` reveals everything beneath the address.
    pub fn covers(&self, concrete: &ClaimPath) -> bool {
        self.0.len() <= concrete.0.len()
            && self
                .0
                .iter()
                .zip(&concrete.0)
                .all(|(p, c)| segment_matches(p, c))
    }

    /// `covers` on a bare segment slice (the issuer walks with a path stack).
    pub fn covers_segments(&self, concrete: &[PathSegment]) -> bool {
        Self::prefix_matches(&self.0, concrete)
    }

    /// Whether `pattern`'s first `concrete.len()` segments match `concrete`.
    pub fn prefix_matches(pattern: &[PathSegment], concrete: &[PathSegment]) -> bool {
        pattern.len() >= concrete.len()
            && pattern
                .iter()
                .zip(concrete)
                .all(|(p, c)| segment_matches(p, c))
    }

    /// Whether the concrete path `self` is a strict ancestor of something `pattern` selects, i.e.
    /// its disclosure must come along so that the selected claim can be reached.
    pub fn is_ancestor_of_pattern(&self, pattern: &ClaimPath) -> bool {
        self.0.len() < pattern.0.len()
            && pattern
                .0
                .iter()
                .zip(&self.0)
                .all(|(p, c)| segment_matches(p, c))
    }
}

fn segment_matches(pattern: &PathSegment, concrete: &PathSegment) -> bool {
    match (pattern, concrete) {
        (PathSegment::AllElements, PathSegment::Index(_)) => true,
        (a, b) => a == b,
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_cover_ancestor() {
        let p = ClaimPath::from_json(&json!(["nationalities", null])).unwrap();
        let c = ClaimPath::from_json(&json!(["nationalities", 1])).unwrap();
        assert!(p.covers(&c));
        assert!(ClaimPath::keys(&["nationalities"]).is_ancestor_of_pattern(&p));
        assert!(!c.is_ancestor_of_pattern(&p));
        assert!(ClaimPath::from_json(&json!([])).is_none());
        assert!(ClaimPath::from_json(&json!([true])).is_none());
        assert_eq!(p.to_string(), r#"["nationalities",null]"#);
    }
}
