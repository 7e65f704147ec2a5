//! The Nonce, Credential and Notification Endpoints (OpenID4VCI 1.0 sections 7, 8 and 11): request
//! parsing with the error code each rule breaks, and the response shapes.
use crate::error::is_description_text;
use crate::Oid4vciError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A Nonce Response (section 7.2). Served with `Cache-Control: no-store`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceResponse {
    pub c_nonce: String,
}

/// Which Credential a Credential Request asks for: exactly one of the two (section 8.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestedCredential {
    /// `credential_identifier`, from the Token Response's `authorization_details`.
    Identifier(String),
    /// `credential_configuration_id`, when the Token Response named no identifiers.
    Configuration(String),
}

/// A Credential Request in the 1.0 shape (section 8.2): one Credential Dataset, and one or more
/// `jwt` key proofs, one per key the issued Credentials are to be bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRequest {
    pub credential: RequestedCredential,
    /// The compact JWTs of `proofs.jwt`, in order. Check each with [`crate::verify_proof`].
    pub proofs: Vec<String>,
}

impl CredentialRequest {
    /// A request by `credential_identifier` with `jwt` proofs.
    pub fn by_identifier(identifier: &str, proofs: Vec<String>) -> Self {
        CredentialRequest {
            credential: RequestedCredential::Identifier(identifier.into()),
            proofs,
        }
    }

    /// A request by `credential_configuration_id` with `jwt` proofs.
    pub fn by_configuration(configuration_id: &str, proofs: Vec<String>) -> Self {
        CredentialRequest {
            credential: RequestedCredential::Configuration(configuration_id.into()),
            proofs,
        }
    }

    /// The JSON body.
    pub fn to_json(&self) -> Value {
        let (name, value) = match &self.credential {
            RequestedCredential::Identifier(id) => ("credential_identifier", id),
            RequestedCredential::Configuration(id) => ("credential_configuration_id", id),
        };
        json!({ name: value, "proofs": { "jwt": self.proofs } })
    }

    /// Parses an `application/json` Credential Request and checks its shape; at most
    /// `batch_size` proofs. Errors (section 8.3.1.2):
    /// - not a JSON object, a repeated member, both or neither of `credential_identifier` and
    ///   `credential_configuration_id`, or more proofs than `batch_size`:
    ///   `invalid_credential_request`;
    /// - `proofs` missing (including a request with only the single `proof` of drafts before
    ///   1.0), not one proof type, a type other than `jwt`, or an empty or non-string list:
    ///   `invalid_proof`;
    /// - `credential_response_encryption` (this issuer does not encrypt):
    ///   `invalid_encryption_parameters`.
    ///
    /// Other members are ignored, as the section requires.
    pub fn parse(body: &[u8], batch_size: usize) -> Result<Self, Oid4vciError> {
        let bad = |s: String| Oid4vciError::InvalidCredentialRequest(s);
        let value = passport_jose::strict_json::from_slice(body)
            .map_err(|e| bad(format!("body is not valid JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(bad("body is not a JSON object".into()));
        };
        if map.contains_key("credential_response_encryption") {
            return Err(Oid4vciError::InvalidEncryptionParameters(
                "this issuer does not encrypt Credential Responses: omit credential_response_encryption".into(),
            ));
        }
        let identifier = string_member(&map, "credential_identifier")?;
        let configuration = string_member(&map, "credential_configuration_id")?;
        let credential = match (identifier, configuration) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "credential_identifier and credential_configuration_id must not both be present"
                        .into(),
                ))
            }
            (Some(id), None) => RequestedCredential::Identifier(id),
            (None, Some(id)) => RequestedCredential::Configuration(id),
            (None, None) if map.contains_key("format") => {
                return Err(bad(
                    "format-based requests (drafts before 14) are not supported: send credential_identifier or credential_configuration_id".into(),
                ))
            }
            (None, None) => {
                return Err(bad(
                    "credential_identifier or credential_configuration_id is required".into(),
                ))
            }
        };
        let proofs = jwt_proofs(&map)?;
        if proofs.len() > batch_size {
            return Err(bad(format!(
                "{} proofs sent; batch_size is {batch_size}",
                proofs.len()
            )));
        }
        Ok(CredentialRequest { credential, proofs })
    }
}

fn string_member(map: &Map<String, Value>, name: &str) -> Result<Option<String>, Oid4vciError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(Oid4vciError::InvalidCredentialRequest(format!(
            "{name} must be a non-empty string"
        ))),
    }
}

fn jwt_proofs(map: &Map<String, Value>) -> Result<Vec<String>, Oid4vciError> {
    let bad = |s: &str| Oid4vciError::InvalidProof(s.into());
    let proofs = match map.get("proofs") {
        Some(p) => p,
        None if map.contains_key("proof") => {
            return Err(bad(
                "the single proof parameter of drafts before 1.0 is not supported: send proofs: {jwt: [<key proof JWT>]} (OpenID4VCI 1.0 section 8.2)",
            ))
        }
        None => return Err(bad("proofs is missing: a jwt key proof is required")),
    };
    let Some(proofs) = proofs.as_object() else {
        return Err(bad("proofs must be an object"));
    };
    let mut types = proofs.iter();
    let (Some((proof_type, list)), None) = (types.next(), types.next()) else {
        return Err(bad("proofs must contain exactly one proof type"));
    };
    if proof_type != "jwt" {
        return Err(Oid4vciError::InvalidProof(format!(
            "proof type {proof_type} is not supported (only jwt)"
        )));
    }
    let Some(list) = list.as_array().filter(|l| !l.is_empty()) else {
        return Err(bad("proofs.jwt must be a non-empty array"));
    };
    list.iter()
        .map(|p| match p {
            Value::String(s) if !s.is_empty() => Ok(s.clone()),
            _ => Err(bad("each proofs.jwt entry must be a compact JWT string")),
        })
        .collect()
}

/// One element of `credentials` (section 8.3): for `dc+sd-jwt`, the SD-JWT VC as a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCredential {
    pub credential: Value,
}

/// A Credential Response (section 8.3). Immediate issuance fills `credentials` (and
/// `notification_id`); deferred issuance (not used by the passport) fills `transaction_id` and
/// `interval`. Unknown members are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CredentialResponse {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<IssuedCredential>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<String>,
}

impl CredentialResponse {
    /// An immediate response carrying `credentials` (compact SD-JWT VCs).
    pub fn issued(credentials: Vec<String>, notification_id: Option<String>) -> Self {
        CredentialResponse {
            credentials: credentials
                .into_iter()
                .map(|c| IssuedCredential {
                    credential: Value::String(c),
                })
                .collect(),
            notification_id,
            ..Default::default()
        }
    }
}

/// The `event` of a Notification Request (section 11.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationEvent {
    /// The Credentials were stored in the wallet.
    CredentialAccepted,
    /// Issuance failed for a reason other than the user's action.
    CredentialFailure,
    /// The user's action made issuance fail (e.g. they declined or deleted the Credentials).
    CredentialDeleted,
}

impl NotificationEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CredentialAccepted => "credential_accepted",
            Self::CredentialFailure => "credential_failure",
            Self::CredentialDeleted => "credential_deleted",
        }
    }
}

/// A Notification Request (section 11.1). Answered with 204 No Content; idempotent per
/// `notification_id` and event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRequest {
    pub notification_id: String,
    pub event: NotificationEvent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_description: Option<String>,
}

impl NotificationRequest {
    /// Parses an `application/json` Notification Request. Anything malformed (not JSON, a
    /// repeated member, no `notification_id`, an unknown `event`, an `event_description` outside
    /// `%x20-21 / %x23-5B / %x5D-7E`) is `invalid_notification_request`; whether the
    /// `notification_id` is known is the server's check (`invalid_notification_id`).
    pub fn parse(body: &[u8]) -> Result<Self, Oid4vciError> {
        let bad = |s: String| Oid4vciError::InvalidNotificationRequest(s);
        let value = passport_jose::strict_json::from_slice(body)
            .map_err(|e| bad(format!("body is not valid JSON: {e}")))?;
        let request: NotificationRequest =
            serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        if request.notification_id.is_empty() {
            return Err(bad("notification_id is empty".into()));
        }
        if let Some(d) = &request.event_description {
            if !is_description_text(d) {
                return Err(bad(
                    "event_description has characters outside %x20-21 / %x23-5B / %x5D-7E".into(),
                ));
            }
        }
        Ok(request)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn code(body: &str) -> &'static str {
        CredentialRequest::parse(body.as_bytes(), 3)
            .unwrap_err()
            .code()
    }

    #[test]
    fn credential_request_round_trip() {
        let req = CredentialRequest::by_identifier("cred-1", vec!["a.b.c".into()]);
        let text = req.to_json().to_string();
        assert_eq!(
            text,
            r#"{"credential_identifier":"cred-1","proofs":{"jwt":["a.b.c"]}}"#
        );
        assert_eq!(CredentialRequest::parse(text.as_bytes(), 3).unwrap(), req);
        let req = CredentialRequest::by_configuration("CoreSkillsTraining", vec!["a.b.c".into()]);
        assert_eq!(
            CredentialRequest::parse(req.to_json().to_string().as_bytes(), 1).unwrap(),
            req
        );
    }

    #[test]
    fn credential_request_errors() {
        let p = r#""proofs":{"jwt":["a.b.c"]}"#;
        assert_eq!(code("[]"), "invalid_credential_request");
        assert_eq!(code("{"), "invalid_credential_request");
        assert_eq!(code(&format!("{{{p}}}")), "invalid_credential_request");
        assert_eq!(
            code(&format!(
                r#"{{"credential_identifier":"a","credential_configuration_id":"b",{p}}}"#
            )),
            "invalid_credential_request"
        );
        assert_eq!(
            code(&format!(
                r#"{{"credential_identifier":"a","credential_identifier":"a",{p}}}"#
            )),
            "invalid_credential_request"
        );
        assert_eq!(
            code(&format!(r#"{{"credential_identifier":7,{p}}}"#)),
            "invalid_credential_request"
        );
        let e = CredentialRequest::parse(
            format!(r#"{{"format":"dc+sd-jwt","vct":"x",{p}}}"#).as_bytes(),
            3,
        )
        .unwrap_err();
        assert!(e.description().contains("format-based"), "{e}");
        let old = CredentialRequest::parse(
            br#"{"credential_identifier":"a","proof":{"proof_type":"jwt","jwt":"a.b.c"}}"#,
            3,
        )
        .unwrap_err();
        assert_eq!(old.code(), "invalid_proof");
        assert!(old.description().contains("single proof"), "{old}");
        assert_eq!(code(r#"{"credential_identifier":"a"}"#), "invalid_proof");
        assert_eq!(
            code(r#"{"credential_identifier":"a","proofs":[]}"#),
            "invalid_proof"
        );
        assert_eq!(
            code(r#"{"credential_identifier":"a","proofs":{}}"#),
            "invalid_proof"
        );
        assert_eq!(
            code(r#"{"credential_identifier":"a","proofs":{"jwt":["x"],"attestation":["y"]}}"#),
            "invalid_proof"
        );
        assert_eq!(
            code(r#"{"credential_identifier":"a","proofs":{"di_vp":[{}]}}"#),
            "invalid_proof"
        );
        assert_eq!(
            code(r#"{"credential_identifier":"a","proofs":{"jwt":[]}}"#),
            "invalid_proof"
        );
        assert_eq!(
            code(r#"{"credential_identifier":"a","proofs":{"jwt":[1]}}"#),
            "invalid_proof"
        );
        assert_eq!(
            code(r#"{"credential_identifier":"a","proofs":{"jwt":["1","2","3","4"]}}"#),
            "invalid_credential_request"
        );
        assert_eq!(
            code(&format!(
                r#"{{"credential_identifier":"a",{p},"credential_response_encryption":{{}}}}"#
            )),
            "invalid_encryption_parameters"
        );
    }

    #[test]
    fn credential_response_shape() {
        let r = CredentialResponse::issued(vec!["x~".into()], Some("n1".into()));
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"credentials":[{"credential":"x~"}],"notification_id":"n1"})
        );
    }

    #[test]
    fn notification_request_rules() {
        let ok = NotificationRequest::parse(
            br#"{"notification_id":"3fwe98js","event":"credential_deleted","extra":1}"#,
        )
        .unwrap();
        assert_eq!(ok.event, NotificationEvent::CredentialDeleted);
        for bad in [
            r#"{"event":"credential_accepted"}"#,
            r#"{"notification_id":"a"}"#,
            r#"{"notification_id":"a","event":"credential_stored"}"#,
            r#"{"notification_id":"a","event":"credential_accepted","event_description":"say \"hi\""}"#,
            r#"{"notification_id":"a","notification_id":"b","event":"credential_accepted"}"#,
            r#"{"notification_id":"","event":"credential_accepted"}"#,
        ] {
            assert_eq!(
                NotificationRequest::parse(bad.as_bytes())
                    .unwrap_err()
                    .code(),
                "invalid_notification_request",
                "{bad}"
            );
        }
    }
}
