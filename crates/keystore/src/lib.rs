//! The software key store: issuer signing keys encrypted at rest in one JSON file.
//!
//! The file holds, per key, its PKCS#8 document sealed with AES-256-GCM under a key derived from
//! the operator's passphrase by argon2id (parameters stored in the file, salt random per store).
//! The key id is the AEAD's associated data, so a sealed key cannot be moved under another id.
//! The passphrase comes from the operator (environment or a file outside the repository), never
//! from the store. Writes go to a temporary file then rename, so a crash leaves the old store.
//!
//! This is the only crate under the server that writes key material; an HSM backend implements
//! the same `passport_jose::Signer` trait.

use passport_jose::{b64, Es256Signer, Jwk, Signer};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum KeyStoreError {
    #[error("key store {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key store is not valid: {0}")]
    Format(String),
    #[error("wrong passphrase, or the key store has been altered")]
    Decrypt,
    #[error("no key labelled {0:?}")]
    NotFound(String),
    #[error("a key labelled {0:?} already exists")]
    Exists(String),
    #[error("crypto failure: {0}")]
    Crypto(String),
}

/// argon2id cost parameters. The defaults follow OWASP's password storage guidance (19 MiB, t=2).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams {
            m_kib: 19 * 1024,
            t: 2,
            p: 1,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct StoreFile {
    version: u32,
    kdf: String,
    params: KdfParams,
    salt: String,
    /// AES-GCM of a fixed text: tells a wrong passphrase from a corrupted key.
    check: Sealed,
    keys: Vec<StoredKey>,
}

/// An AES-256-GCM ciphertext with its nonce, as kept in JSON files (key store, wallet file).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sealed {
    pub nonce: String,
    pub ciphertext: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredKey {
    label: String,
    kid: String,
    created: i64,
    public_jwk: Jwk,
    sealed_pkcs8: Sealed,
}

/// Public facts about a stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub label: String,
    pub kid: String,
    pub created: i64,
    pub public_jwk: Jwk,
}

pub struct KeyStore {
    path: PathBuf,
    key: LessSafeKey,
    file: StoreFile,
    rng: SystemRandom,
}

const CHECK_TEXT: &[u8] = b"nhs-staff-passport key store v1";

impl KeyStore {
    /// Opens the store at `path`, creating an empty one if the file does not exist.
    pub fn open_or_create(
        path: &Path,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<Self, KeyStoreError> {
        let rng = SystemRandom::new();
        if path.exists() {
            let text = std::fs::read(path).map_err(|source| io(path, source))?;
            let file: StoreFile =
                serde_json::from_slice(&text).map_err(|e| KeyStoreError::Format(e.to_string()))?;
            if file.version != 1 || file.kdf != "argon2id" {
                return Err(KeyStoreError::Format("unsupported version or kdf".into()));
            }
            let salt = b64::decode(&file.salt).map_err(|e| KeyStoreError::Format(e.to_string()))?;
            let key = derive(passphrase, &salt, file.params)?;
            if open(&key, &file.check, b"check")? != CHECK_TEXT {
                return Err(KeyStoreError::Decrypt);
            }
            return Ok(KeyStore {
                path: path.into(),
                key,
                file,
                rng,
            });
        }
        let mut salt = [0u8; 16];
        rng.fill(&mut salt)
            .map_err(|_| KeyStoreError::Crypto("rng".into()))?;
        let key = derive(passphrase, &salt, params)?;
        let check = seal(&key, &rng, CHECK_TEXT, b"check")?;
        let store = KeyStore {
            path: path.into(),
            key,
            file: StoreFile {
                version: 1,
                kdf: "argon2id".into(),
                params,
                salt: b64::encode(salt),
                check,
                keys: Vec::new(),
            },
            rng,
        };
        store.save()?;
        Ok(store)
    }

    /// Generates and stores a new ES256 key under `label`.
    pub fn generate(&mut self, label: &str, now: i64) -> Result<KeyInfo, KeyStoreError> {
        if self.file.keys.iter().any(|k| k.label == label) {
            return Err(KeyStoreError::Exists(label.into()));
        }
        let (signer, pkcs8) =
            Es256Signer::generate().map_err(|e| KeyStoreError::Crypto(e.to_string()))?;
        let kid = signer.kid().to_string();
        let stored = StoredKey {
            label: label.into(),
            kid: kid.clone(),
            created: now,
            public_jwk: signer.public_jwk().clone(),
            sealed_pkcs8: seal(&self.key, &self.rng, &pkcs8, kid.as_bytes())?,
        };
        self.file.keys.push(stored.clone());
        self.save()?;
        Ok(info(&stored))
    }

    /// The signer for `label`, generating the key on first use.
    pub fn signer_or_generate(
        &mut self,
        label: &str,
        now: i64,
    ) -> Result<Es256Signer, KeyStoreError> {
        if !self.file.keys.iter().any(|k| k.label == label) {
            self.generate(label, now)?;
        }
        self.signer(label)
    }

    /// Decrypts the key labelled `label`.
    pub fn signer(&self, label: &str) -> Result<Es256Signer, KeyStoreError> {
        let k = self
            .file
            .keys
            .iter()
            .find(|k| k.label == label)
            .ok_or_else(|| KeyStoreError::NotFound(label.into()))?;
        let pkcs8 = open(&self.key, &k.sealed_pkcs8, k.kid.as_bytes())?;
        let signer = Es256Signer::from_pkcs8(&pkcs8, Some(k.kid.clone()))
            .map_err(|e| KeyStoreError::Crypto(e.to_string()))?;
        if signer.public_jwk().thumbprint() != k.public_jwk.thumbprint() {
            return Err(KeyStoreError::Decrypt);
        }
        Ok(signer)
    }

    pub fn list(&self) -> Vec<KeyInfo> {
        self.file.keys.iter().map(info).collect()
    }

    fn save(&self) -> Result<(), KeyStoreError> {
        let text = serde_json::to_vec_pretty(&self.file)
            .map_err(|e| KeyStoreError::Format(e.to_string()))?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| io(dir, source))?;
        }
        let tmp = self.path.with_extension("tmp");
        write_private(&tmp, &text).map_err(|source| io(&tmp, source))?;
        std::fs::rename(&tmp, &self.path).map_err(|source| io(&self.path, source))
    }
}

fn info(k: &StoredKey) -> KeyInfo {
    KeyInfo {
        label: k.label.clone(),
        kid: k.kid.clone(),
        created: k.created,
        public_jwk: k.public_jwk.clone(),
    }
}

fn io(path: &Path, source: std::io::Error) -> KeyStoreError {
    KeyStoreError::Io {
        path: path.into(),
        source,
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// The AES-256-GCM key derived with argon2id from a passphrase; the intermediate bytes are
/// wiped.
pub fn derive(passphrase: &[u8], salt: &[u8], p: KdfParams) -> Result<LessSafeKey, KeyStoreError> {
    let params = argon2::Params::new(p.m_kib, p.t, p.p, Some(32))
        .map_err(|e| KeyStoreError::Format(e.to_string()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 32];
    argon
        .hash_password_into(passphrase, salt, &mut out)
        .map_err(|e| KeyStoreError::Crypto(e.to_string()))?;
    let key =
        UnboundKey::new(&AES_256_GCM, &out).map_err(|_| KeyStoreError::Crypto("aead key".into()));
    out.fill(0);
    Ok(LessSafeKey::new(key?))
}

/// Encrypts `plain` under a fresh random nonce, authenticating `aad` too.
pub fn seal(
    key: &LessSafeKey,
    rng: &SystemRandom,
    plain: &[u8],
    aad: &[u8],
) -> Result<Sealed, KeyStoreError> {
    let mut nonce = [0u8; 12];
    rng.fill(&mut nonce)
        .map_err(|_| KeyStoreError::Crypto("rng".into()))?;
    let mut buf = plain.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut buf,
    )
    .map_err(|_| KeyStoreError::Crypto("seal".into()))?;
    Ok(Sealed {
        nonce: b64::encode(nonce),
        ciphertext: b64::encode(buf),
    })
}

/// Decrypts; a failed authentication (wrong key, edited ciphertext or `aad`) is
/// [`KeyStoreError::Decrypt`].
pub fn open(key: &LessSafeKey, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
    let nonce: [u8; 12] = b64::decode(&sealed.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or_else(|| KeyStoreError::Format("bad nonce".into()))?;
    let mut buf =
        b64::decode(&sealed.ciphertext).map_err(|e| KeyStoreError::Format(e.to_string()))?;
    let plain = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| KeyStoreError::Decrypt)?;
    Ok(plain.to_vec())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const LIGHT: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    #[test]
    fn created_on_first_use_and_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/issuer.keystore");
        let mut ks = KeyStore::open_or_create(&path, b"pass", LIGHT).unwrap();
        let signer = ks.signer_or_generate("RHQ", 1).unwrap();
        let again = KeyStore::open_or_create(&path, b"pass", LIGHT).unwrap();
        assert_eq!(
            again.signer("RHQ").unwrap().public_jwk(),
            signer.public_jwk()
        );
        assert_eq!(again.list().len(), 1);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("PRIVATE"), "no plaintext key material");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn wrong_passphrase_and_tampering_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.keystore");
        let mut ks = KeyStore::open_or_create(&path, b"pass", LIGHT).unwrap();
        ks.generate("a", 1).unwrap();
        assert!(matches!(
            KeyStore::open_or_create(&path, b"wrong", LIGHT),
            Err(KeyStoreError::Decrypt)
        ));
        // Move key "a"'s sealed bytes under another kid: the AAD binding refuses it.
        let mut file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        file["keys"][0]["kid"] = "other".into();
        std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        let ks = KeyStore::open_or_create(&path, b"pass", LIGHT).unwrap();
        assert!(matches!(ks.signer("a"), Err(KeyStoreError::Decrypt)));
        assert!(matches!(ks.signer("b"), Err(KeyStoreError::NotFound(_))));
    }
}
