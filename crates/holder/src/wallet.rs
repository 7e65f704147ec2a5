//! The wallet file: the device key and the received credentials, sealed together with
//! AES-256-GCM under a key derived from the holder's passphrase by argon2id.
//!
//! Layout (JSON): a clear header (`format`, `version`, `kdf`, argon2id `params`, random `salt`),
//! a `check` value (a fixed text sealed under the key, telling a wrong passphrase from a damaged
//! file) and `contents` (the sealed JSON of the key and credentials, with the header as AEAD
//! associated data, so header and contents cannot be recombined). The passphrase is never
//! stored. Writes go to a temporary file with mode 0600, then rename over the old file, so a
//! crash leaves either the old or the new wallet, whole. The approach and the KDF parameters are
//! those of `passport-keystore`.
use crate::HolderError;
use passport_jose::{b64, Es256Signer, Jwk, Signer};
use passport_keystore::{KdfParams, KeyStoreError, Sealed};
use ring::aead::LessSafeKey;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

const FORMAT: &str = "nhs-staff-passport wallet";
const VERSION: u32 = 1;
const KDF: &str = "argon2id";
const CHECK_TEXT: &[u8] = b"nhs-staff-passport wallet v1";
const CHECK_AAD: &[u8] = b"check";
/// Refuse to read wallet files larger than this (a wallet of 1000 credentials is about 5 MiB).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// One credential the wallet received and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedCredential {
    /// The SD-JWT VC exactly as issued: `<JWT>~<D1>~...~<Dn>~`.
    pub sd_jwt: String,
    /// The Credential Issuer Identifier (equal to the credential's `iss`).
    pub issuer: String,
    pub vct: String,
    /// The Credential Configuration it was issued under (e.g. `CoreSkillsTraining`).
    pub configuration_id: String,
    /// The `credential_identifier` it was requested by, if the token response named one.
    pub credential_identifier: Option<String>,
    /// When it was received (seconds since the epoch, the `now` given to `receive`).
    pub received_at: i64,
}

impl ReceivedCredential {
    /// Every claim with all disclosures applied (as issued; not re-verified here).
    pub fn claims(&self) -> Result<Map<String, Value>, HolderError> {
        let sd = passport_sd_jwt::SdJwt::parse(&self.sd_jwt)
            .map_err(|e| HolderError::Format(e.to_string()))?;
        sd.claims_and_paths()
            .map(|(claims, _)| claims)
            .map_err(|e| HolderError::Format(e.to_string()))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct WalletFile {
    format: String,
    version: u32,
    kdf: String,
    params: KdfParams,
    salt: String,
    check: Sealed,
    contents: Sealed,
}

/// What `contents` decrypts to.
#[derive(Serialize, Deserialize)]
struct Contents {
    /// PKCS#8 of the device key, base64url.
    device_key: String,
    credentials: Vec<ReceivedCredential>,
}

/// Where and how a file-backed wallet is written.
struct Backing {
    path: PathBuf,
    key: LessSafeKey,
    params: KdfParams,
    salt: String,
    check: Sealed,
}

/// A holder's wallet: one P-256 device key (every credential is bound to it) and the credentials
/// received. File-backed ([`Wallet::create_or_open`]) or in memory ([`Wallet::in_memory`]).
pub struct Wallet {
    backing: Option<Backing>,
    device_key: Es256Signer,
    device_pkcs8: Vec<u8>,
    pub(crate) credentials: Vec<ReceivedCredential>,
    rng: SystemRandom,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("path", &self.path())
            .field("device_key", &self.device_key.kid())
            .field("credentials", &self.credentials.len())
            .finish_non_exhaustive()
    }
}

impl Wallet {
    /// Opens the wallet file at `path` with `passphrase`, or creates it (with a fresh device key
    /// and `params` for argon2id) if there is no file. An existing file keeps its own parameters.
    ///
    /// Errors: [`HolderError::WrongPassphrase`], [`HolderError::Tampered`] (the contents fail
    /// authentication), [`HolderError::Format`] (not a wallet file), [`HolderError::Io`].
    pub fn create_or_open(
        path: &Path,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<Self, HolderError> {
        if passphrase.is_empty() {
            return Err(HolderError::Format("the passphrase is empty".into()));
        }
        let rng = SystemRandom::new();
        match std::fs::metadata(path) {
            Ok(meta) => {
                if meta.len() > MAX_FILE_BYTES {
                    return Err(HolderError::Format("wallet file is too large".into()));
                }
                let text = std::fs::read(path).map_err(|e| HolderError::io(path, e))?;
                Self::open(path, &text, passphrase, rng)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Self::create(path, passphrase, params, rng)
            }
            Err(e) => Err(HolderError::io(path, e)),
        }
    }

    /// A wallet that lives in memory only (tests, one-shot use): a fresh device key, no file;
    /// [`Wallet::save`] does nothing.
    pub fn in_memory() -> Result<Self, HolderError> {
        let (device_key, pkcs8) =
            Es256Signer::generate().map_err(|e| HolderError::Crypto(e.to_string()))?;
        Ok(Wallet {
            backing: None,
            device_key,
            device_pkcs8: pkcs8,
            credentials: Vec::new(),
            rng: SystemRandom::new(),
        })
    }

    /// An in-memory wallet of an existing device key holding `credentials` as given; the
    /// caller has checked them ([`Wallet::holding`]).
    pub(crate) fn in_memory_with(
        device_key: Es256Signer,
        device_pkcs8: Vec<u8>,
        credentials: Vec<ReceivedCredential>,
    ) -> Self {
        Wallet {
            backing: None,
            device_key,
            device_pkcs8,
            credentials,
            rng: SystemRandom::new(),
        }
    }

    fn create(
        path: &Path,
        passphrase: &[u8],
        params: KdfParams,
        rng: SystemRandom,
    ) -> Result<Self, HolderError> {
        let mut salt = [0u8; 16];
        rng.fill(&mut salt)
            .map_err(|_| HolderError::Crypto("rng".into()))?;
        let key = derive(passphrase, &salt, params)?;
        let check = seal(&key, &rng, CHECK_TEXT, CHECK_AAD)?;
        let mut wallet = Self::in_memory()?;
        wallet.backing = Some(Backing {
            path: path.into(),
            key,
            params,
            salt: b64::encode(salt),
            check,
        });
        wallet.save()?;
        Ok(wallet)
    }

    fn open(
        path: &Path,
        text: &[u8],
        passphrase: &[u8],
        rng: SystemRandom,
    ) -> Result<Self, HolderError> {
        let file: WalletFile =
            serde_json::from_slice(text).map_err(|e| HolderError::Format(e.to_string()))?;
        if file.format != FORMAT || file.version != VERSION || file.kdf != KDF {
            return Err(HolderError::Format(format!(
                "unsupported wallet file (format {:?} version {} kdf {:?})",
                file.format, file.version, file.kdf
            )));
        }
        let salt = b64::decode(&file.salt).map_err(|e| HolderError::Format(e.to_string()))?;
        let key = derive(passphrase, &salt, file.params)?;
        match open(&key, &file.check, CHECK_AAD) {
            Ok(text) if text == CHECK_TEXT => {}
            Ok(_) | Err(HolderError::Tampered) => return Err(HolderError::WrongPassphrase),
            Err(e) => return Err(e),
        }
        let aad = header_aad(file.params, &file.salt);
        let plain = open(&key, &file.contents, aad.as_bytes())?;
        let contents: Contents =
            serde_json::from_slice(&plain).map_err(|e| HolderError::Format(e.to_string()))?;
        let pkcs8 =
            b64::decode(&contents.device_key).map_err(|e| HolderError::Format(e.to_string()))?;
        let device_key = Es256Signer::from_pkcs8(&pkcs8, None)
            .map_err(|e| HolderError::Format(format!("device key: {e}")))?;
        Ok(Wallet {
            backing: Some(Backing {
                path: path.into(),
                key,
                params: file.params,
                salt: file.salt,
                check: file.check,
            }),
            device_key,
            device_pkcs8: pkcs8,
            credentials: contents.credentials,
            rng,
        })
    }

    /// Writes the wallet file (atomically: temporary file, then rename). Does nothing for an
    /// in-memory wallet.
    pub fn save(&self) -> Result<(), HolderError> {
        let Some(b) = &self.backing else {
            return Ok(());
        };
        let contents = Contents {
            device_key: b64::encode(&self.device_pkcs8),
            credentials: self.credentials.clone(),
        };
        let plain =
            serde_json::to_vec(&contents).map_err(|e| HolderError::Format(e.to_string()))?;
        let aad = header_aad(b.params, &b.salt);
        let file = WalletFile {
            format: FORMAT.into(),
            version: VERSION,
            kdf: KDF.into(),
            params: b.params,
            salt: b.salt.clone(),
            check: b.check.clone(),
            contents: seal(&b.key, &self.rng, &plain, aad.as_bytes())?,
        };
        let text =
            serde_json::to_vec_pretty(&file).map_err(|e| HolderError::Format(e.to_string()))?;
        if let Some(dir) = b.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| HolderError::io(dir, e))?;
        }
        let mut tmp = b.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        write_private(&tmp, &text).map_err(|e| HolderError::io(&tmp, e))?;
        std::fs::rename(&tmp, &b.path).map_err(|e| HolderError::io(&b.path, e))
    }

    /// The wallet file, if this wallet has one.
    pub fn path(&self) -> Option<&Path> {
        self.backing.as_ref().map(|b| b.path.as_path())
    }

    /// The device key: signs key proofs at issuance and Key Binding JWTs at presentation.
    pub fn device_key(&self) -> &Es256Signer {
        &self.device_key
    }

    /// The public device key, as credentials carry it in `cnf.jwk`.
    pub fn device_jwk(&self) -> &Jwk {
        self.device_key.public_jwk()
    }

    /// The credentials received, oldest first.
    pub fn credentials(&self) -> &[ReceivedCredential] {
        &self.credentials
    }

    /// Removes and returns the credential at `index` (call [`Wallet::save`] to persist).
    pub fn remove(&mut self, index: usize) -> Option<ReceivedCredential> {
        (index < self.credentials.len()).then(|| self.credentials.remove(index))
    }
}

/// The clear header, bound to the contents as associated data.
fn header_aad(p: KdfParams, salt: &str) -> String {
    format!(
        "{FORMAT}|{VERSION}|{KDF}|m={},t={},p={}|{salt}",
        p.m_kib, p.t, p.p
    )
}

/// The wallet file uses the key store's sealing (argon2id + AES-256-GCM); only the errors differ.
fn derive(passphrase: &[u8], salt: &[u8], p: KdfParams) -> Result<LessSafeKey, HolderError> {
    passport_keystore::derive(passphrase, salt, p).map_err(keystore_error)
}

fn seal(
    key: &LessSafeKey,
    rng: &SystemRandom,
    plain: &[u8],
    aad: &[u8],
) -> Result<Sealed, HolderError> {
    passport_keystore::seal(key, rng, plain, aad).map_err(keystore_error)
}

/// Decrypts; a failed authentication is [`HolderError::Tampered`].
fn open(key: &LessSafeKey, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, HolderError> {
    passport_keystore::open(key, sealed, aad).map_err(keystore_error)
}

fn keystore_error(e: KeyStoreError) -> HolderError {
    match e {
        KeyStoreError::Decrypt => HolderError::Tampered,
        KeyStoreError::Format(m) => HolderError::Format(m),
        other => HolderError::Crypto(other.to_string()),
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Small enough for tests; real wallets use `KdfParams::default()` (19 MiB, t=2).
    const LIGHT: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    fn sample(n: i64) -> ReceivedCredential {
        ReceivedCredential {
            sd_jwt: format!("eyJ.eyJ.sig{n}~WyJ~"),
            issuer: "https://passport.example.nhs.uk/issuers/RHQ".into(),
            vct: "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1".into(),
            configuration_id: "CoreSkillsTraining".into(),
            credential_identifier: Some(format!("cred-{n}")),
            received_at: 1_750_000_000 + n,
        }
    }

    #[test]
    fn created_on_first_use_then_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/wallet.json");
        let mut w = Wallet::create_or_open(&path, b"correct horse", LIGHT).unwrap();
        assert!(path.exists(), "created on first use");
        assert!(w.credentials().is_empty());
        let jwk = w.device_jwk().clone();
        w.credentials.push(sample(1));
        w.credentials.push(sample(2));
        w.save().unwrap();
        let again = Wallet::create_or_open(&path, b"correct horse", KdfParams::default()).unwrap();
        assert_eq!(again.device_jwk(), &jwk, "same device key");
        assert_eq!(again.credentials(), &[sample(1), sample(2)]);
        // Nothing in clear: no credential text, no key, no passphrase.
        let text = std::fs::read_to_string(&path).unwrap();
        for secret in ["eyJ.eyJ", "cred-1", "correct horse", &jwk.x] {
            assert!(!text.contains(secret), "{secret} must not be in the file");
        }
        assert!(!dir.path().join("nested/wallet.json.tmp").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Each save seals afresh (new nonce), the header stays.
        let before: Value = serde_json::from_str(&text).unwrap();
        again.save().unwrap();
        let after: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(before["salt"], after["salt"]);
        assert_ne!(before["contents"]["nonce"], after["contents"]["nonce"]);
        let mut again = again;
        assert_eq!(again.remove(0), Some(sample(1)));
        assert_eq!(again.remove(5), None);
    }

    #[test]
    fn wrong_passphrase_is_reported_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.json");
        Wallet::create_or_open(&path, b"pass", LIGHT).unwrap();
        let e = Wallet::create_or_open(&path, b"Pass", LIGHT).unwrap_err();
        assert!(matches!(e, HolderError::WrongPassphrase), "{e}");
        assert!(e.to_string().contains("wrong passphrase"));
        assert!(Wallet::create_or_open(&path, b"", LIGHT).is_err());
    }

    #[test]
    fn tampering_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.json");
        let mut w = Wallet::create_or_open(&path, b"pass", LIGHT).unwrap();
        w.credentials.push(sample(1));
        w.save().unwrap();
        let original: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let write = |v: &Value| std::fs::write(&path, serde_json::to_vec(v).unwrap()).unwrap();

        // One bit of the sealed contents flipped.
        let mut v = original.clone();
        let mut ct = b64::decode(v["contents"]["ciphertext"].as_str().unwrap()).unwrap();
        ct[10] ^= 1;
        v["contents"]["ciphertext"] = b64::encode(ct).into();
        write(&v);
        let e = Wallet::create_or_open(&path, b"pass", LIGHT).unwrap_err();
        assert!(matches!(e, HolderError::Tampered), "{e}");
        assert!(e.to_string().contains("altered or corrupted"));

        // The contents of another wallet (same passphrase, other salt) spliced in.
        let other_path = dir.path().join("other.json");
        Wallet::create_or_open(&other_path, b"pass", LIGHT).unwrap();
        let other: Value = serde_json::from_slice(&std::fs::read(&other_path).unwrap()).unwrap();
        let mut v = original.clone();
        v["contents"] = other["contents"].clone();
        write(&v);
        assert!(matches!(
            Wallet::create_or_open(&path, b"pass", LIGHT),
            Err(HolderError::Tampered)
        ));

        // KDF parameters or salt changed: the derived key changes, the check fails.
        let mut v = original.clone();
        v["params"]["t"] = 2.into();
        write(&v);
        assert!(matches!(
            Wallet::create_or_open(&path, b"pass", LIGHT),
            Err(HolderError::WrongPassphrase)
        ));

        // Truncated or not a wallet at all.
        std::fs::write(&path, b"{\"format\":").unwrap();
        assert!(matches!(
            Wallet::create_or_open(&path, b"pass", LIGHT),
            Err(HolderError::Format(_))
        ));
        let mut v = original.clone();
        v["version"] = 2.into();
        write(&v);
        assert!(matches!(
            Wallet::create_or_open(&path, b"pass", LIGHT),
            Err(HolderError::Format(_))
        ));

        // The original still opens.
        write(&original);
        let w = Wallet::create_or_open(&path, b"pass", LIGHT).unwrap();
        assert_eq!(w.credentials(), &[sample(1)]);
    }

    #[test]
    fn in_memory_wallet_has_a_key_and_no_file() {
        let w = Wallet::in_memory().unwrap();
        assert!(w.path().is_none());
        w.save().unwrap();
        assert_eq!(w.device_jwk().crv, "P-256");
        assert!(format!("{w:?}").contains("credentials: 0"));
    }
}
