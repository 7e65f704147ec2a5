//! The one error type of the access log: one variant per rule a proof can break. Every one is
//! answered as `invalid_proof`; none is ever about whose log it is (a proof that verifies with
//! another key is not an error, it is that key's log).
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AccessLogError {
    #[error("the proof is longer than {0} bytes")]
    TooLong(usize),
    #[error("not a valid compact JWS: {0}")]
    Malformed(String),
    #[error("typ is {0:?}, expected passport-access-log+jwt")]
    WrongType(Option<String>),
    #[error("header {0} is not accepted: send the public key as jwk")]
    KeyNamedElsewhere(&'static str),
    #[error("the header has no jwk object")]
    NoKey,
    #[error("the header jwk holds the private key member {0}")]
    PrivateKeyMember(&'static str),
    #[error("the header jwk is not a public P-256 key: {0}")]
    BadKey(String),
    #[error("the signature does not verify with the header jwk")]
    BadSignature,
    #[error("aud is not this node ({0})")]
    WrongAudience(String),
    #[error("{0} is missing or not of its type")]
    BadClaim(&'static str),
    #[error("iat is {0}s old (at most {max}s accepted)", max = crate::MAX_AGE_SECS)]
    Stale(i64),
    #[error("iat is {0}s in the future (leeway {max}s)", max = crate::IAT_LEEWAY_SECS)]
    FromTheFuture(i64),
    #[error("jti must be 16 to 256 URL-safe characters")]
    BadJti,
    #[error("this proof was used already: make a new one for each request")]
    Replayed,
    #[error("signing the proof failed: {0}")]
    Signing(String),
}

impl AccessLogError {
    /// The error code a node answers with (OAuth style `error`).
    pub fn code(&self) -> &'static str {
        "invalid_proof"
    }
}
