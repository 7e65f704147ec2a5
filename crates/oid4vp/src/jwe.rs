//! Compact JWE (RFC 7516) for encrypted Authorization Responses (OpenID4VP 1.0 section 8.3),
//! as HAIP 1.0 section 5 profiles it: `alg` `ECDH-ES` (direct key agreement, RFC 7518 section
//! 4.6) with P-256 keys, `enc` `A128GCM` or `A256GCM` (RFC 7518 section 5.3), nothing else.
//!
//! The Verifier makes an [`EncryptionKey`] for each Authorization Request (HAIP 1.0 section 5:
//! ephemeral keys specific to each request), publishes [`EncryptionKey::public_jwk`] in
//! `client_metadata.jwks`, stores [`EncryptionKey::to_bytes`] with the request, and decrypts
//! the response with [`decrypt`]. The Wallet encrypts with [`encrypt`].
//!
//! Primitives: ECDH on P-256 from the RustCrypto `p256` crate (ring's agreement keys are
//! ephemeral only and cannot be stored); SHA-256, AES-GCM and randomness from ring.
use crate::kdf::concat_kdf;
use crate::Oid4vpError;
use p256::ecdh::diffie_hellman;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use passport_jose::jws::parse_object;
use passport_jose::{b64, Jwk};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Map, Value};

/// The only key management algorithm: ECDH-ES, direct key agreement.
pub const ALG_ECDH_ES: &str = "ECDH-ES";
/// The longest compact JWE accepted (an encrypted VP Token of a few SD-JWTs is far smaller).
pub const MAX_JWE_BYTES: usize = 2 * 1024 * 1024;
const TAG_LEN: usize = 16;

/// A content encryption algorithm (RFC 7518 section 5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    A128GCM,
    A256GCM,
}

impl Enc {
    pub fn name(self) -> &'static str {
        match self {
            Enc::A128GCM => "A128GCM",
            Enc::A256GCM => "A256GCM",
        }
    }

    pub fn from_name(name: &str) -> Option<Enc> {
        match name {
            "A128GCM" => Some(Enc::A128GCM),
            "A256GCM" => Some(Enc::A256GCM),
            _ => None,
        }
    }

    fn key_len(self) -> usize {
        match self {
            Enc::A128GCM => 16,
            Enc::A256GCM => 32,
        }
    }

    fn aead(self) -> &'static ring::aead::Algorithm {
        match self {
            Enc::A128GCM => &AES_128_GCM,
            Enc::A256GCM => &AES_256_GCM,
        }
    }
}

/// The Verifier's P-256 private key for one Authorization Request, with its `kid`.
pub struct EncryptionKey {
    secret: SecretKey,
    kid: String,
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl EncryptionKey {
    /// A fresh key from the OS CSPRNG (via ring); its `kid` is the RFC 7638 thumbprint.
    pub fn generate() -> Result<Self, Oid4vpError> {
        let secret = random_secret()?;
        Ok(Self::from_secret(secret, None))
    }

    fn from_secret(secret: SecretKey, kid: Option<String>) -> Self {
        let mut key = EncryptionKey {
            secret,
            kid: String::new(),
        };
        key.kid = kid.unwrap_or_else(|| key.public_jwk_without_kid().thumbprint());
        key
    }

    /// The same key under another `kid` (for keys made elsewhere, e.g. a specification example).
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = kid.into();
        self
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key for storage with the request: the 32-byte private scalar, then the `kid` in
    /// UTF-8. Secret: store it as the request's other secrets are stored, and drop it when the
    /// request ends.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.secret.to_bytes().to_vec();
        out.extend_from_slice(self.kid.as_bytes());
        out
    }

    /// Reads what [`EncryptionKey::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Oid4vpError> {
        let bad = |why: &str| Oid4vpError::InvalidEncryptionKey(why.into());
        let (scalar, kid) = bytes
            .split_at_checked(32)
            .ok_or_else(|| bad("shorter than a P-256 private key"))?;
        let secret = SecretKey::from_slice(scalar).map_err(|_| bad("not a P-256 private key"))?;
        let kid = std::str::from_utf8(kid).map_err(|_| bad("kid is not UTF-8"))?;
        if kid.is_empty() {
            return Err(bad("no kid"));
        }
        Ok(Self::from_secret(secret, Some(kid.into())))
    }

    /// The public key as the Verifier publishes it in `client_metadata.jwks` (OpenID4VP 1.0
    /// section 8.3: `alg` MUST be present; each key has a `kid`): `{"kty":"EC","crv":"P-256",
    /// "x","y","kid","alg":"ECDH-ES","use":"enc"}`.
    pub fn public_jwk(&self) -> Jwk {
        let mut jwk = self.public_jwk_without_kid();
        jwk.kid = Some(self.kid.clone());
        jwk.alg = Some(ALG_ECDH_ES.into());
        jwk.use_ = Some("enc".into());
        jwk
    }

    fn public_jwk_without_kid(&self) -> Jwk {
        let point = self.secret.public_key().to_encoded_point(false);
        Jwk {
            kty: "EC".into(),
            crv: "P-256".into(),
            x: b64::encode(point.x().map(|x| x.as_slice()).unwrap_or_default()),
            y: b64::encode(point.y().map(|y| y.as_slice()).unwrap_or_default()),
            kid: None,
            alg: None,
            use_: None,
        }
    }
}

fn random_secret() -> Result<SecretKey, Oid4vpError> {
    let rng = SystemRandom::new();
    // A random 256-bit string is a valid scalar (non-zero, below the group order) with
    // probability 1 - 2^-32; a few tries make failure practically impossible.
    for _ in 0..8 {
        let mut bytes = [0u8; 32];
        rng.fill(&mut bytes)
            .map_err(|_| Oid4vpError::Crypto("no randomness".into()))?;
        if let Ok(secret) = SecretKey::from_slice(&bytes) {
            return Ok(secret);
        }
    }
    Err(Oid4vpError::Crypto("could not draw a P-256 scalar".into()))
}

/// A public P-256 key from the `x` and `y` of a JWK, checked to be on the curve.
fn public_key(x: &str, y: &str) -> Result<PublicKey, String> {
    let (x, y) = (
        b64::decode(x).map_err(|e| e.to_string())?,
        b64::decode(y).map_err(|e| e.to_string())?,
    );
    if x.len() != 32 || y.len() != 32 {
        return Err("P-256 coordinates are 32 bytes".into());
    }
    let mut point = Vec::with_capacity(65);
    point.push(4);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    PublicKey::from_sec1_bytes(&point).map_err(|_| "the point is not on P-256".into())
}

/// The Wallet's side (section 8.3): encrypts `plaintext` to the Verifier key `recipient` from
/// `client_metadata.jwks` with a fresh ephemeral key. The JWK must be P-256 with `alg`
/// `ECDH-ES` (section 8.3: `alg` MUST be present and the JWE `alg` MUST equal it) and, if it has
/// `use`, `enc`; its `kid` goes into the JWE header. No `apu`/`apv` are sent.
pub fn encrypt(plaintext: &[u8], recipient: &Jwk, enc: Enc) -> Result<String, Oid4vpError> {
    let bad = |why: &str| Oid4vpError::InvalidEncryptionKey(why.into());
    if recipient.kty != "EC" || recipient.crv != "P-256" {
        return Err(bad("not an EC P-256 key"));
    }
    if recipient.alg.as_deref() != Some(ALG_ECDH_ES) {
        return Err(bad("the key's alg is not ECDH-ES"));
    }
    if recipient.use_.as_deref().is_some_and(|u| u != "enc") {
        return Err(bad("the key's use is not enc"));
    }
    let their = public_key(&recipient.x, &recipient.y).map_err(|e| bad(&e))?;
    let ephemeral = random_secret()?;
    let epk = ephemeral.public_key().to_encoded_point(false);
    let (Some(ex), Some(ey)) = (epk.x(), epk.y()) else {
        return Err(Oid4vpError::Crypto("ephemeral key is the identity".into()));
    };
    let mut header = Map::new();
    header.insert("alg".into(), ALG_ECDH_ES.into());
    header.insert("enc".into(), enc.name().into());
    if let Some(kid) = &recipient.kid {
        header.insert("kid".into(), kid.clone().into());
    }
    header.insert(
        "epk".into(),
        json!({"kty": "EC", "crv": "P-256", "x": b64::encode(ex), "y": b64::encode(ey)}),
    );
    let shared = diffie_hellman(ephemeral.to_nonzero_scalar(), their.as_affine());
    let cek = concat_kdf(
        shared.raw_secret_bytes(),
        enc.name(),
        b"",
        b"",
        enc.key_len(),
    );
    let header_b64 = b64::encode(Value::Object(header).to_string());
    let mut iv = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut iv)
        .map_err(|_| Oid4vpError::Crypto("no randomness".into()))?;
    let key = aead_key(enc, &cek)?;
    let mut ciphertext = plaintext.to_vec();
    // RFC 7516 section 5.1 step 14: the AAD is ASCII(BASE64URL(UTF8(JWE Protected Header))).
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(iv),
            Aad::from(header_b64.as_bytes()),
            &mut ciphertext,
        )
        .map_err(|_| Oid4vpError::Crypto("AES-GCM sealing failed".into()))?;
    Ok(format!(
        "{header_b64}..{}.{}.{}",
        b64::encode(iv),
        b64::encode(&ciphertext),
        b64::encode(tag.as_ref())
    ))
}

fn aead_key(enc: Enc, cek: &[u8]) -> Result<LessSafeKey, Oid4vpError> {
    UnboundKey::new(enc.aead(), cek)
        .map(LessSafeKey::new)
        .map_err(|_| Oid4vpError::Crypto("bad content encryption key length".into()))
}

/// The Verifier's side (section 8.3): decrypts a compact JWE made for `key`. Refused, each with
/// its own error: more than [`MAX_JWE_BYTES`]; not five parts; a header that is not a JSON
/// object or repeats a member; `alg` other than `ECDH-ES`; `enc` other than `A128GCM` or
/// `A256GCM`; `zip`; `crit`; a `kid` missing or not `key`'s (section 8.3: the JWE MUST carry the
/// `kid` of the key used); a non-empty encrypted key (RFC 7518 section 4.6); an `epk` that is
/// not a public P-256 point on the curve; an IV that is not 96 bits or a tag that is not 128
/// bits; and a tag that does not verify (a wrong key or any altered part).
pub fn decrypt(jwe: &str, key: &EncryptionKey) -> Result<Vec<u8>, Oid4vpError> {
    let malformed = |why: &str| Oid4vpError::MalformedJwe(why.into());
    if jwe.len() > MAX_JWE_BYTES {
        return Err(malformed("too large"));
    }
    let parts: Vec<&str> = jwe.split('.').collect();
    let [header_b64, encrypted_key, iv, ciphertext, tag] = parts[..] else {
        return Err(malformed("a compact JWE has five dot-separated parts"));
    };
    let header_bytes = b64::decode(header_b64).map_err(|e| malformed(&e.to_string()))?;
    let header =
        parse_object(&header_bytes, "JWE header").map_err(|e| malformed(&e.to_string()))?;
    let text = |name: &str| header.get(name).and_then(Value::as_str);
    match header.get("alg") {
        Some(Value::String(alg)) if alg == ALG_ECDH_ES => {}
        other => {
            let alg = other.map_or_else(|| "(none)".into(), |v| v.to_string());
            return Err(Oid4vpError::JweAlgorithmNotAllowed(alg));
        }
    }
    let enc = text("enc").and_then(Enc::from_name).ok_or_else(|| {
        Oid4vpError::JweEncryptionNotAllowed(
            header
                .get("enc")
                .map_or_else(|| "(none)".into(), |v| v.to_string()),
        )
    })?;
    if header.contains_key("zip") {
        return Err(Oid4vpError::JweCompression);
    }
    if header.contains_key("crit") {
        return Err(Oid4vpError::JweCrit);
    }
    if text("kid") != Some(key.kid()) {
        return Err(Oid4vpError::JweKidMismatch);
    }
    if !encrypted_key.is_empty() {
        return Err(Oid4vpError::JweEncryptedKeyNotEmpty);
    }
    let epk = epk(&header).map_err(Oid4vpError::JweInvalidEpk)?;
    let party = |name: &str| -> Result<Vec<u8>, Oid4vpError> {
        match header.get(name) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => b64::decode(s).map_err(|e| malformed(&e.to_string())),
            Some(_) => Err(malformed("apu/apv must be base64url strings")),
        }
    };
    let (apu, apv) = (party("apu")?, party("apv")?);
    let shared = diffie_hellman(key.secret.to_nonzero_scalar(), epk.as_affine());
    let cek = concat_kdf(
        shared.raw_secret_bytes(),
        enc.name(),
        &apu,
        &apv,
        enc.key_len(),
    );
    let iv: [u8; NONCE_LEN] = b64::decode(iv)
        .map_err(|e| malformed(&e.to_string()))?
        .try_into()
        .map_err(|_| Oid4vpError::JweDecryptionFailed)?;
    let tag = b64::decode(tag).map_err(|e| malformed(&e.to_string()))?;
    if tag.len() != TAG_LEN {
        return Err(Oid4vpError::JweDecryptionFailed);
    }
    let mut buffer = b64::decode(ciphertext).map_err(|e| malformed(&e.to_string()))?;
    buffer.extend_from_slice(&tag);
    let plaintext = aead_key(enc, &cek)?
        .open_in_place(
            Nonce::assume_unique_for_key(iv),
            Aad::from(header_b64.as_bytes()),
            &mut buffer,
        )
        .map_err(|_| Oid4vpError::JweDecryptionFailed)?;
    Ok(plaintext.to_vec())
}

/// The `epk` header member: a public EC P-256 JWK whose point is on the curve.
fn epk(header: &Map<String, Value>) -> Result<PublicKey, String> {
    let epk = header
        .get("epk")
        .and_then(Value::as_object)
        .ok_or("no epk object")?;
    if epk.contains_key("d") {
        return Err("epk holds a private key".into());
    }
    let member = |name: &str| epk.get(name).and_then(Value::as_str);
    if member("kty") != Some("EC") || member("crv") != Some("P-256") {
        return Err("epk is not an EC P-256 key".into());
    }
    match (member("x"), member("y")) {
        (Some(x), Some(y)) => public_key(x, y),
        _ => Err("epk has no x and y".into()),
    }
}
