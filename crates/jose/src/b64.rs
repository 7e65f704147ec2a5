//! Strict unpadded base64url (RFC 7515 section 2; RFC 9901 section 4.2.1), SIMD-accelerated:
//! encoding and decoding are on the hot path of every credential issued and verified.
use crate::JoseError;
use base64_simd::URL_SAFE_NO_PAD;

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode_to_string(bytes)
}

/// Appends the unpadded base64url encoding of `bytes` to `out`.
pub fn encode_append(bytes: impl AsRef<[u8]>, out: &mut Vec<u8>) {
    URL_SAFE_NO_PAD.encode_append(bytes, out);
}

/// Decodes unpadded base64url; padding, `+`, `/`, whitespace and non-canonical trailing bits are
/// errors, so one value has exactly one encoding (a digest over the encoding is then unambiguous).
pub fn decode(text: &str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD.decode_to_vec(text).map_err(|_| {
        JoseError::Base64(format!(
            "not canonical unpadded base64url ({} characters)",
            text.len()
        ))
    })
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
        let mut out = b"x.".to_vec();
        encode_append(b"\xfb\xff", &mut out);
        assert_eq!(out, b"x.-_8");
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)).unwrap(), all);
    }
}
