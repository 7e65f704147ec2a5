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

/// Appends the unpadded base64url encoding of `bytes` to a string (base64url is ASCII, so the
/// text needs no UTF-8 check afterwards).
pub fn encode_append_str(bytes: impl AsRef<[u8]>, out: &mut String) {
    URL_SAFE_NO_PAD.encode_append(bytes, out);
}

/// Encodes into `out`, which must hold exactly the encoded length; returns the text written.
pub fn encode_into<'a>(bytes: &[u8], out: &'a mut [u8]) -> &'a [u8] {
    URL_SAFE_NO_PAD.encode(bytes, base64_simd::Out::from_slice(out))
}

/// An upper bound of the decoded length of `text` (exact for canonical input).
pub fn decoded_len(text: &str) -> usize {
    text.len() / 4 * 3 + (text.len() % 4 * 3) / 4
}

/// Like [`decode`], into `out` (at least [`decoded_len`] bytes long) instead of a new vector.
pub fn decode_into<'a>(text: &str, out: &'a mut [u8]) -> Result<&'a [u8], JoseError> {
    let need = decoded_len(text);
    let out = out
        .get_mut(..need)
        .ok_or_else(|| JoseError::Base64("output too small".into()))?;
    URL_SAFE_NO_PAD
        .decode(text.as_bytes(), base64_simd::Out::from_slice(out))
        .map(|d| &*d)
        .map_err(|_| {
            JoseError::Base64(format!(
                "not canonical unpadded base64url ({} characters)",
                text.len()
            ))
        })
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
        for n in 0..70 {
            let text = encode(&all[..n]);
            assert_eq!(decoded_len(&text), n);
            let mut buf = [0u8; 80];
            assert_eq!(decode_into(&text, &mut buf).unwrap(), &all[..n]);
            let mut enc = vec![0u8; text.len()];
            assert_eq!(encode_into(&all[..n], &mut enc), text.as_bytes());
        }
        let mut small = [0u8; 1];
        assert!(decode_into("-_8", &mut small).is_err());
        for bad in ["+/8", "-_8=", "-_ 8", "-_9", "a"] {
            let mut buf = [0u8; 8];
            assert!(
                decode_into(bad, &mut buf).is_err(),
                "{bad} must be rejected"
            );
        }
    }
}
