//! The Digital Credentials Query Language (OpenID4VP 1.0 section 6) and claims path pointers
//! (section 7), as far as SD-JWT VC (`dc+sd-jwt`, appendix B.3) needs them.
//!
//! - [`DcqlQuery::parse`] reads a query (duplicate JSON members refused; unknown members
//!   ignored, as section 6 requires);
//! - [`DcqlQuery::validate`] enforces the rules of sections 6 and 7, one error per rule, and the
//!   profile's `dc+sd-jwt` only;
//! - [`select`] is the Wallet's side (section 6.4): which held Credentials match, which claims
//!   to disclose, which Credential Queries to answer;
//! - [`check_response`] and [`check_presentation`] are the Verifier's (sections 8.1 and 8.6).
use crate::Oid4vpError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

mod check;
mod path;
mod select;
mod validate;

pub use check::{check_presentation, check_response, VpToken};
pub use path::{process_path, SelectedClaim};
pub use select::{select, CredentialMatch, QueryCandidates, Selection, SetOutcome};

/// The Credential Format Identifier of IETF SD-JWT VC (appendix B.3.1), the only one here.
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";

/// A DCQL query (section 6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DcqlQuery {
    /// REQUIRED, non-empty: the Credential Queries.
    pub credentials: Vec<CredentialQuery>,
    /// OPTIONAL, non-empty: constraints on which of `credentials` to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_sets: Option<Vec<CredentialSetQuery>>,
}

/// A Credential Query (section 6.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialQuery {
    /// REQUIRED: alphanumerics, `_` and `-`; unique in the request; the key in `vp_token`.
    pub id: String,
    /// REQUIRED: the Credential Format Identifier (`dc+sd-jwt` here).
    pub format: String,
    /// OPTIONAL, default false: whether more than one Credential may be returned.
    #[serde(default, skip_serializing_if = "is_false")]
    pub multiple: bool,
    /// REQUIRED: format-specific metadata constraints (appendix B.3.5 for SD-JWT VC).
    pub meta: Meta,
    /// OPTIONAL (section 6.1.1): authorities that certify acceptable Issuers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_authorities: Option<Vec<TrustedAuthoritiesQuery>>,
    /// OPTIONAL, default true: whether a proof of Cryptographic Holder Binding (a KB-JWT for
    /// SD-JWT VC, appendix B.3) is required.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub require_cryptographic_holder_binding: bool,
    /// OPTIONAL, non-empty: the claims requested (section 6.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<ClaimsQuery>>,
    /// OPTIONAL, non-empty: alternative combinations of claim ids, most preferred first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_sets: Option<Vec<Vec<String>>>,
}

/// The `meta` object of a Credential Query. For `dc+sd-jwt`, `vct_values` (appendix B.3.5);
/// members of other formats (e.g. mdoc `doctype_value`) are kept as they came.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// REQUIRED for `dc+sd-jwt`, non-empty: the accepted `vct` values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vct_values: Option<Vec<String>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A Trusted Authorities Query (section 6.1.1), e.g. `{"type": "aki", "values": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustedAuthoritiesQuery {
    #[serde(rename = "type")]
    pub type_: String,
    pub values: Vec<String>,
}

/// A Claims Query (section 6.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsQuery {
    /// REQUIRED when the Credential Query has `claim_sets`, OPTIONAL otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// REQUIRED, non-empty: a claims path pointer (section 7).
    pub path: Vec<PathElement>,
    /// OPTIONAL, non-empty: expected values (strings, integers or booleans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

/// A Credential Set Query (section 6.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialSetQuery {
    /// REQUIRED: non-empty list of options, each a non-empty list of Credential Query ids.
    pub options: Vec<Vec<String>>,
    /// OPTIONAL, default true: whether this set must be satisfied.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required: bool,
}

/// One component of a claims path pointer (section 7): an object key (string), an array index
/// (non-negative integer) or every element of an array (`null`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathElement {
    Key(String),
    Index(u64),
    All,
}

impl PathElement {
    pub fn to_json(&self) -> Value {
        match self {
            PathElement::Key(k) => Value::String(k.clone()),
            PathElement::Index(i) => Value::from(*i),
            PathElement::All => Value::Null,
        }
    }
}

impl Serialize for PathElement {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for PathElement {
    /// Section 7: "a non-empty array of strings, nulls and non-negative integers"; anything
    /// else (negative or fractional numbers, booleans, objects) is an error.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(PathElement::Key(s)),
            Value::Null => Ok(PathElement::All),
            Value::Number(n) => n.as_u64().map(PathElement::Index).ok_or_else(|| {
                serde::de::Error::custom("a claims path index must be a non-negative integer")
            }),
            _ => Err(serde::de::Error::custom(
                "a claims path element must be a string, a non-negative integer or null",
            )),
        }
    }
}

/// A whole claims path pointer as JSON (`["address", "locality"]`).
pub fn path_to_json(path: &[PathElement]) -> Value {
    Value::Array(path.iter().map(PathElement::to_json).collect())
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl DcqlQuery {
    /// Parses a DCQL query from JSON text. Duplicate member names are refused anywhere (as for
    /// every JOSE object here); unknown members are ignored (section 6). Does not validate: call
    /// [`DcqlQuery::validate`].
    pub fn parse(json: &[u8]) -> Result<Self, Oid4vpError> {
        let value =
            passport_jose::strict_json::from_slice(json).map_err(Oid4vpError::MalformedDcql)?;
        Self::from_value(value)
    }

    /// Reads a DCQL query from an already parsed JSON value.
    pub fn from_value(value: Value) -> Result<Self, Oid4vpError> {
        serde_json::from_value(value).map_err(|e| Oid4vpError::MalformedDcql(e.to_string()))
    }

    pub fn to_json(&self) -> Value {
        // A derived Serialize of plain data into a Value cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The Credential Query with this `id`.
    pub fn credential(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials.iter().find(|c| c.id == id)
    }
}

/// The characters section 6.1 and 6.3 allow in an `id`: alphanumerics, `_`, `-`; non-empty.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_and_path_elements() {
        let q = DcqlQuery::parse(
            br#"{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]},
                "claims":[{"path":["x",0,null]}],"unknown":1}],"future":true}"#,
        )
        .expect("a valid query parses");
        let c = &q.credentials[0];
        assert!(!c.multiple);
        assert!(c.require_cryptographic_holder_binding);
        let path = &c
            .claims
            .as_ref()
            .expect("claims")
            .first()
            .expect("one")
            .path;
        assert_eq!(
            path,
            &[
                PathElement::Key("x".into()),
                PathElement::Index(0),
                PathElement::All
            ]
        );
        assert_eq!(path_to_json(path), json!(["x", 0, null]));
        for bad in [
            r#"{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"path":[-1]}]}]}"#,
            r#"{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"path":[1.5]}]}]}"#,
            r#"{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"path":[true]}]}]}"#,
            r#"{"credentials":[{"id":"a","format":"f"}]}"#,
            r#"{"credentials":[{"id":"a","id":"b","format":"f","meta":{}}]}"#,
        ] {
            assert!(
                matches!(
                    DcqlQuery::parse(bad.as_bytes()),
                    Err(Oid4vpError::MalformedDcql(_))
                ),
                "{bad}"
            );
        }
        assert!(is_valid_id("pid_reduced-cred_1"));
        assert!(!is_valid_id("") && !is_valid_id("a b") && !is_valid_id("é"));
    }
}
