//! The person's own access log at a node they shared with: a proof signed by the device key
//! (`passport-access-log`: `aud` the node, `iat` now, a fresh random `jti`) posted to
//! `<node>/access-log`; the answer lists every request this key answered there and what the
//! organisation's staff did with it, by team.
use crate::error::{HolderError, Step};
use crate::http::{checked_url, json, send};
use crate::present::PresentationRequest;
use crate::Wallet;
use passport_access_log::{endpoint, make_proof, node_of, AccessLog};
use reqwest::header::CONTENT_TYPE;
use ring::rand::{SecureRandom, SystemRandom};

impl Wallet {
    /// Asks `node` (its public URL, e.g. from [`PresentationRequest::node`]) for this wallet's
    /// access log. The answer must be about this node and this device key.
    pub async fn access_log(
        &self,
        node: &str,
        http: &reqwest::Client,
        now: i64,
    ) -> Result<AccessLog, HolderError> {
        let node = node.trim_end_matches('/');
        let uri = checked_url(&endpoint(node))?;
        let proof = make_proof(self.device_key(), node, &random_jti()?, now)
            .map_err(|e| HolderError::Crypto(e.to_string()))?;
        let body = send(
            Step::AccessLog,
            &uri,
            http.post(uri.clone())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(format!("proof={proof}")),
        )
        .await?;
        let log: AccessLog = json(Step::AccessLog, &body)?;
        if log.node != node || log.key != self.device_jwk().thumbprint() {
            return Err(HolderError::response(
                Step::AccessLog,
                "the answer is about another node or another key",
            ));
        }
        Ok(log)
    }
}

impl PresentationRequest {
    /// The node this request's answer goes to (its Response URI's node), whose access log will
    /// say what the organisation did with it; `None` for a verifier of another shape.
    pub fn node(&self) -> Option<String> {
        node_of(&self.request.response_uri)
    }
}

/// 128 random bits, base64url: a proof's single-use id.
fn random_jti() -> Result<String, HolderError> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| HolderError::Crypto("rng".into()))?;
    Ok(passport_jose::b64::encode(bytes))
}
