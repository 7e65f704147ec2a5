//! The passport's own wallet (holder): receives credentials by OpenID for Verifiable Credential
//! Issuance 1.0 into an encrypted wallet file. The `passport wallet` command and the integration
//! tests use it; it talks to any conformant issuer, not only ours.
//!
//! ```no_run
//! # async fn run() -> Result<(), passport_holder::HolderError> {
//! use passport_holder::{http_client, KdfParams, Wallet};
//!
//! // Created on first use (fresh P-256 device key), opened afterwards.
//! let mut wallet = Wallet::create_or_open(
//!     std::path::Path::new("passport-wallet.json"),
//!     b"the holder's passphrase",
//!     KdfParams::default(),
//! )?;
//! let offer = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2F...";
//! let received = wallet.receive(offer, Some("493536"), &http_client()?, 1_750_000_000).await?;
//! for c in &received {
//!     println!("{} from {}", c.vct, c.issuer);
//! }
//! // Stored and saved by `receive`; `wallet.credentials()` lists everything held.
//! # Ok(()) }
//! ```
//!
//! For tests without a file: [`Wallet::in_memory`]. Plain `http` is followed only to loopback
//! addresses (a test server on `127.0.0.1`); everything else must be `https`.
//!
//! What the wallet expects of an issuer `https://HOST/issuers/ODS` (OpenID4VCI 1.0 sections):
//! - `GET https://HOST/.well-known/openid-credential-issuer/issuers/ODS` (12.2.2): JSON with
//!   `credential_issuer` equal to the issuer, `credential_endpoint`, optional `nonce_endpoint`,
//!   `notification_endpoint`, `authorization_servers`, and the offered
//!   `credential_configurations_supported` entries (`format` `dc+sd-jwt`, `vct`, ES256 `jwt` proofs);
//! - `GET https://HOST/.well-known/oauth-authorization-server/issuers/ODS` (12.3, RFC 8414):
//!   `issuer` equal to the issuer, `token_endpoint`;
//! - `POST token_endpoint`, form `grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code`,
//!   `pre-authorized_code`, `tx_code` (6.1): `access_token`, `token_type` Bearer, and
//!   `authorization_details` `[{type: openid_credential, credential_configuration_id,
//!   credential_identifiers}]` (6.2);
//! - `POST nonce_endpoint`, empty body (7.1): `{"c_nonce"}`;
//! - `POST credential_endpoint`, `Authorization: Bearer`, JSON `{"credential_identifier",
//!   "proofs": {"jwt": [proof]}}` (8.2): `{"credentials": [{"credential": "<SD-JWT VC>"}],
//!   "notification_id"}` (8.3);
//! - `POST notification_endpoint`, `Authorization: Bearer`, JSON `{"notification_id", "event":
//!   "credential_accepted"}` (11.1): any 2xx;
//! - errors: a non-2xx status with `{"error", "error_description"}`, surfaced as
//!   [`HolderError::Server`].

mod access_log;
mod error;
mod holding;
mod http;
mod present;
mod receive;
mod self_declared;
mod wallet;

pub use error::{HolderError, Step};
pub use http::{checked_url, http_client, MAX_RESPONSE_BYTES};
pub use passport_access_log::AccessLog;
pub use passport_keystore::KdfParams;
pub use present::{PresentationRequest, Shared as SharedCredential};
pub use wallet::{ReceivedCredential, Wallet};
