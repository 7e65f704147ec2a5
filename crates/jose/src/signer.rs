//! Signing behind a trait, so an HSM (PKCS#11) signer can replace the software key later.
use crate::{b64, JoseError, Jwk};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

/// Something that makes ES256 signatures with one key. Implementations must be usable from many
/// threads at once (issuance runs on a thread pool).
pub trait Signer: Send + Sync {
    /// The public key, with its `kid` set.
    fn public_jwk(&self) -> &Jwk;

    /// The key identifier that goes in the JWS header.
    fn kid(&self) -> &str;

    /// A fixed-size (r || s) ES256 signature over `signing_input`.
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError>;
}

/// A software ES256 key held in memory (the key store keeps it encrypted at rest).
pub struct Es256Signer {
    pair: EcdsaKeyPair,
    jwk: Jwk,
    kid: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for Es256Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Es256Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Es256Signer {
    /// Generates a new key; returns the signer and its PKCS#8 document for the key store.
    pub fn generate() -> Result<(Self, Vec<u8>), JoseError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| JoseError::Signing("key generation failed".into()))?;
        let signer = Self::from_pkcs8(pkcs8.as_ref(), None)?;
        Ok((signer, pkcs8.as_ref().to_vec()))
    }

    /// Loads a key from PKCS#8; `kid` defaults to the RFC 7638 thumbprint of the public key.
    pub fn from_pkcs8(pkcs8: &[u8], kid: Option<String>) -> Result<Self, JoseError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|e| JoseError::InvalidKey(e.to_string()))?;
        Self::from_pair(pair, kid, rng)
    }

    /// Loads a key from the JWK members `d`, `x`, `y` (as published in specification examples).
    pub fn from_jwk_private(d: &str, public: &Jwk, kid: Option<String>) -> Result<Self, JoseError> {
        let rng = SystemRandom::new();
        let point = public.to_uncompressed_point()?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &b64::decode(d)?,
            &point,
            &rng,
        )
        .map_err(|e| JoseError::InvalidKey(e.to_string()))?;
        Self::from_pair(pair, kid, rng)
    }

    fn from_pair(
        pair: EcdsaKeyPair,
        kid: Option<String>,
        rng: SystemRandom,
    ) -> Result<Self, JoseError> {
        let jwk = Jwk::from_uncompressed_point(pair.public_key().as_ref())?;
        let kid = kid.unwrap_or_else(|| jwk.thumbprint());
        let mut jwk = jwk.with_kid(Some(kid.clone()));
        jwk.alg = Some(crate::ES256.into());
        jwk.use_ = Some("sig".into());
        Ok(Es256Signer {
            pair,
            jwk,
            kid,
            rng,
        })
    }
}

impl Signer for Es256Signer {
    fn public_jwk(&self) -> &Jwk {
        &self.jwk
    }

    fn kid(&self) -> &str {
        &self.kid
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError> {
        self.pair
            .sign(&self.rng, signing_input)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| JoseError::Signing("ECDSA signing failed".into()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_reload() {
        let (signer, pkcs8) = Es256Signer::generate().unwrap();
        let sig = signer.sign(b"hello").unwrap();
        let key = signer.public_jwk().verifying_key().unwrap();
        key.verify(b"hello", &sig).unwrap();
        assert_eq!(key.verify(b"hellp", &sig), Err(JoseError::BadSignature));
        let again = Es256Signer::from_pkcs8(&pkcs8, None).unwrap();
        assert_eq!(again.public_jwk(), signer.public_jwk());
        assert_eq!(signer.kid(), signer.public_jwk().thumbprint());
    }
}
