use crate::EngineError;
use passport_jose::jws::CompactJws;
use passport_status_list::{verify_token, StatusList};
use passport_trust_list::TrustList;
use std::collections::HashMap;

/// Status lists the verifier has fetched, each verified with its issuer's key from the trust
/// list. Fetching (HTTP, caching by `ttl`) is the server's job; this holds verified results only.
#[derive(Debug, Default, Clone)]
pub struct StatusLists {
    lists: HashMap<String, (String, StatusList)>,
}

impl StatusLists {
    /// Verifies a status list token fetched from `uri` and keeps it. The token's `iss` must be on
    /// the trust list and its signature must verify with that issuer's key.
    pub fn add_token(
        &mut self,
        uri: &str,
        token: &str,
        trust: &TrustList,
        now: i64,
    ) -> Result<(), EngineError> {
        let jws = CompactJws::parse(token)
            .map_err(|e| passport_status_list::StatusListError::Token(e.to_string()))?;
        let iss = jws
            .payload
            .get("iss")
            .and_then(|v| v.as_str())
            .ok_or_else(|| passport_status_list::StatusListError::Token("iss missing".into()))?
            .to_string();
        let key = trust.issuer_key(&iss, jws.kid())?;
        let verified = verify_token(token, &key, uri, now, 60)?;
        self.lists.insert(uri.to_string(), (iss, verified.list));
        Ok(())
    }

    /// Looks up entry `idx` of `uri` for a credential issued by `iss`.
    pub fn check(&self, uri: &str, idx: u64, iss: &str) -> Result<(), EngineError> {
        let (list_iss, list) = self
            .lists
            .get(uri)
            .ok_or_else(|| EngineError::StatusUnavailable(uri.into()))?;
        if list_iss != iss {
            return Err(EngineError::StatusIssuerMismatch {
                uri: uri.into(),
                list_issuer: list_iss.clone(),
            });
        }
        match list.get(idx)? {
            0 => Ok(()),
            1 => Err(EngineError::Revoked {
                uri: uri.into(),
                idx,
            }),
            2 => Err(EngineError::Suspended {
                uri: uri.into(),
                idx,
            }),
            status => Err(EngineError::OtherStatus {
                uri: uri.into(),
                idx,
                status,
            }),
        }
    }
}
