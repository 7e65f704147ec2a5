use crate::{EngineError, StatusLists};
use passport_catalogue::{Catalogue, CatalogueError};
use passport_jose::jws::HeaderInfo;
use passport_jose::{Jwk, VerifyingKey};
use passport_sd_jwt::vc::{self, StatusReference};
use passport_sd_jwt::{KbExpectation, KeyBinding, SdJwt, SdJwtError, VerifyOptions};
use passport_trust_list::{TrustError, TrustList};
use serde_json::{Map, Value};
use std::cell::RefCell;

/// Verifies presentations for one relying party.
pub struct PresentationVerifier<'a> {
    pub trust: &'a TrustList,
    pub statuses: &'a StatusLists,
    pub catalogue: &'a Catalogue,
    pub leeway_secs: i64,
}

/// A presentation that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedCredential {
    pub iss: String,
    pub issuer_ods: String,
    pub vct: String,
    pub type_name: &'static str,
    /// All processed claims, envelope included.
    pub claims: Map<String, Value>,
    pub holder: Option<Jwk>,
    pub status: StatusReference,
}

/// A self-declared presentation that passed its checks: signed by its own holder key (`iss` is
/// that key's JWK Thumbprint URI), disclosures and key binding verified. Nothing in it is
/// vouched for by anyone but the person.
#[derive(Debug, Clone)]
pub struct SelfDeclaredCredential {
    pub iss: String,
    pub vct: String,
    pub type_name: &'static str,
    /// All processed claims, envelope included.
    pub claims: Map<String, Value>,
    pub holder: Jwk,
}

impl PresentationVerifier<'_> {
    /// Whether `presentation` claims (unverified) a self-declared `vct`: the caller then takes
    /// [`Self::verify_self_declared`] instead of the strict path. A wrong answer only picks the
    /// path; each path checks the `vct` it was chosen for after the signature.
    pub fn claims_self_declared(&self, presentation: &str) -> bool {
        SdJwt::parse(presentation)
            .and_then(|sd| sd.unverified_payload())
            .ok()
            .and_then(|p| p.get("vct").and_then(Value::as_str).map(str::to_owned))
            .is_some_and(|vct| self.catalogue.is_self_declared(&vct))
    }

    /// Verifies a self-declared presentation: the issuer key is the credential's own `cnf.jwk`
    /// and `iss` must be that key's JWK Thumbprint URI (RFC 9278); disclosures, times and key
    /// binding are checked as for any credential; the `vct` must be a self-declared type of the
    /// catalogue and the claims valid against its schema. No trust list and no status list: the
    /// result proves only that the holder of that key declared these claims.
    pub fn verify_self_declared(
        &self,
        presentation: &str,
        opts: &VerifyOptions,
    ) -> Result<SelfDeclaredCredential, EngineError> {
        let issuer_failure: RefCell<Option<EngineError>> = RefCell::new(None);
        let resolve = |_header: &HeaderInfo,
                       payload: &Map<String, Value>|
         -> Result<VerifyingKey, SdJwtError> {
            let fail = |e: EngineError| {
                let msg = e.to_string();
                *issuer_failure.borrow_mut() = Some(e);
                SdJwtError::IssuerKey(msg)
            };
            // From the issuer-signed payload: `cnf` is never selectively disclosable.
            let jwk = payload
                .get("cnf")
                .and_then(|c| c.get("jwk"))
                .and_then(|j| Jwk::from_json(j).ok())
                .ok_or_else(|| fail(EngineError::SelfDeclaredUnbound))?;
            let iss = payload
                .get("iss")
                .and_then(Value::as_str)
                .ok_or(SdJwtError::MissingClaim("iss"))?;
            if iss != vc::jwk_thumbprint_uri(&jwk) {
                return Err(fail(EngineError::SelfDeclaredIssuer));
            }
            jwk.verifying_key()
                .map_err(|e| SdJwtError::IssuerKey(e.to_string()))
        };
        let v = match vc::verify(presentation, &resolve, opts) {
            Ok(v) => v,
            Err(e) => return Err(issuer_failure.into_inner().unwrap_or(EngineError::SdJwt(e))),
        };
        let ty = self
            .catalogue
            .by_vct(&v.vct)
            .ok_or_else(|| CatalogueError::UnknownType(v.vct.clone()))?;
        if !ty.self_declared {
            return Err(EngineError::NotSelfDeclared(v.vct));
        }
        if v.status.is_some() {
            return Err(EngineError::SelfDeclaredStatus);
        }
        let holder = v
            .sd_jwt
            .holder_key
            .ok_or(EngineError::SelfDeclaredUnbound)?;
        ty.validate(&Value::Object(v.sd_jwt.claims.clone()))?;
        Ok(SelfDeclaredCredential {
            iss: v.iss,
            vct: v.vct,
            type_name: ty.name,
            claims: v.sd_jwt.claims,
            holder,
        })
    }

    /// Verifies an SD-JWT VC presentation with key binding to `expect` (the request's nonce and
    /// this verifier's client identifier).
    pub fn verify(
        &self,
        presentation: &str,
        expect: KbExpectation,
        now: i64,
    ) -> Result<VerifiedCredential, EngineError> {
        let opts = VerifyOptions::new(now, KeyBinding::Required(expect))
            .with_leeway(self.leeway_secs)
            .with_typ(passport_sd_jwt::VC_TYP)
            .without_disclosure_paths();
        self.verify_with(presentation, &opts)
    }

    /// The holder's check of a credential it has just received (no key binding yet), with the
    /// same trust and type checks as a relying party's. Status is not checked here.
    pub fn check_received(
        &self,
        credential: &str,
        now: i64,
    ) -> Result<(String, &'static str), EngineError> {
        let opts = VerifyOptions::new(now, KeyBinding::HolderReceipt)
            .with_leeway(self.leeway_secs)
            .without_disclosure_paths();
        let (v, ty) = self.verify_signed(credential, &opts)?;
        Ok((v.iss, ty))
    }

    pub fn verify_with(
        &self,
        presentation: &str,
        opts: &VerifyOptions,
    ) -> Result<VerifiedCredential, EngineError> {
        let v = self.verify_before_status(presentation, opts)?;
        self.check_status(&v)?;
        Ok(v)
    }

    /// Every check except the status list lookup, for a relying party that must first fetch the
    /// status list the credential names. Call [`Self::check_status`] before believing it.
    pub fn verify_before_status(
        &self,
        presentation: &str,
        opts: &VerifyOptions,
    ) -> Result<VerifiedCredential, EngineError> {
        let (v, ty) = self.verify_signed(presentation, opts)?;
        let status = v.status.ok_or(EngineError::NoStatus)?;
        let issuer_ods = self
            .trust
            .by_issuer(&v.iss)
            .map(|o| o.ods_code.clone())
            .unwrap_or_default();
        Ok(VerifiedCredential {
            iss: v.iss,
            issuer_ods,
            vct: v.vct,
            type_name: ty,
            claims: v.sd_jwt.claims,
            holder: v.sd_jwt.holder_key,
            status,
        })
    }

    /// The status list lookup of a credential verified by [`Self::verify_before_status`].
    pub fn check_status(&self, v: &VerifiedCredential) -> Result<(), EngineError> {
        self.statuses.check(&v.status.uri, v.status.idx, &v.iss)
    }

    fn verify_signed(
        &self,
        received: &str,
        opts: &VerifyOptions,
    ) -> Result<(vc::VerifiedVc, &'static str), EngineError> {
        // The resolver sees untrusted input; it only picks a key, through the trust list. A trust
        // failure is kept so the caller gets the precise reason, not a generic "no key".
        let trust_failure: RefCell<Option<TrustError>> = RefCell::new(None);
        let resolve = |header: &HeaderInfo,
                       payload: &Map<String, Value>|
         -> Result<VerifyingKey, SdJwtError> {
            let iss = payload
                .get("iss")
                .and_then(Value::as_str)
                .ok_or(SdJwtError::MissingClaim("iss"))?;
            let kid = header.kid.as_deref();
            self.trust.issuer_key(iss, kid).map_err(|e| {
                let msg = e.to_string();
                *trust_failure.borrow_mut() = Some(e);
                SdJwtError::IssuerKey(msg)
            })
        };
        let v = match vc::verify(received, &resolve, opts) {
            Ok(v) => v,
            Err(e) => {
                return Err(trust_failure
                    .into_inner()
                    .map_or(EngineError::SdJwt(e), EngineError::Trust))
            }
        };
        self.trust.authorise_issuer(&v.iss, &v.vct)?;
        let ty = self
            .catalogue
            .by_vct(&v.vct)
            .ok_or_else(|| CatalogueError::UnknownType(v.vct.clone()))?;
        Ok((v, ty.name))
    }
}
