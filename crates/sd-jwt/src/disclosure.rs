//! Disclosures (RFC 9901 section 4.2): `base64url(JSON [salt, name, value])` for an object property,
//! `base64url(JSON [salt, value])` for an array element.
use crate::SdJwtError;
use passport_jose::b64;
use passport_jose::strict_json::Reader;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// The base64url text exactly as issued; the digest is over this text.
    pub encoded: String,
    /// `Some(name)` for an object property, `None` for an array element.
    pub name: Option<String>,
    pub value: Value,
    pub digest: Digest,
}

/// `base64url(SHA-256(text))`, 43 ASCII characters, kept inline rather than on the heap.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest([u8; DIGEST_LEN]);

pub const DIGEST_LEN: usize = 43;

impl Digest {
    pub fn of(text: &[u8]) -> Self {
        let hash = crate::sha256(text);
        let mut out = [0u8; DIGEST_LEN];
        b64::encode_into(&hash, &mut out);
        Digest(out)
    }

    pub fn as_str(&self) -> &str {
        // Base64url output is ASCII; the fallback is unreachable.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub fn as_bytes(&self) -> &[u8; DIGEST_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Digest {
    fn eq(&self, other: &str) -> bool {
        self.0.as_slice() == other.as_bytes()
    }
}

impl PartialEq<&str> for Digest {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_slice() == other.as_bytes()
    }
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

/// Disclosures decoded on the stack when they are at most this long (almost all are).
const STACK_DECODE: usize = 512;

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
                    Some(n) => Value::Array(vec![salt.into(), n.clone().into(), value.clone()]),
                    None => Value::Array(vec![salt.into(), value.clone()]),
                };
                crate::pyjson::to_string(&array)
                    .map_err(|e| SdJwtError::Issuance(e.to_string()))?
                    .into_bytes()
            }
        };
        let encoded = b64::encode(json);
        let digest = Digest::of(encoded.as_bytes());
        Ok(Disclosure {
            encoded,
            name,
            value,
            digest,
        })
    }

    /// Decodes a received disclosure, checking its shape (RFC 9901 section 7.1 step 3): a JSON
    /// array of a string salt, a string claim name (for an object property) and a value, with no
    /// duplicate member names anywhere in the value.
    pub fn parse(encoded: &str) -> Result<Self, SdJwtError> {
        let (name, value) = decode(encoded)?;
        Ok(Disclosure {
            encoded: encoded.to_string(),
            name,
            value,
            digest: Digest::of(encoded.as_bytes()),
        })
    }

    /// The salt, decoded again from the disclosure text (nothing on the hot path needs it).
    pub fn salt(&self) -> Result<String, SdJwtError> {
        let bytes = b64::decode(&self.encoded)
            .map_err(|e| SdJwtError::DisclosureMalformed(e.to_string()))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Array(items)) => match items.into_iter().next() {
                Some(Value::String(salt)) => Ok(salt),
                _ => Err(SdJwtError::DisclosureMalformed(
                    "salt is not a string".into(),
                )),
            },
            _ => Err(SdJwtError::DisclosureMalformed("not a JSON array".into())),
        }
    }
}

/// The name (if any) and value of a received disclosure's text: [`Disclosure::parse`] without
/// the digest or a copy of the text.
pub(crate) fn decode(encoded: &str) -> Result<(Option<String>, Value), SdJwtError> {
    let malformed = |e: String| SdJwtError::DisclosureMalformed(e);
    let mut stack = [0u8; STACK_DECODE];
    let heap;
    let bytes: &[u8] = if b64::decoded_len(encoded) <= STACK_DECODE {
        b64::decode_into(encoded, &mut stack).map_err(|e| malformed(e.to_string()))?
    } else {
        heap = b64::decode(encoded).map_err(|e| malformed(e.to_string()))?;
        &heap
    };
    let (name, value) = parts(bytes).map_err(malformed)?;
    if let Some(name) = &name {
        if name == "_sd" || name == "..." {
            return Err(SdJwtError::ReservedClaimName(name.clone()));
        }
    }
    Ok((name, value))
}

/// The name (if any) and value of a disclosure array `[salt, name, value]` or `[salt, value]`,
/// read without building the array or keeping the salt. Duplicate member names anywhere in the
/// value are refused.
fn parts(bytes: &[u8]) -> Result<(Option<String>, Value), String> {
    let count = |n: usize| format!("array has {n} elements (expected 2 or 3)");
    let mut items = Reader::new(bytes);
    items.begin_array()?;
    if !items.next_item(true)? {
        return Err(count(0));
    }
    items
        .str()
        .map_err(|e| format!("the salt is not a string: {e}"))?;
    if !items.next_item(false)? {
        return Err(count(1));
    }
    let second = items.value()?;
    if !items.next_item(false)? {
        items.finish()?;
        return Ok((None, second));
    }
    let third = items.value()?;
    if items.next_item(false)? {
        return Err("array has more than 3 elements (expected 2 or 3)".into());
    }
    items.finish()?;
    match second {
        Value::String(name) => Ok((Some(name), third)),
        _ => Err("claim name is not a string".into()),
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
