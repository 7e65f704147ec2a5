//! Strict unpadded base64url (RFC 7515 section 2; RFC 9901 section 4.2.1).
use crate::JoseError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url; padding, `+`, `/`, whitespace and non-canonical trailing bits are
/// errors, so one value has exactly one encoding (a digest over the encoding is then unambiguous).
pub fn decode(text: &str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| JoseError::Base64(e.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        assert_eq!(encode(b"\xfb\xff"), "-_8");
        assert_eq!(decode("-_8").unwrap(), b"\xfb\xff");
        for bad in ["+/8", "-_8=", "-_ 8", "-_9", "a"] {
            assert!(decode(bad).is_err(), "{bad} must be rejected");
        }
    }
}
