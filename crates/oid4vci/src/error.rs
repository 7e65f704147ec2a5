//! The one error type of the protocol layer. Each variant is one error code of OpenID4VCI 1.0 or
//! of the OAuth specifications it builds on, so the server maps an error to its response in one
//! place: [`Oid4vciError::code`], [`Oid4vciError::http_status`], [`Oid4vciError::to_json`].
use serde_json::{json, Value};
use thiserror::Error;

/// A protocol error, carrying a human-readable description for `error_description`.
///
/// Descriptions never echo secrets (codes, tokens, nonces) back to the caller.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Oid4vciError {
    /// RFC 6749 section 5.2: a request parameter is missing, repeated, malformed or unexpected
    /// (OpenID4VCI 1.0 section 6.3: a Transaction Code sent but not expected, or expected but
    /// not sent).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// RFC 6749 section 5.2: the Pre-Authorized Code is wrong, expired or used, or the
    /// Transaction Code is wrong (OpenID4VCI 1.0 section 6.3).
    #[error("invalid grant: {0}")]
    InvalidGrant(String),
    /// RFC 6749 section 5.2: client authentication failed or is required.
    #[error("invalid client: {0}")]
    InvalidClient(String),
    /// RFC 6749 section 5.2: a grant type this server does not support.
    #[error("unsupported grant type: {0}")]
    UnsupportedGrantType(String),
    /// RFC 6750 section 3.1: the access token is missing, expired, revoked or malformed.
    #[error("invalid access token: {0}")]
    InvalidToken(String),
    /// OpenID4VCI 1.0 section 8.3.1.2: the Credential Request is malformed.
    #[error("invalid credential request: {0}")]
    InvalidCredentialRequest(String),
    /// OpenID4VCI 1.0 section 8.3.1.2: the requested Credential Configuration is unknown.
    #[error("unknown credential configuration: {0}")]
    UnknownCredentialConfiguration(String),
    /// OpenID4VCI 1.0 section 8.3.1.2: the requested Credential identifier is unknown.
    #[error("unknown credential identifier: {0}")]
    UnknownCredentialIdentifier(String),
    /// OpenID4VCI 1.0 section 8.3.1.2: `proofs` is missing or a key proof is invalid.
    #[error("invalid proof: {0}")]
    InvalidProof(String),
    /// OpenID4VCI 1.0 section 8.3.1.2: a key proof carries a `c_nonce` the issuer did not issue,
    /// or one already used or expired. The wallet should fetch a fresh one and retry.
    #[error("invalid nonce: {0}")]
    InvalidNonce(String),
    /// OpenID4VCI 1.0 section 8.3.1.2: encryption parameters invalid, or sent to an issuer that
    /// does not encrypt (this one).
    #[error("invalid encryption parameters: {0}")]
    InvalidEncryptionParameters(String),
    /// OpenID4VCI 1.0 section 8.3.1.2: the issuer will not issue this Credential.
    #[error("credential request denied: {0}")]
    CredentialRequestDenied(String),
    /// OpenID4VCI 1.0 section 11.3: the `notification_id` is unknown.
    #[error("invalid notification id: {0}")]
    InvalidNotificationId(String),
    /// OpenID4VCI 1.0 section 11.3: the Notification Request is malformed.
    #[error("invalid notification request: {0}")]
    InvalidNotificationRequest(String),
    /// A Credential Offer (OpenID4VCI 1.0 section 4.1) that a wallet cannot use. Never sent by a
    /// server; reported with the generic code `invalid_request`.
    #[error("invalid credential offer: {0}")]
    InvalidOffer(String),
}

impl Oid4vciError {
    /// The `error` code of the response body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) | Self::InvalidOffer(_) => "invalid_request",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::InvalidClient(_) => "invalid_client",
            Self::UnsupportedGrantType(_) => "unsupported_grant_type",
            Self::InvalidToken(_) => "invalid_token",
            Self::InvalidCredentialRequest(_) => "invalid_credential_request",
            Self::UnknownCredentialConfiguration(_) => "unknown_credential_configuration",
            Self::UnknownCredentialIdentifier(_) => "unknown_credential_identifier",
            Self::InvalidProof(_) => "invalid_proof",
            Self::InvalidNonce(_) => "invalid_nonce",
            Self::InvalidEncryptionParameters(_) => "invalid_encryption_parameters",
            Self::CredentialRequestDenied(_) => "credential_request_denied",
            Self::InvalidNotificationId(_) => "invalid_notification_id",
            Self::InvalidNotificationRequest(_) => "invalid_notification_request",
        }
    }

    /// The HTTP status the specifications give this error: 401 for `invalid_token` (RFC 6750
    /// section 3.1) and `invalid_client` (RFC 6749 section 5.2, where the client tried to
    /// authenticate), 400 for every other token, credential and notification error (RFC 6749
    /// section 5.2; OpenID4VCI 1.0 sections 6.3, 8.3.1.2 and 11.3).
    pub fn http_status(&self) -> u16 {
        match self {
            Self::InvalidToken(_) | Self::InvalidClient(_) => 401,
            _ => 400,
        }
    }

    /// The description alone, without the code.
    pub fn description(&self) -> &str {
        match self {
            Self::InvalidRequest(d)
            | Self::InvalidGrant(d)
            | Self::InvalidClient(d)
            | Self::UnsupportedGrantType(d)
            | Self::InvalidToken(d)
            | Self::InvalidCredentialRequest(d)
            | Self::UnknownCredentialConfiguration(d)
            | Self::UnknownCredentialIdentifier(d)
            | Self::InvalidProof(d)
            | Self::InvalidNonce(d)
            | Self::InvalidEncryptionParameters(d)
            | Self::CredentialRequestDenied(d)
            | Self::InvalidNotificationId(d)
            | Self::InvalidNotificationRequest(d)
            | Self::InvalidOffer(d) => d,
        }
    }

    /// The JSON error body: `{"error": code, "error_description": text}`. The description is
    /// reduced to the characters RFC 6749 section 5.2 allows (`%x20-21 / %x23-5B / %x5D-7E`).
    pub fn to_json(&self) -> Value {
        json!({
            "error": self.code(),
            "error_description": sanitize_description(self.description()),
        })
    }

    /// The `WWW-Authenticate` header value for errors of a protected resource (RFC 6750 section
    /// 3): `Bearer error="invalid_token", error_description="..."`. `None` for other errors.
    pub fn www_authenticate(&self) -> Option<String> {
        match self {
            Self::InvalidToken(d) => Some(format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                sanitize_description(d)
            )),
            _ => None,
        }
    }
}

/// Maps text onto the `error_description` character set: `"` becomes `'`, `\` becomes `/`, any
/// other character outside `%x20-7E` becomes `?`.
pub fn sanitize_description(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

/// Whether `text` uses only the characters of `error_description` and `event_description`.
pub fn is_description_text(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_statuses_and_body() {
        let e = Oid4vciError::InvalidProof("typ is \"JWT\"\nnot ok ✓".into());
        assert_eq!(e.code(), "invalid_proof");
        assert_eq!(e.http_status(), 400);
        let body = e.to_json();
        assert_eq!(body["error"], "invalid_proof");
        let d = body["error_description"].as_str().unwrap();
        assert!(is_description_text(d), "{d}");
        assert_eq!(d, "typ is 'JWT'?not ok ?");
        let t = Oid4vciError::InvalidToken("expired".into());
        assert_eq!(t.http_status(), 401);
        assert_eq!(
            t.www_authenticate().unwrap(),
            "Bearer error=\"invalid_token\", error_description=\"expired\""
        );
        assert_eq!(e.www_authenticate(), None);
        assert_eq!(Oid4vciError::InvalidClient("x".into()).http_status(), 401);
        assert_eq!(
            Oid4vciError::InvalidOffer("x".into()).code(),
            "invalid_request"
        );
    }
}
