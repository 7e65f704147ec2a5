//! TOTP (RFC 6238) as authenticator apps implement it: HMAC-SHA-1 (RFC 4226 dynamic
//! truncation), 6 digits, 30-second steps, a code accepted for the current step and one step
//! either side (clock drift). Pure: the time is a parameter. The secret is sealed with
//! AES-256-GCM before it is stored (key derived with argon2id from the key store passphrase,
//! the user id as associated data, so a sealed secret copied to another account does not open).
//!
//! Replay: a code is accepted only for a step after the last accepted one; the store enforces
//! that in one conditional UPDATE ([`passport_store::Store::use_totp_step`]).
use crate::ServerError;
use passport_keystore::{KdfParams, Sealed};
use ring::aead::LessSafeKey;
use ring::hmac;
use ring::rand::SystemRandom;

pub const DIGITS: u32 = 6;
pub const STEP_SECS: i64 = 30;
/// 160-bit secrets, the length RFC 4226 recommends.
pub const SECRET_LEN: usize = 20;
/// The name authenticator apps show beside the account.
pub const ISSUER_LABEL: &str = "NHS Staff Passport";

/// The RFC 6238 time step of a Unix time (T0 = 0).
pub fn step_of(unix: i64) -> i64 {
    unix.div_euclid(STEP_SECS)
}

/// The HOTP value (RFC 4226) of `secret` at counter `step`, `digits` long.
pub fn code_at(secret: &[u8], step: i64, digits: u32) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let h = tag.as_ref();
    let offset = usize::from(h.last().copied().unwrap_or(0) & 0x0f);
    let part = |i: usize| h.get(offset + i).copied().unwrap_or(0);
    let binary = u32::from_be_bytes([part(0) & 0x7f, part(1), part(2), part(3)]);
    binary % 10u32.pow(digits)
}

/// The step (now, one before, one after) whose code is `code`, if any. `code` must be exactly
/// six ASCII digits (spaces people type between groups are removed first).
pub fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now_step = step_of(now);
    let mut found = None;
    // Every candidate is computed and compared whole, so the time taken does not say which.
    for step in [now_step - 1, now_step, now_step + 1] {
        let expected = format!(
            "{:0width$}",
            code_at(secret, step, DIGITS),
            width = DIGITS as usize
        );
        if super::auth::same_secret(&expected, &code) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_LEN];
    passport_store::fill_random(&mut secret);
    secret
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as `otpauth://` URIs carry secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The `otpauth://` URI authenticator apps read (Key Uri Format): label `issuer:username`.
pub fn otpauth_uri(username: &str, secret: &[u8]) -> String {
    use super::html::url_part;
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        url_part(ISSUER_LABEL),
        url_part(username),
        base32(secret),
        url_part(ISSUER_LABEL),
    )
}

/// The key that seals TOTP secrets at rest.
pub struct TotpKey {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl TotpKey {
    /// Derives the key with argon2id from the key store passphrase and this deployment's salt.
    pub fn derive(passphrase: &str, salt: &[u8], kdf: KdfParams) -> Result<TotpKey, ServerError> {
        let key = passport_keystore::derive(passphrase.as_bytes(), salt, kdf)
            .map_err(|e| ServerError::Startup(format!("TOTP secret key: {e}")))?;
        Ok(TotpKey {
            key,
            rng: SystemRandom::new(),
        })
    }

    /// `nonce.ciphertext` (base64url) of `secret`, bound to `user_id`.
    pub fn seal(&self, user_id: &str, secret: &[u8]) -> Result<String, ServerError> {
        let sealed = passport_keystore::seal(&self.key, &self.rng, secret, user_id.as_bytes())
            .map_err(|e| ServerError::Internal(format!("sealing a TOTP secret: {e}")))?;
        Ok(format!("{}.{}", sealed.nonce, sealed.ciphertext))
    }

    /// The secret sealed by [`TotpKey::seal`] for `user_id`.
    pub fn open(&self, user_id: &str, text: &str) -> Result<Vec<u8>, ServerError> {
        let (nonce, ciphertext) = text
            .split_once('.')
            .ok_or_else(|| ServerError::Internal("a stored TOTP secret is malformed".into()))?;
        let sealed = Sealed {
            nonce: nonce.into(),
            ciphertext: ciphertext.into(),
        };
        passport_keystore::open(&self.key, &sealed, user_id.as_bytes()).map_err(|e| {
            ServerError::Internal(format!(
                "a stored TOTP secret does not open ({e}): has the key store passphrase changed?"
            ))
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, the SHA-1 rows: (time, 8-digit TOTP). The seed is the ASCII text
    /// "12345678901234567890".
    const RFC6238_SHA1: [(i64, u32); 6] = [
        (59, 94287082),
        (1111111109, 7081804),
        (1111111111, 14050471),
        (1234567890, 89005924),
        (2000000000, 69279037),
        (20000000000, 65353130),
    ];
    const SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        for (time, expected) in RFC6238_SHA1 {
            assert_eq!(code_at(SEED, step_of(time), 8), expected, "T = {time}");
            // Six digits are the same truncated value modulo 10^6.
            assert_eq!(code_at(SEED, step_of(time), 6), expected % 1_000_000);
        }
        // Appendix B's table gives T in hex too.
        assert_eq!(step_of(1111111109), 0x23523EC);
        assert_eq!(step_of(20000000000), 0x27BC86AA);
    }

    #[test]
    fn a_code_matches_its_step_and_one_either_side_only() {
        let now = 1_111_111_111;
        let code = |t: i64| format!("{:06}", code_at(SEED, step_of(t), 6));
        assert_eq!(matching_step(SEED, &code(now), now), Some(step_of(now)));
        assert_eq!(
            matching_step(SEED, &code(now - 30), now),
            Some(step_of(now) - 1)
        );
        assert_eq!(
            matching_step(SEED, &code(now + 30), now),
            Some(step_of(now) + 1)
        );
        assert_eq!(matching_step(SEED, &code(now - 60), now), None);
        assert_eq!(matching_step(SEED, &code(now + 60), now), None);
        let c = code(now);
        let spaced = format!("{} {}", &c[..3], &c[3..]);
        assert_eq!(matching_step(SEED, &spaced, now), Some(step_of(now)));
        for bad in ["", "12345", "1234567", "abcdef", "１２３４５６", "-12345"] {
            assert_eq!(matching_step(SEED, bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_is_rfc4648() {
        // RFC 4648 section 10, without padding.
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), encoded);
        }
        assert_eq!(base32(SEED), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let uri = otpauth_uri("rhq.hr", SEED);
        assert_eq!(
            uri,
            "otpauth://totp/NHS%20Staff%20Passport:rhq.hr?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=NHS%20Staff%20Passport&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn sealed_secrets_open_only_for_their_user() {
        let kdf = KdfParams {
            m_kib: 256,
            t: 1,
            p: 1,
        };
        let key = TotpKey::derive("a passphrase of some length", b"salt-salt-salt-1", kdf).unwrap();
        let secret = new_secret();
        assert_eq!(secret.len(), SECRET_LEN);
        let sealed = key.seal("u-1", &secret).unwrap();
        assert!(!sealed.contains(&base32(&secret)));
        assert_eq!(key.open("u-1", &sealed).unwrap(), secret);
        assert!(key.open("u-2", &sealed).is_err());
        let other =
            TotpKey::derive("another passphrase entirely", b"salt-salt-salt-1", kdf).unwrap();
        assert!(other.open("u-1", &sealed).is_err());
        assert!(key.open("u-1", "no-dot").is_err());
    }
}
