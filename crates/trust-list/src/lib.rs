//! The trust list: who may issue which credential, who may verify.
//!
//! A national registry (NHS England) signs one JSON document listing NHS organisations by ODS
//! code with their kind, issuer identifier, public keys, the credential types (`vct`) each may
//! issue and whether each may request presentations. Every node verifies the list with the
//! registry key it was configured with, caches it, and keeps working offline until `exp`.
//!
//! Invariants: an issuer key is found only through the list (by issuer identifier, then `kid`);
//! an issuer is accepted for a credential only if the list names that `vct` for it; ODS codes and
//! issuer identifiers are unique in a valid list. Every publication carries a higher `sequence`
//! (the list's version) than the one before, and a node holding version n never takes a list
//! below n in its place ([`TrustList::verify_update`]): an attacker who replays an older, still
//! signed list (say, one from before a compromised key was removed) gets nowhere.
mod index;
mod keys;
mod update;

pub use keys::{parse_jwks, MAX_KEYS};
pub use update::Update;

use passport_jose::jws::{self, CompactJws, JwsHeader};
use passport_jose::{Jwks, Signer, VerifyingKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const TRUST_LIST_TYP: &str = "nhs-trust-list+jwt";

/// How far in the future a list's `iat` may be (clock skew between the registry and a node).
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TrustError {
    #[error("issuer {0:?} is not on the trust list")]
    UntrustedIssuer(String),
    #[error("issuer {iss:?} is not authorised to issue {vct:?}")]
    NotAuthorisedForType { iss: String, vct: String },
    #[error("organisation {0:?} is not authorised to verify")]
    NotAuthorisedToVerify(String),
    #[error("issuer {iss:?} has no key {kid:?}")]
    UnknownKey { iss: String, kid: Option<String> },
    #[error("trust list is invalid: {0}")]
    Invalid(String),
    #[error("trust list signature does not verify")]
    BadSignature,
    #[error("trust list expired at {exp} (now {now}); fetch a fresh one")]
    Expired { exp: i64, now: i64 },
    #[error("trust list issued in the future (iat {iat}, now {now})")]
    IssuedInFuture { iat: i64, now: i64 },
    #[error(
        "trust list version {offered} is older than version {held} already held (rollback refused)"
    )]
    Rollback { held: u64, offered: u64 },
    #[error("JWK Set: {0}")]
    Jwks(String),
    #[error("JWK Set: key {index} has the private member {member:?}; paste only public keys")]
    PrivateKeyMember { index: usize, member: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    /// An NHS trust (acute, mental health, community, ambulance).
    Trust,
    /// NHS England, issuer of training programme and placement credentials for doctors in training.
    NhsEngland,
    /// An occupational health provider serving one or more trusts.
    OccupationalHealthProvider,
    /// The national registry that signs this list.
    Registry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// ODS code, e.g. `RHQ` (trusts have 3 characters, NHS England `X24`).
    pub ods_code: String,
    pub name: String,
    pub kind: OrgKind,
    /// The `iss` of its credentials, e.g. `https://passport.example/issuers/RHQ`.
    pub issuer: String,
    pub jwks: Jwks,
    /// Credential types (`vct`) it may issue.
    #[serde(default)]
    pub may_issue: Vec<String>,
    /// Whether it may request presentations from staff (act as a verifier).
    #[serde(default)]
    pub may_verify: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// The list's version: increases with every publication (a re-signing with a new expiry
    /// included); a node refuses to go back to an older list.
    pub sequence: u64,
    /// When the registry signed it.
    pub iat: i64,
    /// After this the list must be refreshed.
    pub exp: i64,
    pub organisations: Vec<Organisation>,
    /// Lookup by issuer identifier (a cache of `organisations`, not part of the document).
    #[serde(skip)]
    issuers: index::IssuerIndex,
}

impl TrustList {
    pub fn new(sequence: u64, iat: i64, exp: i64, organisations: Vec<Organisation>) -> Self {
        Self {
            sequence,
            iat,
            exp,
            organisations,
            issuers: index::IssuerIndex::default(),
        }
    }

    /// Structural checks: ODS code format, uniqueness, usable keys.
    pub fn validate(&self) -> Result<(), TrustError> {
        let mut ods = std::collections::HashSet::new();
        let mut issuers = std::collections::HashSet::new();
        if self.iat > self.exp {
            return Err(TrustError::Invalid(format!(
                "issued at {} after it expires at {}",
                self.iat, self.exp
            )));
        }
        for org in &self.organisations {
            if !valid_ods_code(&org.ods_code) {
                return Err(TrustError::Invalid(format!(
                    "bad ODS code {:?}",
                    org.ods_code
                )));
            }
            if !ods.insert(org.ods_code.as_str()) {
                return Err(TrustError::Invalid(format!(
                    "ODS code {} listed twice",
                    org.ods_code
                )));
            }
            if !issuers.insert(org.issuer.as_str()) {
                return Err(TrustError::Invalid(format!(
                    "issuer {} listed twice",
                    org.issuer
                )));
            }
            for key in &org.jwks.keys {
                key.verifying_key()
                    .map_err(|e| TrustError::Invalid(format!("{}: {e}", org.ods_code)))?;
            }
        }
        Ok(())
    }

    /// The organisation whose issuer identifier is `iss` (through the index: see `index.rs`).
    pub fn by_issuer(&self, iss: &str) -> Option<&Organisation> {
        self.issuers.find(&self.organisations, iss)
    }

    pub fn by_ods(&self, code: &str) -> Option<&Organisation> {
        self.organisations.iter().find(|o| o.ods_code == code)
    }

    /// The key of `iss` named `kid`; without a `kid`, the issuer's only key.
    pub fn issuer_key(&self, iss: &str, kid: Option<&str>) -> Result<VerifyingKey, TrustError> {
        let org = self
            .by_issuer(iss)
            .ok_or_else(|| TrustError::UntrustedIssuer(iss.into()))?;
        let unknown = || TrustError::UnknownKey {
            iss: iss.into(),
            kid: kid.map(str::to_string),
        };
        let jwk = match kid {
            Some(kid) => org.jwks.find(kid).ok_or_else(unknown)?,
            None if org.jwks.keys.len() == 1 => &org.jwks.keys[0],
            None => return Err(unknown()),
        };
        jwk.verifying_key().map_err(|_| unknown())
    }

    /// Checks that `iss` may issue credentials of type `vct`.
    pub fn authorise_issuer(&self, iss: &str, vct: &str) -> Result<&Organisation, TrustError> {
        let org = self
            .by_issuer(iss)
            .ok_or_else(|| TrustError::UntrustedIssuer(iss.into()))?;
        if org.may_issue.iter().any(|v| v == vct) {
            Ok(org)
        } else {
            Err(TrustError::NotAuthorisedForType {
                iss: iss.into(),
                vct: vct.into(),
            })
        }
    }

    /// Checks that the organisation with `ods_code` may act as a verifier.
    pub fn authorise_verifier(&self, ods_code: &str) -> Result<&Organisation, TrustError> {
        match self.by_ods(ods_code) {
            Some(org) if org.may_verify => Ok(org),
            _ => Err(TrustError::NotAuthorisedToVerify(ods_code.into())),
        }
    }

    /// Signs the list as a JWT with the registry key.
    pub fn sign(&self, registry: &dyn Signer) -> Result<String, TrustError> {
        self.validate()?;
        let payload = serde_json::to_value(self).map_err(|e| TrustError::Invalid(e.to_string()))?;
        jws::sign(&JwsHeader::typed(TRUST_LIST_TYP), &payload, registry)
            .map_err(|e| TrustError::Invalid(e.to_string()))
    }

    /// Verifies a signed list with the registry key the node was configured with.
    pub fn verify(
        token: &str,
        registry_key: &VerifyingKey,
        now: i64,
    ) -> Result<TrustList, TrustError> {
        let jws = CompactJws::parse(token).map_err(|e| TrustError::Invalid(e.to_string()))?;
        if jws.typ() != Some(TRUST_LIST_TYP) {
            return Err(TrustError::Invalid(format!("typ must be {TRUST_LIST_TYP}")));
        }
        jws.verify(registry_key)
            .map_err(|_| TrustError::BadSignature)?;
        let list: TrustList = serde_json::from_value(serde_json::Value::Object(jws.payload))
            .map_err(|e| TrustError::Invalid(e.to_string()))?;
        if now > list.exp {
            return Err(TrustError::Expired { exp: list.exp, now });
        }
        if list.iat > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
            return Err(TrustError::IssuedInFuture { iat: list.iat, now });
        }
        list.validate()?;
        Ok(list)
    }
}

/// An ODS code as the list accepts it: 3 to 9 upper-case letters and digits (trusts have 3,
/// NHS England `X24`, sites and providers more).
pub fn valid_ods_code(code: &str) -> bool {
    (3..=9).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use passport_jose::Es256Signer;

    fn org(code: &str, signer: &Es256Signer, vct: &[&str]) -> Organisation {
        Organisation {
            ods_code: code.into(),
            name: format!("{code} NHS Foundation Trust"),
            kind: OrgKind::Trust,
            issuer: format!("https://passport.example/issuers/{code}"),
            jwks: Jwks {
                keys: vec![signer.public_jwk().clone()],
            },
            may_issue: vct.iter().map(|v| v.to_string()).collect(),
            may_verify: true,
        }
    }

    #[test]
    fn sign_verify_lookup_authorise() {
        let (registry, _) = Es256Signer::generate().unwrap();
        let (rhq, _) = Es256Signer::generate().unwrap();
        let list = TrustList::new(1, 0, 100, vec![org("RHQ", &rhq, &["v:cstf"])]);
        let token = list.sign(&registry).unwrap();
        let rk = registry.public_jwk().verifying_key().unwrap();
        let back = TrustList::verify(&token, &rk, 50).unwrap();
        let iss = "https://passport.example/issuers/RHQ";
        assert!(back.issuer_key(iss, Some(rhq.kid())).is_ok());
        assert!(back.issuer_key(iss, None).is_ok());
        assert!(matches!(
            back.issuer_key(iss, Some("nope")),
            Err(TrustError::UnknownKey { .. })
        ));
        assert!(matches!(
            back.issuer_key("https://evil", None),
            Err(TrustError::UntrustedIssuer(_))
        ));
        assert!(back.authorise_issuer(iss, "v:cstf").is_ok());
        assert!(matches!(
            back.authorise_issuer(iss, "v:dbs"),
            Err(TrustError::NotAuthorisedForType { .. })
        ));
        assert!(matches!(
            TrustList::verify(&token, &rk, 101),
            Err(TrustError::Expired { .. })
        ));
        assert_eq!(
            TrustList::verify(&token, &rhq.public_jwk().verifying_key().unwrap(), 50),
            Err(TrustError::BadSignature)
        );
    }

    #[test]
    fn invalid_lists_refused() {
        let (k, _) = Es256Signer::generate().unwrap();
        let dup = TrustList::new(1, 0, 1, vec![org("RHQ", &k, &[]), org("RHQ", &k, &[])]);
        assert!(matches!(dup.validate(), Err(TrustError::Invalid(_))));
        let bad = TrustList::new(1, 0, 1, vec![org("rh", &k, &[])]);
        assert!(matches!(bad.sign(&k), Err(TrustError::Invalid(_))));
        let backwards = TrustList::new(1, 10, 9, vec![org("RHQ", &k, &[])]);
        assert!(matches!(backwards.sign(&k), Err(TrustError::Invalid(_))));
        assert!(valid_ods_code("RHQ") && valid_ods_code("OHP01") && valid_ods_code("X24"));
        for bad in ["rhq", "RH", "R-Q", "ABCDEFGHIJ", "RHQ ", ""] {
            assert!(!valid_ods_code(bad), "{bad:?}");
        }
    }
}
