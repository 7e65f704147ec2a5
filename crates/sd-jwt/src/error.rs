use passport_jose::JoseError;
use thiserror::Error;

/// Why an SD-JWT was refused. One variant per check, so a caller (and the attack catalogue tests)
/// can tell exactly which rule failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SdJwtError {
    #[error("input of {0} bytes exceeds the limit")]
    TooLarge(usize),
    #[error("malformed SD-JWT: {0}")]
    Malformed(String),
    #[error("issuer-signed JWT: {0}")]
    IssuerJwt(JoseError),
    #[error("issuer signature does not verify")]
    IssuerSignature,
    #[error("issuer key not found: {0}")]
    IssuerKey(String),
    #[error("wrong JOSE typ: expected {expected}, found {found:?}")]
    WrongTyp {
        expected: &'static str,
        found: Option<String>,
    },
    #[error("unsupported _sd_alg {0:?} (only sha-256)")]
    UnsupportedSdAlg(String),
    #[error("malformed disclosure: {0}")]
    DisclosureMalformed(String),
    #[error("disclosure {0} is not referenced by the issuer-signed payload")]
    DisclosureNotReferenced(String),
    #[error("disclosure {0} appears more than once")]
    DuplicateDisclosure(String),
    #[error("digest {0} appears more than once in the payload")]
    DuplicateDigest(String),
    #[error("disclosed claim name {0:?} is reserved")]
    ReservedClaimName(String),
    #[error("disclosed claim {0:?} collides with an existing claim")]
    ClaimCollision(String),
    #[error("disclosure kind does not match its place: {0}")]
    DisclosureKindMismatch(String),
    #[error("credential expired at {exp} (now {now})")]
    Expired { exp: i64, now: i64 },
    #[error("credential not valid before {nbf} (now {now})")]
    NotYetValid { nbf: i64, now: i64 },
    #[error("credential issued in the future ({iat}, now {now})")]
    IssuedInFuture { iat: i64, now: i64 },
    #[error("required claim {0:?} is missing or has the wrong type")]
    MissingClaim(&'static str),
    #[error("claim {0:?} must not be selectively disclosable")]
    MustNotBeDisclosable(String),
    #[error("key binding is required but no KB-JWT was presented")]
    KbMissing,
    #[error("a KB-JWT was presented where none is expected")]
    KbUnexpected,
    #[error("key binding is required but the credential has no cnf.jwk holder key: {0}")]
    NoHolderKey(String),
    #[error("KB-JWT: {0}")]
    KbJwt(JoseError),
    #[error("KB-JWT signature does not verify with the holder key")]
    KbSignature,
    #[error("KB-JWT nonce does not match")]
    KbNonce,
    #[error("KB-JWT audience does not match")]
    KbAudience,
    #[error("KB-JWT iat {iat} is outside the accepted window (now {now})")]
    KbFreshness { iat: i64, now: i64 },
    #[error("KB-JWT sd_hash does not match the presentation")]
    KbSdHash,
    #[error("selected claim {0} does not exist or is not selectively disclosable")]
    UnknownPath(String),
    #[error("issuance: {0}")]
    Issuance(String),
}
