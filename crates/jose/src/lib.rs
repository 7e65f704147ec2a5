//! JOSE building blocks shared by every credential format of the passport.
//!
//! Invariants:
//! - The only signature algorithm is ES256 (P-256, SHA-256, fixed 64-byte r||s signatures), as the
//!   OpenID4VC High Assurance Interoperability Profile requires. A header's `alg` is *checked*
//!   against that allow-list; it never chooses the key or the algorithm.
//! - Keys are chosen by the verifier (from the trust list or from `cnf`), never from a header `jwk`.
//! - base64url is strict: no padding, no standard-alphabet characters, no whitespace.
//! - No I/O: randomness comes from the OS through `ring::rand::SystemRandom` only when signing.

pub mod b64;
mod error;
pub mod jwk;
pub mod jws;
mod signer;
pub mod strict_json;
mod strict_parser;

pub use error::JoseError;
pub use jwk::{Jwk, Jwks, VerifyingKey};
pub use jws::{CompactJws, JwsHeader};
pub use signer::{Es256Signer, Signer};

/// The one signature algorithm the passport accepts.
pub const ES256: &str = "ES256";
