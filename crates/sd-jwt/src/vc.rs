//! SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): the credential envelope around an SD-JWT.
//!
//! Invariants: `typ` is `dc+sd-jwt`; `vct` and `iss` are present (the draft makes `iss` optional;
//! the passport requires it, since the trust list is keyed by issuer); `iss`, `nbf`, `exp`, `cnf`,
//! `vct`, `vct#integrity` and `status` are never selectively disclosable, on issue or on verify.
use crate::issue::{IssuedSdJwt, Issuer, SaltSource};
use crate::path::{ClaimPath, PathSegment};
use crate::verify::{KeyResolver, Verified, VerifyOptions};
use crate::{SdJwtError, VC_TYP};
use passport_jose::{Jwk, Signer};
use serde_json::{json, Map, Value};

/// Claims that must stay in the issuer-signed payload (draft section 3.2.2).
pub const NEVER_DISCLOSABLE: [&str; 8] = [
    "iss",
    "nbf",
    "exp",
    "cnf",
    "vct",
    "vct#integrity",
    "aka_vcts",
    "status",
];

/// Prefix of a JWK Thumbprint URI with SHA-256 (RFC 9278).
pub const JWK_THUMBPRINT_URI_PREFIX: &str = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:";

/// The JWK Thumbprint URI (RFC 9278) of `jwk`: the `iss` of a credential the holder signs with
/// its own key, so the issuer identifier names exactly one key and needs no resolution.
pub fn jwk_thumbprint_uri(jwk: &Jwk) -> String {
    format!("{JWK_THUMBPRINT_URI_PREFIX}{}", jwk.thumbprint())
}

/// Reference to an entry of an IETF Token Status List (draft-ietf-oauth-status-list section 6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReference {
    pub uri: String,
    pub idx: u64,
}

impl StatusReference {
    pub fn to_claim(&self) -> Value {
        json!({ "status_list": { "idx": self.idx, "uri": self.uri } })
    }

    pub fn from_claim(status: &Value) -> Result<Self, SdJwtError> {
        let list = status
            .get("status_list")
            .ok_or_else(|| SdJwtError::Malformed("status has no status_list".into()))?;
        let idx = list.get("idx").and_then(Value::as_u64).ok_or_else(|| {
            SdJwtError::Malformed("status_list.idx is not a non-negative integer".into())
        })?;
        let uri = list
            .get("uri")
            .and_then(Value::as_str)
            .ok_or_else(|| SdJwtError::Malformed("status_list.uri is not a string".into()))?;
        Ok(StatusReference {
            uri: uri.into(),
            idx,
        })
    }
}

/// The registered claims of an SD-JWT VC, all kept in the issuer-signed part except `iat` and `sub`
/// which the caller may choose to conceal.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub iss: String,
    pub vct: String,
    pub iat: i64,
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub holder: Option<Jwk>,
    pub status: Option<StatusReference>,
}

/// Issues an SD-JWT VC: `claims` (the credential subject's claims) with the envelope around them.
pub fn issue(
    signer: &dyn Signer,
    envelope: &Envelope,
    claims: Map<String, Value>,
    selectively_disclosable: &[ClaimPath],
    salts: &mut dyn SaltSource,
    max_decoys: usize,
) -> Result<IssuedSdJwt, SdJwtError> {
    for path in selectively_disclosable {
        if let Some(PathSegment::Key(first)) = path.0.first() {
            if path.0.len() == 1 && NEVER_DISCLOSABLE.contains(&first.as_str()) {
                return Err(SdJwtError::MustNotBeDisclosable(first.clone()));
            }
        }
    }
    let payload = envelope_payload(envelope, claims)?;
    let mut issuer = Issuer::new(signer, VC_TYP);
    issuer.max_decoys = max_decoys;
    issuer.issue(payload, selectively_disclosable, salts)
}

fn envelope_payload(
    envelope: &Envelope,
    claims: Map<String, Value>,
) -> Result<Map<String, Value>, SdJwtError> {
    let mut payload = Map::with_capacity(claims.len() + 7);
    payload.insert("iss".into(), envelope.iss.clone().into());
    payload.insert("vct".into(), envelope.vct.clone().into());
    payload.insert("iat".into(), envelope.iat.into());
    if let Some(exp) = envelope.exp {
        payload.insert("exp".into(), exp.into());
    }
    if let Some(nbf) = envelope.nbf {
        payload.insert("nbf".into(), nbf.into());
    }
    if let Some(jwk) = &envelope.holder {
        payload.insert("cnf".into(), json!({ "jwk": jwk.key_only() }));
    }
    if let Some(status) = &envelope.status {
        payload.insert("status".into(), status.to_claim());
    }
    for (name, value) in claims {
        if payload.contains_key(&name) {
            return Err(SdJwtError::ClaimCollision(name));
        }
        payload.insert(name, value);
    }
    Ok(payload)
}

/// A verified SD-JWT VC.
#[derive(Debug, Clone)]
pub struct VerifiedVc {
    pub iss: String,
    pub vct: String,
    pub status: Option<StatusReference>,
    pub sd_jwt: Verified,
}

/// Verifies an SD-JWT VC: the SD-JWT checks with `typ` fixed to `dc+sd-jwt`, then the envelope.
pub fn verify(
    presentation: &str,
    resolve_key: &KeyResolver<'_>,
    opts: &VerifyOptions,
) -> Result<VerifiedVc, SdJwtError> {
    if opts.expected_typ == Some(VC_TYP) {
        return envelope_of(crate::verify::verify(presentation, resolve_key, opts)?);
    }
    let opts = opts.clone().with_typ(VC_TYP);
    envelope_of(crate::verify::verify(presentation, resolve_key, &opts)?)
}

/// The SD-JWT VC checks on a verified SD-JWT: nothing never-disclosable was disclosed (when the
/// paths were built; the one pass refuses such disclosures itself), `iss` and `vct` present, and
/// the status reference read.
fn envelope_of(verified: Verified) -> Result<VerifiedVc, SdJwtError> {
    for path in &verified.disclosed {
        if let [PathSegment::Key(name)] = path.0.as_slice() {
            if NEVER_DISCLOSABLE.contains(&name.as_str()) {
                return Err(SdJwtError::MustNotBeDisclosable(name.clone()));
            }
        }
    }
    let c = &verified.claims;
    let iss = c
        .get("iss")
        .and_then(Value::as_str)
        .ok_or(SdJwtError::MissingClaim("iss"))?;
    let vct = c
        .get("vct")
        .and_then(Value::as_str)
        .ok_or(SdJwtError::MissingClaim("vct"))?;
    let status = c
        .get("status")
        .map(StatusReference::from_claim)
        .transpose()?;
    Ok(VerifiedVc {
        iss: iss.into(),
        vct: vct.into(),
        status,
        sd_jwt: verified,
    })
}
