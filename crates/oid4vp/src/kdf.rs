//! The Concat KDF of NIST SP 800-56A section 5.8.1 with SHA-256, as RFC 7518 section 4.6.2
//! uses it to turn the ECDH-ES shared secret `Z` into the content encryption key.
use ring::digest::{Context, SHA256};

/// Derives `key_len` bytes from `z`:
/// `K(i) = SHA-256(counter_i || Z || OtherInfo)` for `i = 1, 2, ...` (32-bit big-endian counter),
/// concatenated and cut to `key_len`, where `OtherInfo` is (RFC 7518 section 4.6.2):
///
/// - `AlgorithmID`: 32-bit big-endian length, then the bytes of `algorithm` (for direct key
///   agreement, the `enc` value, e.g. `A128GCM`);
/// - `PartyUInfo`, `PartyVInfo`: 32-bit big-endian length, then the decoded `apu` / `apv`
///   (empty when absent);
/// - `SuppPubInfo`: `keydatalen` in bits as a 32-bit big-endian integer;
/// - `SuppPrivInfo`: empty.
pub fn concat_kdf(z: &[u8], algorithm: &str, apu: &[u8], apv: &[u8], key_len: usize) -> Vec<u8> {
    let mut other_info = Vec::with_capacity(16 + algorithm.len() + apu.len() + apv.len());
    for field in [algorithm.as_bytes(), apu, apv] {
        other_info.extend_from_slice(&(field.len() as u32).to_be_bytes());
        other_info.extend_from_slice(field);
    }
    other_info.extend_from_slice(&((key_len * 8) as u32).to_be_bytes());
    let mut out = Vec::with_capacity(key_len + 32);
    let mut counter: u32 = 1;
    while out.len() < key_len {
        let mut ctx = Context::new(&SHA256);
        ctx.update(&counter.to_be_bytes());
        ctx.update(z);
        ctx.update(&other_info);
        out.extend_from_slice(ctx.finish().as_ref());
        counter += 1;
    }
    out.truncate(key_len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7518 appendix C ("Example ECDH-ES Key Agreement Computation"): `Z` from the
    /// published keys, `enc` A128GCM, `apu` "Alice", `apv` "Bob"; the published derived key.
    #[test]
    fn rfc7518_appendix_c() {
        let z: [u8; 32] = [
            158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49,
            110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196,
        ];
        let key = concat_kdf(&z, "A128GCM", b"Alice", b"Bob", 16);
        assert_eq!(
            key,
            [86, 170, 141, 234, 248, 35, 109, 32, 92, 34, 40, 205, 113, 167, 16, 26]
        );
        assert_eq!(passport_jose::b64::encode(&key), "VqqN6vgjbSBcIijNcacQGg");
        // Longer outputs take further rounds; keydatalen is in OtherInfo, so they differ.
        let long = concat_kdf(&z, "A128GCM", b"Alice", b"Bob", 48);
        assert_eq!(long.len(), 48);
        assert_ne!(long[..16], key[..]);
    }
}
