//! The credential engine: the one place that decides whether a credential may be issued and
//! whether a presentation is to be believed.
//!
//! Issuing: claims are validated against the catalogue's JSON Schema, every claim except the
//! type's `always_disclosed` ones becomes selectively disclosable, and the credential is bound to
//! the wallet key and to a status list entry.
//!
//! Verifying, in order, stopping at the first failure: SD-JWT VC checks (signature with the key
//! the trust list gives for `iss`/`kid`, disclosures, times, key binding), then the trust list
//! authorises `iss` for `vct`, then the catalogue knows the `vct`, then the status list entry is
//! VALID. A status list the verifier could not obtain is an error, never "valid".
//!
//! The one exception is a self-declared type (personal details the person signs with their own
//! wallet key): [`PresentationVerifier::verify_self_declared`] takes the issuer key from the
//! credential's own `cnf.jwk`, requires `iss` to be its JWK Thumbprint URI, and checks
//! disclosures, times and key binding; no trust list, no status. The strict path refuses such
//! a credential (no organisation may issue its `vct`).

mod error;
mod issuer;
mod status;
mod verifier;

pub use error::EngineError;
pub use issuer::{CredentialIssuer, IssueRequest};
pub use status::StatusLists;
pub use verifier::{PresentationVerifier, SelfDeclaredCredential, VerifiedCredential};
