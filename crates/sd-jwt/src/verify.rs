//! The verifier's side: RFC 9901 section 7.1 (issuer-signed JWT and disclosures) and 7.3 (key
//! binding), in the order the RFC gives, stopping at the first failure.
use crate::onepass;
use crate::path::ClaimPath;
use crate::present::SdJwt;
use crate::process::process;
use crate::SdJwtError;
use passport_jose::jws::{HeaderInfo, RawJws};
use passport_jose::{Jwk, VerifyingKey};
use serde_json::{Map, Value};

pub use crate::kb::KbExpectation;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, at most [`MAX_LEEWAY_SECS`].
pub const DEFAULT_LEEWAY_SECS: i64 = 60;
pub const MAX_LEEWAY_SECS: i64 = 300;

/// What the verifier demands of holder binding.
#[derive(Debug, Clone)]
pub enum KeyBinding {
    /// A relying party checking a presentation: a KB-JWT signed by `cnf.jwk` is required.
    Required(KbExpectation),
    /// The verifier does not ask for key binding. Accepted only for credentials without `cnf`:
    /// a holder-bound credential presented without its KB-JWT is refused, since anybody who saw
    /// it could replay it.
    NotRequired,
    /// The holder checking a credential just issued to it, before any presentation exists.
    /// Never use this for a presentation from somebody else.
    HolderReceipt,
}

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The current time, seconds since the epoch (this crate reads no clock).
    pub now: i64,
    leeway: i64,
    /// The JOSE `typ` the issuer-signed JWT must carry, if any.
    pub expected_typ: Option<&'static str>,
    pub key_binding: KeyBinding,
    /// Whether [`Verified::disclosed`] is filled in (the default). A relying party that only
    /// reads the claims turns it off and saves building a path per disclosure.
    pub disclosure_paths: bool,
}

impl VerifyOptions {
    pub fn new(now: i64, key_binding: KeyBinding) -> Self {
        VerifyOptions {
            now,
            leeway: DEFAULT_LEEWAY_SECS,
            expected_typ: None,
            key_binding,
            disclosure_paths: true,
        }
    }

    /// Leaves [`Verified::disclosed`] empty (see [`Self::disclosure_paths`]).
    pub fn without_disclosure_paths(mut self) -> Self {
        self.disclosure_paths = false;
        self
    }

    /// Sets the clock-skew leeway, clamped to `0..=MAX_LEEWAY_SECS`.
    pub fn with_leeway(mut self, secs: i64) -> Self {
        self.leeway = secs.clamp(0, MAX_LEEWAY_SECS);
        self
    }

    pub fn with_typ(mut self, typ: &'static str) -> Self {
        self.expected_typ = Some(typ);
        self
    }

    pub fn leeway(&self) -> i64 {
        self.leeway
    }
}

/// A verified SD-JWT: every claim the holder disclosed plus the always-visible ones.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The protected header's `typ` and `kid`.
    pub header: HeaderInfo,
    /// Processed claims: digests replaced by disclosed values, `_sd`/`_sd_alg` removed.
    pub claims: Map<String, Value>,
    /// The path of each disclosure that was presented (empty if the options turned it off;
    /// it may also be filled in then).
    pub disclosed: Vec<ClaimPath>,
    /// The holder key from `cnf.jwk`, if the credential is holder-bound.
    pub holder_key: Option<Jwk>,
    /// The verified KB-JWT claims, if key binding was checked.
    pub kb: Option<crate::kb::KbClaims>,
}

/// Finds the issuer's key from the (still unverified) header's `kid` and the issuer-signed
/// claims, typically from `iss` and `kid` through the trust list. Only the key comes from here;
/// the algorithm is always ES256.
pub type KeyResolver<'a> =
    dyn Fn(&HeaderInfo, &Map<String, Value>) -> Result<VerifyingKey, SdJwtError> + 'a;

/// Verifies an SD-JWT or SD-JWT+KB in compact form.
pub fn verify(
    presentation: &str,
    resolve_key: &KeyResolver<'_>,
    opts: &VerifyOptions,
) -> Result<Verified, SdJwtError> {
    if let Some(done) = verify_in_one_pass(presentation, resolve_key, opts) {
        return done;
    }
    let sd_jwt = SdJwt::parse(presentation)?;
    verify_with_prefix(sd_jwt, Some(sd_hash_input(presentation)), resolve_key, opts)
}

/// `<JWT>~<D1>~...~<Dn>~` of a presentation as received: the input of `sd_hash`.
fn sd_hash_input(presentation: &str) -> &str {
    presentation
        .rfind('~')
        .map_or(presentation, |i| &presentation[..=i])
}

pub fn verify_parsed(
    sd_jwt: &SdJwt,
    resolve_key: &KeyResolver<'_>,
    opts: &VerifyOptions,
) -> Result<Verified, SdJwtError> {
    verify_with_prefix(sd_jwt.clone(), None, resolve_key, opts)
}

/// The fast path of [`verify`]: the disclosures are applied in one pass over the received text
/// ([`onepass`]), then the signature, times and key binding are checked exactly as on the
/// general path. `None` when the one pass gave up, before anything was decided: the caller then
/// takes the general path, which gives the result or the precise error.
fn verify_in_one_pass(
    text: &str,
    resolve_key: &KeyResolver<'_>,
    opts: &VerifyOptions,
) -> Option<Result<Verified, SdJwtError>> {
    if text.len() > crate::present::MAX_INPUT_BYTES {
        return None;
    }
    let (jwt, rest) = text.split_once('~')?;
    let end = rest.rfind('~')?;
    let (middle, kb_jwt) = (&rest[..end], &rest[end + 1..]);
    let disclosures: Vec<&str> = if middle.is_empty() {
        Vec::new()
    } else {
        middle.split('~').collect()
    };
    if disclosures.len() > crate::present::MAX_DISCLOSURES || disclosures.contains(&"") {
        return None;
    }
    let jws = RawJws::parse(jwt).ok()?;
    let processed = onepass::process_text(&jws.payload, &disclosures, opts.disclosure_paths)?;
    let kb_jwt = (!kb_jwt.is_empty()).then_some(kb_jwt);
    let prefix = &text[..jwt.len() + 1 + end + 1];
    Some(conclude(
        jws,
        Ok(processed),
        kb_jwt,
        prefix,
        resolve_key,
        opts,
    ))
}

/// `prefix`, when the caller still has the received text, saves rebuilding it for `sd_hash`.
/// Takes the SD-JWT by value: the disclosed values move into the claims rather than being copied.
pub(crate) fn verify_with_prefix(
    mut sd_jwt: SdJwt,
    prefix: Option<&str>,
    resolve_key: &KeyResolver<'_>,
    opts: &VerifyOptions,
) -> Result<Verified, SdJwtError> {
    // 7.1 step 2: the issuer-signed JWT. alg is checked against the allow-list during parsing.
    let jws = RawJws::parse(&sd_jwt.jwt).map_err(SdJwtError::IssuerJwt)?;
    let rebuilt;
    let prefix = match prefix {
        Some(p) => p,
        None => {
            rebuilt = sd_jwt.prefix();
            rebuilt.as_str()
        }
    };
    let disclosures = std::mem::take(&mut sd_jwt.disclosures);
    conclude(
        jws,
        Err(disclosures),
        sd_jwt.kb_jwt.as_deref(),
        prefix,
        resolve_key,
        opts,
    )
}

/// RFC 9901 section 7.1 and 7.3 from the parsed issuer-signed JWT: with the disclosures already
/// applied by the one pass (`Ok`), or still to apply (`Err`) after the signature is checked.
fn conclude(
    jws: RawJws<'_>,
    disclosures: Result<crate::process::Processed, Vec<crate::Disclosure>>,
    kb_jwt: Option<&str>,
    prefix: &str,
    resolve_key: &KeyResolver<'_>,
    opts: &VerifyOptions,
) -> Result<Verified, SdJwtError> {
    let (claims, paths, holder_key) = match disclosures {
        Ok(processed) => {
            check_typ(&jws, opts)?;
            // The one pass never takes a disclosed `iss` or `cnf`: these are the issuer's.
            let key = resolve_key(&jws.header, &processed.claims)?;
            jws.verify(&key).map_err(|_| SdJwtError::IssuerSignature)?;
            let holder_key = holder_key(&processed.claims)?;
            (processed.claims, processed.paths, holder_key)
        }
        Err(mut disclosures) => {
            let payload = passport_jose::jws::parse_object(&jws.payload, "JWS payload")
                .map_err(SdJwtError::IssuerJwt)?;
            check_typ(&jws, opts)?;
            let key = resolve_key(&jws.header, &payload)?;
            jws.verify(&key).map_err(|_| SdJwtError::IssuerSignature)?;
            // cnf is read from the issuer-signed part before disclosures are applied.
            let holder_key = holder_key(&payload)?;
            // 7.1 steps 3-5: disclosures.
            let processed = process(payload, &mut disclosures)?;
            (processed.claims, processed.paths, holder_key)
        }
    };
    let header = jws.header;

    // 7.1 step 4/5: validity of the time claims, with bounded leeway.
    check_times(&claims, opts.now, opts.leeway)?;

    // 7.3: key binding.
    let kb = match (&opts.key_binding, kb_jwt) {
        (KeyBinding::HolderReceipt, Some(_)) => return Err(SdJwtError::KbUnexpected),
        (KeyBinding::HolderReceipt, None) => None,
        (KeyBinding::NotRequired, Some(_)) => return Err(SdJwtError::KbUnexpected),
        (KeyBinding::NotRequired, None) => {
            if holder_key.is_some() {
                return Err(SdJwtError::KbMissing);
            }
            None
        }
        (KeyBinding::Required(_), None) => return Err(SdJwtError::KbMissing),
        (KeyBinding::Required(expect), Some(kb_jwt)) => {
            let jwk = holder_key
                .as_ref()
                .ok_or_else(|| SdJwtError::NoHolderKey("no cnf claim".into()))?;
            let vk = jwk
                .verifying_key()
                .map_err(|e| SdJwtError::NoHolderKey(e.to_string()))?;
            Some(crate::kb::verify(
                kb_jwt,
                prefix,
                &vk,
                expect,
                opts.now,
                opts.leeway,
            )?)
        }
    };
    Ok(Verified {
        header,
        claims,
        disclosed: paths,
        holder_key,
        kb,
    })
}

fn check_typ(jws: &RawJws<'_>, opts: &VerifyOptions) -> Result<(), SdJwtError> {
    if let Some(expected) = opts.expected_typ {
        if jws.header.typ.as_deref() != Some(expected) {
            return Err(SdJwtError::WrongTyp {
                expected,
                found: jws.header.typ.clone(),
            });
        }
    }
    Ok(())
}

fn check_times(claims: &Map<String, Value>, now: i64, leeway: i64) -> Result<(), SdJwtError> {
    let time = |name: &'static str| -> Result<Option<i64>, SdJwtError> {
        match claims.get(name) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or(SdJwtError::MissingClaim(name)),
        }
    };
    if let Some(exp) = time("exp")? {
        if now > exp + leeway {
            return Err(SdJwtError::Expired { exp, now });
        }
    }
    if let Some(nbf) = time("nbf")? {
        if now + leeway < nbf {
            return Err(SdJwtError::NotYetValid { nbf, now });
        }
    }
    if let Some(iat) = time("iat")? {
        if iat > now + leeway {
            return Err(SdJwtError::IssuedInFuture { iat, now });
        }
    }
    Ok(())
}

/// `cnf.jwk` from the issuer-signed part (never from a disclosure: `cnf` is not selectively
/// disclosable, and taking it from the signed payload means a disclosure cannot swap the key).
fn holder_key(payload: &Map<String, Value>) -> Result<Option<Jwk>, SdJwtError> {
    let Some(cnf) = payload.get("cnf") else {
        return Ok(None);
    };
    let jwk = cnf
        .get("jwk")
        .ok_or_else(|| SdJwtError::NoHolderKey("cnf has no jwk member".into()))?;
    Jwk::from_json(jwk)
        .map(Some)
        .map_err(|e| SdJwtError::NoHolderKey(e.to_string()))
}
