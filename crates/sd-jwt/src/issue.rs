//! Issuing an SD-JWT (RFC 9901 section 4): conceal the chosen claims as disclosures, add decoy
//! digests, sign the result.
use crate::disclosure::{Digest, Disclosure, Layout};
use crate::path::{ClaimPath, PathSegment};
use crate::{SdJwtError, SD_ALG};
use passport_jose::jws::{self, JwsHeader};
use passport_jose::{b64, Signer};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value};

/// Where salts come from. Production uses [`RandomSalts`]; tests replay published salts.
pub trait SaltSource {
    fn salt(&mut self) -> Result<String, SdJwtError>;
    /// Appends a salt's text to `out` (the default goes through [`Self::salt`]).
    fn write_salt(&mut self, out: &mut Vec<u8>) -> Result<(), SdJwtError> {
        out.extend_from_slice(self.salt()?.as_bytes());
        Ok(())
    }
    /// A number in `0..=max`, for the count of decoys (randomised so it reveals nothing).
    fn below_or_equal(&mut self, max: usize) -> Result<usize, SdJwtError>;
}

/// 128-bit salts (RFC 9901 section 9.3 recommends 128 bits) from a ChaCha20 keystream keyed with
/// 256 bits from the operating system's CSPRNG and re-keyed every 16 MiB: the construction of
/// Linux's own random pool and OpenBSD's arc4random, here with ring's audited ChaCha20. It costs
/// one system call per 16 MiB instead of one per batch of claims; the keystream comes from
/// encrypting zeros with ChaCha20-Poly1305 under a counter nonce (the tag is discarded).
pub struct RandomSalts {
    os: SystemRandom,
    key: Option<LessSafeKey>,
    counter: u64,
    buf: [u8; 4096],
    pos: usize,
}

const REKEY_AFTER_BLOCKS: u64 = 4096;

impl Default for RandomSalts {
    fn default() -> Self {
        RandomSalts {
            os: SystemRandom::new(),
            key: None,
            counter: 0,
            buf: [0; 4096],
            pos: 4096,
        }
    }
}

impl RandomSalts {
    fn refill(&mut self) -> Result<(), SdJwtError> {
        let failed = || SdJwtError::Issuance("random number generator failed".into());
        if self.key.is_none() || self.counter >= REKEY_AFTER_BLOCKS {
            let mut seed = [0u8; 32];
            self.os.fill(&mut seed).map_err(|_| failed())?;
            let key = UnboundKey::new(&CHACHA20_POLY1305, &seed).map_err(|_| failed())?;
            self.key = Some(LessSafeKey::new(key));
            self.counter = 0;
        }
        let key = self.key.as_ref().ok_or_else(failed)?;
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&self.counter.to_be_bytes());
        self.counter += 1;
        self.buf.fill(0);
        // The tag authenticates nothing here: only the keystream is wanted.
        let _tag = key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
                &mut self.buf,
            )
            .map_err(|_| failed())?;
        self.pos = 0;
        Ok(())
    }

    fn take(&mut self, n: usize) -> Result<&[u8], SdJwtError> {
        if self.pos + n > self.buf.len() {
            self.refill()?;
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }
}

impl SaltSource for RandomSalts {
    fn salt(&mut self) -> Result<String, SdJwtError> {
        Ok(b64::encode(self.take(16)?))
    }
    fn write_salt(&mut self, out: &mut Vec<u8>) -> Result<(), SdJwtError> {
        b64::encode_append(self.take(16)?, out);
        Ok(())
    }
    fn below_or_equal(&mut self, max: usize) -> Result<usize, SdJwtError> {
        Ok(self.take(1)?[0] as usize % (max + 1))
    }
}

/// Replays given salts in order and adds no decoys: reproduces the specifications' examples.
pub struct FixedSalts(pub std::collections::VecDeque<String>);

impl SaltSource for FixedSalts {
    fn salt(&mut self) -> Result<String, SdJwtError> {
        self.0
            .pop_front()
            .ok_or_else(|| SdJwtError::Issuance("ran out of fixed salts".into()))
    }
    fn below_or_equal(&mut self, _max: usize) -> Result<usize, SdJwtError> {
        Ok(0)
    }
}

/// An issued SD-JWT: the issuer-signed JWT and every disclosure.
#[derive(Debug, Clone)]
pub struct IssuedSdJwt {
    pub jwt: String,
    pub disclosures: Vec<Disclosure>,
}

impl IssuedSdJwt {
    /// The compact form `<JWT>~<D1>~...~<Dn>~` handed to the holder.
    pub fn compact(&self) -> String {
        let mut out = String::with_capacity(
            self.jwt.len()
                + self
                    .disclosures
                    .iter()
                    .map(|d| d.encoded.len() + 1)
                    .sum::<usize>()
                + 1,
        );
        out.push_str(&self.jwt);
        out.push('~');
        for d in &self.disclosures {
            out.push_str(&d.encoded);
            out.push('~');
        }
        out
    }
}

/// Issues SD-JWTs with one signing key.
pub struct Issuer<'a> {
    pub signer: &'a dyn Signer,
    /// JOSE `typ` of the issuer-signed JWT.
    pub typ: &'static str,
    /// Up to this many decoy digests are added to every `_sd` array (a random count each time).
    pub max_decoys: usize,
    pub layout: Layout,
}

impl<'a> Issuer<'a> {
    pub fn new(signer: &'a dyn Signer, typ: &'static str) -> Self {
        Issuer {
            signer,
            typ,
            max_decoys: 3,
            layout: Layout::Compact,
        }
    }

    /// Conceals every claim named by `selectively_disclosable` (exact paths; `null` selects every
    /// element of an array; nested paths under a concealed claim give recursive disclosures) and
    /// signs. A path that names nothing is an error, so a typo can never leave a claim in clear.
    pub fn issue(
        &self,
        claims: Map<String, Value>,
        selectively_disclosable: &[ClaimPath],
        salts: &mut dyn SaltSource,
    ) -> Result<IssuedSdJwt, SdJwtError> {
        if claims.contains_key("_sd") || claims.contains_key("_sd_alg") {
            return Err(SdJwtError::Issuance(
                "claims must not contain _sd or _sd_alg".into(),
            ));
        }
        let mut ctx = Conceal {
            sd: selectively_disclosable,
            matched: vec![false; selectively_disclosable.len()],
            salts,
            disclosures: Vec::new(),
            issuer: self,
            path: Vec::new(),
        };
        let Value::Object(mut payload) = ctx.value(Value::Object(claims))? else {
            return Err(SdJwtError::Issuance("claims are not an object".into()));
        };
        if let Some(i) = ctx.matched.iter().position(|m| !m) {
            return Err(SdJwtError::UnknownPath(
                selectively_disclosable[i].to_string(),
            ));
        }
        payload.insert("_sd_alg".into(), SD_ALG.into());
        let jwt = jws::sign(
            &JwsHeader::typed(self.typ),
            &Value::Object(payload),
            self.signer,
        )
        .map_err(|e| SdJwtError::Issuance(e.to_string()))?;
        Ok(IssuedSdJwt {
            jwt,
            disclosures: ctx.disclosures,
        })
    }
}

struct Conceal<'s, 'i> {
    sd: &'s [ClaimPath],
    matched: Vec<bool>,
    salts: &'s mut dyn SaltSource,
    disclosures: Vec<Disclosure>,
    issuer: &'s Issuer<'i>,
    /// The path of the value being visited (pushed and popped, never cloned).
    path: Vec<PathSegment>,
}

impl Conceal<'_, '_> {
    /// Whether the current path is one to conceal (marks the matching entries as used).
    fn is_sd(&mut self) -> bool {
        let mut hit = false;
        for (i, p) in self.sd.iter().enumerate() {
            if p.0.len() == self.path.len() && p.covers_segments(&self.path) {
                self.matched[i] = true;
                hit = true;
            }
        }
        hit
    }

    /// Whether some path to conceal lies strictly below the current one; if not, the value is
    /// kept as it is, without being rebuilt.
    fn has_sd_below(&self) -> bool {
        self.sd
            .iter()
            .any(|p| p.0.len() > self.path.len() && ClaimPath::prefix_matches(&p.0, &self.path))
    }

    fn disclose(&mut self, name: Option<String>, value: Value) -> Result<String, SdJwtError> {
        let d = Disclosure::new(self.salts.salt()?, name, value, self.issuer.layout)?;
        let digest = d.digest.as_str().to_string();
        self.disclosures.push(d);
        Ok(digest)
    }

    fn value(&mut self, value: Value) -> Result<Value, SdJwtError> {
        if !self.has_sd_below() {
            if let Some(name) = reserved_name(&value) {
                return Err(SdJwtError::ReservedClaimName(name.into()));
            }
            return Ok(value);
        }
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                let mut digests = Vec::new();
                for (name, v) in map {
                    if name == "_sd" || name == "..." {
                        return Err(SdJwtError::ReservedClaimName(name));
                    }
                    self.path.push(PathSegment::Key(name));
                    let v = self.value(v)?;
                    let sd = self.is_sd();
                    let Some(PathSegment::Key(name)) = self.path.pop() else {
                        return Err(SdJwtError::Issuance("path stack out of step".into()));
                    };
                    if sd {
                        digests.push(self.disclose(Some(name), v)?);
                    } else {
                        out.insert(name, v);
                    }
                }
                if !digests.is_empty() {
                    for _ in 0..self.salts.below_or_equal(self.issuer.max_decoys)? {
                        digests.push(
                            Digest::of(self.salts.salt()?.as_bytes())
                                .as_str()
                                .to_string(),
                        );
                    }
                    // Sorted, so the order of digests reveals nothing about the order of claims.
                    digests.sort_unstable();
                    out.insert(
                        "_sd".into(),
                        digests.into_iter().map(Value::String).collect(),
                    );
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.into_iter().enumerate() {
                    self.path.push(PathSegment::Index(i));
                    let v = self.value(v)?;
                    let sd = self.is_sd();
                    self.path.pop();
                    if sd {
                        let digest = self.disclose(None, v)?;
                        out.push(serde_json::json!({ "...": digest }));
                    } else {
                        out.push(v);
                    }
                }
                Ok(Value::Array(out))
            }
            other => Ok(other),
        }
    }
}

/// A `_sd` or `...` member anywhere in `value`: a verifier would read it as digests.
pub(crate) fn reserved_name(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k == "_sd" || k == "..." {
                Some(k.as_str())
            } else {
                reserved_name(v)
            }
        }),
        Value::Array(items) => items.iter().find_map(reserved_name),
        _ => None,
    }
}
