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
mod onepass;
pub mod path;
pub mod present;
mod process;
pub mod pyjson;
pub mod vc;
pub mod verify;

pub use disclosure::{Digest, Disclosure};
pub use error::SdJwtError;
pub use issue::{Issuer, SaltSource};
#[doc(hidden)]
pub use onepass::check_against_general;
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
    passport_jose::b64::encode(sha256(text.as_bytes()))
}

/// SHA-256 for the SD-JWT layer's digests. RustCrypto's `sha2` (SHA-NI where the processor has
/// it) rather than ring's: a credential needs one digest per disclosure, of ~100 bytes each, and
/// for inputs that short `sha2` costs about two thirds of ring's per call (`passport bench
/// crypto`). Signatures still hash with ring, inside ring's ECDSA.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    /// sha2 against ring's SHA-256 at every length around the block and padding boundaries, and
    /// the FIPS 180-2 examples.
    #[test]
    fn sha256_matches_ring_at_every_length() {
        let data: Vec<u8> = (0..600u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..data.len() {
            let ring = ring::digest::digest(&ring::digest::SHA256, &data[..len]);
            assert_eq!(super::sha256(&data[..len]), ring.as_ref(), "length {len}");
        }
        let hex = |b: [u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(
            hex(super::sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(super::sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(super::sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }
}
