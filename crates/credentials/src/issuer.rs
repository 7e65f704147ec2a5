use crate::EngineError;
use passport_catalogue::Catalogue;
use passport_jose::{Jwk, Signer};
use passport_sd_jwt::issue::{IssuedSdJwt, SaltSource};
use passport_sd_jwt::vc::{self, Envelope, StatusReference};
use passport_sd_jwt::ClaimPath;
use serde_json::{Map, Value};

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
    pub claims: Map<String, Value>,
    /// The wallet's key, proven by an OpenID4VCI key proof.
    pub holder: Jwk,
    pub status: StatusReference,
    pub iat: i64,
    /// Overrides the catalogue's default lifetime.
    pub exp: Option<i64>,
}

impl CredentialIssuer<'_> {
    pub fn issue(
        &self,
        req: IssueRequest,
        salts: &mut dyn SaltSource,
    ) -> Result<IssuedSdJwt, EngineError> {
        let ty = self
            .catalogue
            .by_vct(&req.vct)
            .ok_or_else(|| passport_catalogue::CatalogueError::UnknownType(req.vct.clone()))?;
        let claims = Value::Object(req.claims);
        ty.validate(&claims)?;
        let Value::Object(claims) = claims else {
            return Err(passport_catalogue::CatalogueError::UnknownType(req.vct).into());
        };
        let sd: Vec<ClaimPath> = claims
            .keys()
            .filter(|k| !ty.always_disclosed.contains(&k.as_str()))
            .map(|k| ClaimPath::keys(&[k]))
            .collect();
        let exp = req
            .exp
            .or_else(|| ty.validity_days.map(|d| req.iat + i64::from(d) * 86_400));
        let envelope = Envelope {
            iss: self.iss.clone(),
            vct: req.vct,
            iat: req.iat,
            exp,
            nbf: None,
            holder: Some(req.holder),
            status: Some(req.status),
        };
        Ok(vc::issue(
            self.signer,
            &envelope,
            claims,
            &sd,
            salts,
            self.max_decoys,
        )?)
    }
}
