//! Disclosures (RFC 9901 section 4.2): `base64url(JSON [salt, name, value])` for an object property,
//! `base64url(JSON [salt, value])` for an array element.
use crate::{sha256_b64, SdJwtError};
use passport_jose::b64;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// The base64url text exactly as issued; the digest is over this text.
    pub encoded: String,
    pub salt: String,
    /// `Some(name)` for an object property, `None` for an array element.
    pub name: Option<String>,
    pub value: Value,
    pub digest: String,
}

/// Layout of the disclosure JSON text. Verifiers accept any layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// No whitespace (serde_json's compact form): what the passport issues.
    #[default]
    Compact,
    /// Python's `json.dumps` layout, as in the specifications' examples.
    Python,
}

impl Disclosure {
    /// Makes a disclosure for an object property (`name` given) or an array element.
    pub fn new(
        salt: String,
        name: Option<String>,
        value: Value,
        layout: Layout,
    ) -> Result<Self, SdJwtError> {
        let json = match layout {
            Layout::Compact => {
                // Written directly rather than through a temporary JSON array: issuing is hot.
                let mut out = Vec::with_capacity(64 + salt.len());
                out.push(b'[');
                let err = |e: serde_json::Error| SdJwtError::Issuance(e.to_string());
                serde_json::to_writer(&mut out, &salt).map_err(err)?;
                if let Some(n) = &name {
                    out.push(b',');
                    serde_json::to_writer(&mut out, n).map_err(err)?;
                }
                out.push(b',');
                serde_json::to_writer(&mut out, &value).map_err(err)?;
                out.push(b']');
                out
            }
            Layout::Python => {
                let array = match &name {
                    Some(n) => {
                        Value::Array(vec![salt.clone().into(), n.clone().into(), value.clone()])
                    }
                    None => Value::Array(vec![salt.clone().into(), value.clone()]),
                };
                crate::pyjson::to_string(&array)
                    .map_err(|e| SdJwtError::Issuance(e.to_string()))?
                    .into_bytes()
            }
        };
        let encoded = b64::encode(json);
        let digest = sha256_b64(&encoded);
        Ok(Disclosure {
            encoded,
            salt,
            name,
            value,
            digest,
        })
    }

    /// Decodes a received disclosure, checking its shape (RFC 9901 section 7.1 step 3).
    pub fn parse(encoded: &str) -> Result<Self, SdJwtError> {
        let bytes =
            b64::decode(encoded).map_err(|e| SdJwtError::DisclosureMalformed(e.to_string()))?;
        let value = passport_jose::strict_json::from_slice(&bytes)
            .map_err(|e| SdJwtError::DisclosureMalformed(format!("not JSON: {e}")))?;
        let Value::Array(mut items) = value else {
            return Err(SdJwtError::DisclosureMalformed("not a JSON array".into()));
        };
        let (salt, name, value) = match items.len() {
            3 => {
                let value = items.pop().unwrap_or(Value::Null);
                let name = match items.pop() {
                    Some(Value::String(n)) => n,
                    _ => {
                        return Err(SdJwtError::DisclosureMalformed(
                            "claim name is not a string".into(),
                        ))
                    }
                };
                if name == "_sd" || name == "..." {
                    return Err(SdJwtError::ReservedClaimName(name));
                }
                (items.pop(), Some(name), value)
            }
            2 => {
                let value = items.pop().unwrap_or(Value::Null);
                (items.pop(), None, value)
            }
            n => {
                return Err(SdJwtError::DisclosureMalformed(format!(
                    "array has {n} elements (expected 2 or 3)"
                )))
            }
        };
        let Some(Value::String(salt)) = salt else {
            return Err(SdJwtError::DisclosureMalformed(
                "salt is not a string".into(),
            ));
        };
        Ok(Disclosure {
            encoded: encoded.to_string(),
            salt,
            name,
            value,
            digest: sha256_b64(encoded),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 9901 section 4.2.1 (and 4.2.3): the given_name disclosure and its digest.
    #[test]
    fn rfc9901_given_name_example() {
        let d = Disclosure::new(
            "_26bc4LT-ac6q2KI6cBW5es".into(),
            Some("family_name".into()),
            json!("Möbius"),
            Layout::Python,
        )
        .unwrap();
        assert_eq!(
            d.encoded,
            "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNXHUwMGY2Yml1cyJd"
        );
        let parsed = Disclosure::parse(&d.encoded).unwrap();
        assert_eq!(parsed, d);
    }

    #[test]
    fn shape_errors() {
        let enc = |v: Value| b64::encode(v.to_string());
        assert!(matches!(
            Disclosure::parse(&enc(json!(["s"]))),
            Err(SdJwtError::DisclosureMalformed(_))
        ));
        assert!(matches!(
            Disclosure::parse(&enc(json!(["s", 1, 2]))),
            Err(SdJwtError::DisclosureMalformed(_))
        ));
        assert!(matches!(
            Disclosure::parse(&enc(json!([1, "n", 2]))),
            Err(SdJwtError::DisclosureMalformed(_))
        ));
        assert!(matches!(
            Disclosure::parse(&enc(json!({"a": 1}))),
            Err(SdJwtError::DisclosureMalformed(_))
        ));
        assert!(matches!(
            Disclosure::parse(&enc(json!(["s", "_sd", 1]))),
            Err(SdJwtError::ReservedClaimName(_))
        ));
        assert!(matches!(
            Disclosure::parse(&enc(json!(["s", "...", 1]))),
            Err(SdJwtError::ReservedClaimName(_))
        ));
        assert!(matches!(
            Disclosure::parse("!!"),
            Err(SdJwtError::DisclosureMalformed(_))
        ));
    }
}
