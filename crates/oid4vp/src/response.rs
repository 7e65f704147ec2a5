//! The Authorization Response (OpenID4VP 1.0 section 8): the 1.0 payload `{"vp_token": {<id>:
//! [<presentation>, ...]}, "state": ...}` or an error (section 8.5), encrypted into a JWE
//! (section 8.3) and POSTed as `response=<JWE>` (section 8.3.1, Response Mode
//! `direct_post.jwt`), and the JSON the Response URI answers with (section 8.2).
use crate::dcql::VpToken;
use crate::error::sanitize_description;
use crate::jwe::{self, EncryptionKey};
use crate::request::ClientMetadata;
use crate::Oid4vpError;
use passport_jose::jws::parse_object;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A successful response (section 8.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationResponse {
    pub vp_token: VpToken,
    /// The request's `state`, unchanged (RFC 6749 section 4.1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// An error response (section 8.5, RFC 6749 section 4.1.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

impl ErrorResponse {
    /// The response for `error`: its code and its text, reduced to the characters RFC 6749
    /// allows. Section 15.9 asks that descriptions not reveal the End-User's data: every
    /// description here names a rule, never a claim value.
    pub fn from_error(error: &Oid4vpError, state: Option<&str>) -> Self {
        ErrorResponse {
            error: error.code().into(),
            error_description: Some(sanitize_description(&error.to_string())),
            state: state.map(str::to_string),
        }
    }
}

/// What an encrypted response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponsePayload {
    Success(AuthorizationResponse),
    Error(ErrorResponse),
}

impl From<AuthorizationResponse> for ResponsePayload {
    fn from(r: AuthorizationResponse) -> Self {
        ResponsePayload::Success(r)
    }
}

impl From<ErrorResponse> for ResponsePayload {
    fn from(r: ErrorResponse) -> Self {
        ResponsePayload::Error(r)
    }
}

impl ResponsePayload {
    pub fn state(&self) -> Option<&str> {
        match self {
            ResponsePayload::Success(r) => r.state.as_deref(),
            ResponsePayload::Error(r) => r.state.as_deref(),
        }
    }

    /// RFC 6749 section 4.1.2 and OpenID4VP 1.0 section 14.3.2: the `state` returned must be
    /// the `state` of the request this response answers.
    pub fn expect_state(&self, expected: &str) -> Result<(), Oid4vpError> {
        match self.state() {
            Some(s) if s == expected => Ok(()),
            _ => Err(Oid4vpError::StateMismatch),
        }
    }

    fn to_json(&self) -> Value {
        let value = match self {
            ResponsePayload::Success(r) => serde_json::to_value(r),
            ResponsePayload::Error(r) => serde_json::to_value(r),
        };
        // A derived Serialize of plain data into a Value cannot fail.
        value.unwrap_or(Value::Null)
    }
}

/// The Wallet's side (section 8.3): the payload as JSON, encrypted to the key and `enc` chosen
/// from the Verifier's `client_metadata` ([`ClientMetadata::encryption`]).
pub fn encrypt_response(
    payload: &ResponsePayload,
    metadata: &ClientMetadata,
) -> Result<String, Oid4vpError> {
    let (key, enc) = metadata.encryption()?;
    jwe::encrypt(payload.to_json().to_string().as_bytes(), key, enc)
}

/// The Verifier's side: decrypts with the request's key ([`jwe::decrypt`] lists what is
/// refused) and reads the payload. `vp_token` must be a JSON object of non-empty-string arrays
/// (the 1.0 shape: the draft string or array shapes are refused); a payload with `error` is an
/// error response. Duplicate members are refused; unknown members ignored (section 8.1).
pub fn decrypt_response(jwe: &str, key: &EncryptionKey) -> Result<ResponsePayload, Oid4vpError> {
    let plaintext = jwe::decrypt(jwe, key)?;
    let malformed = |why: String| Oid4vpError::MalformedResponse(why);
    let payload = parse_object(&plaintext, "response").map_err(|e| malformed(e.to_string()))?;
    read_payload(payload)
}

fn read_payload(payload: Map<String, Value>) -> Result<ResponsePayload, Oid4vpError> {
    let malformed = |why: String| Oid4vpError::MalformedResponse(why);
    let state = match payload.get("state") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(malformed("state is not a string".into())),
    };
    if payload.contains_key("error") {
        let error: ErrorResponse = serde_json::from_value(Value::Object(payload))
            .map_err(|e| malformed(format!("error response: {e}")))?;
        return Ok(ResponsePayload::Error(error));
    }
    let vp_token = match payload.get("vp_token") {
        Some(Value::Object(_)) => serde_json::from_value::<VpToken>(payload["vp_token"].clone())
            .map_err(|e| malformed(format!("vp_token: {e}")))?,
        Some(_) => return Err(malformed("vp_token must be a JSON object (1.0)".into())),
        None => return Err(malformed("no vp_token and no error".into())),
    };
    if vp_token.values().flatten().any(String::is_empty) {
        return Err(malformed("an empty Presentation".into()));
    }
    Ok(ResponsePayload::Success(AuthorizationResponse {
        vp_token,
        state,
    }))
}

/// What a Wallet POSTs to the Response URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseForm {
    /// `response=<JWE>` (section 8.3.1).
    Encrypted(String),
    /// An unencrypted error (section 8.3.1: a Wallet unable to encrypt MAY send an error as
    /// section 8.2 describes).
    Error(ErrorResponse),
}

/// The form body `response=<JWE>` (`application/x-www-form-urlencoded`, section 8.3.1).
pub fn response_form(jwe: &str) -> String {
    form(&[("response", jwe)])
}

/// The form body of an unencrypted error response (section 8.2).
pub fn error_form(error: &ErrorResponse) -> String {
    let mut pairs = vec![("error", error.error.as_str())];
    if let Some(d) = &error.error_description {
        pairs.push(("error_description", d));
    }
    if let Some(s) = &error.state {
        pairs.push(("state", s));
    }
    form(&pairs)
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Reads the body POSTed to the Response URI. Refused: a repeated parameter (RFC 6749 section
/// 3.1), `response` together with `error`, an unencrypted `vp_token` (this Verifier asks for
/// `direct_post.jwt`: HAIP 1.0 section 5.1), and a body with neither. Unknown parameters are
/// ignored.
pub fn parse_response_form(body: &[u8]) -> Result<ResponseForm, Oid4vpError> {
    let malformed = |why: &str| Oid4vpError::MalformedResponse(why.into());
    let mut params = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(malformed(&format!("parameter {name} is repeated")));
        }
    }
    if params.contains_key("vp_token") {
        return Err(malformed(
            "unencrypted vp_token refused: direct_post.jwt requires response",
        ));
    }
    match (params.remove("response"), params.remove("error")) {
        (Some(_), Some(_)) => Err(malformed("both response and error")),
        (Some(jwe), None) if !jwe.is_empty() => Ok(ResponseForm::Encrypted(jwe)),
        (None, Some(error)) if !error.is_empty() => Ok(ResponseForm::Error(ErrorResponse {
            error,
            error_description: params.remove("error_description"),
            state: params.remove("state"),
        })),
        _ => Err(malformed("neither response nor error")),
    }
}

/// The JSON object the Response URI answers a successful POST with (section 8.2). HAIP 1.0
/// section 5.1: in the same-device flow the Verifier MUST include `redirect_uri`, with a fresh
/// response code in it (section 14.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseEndpointReply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let body = response_form("eyJ.x.y.z.w");
        assert_eq!(body, "response=eyJ.x.y.z.w");
        assert_eq!(
            parse_response_form(body.as_bytes()),
            Ok(ResponseForm::Encrypted("eyJ.x.y.z.w".into()))
        );
        let error = ErrorResponse::from_error(
            &Oid4vpError::AccessDenied("declined \"now\"".into()),
            Some("st"),
        );
        assert_eq!(error.error, "access_denied");
        assert_eq!(
            error.error_description.as_deref(),
            Some("access denied: declined ?now?")
        );
        let body = error_form(&error);
        assert_eq!(
            parse_response_form(body.as_bytes()),
            Ok(ResponseForm::Error(error))
        );
        for bad in [
            "response=a&response=b",
            "response=a&error=access_denied",
            "vp_token=%7B%7D&state=s",
            "state=s",
            "response=",
        ] {
            assert!(
                matches!(
                    parse_response_form(bad.as_bytes()),
                    Err(Oid4vpError::MalformedResponse(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn payload_shapes() {
        let read = |v: Value| read_payload(v.as_object().expect("object").clone());
        let ok = read(serde_json::json!({"vp_token": {"a": ["p"]}, "state": "s", "x": 1}))
            .expect("the 1.0 shape");
        assert_eq!(ok.state(), Some("s"));
        assert_eq!(ok.expect_state("s"), Ok(()));
        assert_eq!(ok.expect_state("t"), Err(Oid4vpError::StateMismatch));
        assert!(matches!(
            read(serde_json::json!({"error": "access_denied", "state": "s"})),
            Ok(ResponsePayload::Error(_))
        ));
        for bad in [
            serde_json::json!({"vp_token": "eyJ..."}),
            serde_json::json!({"vp_token": {"a": "p"}}),
            serde_json::json!({"vp_token": {"a": [1]}}),
            serde_json::json!({"vp_token": {"a": [""]}}),
            serde_json::json!({"vp_token": {}, "state": 1}),
            serde_json::json!({"state": "s"}),
        ] {
            assert!(
                matches!(read(bad.clone()), Err(Oid4vpError::MalformedResponse(_))),
                "{bad}"
            );
        }
    }
}
