use passport_catalogue::CatalogueError;
use passport_sd_jwt::SdJwtError;
use passport_status_list::StatusListError;
use passport_trust_list::TrustError;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EngineError {
    #[error(transparent)]
    SdJwt(#[from] SdJwtError),
    #[error(transparent)]
    Trust(#[from] TrustError),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    StatusList(#[from] StatusListError),
    #[error("credential has been revoked (status list {uri}, index {idx})")]
    Revoked { uri: String, idx: u64 },
    #[error("credential is suspended (status list {uri}, index {idx})")]
    Suspended { uri: String, idx: u64 },
    #[error("credential has status {status} in list {uri}")]
    OtherStatus { uri: String, idx: u64, status: u8 },
    #[error("status list {0} is not available to the verifier")]
    StatusUnavailable(String),
    #[error("status list {uri} was published by {list_issuer}, not by the credential's issuer")]
    StatusIssuerMismatch { uri: String, list_issuer: String },
    #[error("credential has no status claim; the passport requires one so it can be revoked")]
    NoStatus,
    #[error("{0} is not a self-declared credential type")]
    NotSelfDeclared(String),
    #[error("a self-declared credential must be bound to a holder key (cnf.jwk)")]
    SelfDeclaredUnbound,
    #[error("a self-declared credential's iss must be the JWK Thumbprint URI of its own cnf.jwk")]
    SelfDeclaredIssuer,
    #[error("a self-declared credential carries no status")]
    SelfDeclaredStatus,
}
