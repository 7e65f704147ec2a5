//! OpenID for Verifiable Credential Issuance 1.0 (final, 2025) as the passport uses it: the
//! Pre-Authorized Code Flow, `dc+sd-jwt` Credentials, ES256 `jwt` key proofs, the Nonce and
//! Notification Endpoints. Pure: no I/O, no HTTP types, no clock (`now` is a parameter).
//!
//! The server uses it endpoint by endpoint (section numbers of OpenID4VCI 1.0):
//!
//! | Endpoint | Here |
//! |---|---|
//! | `GET /.well-known/openid-credential-issuer/issuers/ODS` (12.2) | [`issuer_metadata`] |
//! | `GET /.well-known/oauth-authorization-server/issuers/ODS` (12.3, RFC 8414) | [`authorization_server_metadata`] |
//! | offer link / `credential_offer_uri` (4.1) | [`CredentialOffer`], [`offer_link`], [`parse_offer_link`] |
//! | `POST {issuer}/token` (6) | [`TokenRequest::parse_form`], [`check_tx_code`], [`TokenResponse`] |
//! | `POST {issuer}/nonce` (7) | [`NonceResponse`] |
//! | `POST {issuer}/credential` (8) | [`CredentialRequest::parse`], [`verify_proof`], [`CredentialResponse`] |
//! | `POST {issuer}/notification` (11) | [`NotificationRequest::parse`] |
//! | every error (6.3, 8.3.1, 11.3) | [`Oid4vciError::code`], [`Oid4vciError::http_status`], [`Oid4vciError::to_json`] |
//!
//! and the wallet (`passport-holder`) uses the same types from the other side, with
//! [`make_proof`] for its key proofs.
//!
//! ```
//! use passport_jose::{Es256Signer, Signer};
//! use passport_oid4vci::{make_proof, verify_proof, CredentialRequest, BATCH_SIZE};
//!
//! let issuer = "https://passport.example.nhs.uk/issuers/RHQ";
//! let (device_key, _) = Es256Signer::generate().unwrap();
//! let proof = make_proof(&device_key, issuer, "c-nonce-from-nonce-endpoint", 1_750_000_000).unwrap();
//! let body = CredentialRequest::by_identifier("cred-1", vec![proof]).to_json().to_string();
//!
//! // Server side.
//! let request = CredentialRequest::parse(body.as_bytes(), BATCH_SIZE).unwrap();
//! let proof = verify_proof(&request.proofs[0], issuer, 1_750_000_010, 300).unwrap();
//! assert_eq!(proof.nonce, "c-nonce-from-nonce-endpoint"); // the server checks it is its own, unused
//! assert_eq!(proof.jwk.thumbprint(), device_key.public_jwk().thumbprint()); // becomes cnf.jwk
//! ```
//!
//! Invariants: every request parser refuses repeated members or parameters; every error carries
//! the code the specification assigns to the rule broken; a key proof is checked with the key in
//! its own header only after its `alg` is ES256 and its `typ` is exact, and its claims are read
//! only after its signature verifies.

mod credential;
mod error;
pub mod form;
mod metadata;
mod offer;
mod proof;
mod token;

pub use credential::{
    CredentialRequest, CredentialResponse, IssuedCredential, NonceResponse, NotificationEvent,
    NotificationRequest, RequestedCredential,
};
pub use error::{is_description_text, sanitize_description, Oid4vciError};
pub use metadata::{
    authorization_server_metadata, authorization_server_metadata_url, credential_configuration,
    credential_issuer_metadata_url, issuer_metadata, split_identifier, AuthorizationServerMetadata,
    BatchCredentialIssuance, CredentialConfigurationSupported, Endpoints, IssuerMetadata,
    ProofTypeSupported, WELL_KNOWN_AUTHORIZATION_SERVER, WELL_KNOWN_CREDENTIAL_ISSUER,
};
pub use offer::{
    offer_link, offer_link_by_value, parse_offer_link, AuthorizationCodeGrant, CredentialOffer,
    Grants, InputMode, OfferRef, PreAuthorizedCodeGrant, TxCode, OFFER_SCHEME,
};
pub use proof::{
    make_proof, make_proof_without_nonce, verify_proof, VerifiedProof, IAT_LEEWAY_SECS,
    MAX_PROOF_BYTES, PROOF_TYP,
};
pub use token::{
    check_tx_code, AuthorizationDetail, TokenRequest, TokenResponse, OPENID_CREDENTIAL,
};

/// Grant type of the Pre-Authorized Code Flow (section 4.1.1).
pub const PRE_AUTHORIZED_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// Credential Format Identifier of SD-JWT VC (appendix A.3.1).
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";
/// Most key proofs (and so Credentials) one Credential Request may carry: the
/// `batch_credential_issuance.batch_size` of the issuer metadata (section 12.2.4).
pub const BATCH_SIZE: usize = 3;
