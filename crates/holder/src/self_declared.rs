//! Personal details the person declares once in their wallet (preferred name, contact details,
//! address, emergency contacts, NI number), kept as an SD-JWT VC the wallet signs with its own
//! device key, so they can be shared with consent like any credential. A receiver shows them
//! as declared by the person, not verified.
//!
//! The issuer identifier is the device key's JWK Thumbprint URI (RFC 9278,
//! `urn:ietf:params:oauth:jwk-thumbprint:sha-256:<thumbprint>`): an IETF URI that names exactly
//! one key by the RFC 7638 thumbprint the passport already computes, with nothing to resolve
//! or encode beyond it (a `did:jwk` would carry the whole key and need DID parsing).
use crate::{HolderError, ReceivedCredential, Wallet};
use passport_catalogue::Catalogue;
use passport_sd_jwt::issue::RandomSalts;
use passport_sd_jwt::vc::{self, Envelope};
use passport_sd_jwt::ClaimPath;
use serde_json::{Map, Value};

/// Up to this many decoy digests, as an organisation's credentials have.
const MAX_DECOYS: usize = 3;

impl Wallet {
    /// Declares the person's own details: validates `claims` (without `recordType`) against the
    /// catalogue's self-declared type, self-issues them (every detail its own disclosure, bound
    /// to and signed by the device key, no status) and replaces any earlier declaration. Call
    /// [`Wallet::save`] to persist.
    pub fn set_self_declared(
        &mut self,
        claims: Map<String, Value>,
        now: i64,
    ) -> Result<&ReceivedCredential, HolderError> {
        let ty = Catalogue::nhs()
            .self_declared()
            .ok_or_else(|| HolderError::Format("no self-declared type in the catalogue".into()))?;
        let mut record = Map::with_capacity(claims.len() + 1);
        record.insert("recordType".into(), Value::from(ty.name));
        for (name, value) in claims {
            if name == "recordType" {
                continue;
            }
            record.insert(name, value);
        }
        ty.validate(&Value::Object(record.clone()))
            .map_err(|e| HolderError::Format(e.to_string()))?;
        let jwk = self.device_jwk().clone();
        let iss = vc::jwk_thumbprint_uri(&jwk);
        let envelope = Envelope {
            iss: iss.clone(),
            vct: ty.vct.clone(),
            iat: now,
            exp: None,
            nbf: None,
            holder: Some(jwk),
            status: None,
        };
        let disclosable: Vec<ClaimPath> = record
            .keys()
            .filter(|k| !ty.always_disclosed.contains(&k.as_str()))
            .map(|k| ClaimPath::keys(&[k.as_str()]))
            .collect();
        let issued = vc::issue(
            self.device_key(),
            &envelope,
            record,
            &disclosable,
            &mut RandomSalts::default(),
            MAX_DECOYS,
        )
        .map_err(|e| HolderError::Crypto(e.to_string()))?;
        self.credentials.retain(|c| c.vct != ty.vct);
        self.credentials.push(ReceivedCredential {
            sd_jwt: issued.compact(),
            issuer: iss,
            vct: ty.vct.clone(),
            configuration_id: ty.name.to_string(),
            credential_identifier: None,
            received_at: now,
        });
        self.credentials
            .last()
            .ok_or_else(|| HolderError::Format("declaration not stored".into()))
    }

    /// The person's self-declared details, if they declared any.
    pub fn self_declared(&self) -> Option<&ReceivedCredential> {
        let ty = Catalogue::nhs().self_declared()?;
        self.credentials.iter().find(|c| c.vct == ty.vct)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use passport_sd_jwt::{KbExpectation, KeyBinding, VerifyOptions};
    use serde_json::json;

    #[test]
    fn declared_details_are_self_signed_bound_and_selectively_disclosable() {
        let mut w = Wallet::in_memory().unwrap();
        let claims = json!({"preferredName": "Amy", "phone": "07700 900123"});
        let held = w
            .set_self_declared(claims.as_object().unwrap().clone(), 1_800_000_000)
            .unwrap()
            .clone();
        let thumbprint = w.device_jwk().thumbprint();
        assert_eq!(
            held.issuer,
            format!("urn:ietf:params:oauth:jwk-thumbprint:sha-256:{thumbprint}")
        );
        let sd = passport_sd_jwt::SdJwt::parse(&held.sd_jwt).unwrap();
        let payload = sd.unverified_payload().unwrap();
        // Every detail is concealed in the signed part; no status.
        assert!(payload.get("preferredName").is_none());
        assert!(payload.get("status").is_none());
        assert_eq!(payload["cnf"]["jwk"]["x"], json!(w.device_jwk().x));
        let (all, paths) = sd.claims_and_paths().unwrap();
        assert_eq!(all["preferredName"], "Amy");
        assert_eq!(paths.len(), 2);
        // The device key signed it and a KB-JWT by the same key verifies.
        let presented = sd
            .present(&paths[..1], "aud", "n", 1_800_000_000, w.device_key())
            .unwrap();
        let key = w.device_jwk().verifying_key().unwrap();
        let opts = VerifyOptions::new(
            1_800_000_000,
            KeyBinding::Required(KbExpectation {
                aud: "aud".into(),
                nonce: "n".into(),
                max_age_secs: 60,
            }),
        );
        let v = passport_sd_jwt::vc::verify(&presented, &|_, _| Ok(key), &opts).unwrap();
        assert_eq!(v.iss, held.issuer);
        // Declaring again replaces it; bad claims are refused and change nothing.
        let again = json!({"preferredName": "Amara"});
        w.set_self_declared(again.as_object().unwrap().clone(), 1_800_000_001)
            .unwrap();
        assert_eq!(w.credentials().len(), 1);
        let bad = json!({"nationalInsuranceNumber": "nope"});
        assert!(w
            .set_self_declared(bad.as_object().unwrap().clone(), 1_800_000_002)
            .is_err());
        assert_eq!(w.self_declared().unwrap().received_at, 1_800_000_001);
    }
}
