//! Versions: how a registry makes the next list and how a node decides whether a list it was
//! handed may replace the one it holds.
//!
//! A node only ever moves forward. A list older than the one held is a rollback and refused
//! with its own error, even though its signature is good: the registry signed it once, but it
//! may name a key that has since been removed. The same version again is no change. A registry
//! re-signs the same organisations as a new version before half the list's life has passed, so
//! nodes that refresh never run into the expiry.
use crate::{Organisation, TrustError, TrustList};
use passport_jose::VerifyingKey;
use std::cmp::Ordering;

/// What a verified list means for a node that holds a given version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// A later version: take it (after the node's own checks).
    Newer(TrustList),
    /// The version already held: nothing to do.
    Same,
}

impl TrustList {
    /// Verifies `token` (signature, `typ`, expiry, structure: [`TrustList::verify`]) and
    /// compares its version with `held`, the version the node holds now.
    pub fn verify_update(
        token: &str,
        registry_key: &VerifyingKey,
        now: i64,
        held: u64,
    ) -> Result<Update, TrustError> {
        let list = TrustList::verify(token, registry_key, now)?;
        match list.sequence.cmp(&held) {
            Ordering::Less => Err(TrustError::Rollback {
                held,
                offered: list.sequence,
            }),
            Ordering::Equal => Ok(Update::Same),
            Ordering::Greater => Ok(Update::Newer(list)),
        }
    }

    /// The version after `previous` (0 when nothing was published yet) listing
    /// `organisations`, signed at `now` and valid for `lifetime_secs`. Checked as a whole
    /// ([`TrustList::validate`]) so that a bad draft is never signed.
    pub fn successor(
        previous: u64,
        organisations: Vec<Organisation>,
        now: i64,
        lifetime_secs: i64,
    ) -> Result<TrustList, TrustError> {
        let sequence = previous
            .checked_add(1)
            .ok_or_else(|| TrustError::Invalid("no version after the last one".into()))?;
        if lifetime_secs <= 0 {
            return Err(TrustError::Invalid("a list must live for some time".into()));
        }
        let list = TrustList::new(
            sequence,
            now,
            now.saturating_add(lifetime_secs),
            organisations,
        );
        list.validate()?;
        Ok(list)
    }

    /// Whether the registry should re-sign this list now: half its life has passed (or the list
    /// is already past its expiry), so a node that fetches on a schedule always finds a version
    /// with time to spare.
    pub fn due_for_reissue(&self, now: i64) -> bool {
        let half = (self.exp - self.iat) / 2;
        now >= self.iat.saturating_add(half)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::OrgKind;
    use passport_jose::{Es256Signer, Jwks, Signer};

    fn org(code: &str, key: &Es256Signer) -> Organisation {
        Organisation {
            ods_code: code.into(),
            name: format!("{code} (synthetic)"),
            kind: OrgKind::Trust,
            issuer: format!("https://passport.example/issuers/{code}"),
            jwks: Jwks {
                keys: vec![key.public_jwk().clone()],
            },
            may_issue: vec![],
            may_verify: true,
        }
    }

    struct Registry {
        signer: Es256Signer,
        key: VerifyingKey,
    }

    fn registry() -> Registry {
        let (signer, _) = Es256Signer::generate().unwrap();
        let key = signer.public_jwk().verifying_key().unwrap();
        Registry { signer, key }
    }

    fn signed(r: &Registry, list: &TrustList) -> String {
        list.sign(&r.signer).unwrap()
    }

    #[test]
    fn successor_counts_up_from_nothing_and_from_the_last() {
        let (k, _) = Es256Signer::generate().unwrap();
        let first = TrustList::successor(0, vec![org("RHQ", &k)], 1000, 3600).unwrap();
        assert_eq!((first.sequence, first.iat, first.exp), (1, 1000, 4600));
        let next = TrustList::successor(first.sequence, first.organisations, 2000, 3600).unwrap();
        assert_eq!(next.sequence, 2);
        assert!(matches!(
            TrustList::successor(u64::MAX, vec![], 0, 1),
            Err(TrustError::Invalid(_))
        ));
        assert!(matches!(
            TrustList::successor(1, vec![], 0, 0),
            Err(TrustError::Invalid(_))
        ));
        // A draft that breaks the list's rules is refused before anything is signed.
        let twice = vec![org("RHQ", &k), org("RHQ", &k)];
        assert!(matches!(
            TrustList::successor(1, twice, 0, 10),
            Err(TrustError::Invalid(_))
        ));
    }

    #[test]
    fn a_node_moves_forward_only() {
        let r = registry();
        let (k, _) = Es256Signer::generate().unwrap();
        let v1 = TrustList::successor(0, vec![org("RHQ", &k)], 100, 1000).unwrap();
        let v2 = TrustList::successor(1, vec![org("RHQ", &k), org("R0A", &k)], 200, 1000).unwrap();
        let (t1, t2) = (signed(&r, &v1), signed(&r, &v2));
        // Baseline: holding version 1, version 2 is taken.
        assert_eq!(
            TrustList::verify_update(&t2, &r.key, 300, 1),
            Ok(Update::Newer(v2.clone()))
        );
        assert_eq!(
            TrustList::verify_update(&t2, &r.key, 300, 2),
            Ok(Update::Same)
        );
        // Holding version 2, the (validly signed, unexpired) version 1 is a rollback.
        assert_eq!(
            TrustList::verify_update(&t1, &r.key, 300, 2),
            Err(TrustError::Rollback {
                held: 2,
                offered: 1
            })
        );
    }

    #[test]
    fn a_newer_version_is_still_refused_if_expired_badly_signed_or_from_the_future() {
        let r = registry();
        let other = registry();
        let (k, _) = Es256Signer::generate().unwrap();
        let v2 = TrustList::successor(1, vec![org("RHQ", &k)], 1000, 100).unwrap();
        let token = signed(&r, &v2);
        // Baseline: inside its life, with the registry's key, it is taken.
        assert!(matches!(
            TrustList::verify_update(&token, &r.key, 1050, 1),
            Ok(Update::Newer(_))
        ));
        assert_eq!(
            TrustList::verify_update(&token, &r.key, 1101, 1),
            Err(TrustError::Expired {
                exp: 1100,
                now: 1101
            })
        );
        assert_eq!(
            TrustList::verify_update(&signed(&other, &v2), &r.key, 1050, 1),
            Err(TrustError::BadSignature)
        );
        // Signed by the registry but dated well ahead of the node's clock.
        assert_eq!(
            TrustList::verify_update(&token, &r.key, 1000 - 301, 1),
            Err(TrustError::IssuedInFuture {
                iat: 1000,
                now: 699
            })
        );
        assert!(TrustList::verify_update(&token, &r.key, 1000 - 300, 1).is_ok());
        // A payload edited after signing does not verify, whatever version it claims.
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        let mut forged = v2.clone();
        forged.sequence = 99;
        parts[1] = passport_jose::b64::encode(serde_json::to_string(&forged).unwrap().as_bytes());
        assert_eq!(
            TrustList::verify_update(&parts.join("."), &r.key, 1050, 1),
            Err(TrustError::BadSignature)
        );
    }

    #[test]
    fn reissue_is_due_at_half_life() {
        let list = TrustList::new(1, 1000, 2000, vec![]);
        assert!(!list.due_for_reissue(1499));
        assert!(list.due_for_reissue(1500));
        assert!(list.due_for_reissue(5000));
    }
}
