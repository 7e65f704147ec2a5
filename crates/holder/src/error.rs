//! The one error type of the wallet: file errors, then one variant per way a flow can fail, with
//! the issuer's own `error` / `error_description` when the issuer refused.
use passport_oid4vci::{InputMode, Oid4vciError};
use std::path::PathBuf;
use thiserror::Error;

/// A step of the issuance flow, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Offer,
    IssuerMetadata,
    AuthorizationServerMetadata,
    Token,
    Nonce,
    Credential,
    Notification,
    /// OpenID4VP: fetching the Request Object at `request_uri`.
    PresentationRequest,
    /// OpenID4VP: posting the response to `response_uri`.
    PresentationResponse,
    /// The person's access log at a node (`<node>/access-log`).
    AccessLog,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Step::Offer => "credential offer",
            Step::IssuerMetadata => "credential issuer metadata",
            Step::AuthorizationServerMetadata => "authorization server metadata",
            Step::Token => "token endpoint",
            Step::Nonce => "nonce endpoint",
            Step::Credential => "credential endpoint",
            Step::Notification => "notification endpoint",
            Step::PresentationRequest => "presentation request (request_uri)",
            Step::PresentationResponse => "presentation response (response_uri)",
            Step::AccessLog => "access log",
        })
    }
}

#[derive(Debug, Error)]
pub enum HolderError {
    #[error("wallet file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("wallet file is not valid: {0}")]
    Format(String),
    #[error("wrong passphrase for this wallet (or its key derivation header was altered)")]
    WrongPassphrase,
    #[error("the wallet file has been altered or corrupted: its contents fail authentication")]
    Tampered,
    #[error("crypto failure: {0}")]
    Crypto(String),
    /// The offer link, or the offer it points to, cannot be used.
    #[error("credential offer: {}", .0.description())]
    Offer(Oid4vciError),
    /// A URL the flow would follow is not `https` (plain `http` is allowed for loopback only).
    #[error("refusing {url}: {why}")]
    InsecureUrl { url: String, why: &'static str },
    /// The request did not get an HTTP response (connection, TLS, timeout).
    #[error("{step}: request to {url} failed: {source}")]
    Http {
        step: Step,
        url: String,
        source: reqwest::Error,
    },
    /// The issuer answered with an error: its `error` code and `error_description`.
    #[error("{step} answered HTTP {status} {error}{}", .error_description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Server {
        step: Step,
        status: u16,
        error: String,
        error_description: Option<String>,
    },
    /// A 2xx answer this wallet cannot use (not JSON, a required member missing, ...).
    #[error("{step}: unusable response: {reason}")]
    Response { step: Step, reason: String },
    /// The offer requires a Transaction Code and none was given.
    #[error("this offer needs a transaction code{}{}", .length.map(|n| format!(" of {n} characters")).unwrap_or_default(), .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    TxCodeRequired {
        input_mode: Option<InputMode>,
        length: Option<u32>,
        description: Option<String>,
    },
    /// The Transaction Code given does not fit what the offer announced.
    #[error("the transaction code does not fit the offer: {0}")]
    TxCodeFormat(String),
    /// Something the issuer asks for that this wallet does not do.
    #[error("not supported by this wallet: {0}")]
    Unsupported(String),
    /// The presentation request cannot be trusted or used (OpenID4VP checks, trust list).
    #[error("presentation request refused: {0}")]
    Presentation(passport_oid4vp::Oid4vpError),
    /// The wallet holds nothing that answers the request (or the person declined everything).
    #[error("nothing to share: {0}")]
    NothingToShare(String),
    /// A received credential failed the wallet's checks (the issuer was told `credential_failure`).
    #[error("received credential refused: {0}")]
    CredentialCheck(String),
}

impl HolderError {
    /// The issuer's `error` code, when the issuer refused a request.
    pub fn server_error_code(&self) -> Option<&str> {
        match self {
            HolderError::Server { error, .. } => Some(error),
            _ => None,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        HolderError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn response(step: Step, reason: impl Into<String>) -> Self {
        HolderError::Response {
            step,
            reason: reason.into(),
        }
    }
}
