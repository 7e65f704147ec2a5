//! `application/x-www-form-urlencoded` (the Token Request body, the query of an offer link),
//! strict about repetition: RFC 6749 section 3.1 says parameters MUST NOT be included more than
//! once, so a repeated name is an error rather than first-wins or last-wins.
use std::collections::BTreeMap;

/// A form body or query that breaks the rules above.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("parameter {0} is repeated")]
    Repeated(String),
}

/// Decodes `name=value&...` (percent-decoding, `+` as space) into a map; a repeated name is an
/// error. Empty pairs (`a=1&&b=2`) are skipped.
pub fn parse(text: &[u8]) -> Result<BTreeMap<String, String>, FormError> {
    let mut out = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(text) {
        let name = name.into_owned();
        if out.contains_key(&name) {
            return Err(FormError::Repeated(name));
        }
        out.insert(name, value.into_owned());
    }
    Ok(out)
}

/// Percent-encodes one value for a query or form body.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Encodes `pairs` as a form body.
pub fn serialize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_encode() {
        let m = parse(b"a=1&b=x%20y+z&&c=").unwrap();
        assert_eq!(m["a"], "1");
        assert_eq!(m["b"], "x y z");
        assert_eq!(m["c"], "");
        assert_eq!(parse(b"a=1&a=1"), Err(FormError::Repeated("a".into())));
        assert_eq!(
            encode("https://x/y?z=1&w"),
            "https%3A%2F%2Fx%2Fy%3Fz%3D1%26w"
        );
        assert_eq!(serialize([("a", "1 2"), ("b", "&")]), "a=1+2&b=%26");
    }
}
