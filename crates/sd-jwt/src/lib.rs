//! Selective Disclosure JWTs (RFC 9901) and SD-JWT-based Verifiable Credentials
//! (draft-ietf-oauth-sd-jwt-vc), the credential format of the passport.
//!
//! Three roles, three modules:
//! - [`issue`]: turn a JSON claim set and a list of selectively disclosable paths into an
//!   issuer-signed JWT plus disclosures (object properties, array elements, recursively, with decoys).
//! - [`present`]: the holder picks which claims to reveal; the parents of a nested claim come
//!   along; a Key Binding JWT (`kb+jwt`) ties the presentation to the verifier's nonce and audience.
//! - [`verify`]: every check of RFC 9901 section 7 and the SD-JWT VC draft, with a typed error for
//!   each failure.
//!
//! Invariants: only `sha-256` digests and ES256 signatures; the verifier picks the issuer key (from
//! the issuer identifier and `kid`) and the holder key (from `cnf.jwk`), never from a header; a
//! disclosure is accepted only if the issuer-signed payload references it exactly once; all time
//! checks take `now` from the caller (this crate reads no clock).

pub mod disclosure;
mod error;
pub mod flat;
pub mod issue;
pub mod kb;
pub mod path;
pub mod present;
mod process;
pub mod pyjson;
pub mod vc;
pub mod verify;

pub use disclosure::{Digest, Disclosure};
pub use error::SdJwtError;
pub use issue::{Issuer, SaltSource};
pub use path::{ClaimPath, PathSegment};
pub use present::SdJwt;
pub use verify::{KbExpectation, KeyBinding, Verified, VerifyOptions};

/// The only digest algorithm the passport issues and accepts (RFC 9901 section 4.1.1 default).
pub const SD_ALG: &str = "sha-256";
/// JOSE `typ` of an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc section 3.2.1).
pub const VC_TYP: &str = "dc+sd-jwt";
/// JOSE `typ` of a Key Binding JWT (RFC 9901 section 4.3).
pub const KB_TYP: &str = "kb+jwt";

/// base64url(SHA-256(ascii(text))): the digest of a disclosure and the `sd_hash` of a presentation.
pub fn sha256_b64(text: &str) -> String {
    passport_jose::b64::encode(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()))
}
