use crate::EngineError;
use passport_catalogue::{Catalogue, CatalogueError};
use passport_jose::{Jwk, Signer};
use passport_sd_jwt::flat::FlatEnvelope;
use passport_sd_jwt::issue::SaltSource;
use passport_sd_jwt::vc::StatusReference;
use serde_json::Value;

/// One organisation's issuing identity: its issuer identifier and signing key.
pub struct CredentialIssuer<'a> {
    pub iss: String,
    pub signer: &'a dyn Signer,
    pub catalogue: &'a Catalogue,
    /// Up to this many decoy digests per `_sd` array.
    pub max_decoys: usize,
}

/// One credential to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    pub vct: String,
    /// The record, a JSON object checked against the type's schema.
    pub claims: Value,
    /// The wallet's key, proven by an OpenID4VCI key proof.
    pub holder: Jwk,
    pub status: StatusReference,
    pub iat: i64,
    /// Overrides the catalogue's default lifetime.
    pub exp: Option<i64>,
}

impl CredentialIssuer<'_> {
    /// Issues one credential; `req` is borrowed, so issuing a batch copies nothing per claim.
    pub fn issue(
        &self,
        req: &IssueRequest,
        salts: &mut dyn SaltSource,
    ) -> Result<String, EngineError> {
        let ty = self
            .catalogue
            .by_vct(&req.vct)
            .ok_or_else(|| CatalogueError::UnknownType(req.vct.clone()))?;
        let Some(claims) = req.claims.as_object() else {
            return Err(CatalogueError::InvalidClaims {
                vct: req.vct.clone(),
                errors: vec!["(root): claims must be a JSON object".into()],
            }
            .into());
        };
        ty.validate(&req.claims)?;
        let exp = req
            .exp
            .or_else(|| ty.validity_days.map(|d| req.iat + i64::from(d) * 86_400));
        let envelope = FlatEnvelope {
            iss: &self.iss,
            vct: &req.vct,
            iat: req.iat,
            exp,
            nbf: None,
            holder: Some(&req.holder),
            status: Some(&req.status),
        };
        // Every record claim except `always_disclosed` (recordType) is one disclosure.
        Ok(passport_sd_jwt::flat::issue_flat(
            self.signer,
            &envelope,
            claims,
            &ty.always_disclosed,
            salts,
            self.max_decoys,
        )?)
    }
}
