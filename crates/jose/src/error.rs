use thiserror::Error;

/// Errors of the JOSE layer. Each names what was wrong, never echoing secret material.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum JoseError {
    #[error("malformed base64url: {0}")]
    Base64(String),
    #[error("malformed JSON in {part}: {reason}")]
    Json { part: &'static str, reason: String },
    #[error("malformed compact JWS: {0}")]
    Malformed(String),
    #[error("algorithm {0:?} is not allowed (only ES256)")]
    AlgorithmNotAllowed(String),
    #[error("signature does not verify")]
    BadSignature,
    #[error("invalid key: {0}")]
    InvalidKey(String),
    #[error("signing failed: {0}")]
    Signing(String),
}
