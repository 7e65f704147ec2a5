//! A wallet made from a device key and credentials issued to it elsewhere: a load test that
//! issues through the issuer's store and engine rather than over OpenID4VCI (`passport bench
//! changeover`) keeps each doctor's key and credentials on disk, then answers presentation
//! requests with this exactly as a wallet that received them would.
//!
//! The same receipt checks as [`Wallet::receive`] apply to every credential (an SD-JWT VC of
//! its stated issuer and `vct`, bound by `cnf.jwk` to this device key, not expired), so a
//! wallet never holds a credential it could not present. All or nothing: one credential that
//! fails and no wallet is made.
use crate::receive::check_credential;
use crate::{HolderError, ReceivedCredential, Wallet};
use passport_jose::Es256Signer;
use serde_json::Value;

impl Wallet {
    /// An in-memory wallet with the device key `device_pkcs8` (PKCS#8 of a P-256 key) holding
    /// `credentials`, each checked at `now`.
    ///
    /// Errors: [`HolderError::Format`] (not a P-256 PKCS#8 key), [`HolderError::CredentialCheck`]
    /// (a credential not bound to that key, of another issuer or type, expired, malformed).
    pub fn holding(
        device_pkcs8: &[u8],
        credentials: Vec<ReceivedCredential>,
        now: i64,
    ) -> Result<Self, HolderError> {
        let device_key = Es256Signer::from_pkcs8(device_pkcs8, None)
            .map_err(|e| HolderError::Format(format!("device key: {e}")))?;
        let jwk = passport_jose::Signer::public_jwk(&device_key).clone();
        for c in &credentials {
            let text = Value::String(c.sd_jwt.clone());
            check_credential(&text, &c.issuer, Some(&c.vct), &jwk, now)?;
        }
        Ok(Wallet::in_memory_with(
            device_key,
            device_pkcs8.to_vec(),
            credentials,
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use passport_jose::{Jwk, Signer};
    use passport_sd_jwt::issue::RandomSalts;
    use passport_sd_jwt::vc::{issue, Envelope};
    use serde_json::json;

    const ISS: &str = "https://passport.example.nhs.uk/issuers/RHQ";
    const VCT: &str = "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1";

    fn held(holder: &Jwk, n: i64) -> ReceivedCredential {
        let (issuer_key, _) = Es256Signer::generate().unwrap();
        let envelope = Envelope {
            iss: ISS.into(),
            vct: VCT.into(),
            iat: 100,
            exp: Some(1_000),
            nbf: None,
            holder: Some(holder.clone()),
            status: None,
        };
        let claims = json!({"recordType": "CoreSkillsTraining"});
        let issued = issue(
            &issuer_key,
            &envelope,
            claims.as_object().unwrap().clone(),
            &[],
            &mut RandomSalts::default(),
            0,
        )
        .unwrap();
        ReceivedCredential {
            sd_jwt: issued.compact(),
            issuer: ISS.into(),
            vct: VCT.into(),
            configuration_id: "CoreSkillsTraining".into(),
            credential_identifier: Some(format!("cred-{n}")),
            received_at: 100 + n,
        }
    }

    #[test]
    fn holds_credentials_bound_to_its_key_and_nothing_else() {
        let (device, pkcs8) = Es256Signer::generate().unwrap();
        let (other, _) = Es256Signer::generate().unwrap();
        let mine = [held(device.public_jwk(), 1), held(device.public_jwk(), 2)];

        // Baseline: the key and its own credentials make a wallet that holds them.
        let w = Wallet::holding(&pkcs8, mine.to_vec(), 500).unwrap();
        assert_eq!(w.device_jwk(), device.public_jwk());
        assert_eq!(w.credentials(), &mine);
        assert!(w.path().is_none(), "in memory only");

        // One credential bound to another key, and no wallet.
        let mixed = vec![mine[0].clone(), held(other.public_jwk(), 3)];
        let e = Wallet::holding(&pkcs8, mixed, 500).unwrap_err();
        assert!(matches!(e, HolderError::CredentialCheck(_)), "{e}");
        assert!(e.to_string().contains("device key"), "{e}");

        // Claimed to be of another issuer or type than it is.
        let mut forged = mine[0].clone();
        forged.issuer = "https://evil.example/issuers/RHQ".into();
        let e = Wallet::holding(&pkcs8, vec![forged], 500).unwrap_err();
        assert!(e.to_string().contains("iss"), "{e}");
        let mut forged = mine[0].clone();
        forged.vct = "https://w3id.org/nhs-staff-passport/vct/identity/v1".into();
        assert!(Wallet::holding(&pkcs8, vec![forged], 500).is_err());

        // Expired by `now`; not an SD-JWT at all; not a key.
        let e = Wallet::holding(&pkcs8, mine.to_vec(), 1_000).unwrap_err();
        assert!(e.to_string().contains("expired"), "{e}");
        let mut garbled = mine[0].clone();
        garbled.sd_jwt = "not an sd-jwt".into();
        assert!(Wallet::holding(&pkcs8, vec![garbled], 500).is_err());
        let e = Wallet::holding(b"not a key", vec![], 500).unwrap_err();
        assert!(matches!(e, HolderError::Format(_)), "{e}");
    }
}
