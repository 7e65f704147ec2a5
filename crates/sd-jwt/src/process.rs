//! Replaces digests in an issuer-signed payload with the disclosed values (RFC 9901 section 7.1
//! step 3-5). Shared by the verifier (which needs the processed claims) and the holder (which
//! needs to know the path of each disclosure).
//!
//! The payload is rewritten in place: objects are not rebuilt, disclosed values are cloned once
//! into their place, and a path is materialised only for a disclosure that is used.
use crate::disclosure::{Disclosure, DIGEST_LEN};
use crate::path::{ClaimPath, PathSegment};
use crate::{SdJwtError, SD_ALG};
use serde_json::map::Entry;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Disclosures nested in disclosures nest this deep at most; deeper input is refused rather than
/// risking the stack.
pub(crate) const MAX_DEPTH: usize = 32;

/// Hashes a digest by its first eight bytes. Digests are base64url SHA-256 outputs: those the
/// holder sends cannot be chosen, those in the payload are signed by a trusted issuer, and their
/// number is capped, so no keyed hash is needed against collision flooding.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word) ^ bytes.len() as u64;
    }
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

type Fast = BuildHasherDefault<DigestHasher>;

pub(crate) struct Processed {
    pub claims: Map<String, Value>,
    /// The path of each disclosure, in the order the disclosures were given.
    pub paths: Vec<ClaimPath>,
}

/// The disclosures' names and values are moved into the claims (each disclosure is used at most
/// once), so the caller's disclosures are left without them.
pub(crate) fn process(
    mut payload: Map<String, Value>,
    disclosures: &mut [Disclosure],
) -> Result<Processed, SdJwtError> {
    match payload.remove("_sd_alg") {
        None => {}
        Some(Value::String(alg)) if alg == SD_ALG => {}
        Some(other) => {
            return Err(SdJwtError::UnsupportedSdAlg(match other {
                Value::String(s) => s,
                v => v.to_string(),
            }))
        }
    }
    let mut by_digest: HashMap<[u8; DIGEST_LEN], usize, Fast> =
        HashMap::with_capacity_and_hasher(disclosures.len(), Fast::default());
    for (i, d) in disclosures.iter().enumerate() {
        if by_digest.insert(*d.digest.as_bytes(), i).is_some() {
            return Err(SdJwtError::DuplicateDisclosure(d.encoded.clone()));
        }
    }
    let n = disclosures.len();
    let mut walker = Walker {
        disclosures: &mut *disclosures,
        by_digest,
        seen: HashSet::with_capacity_and_hasher(n + 8, Fast::default()),
        paths: vec![None; n],
        path: Vec::new(),
    };
    walker.object(&mut payload, 0)?;
    let walked = walker.paths;
    let mut paths = Vec::with_capacity(n);
    for (i, p) in walked.into_iter().enumerate() {
        match p {
            Some(p) => paths.push(p),
            None => {
                return Err(SdJwtError::DisclosureNotReferenced(
                    disclosures[i].encoded.clone(),
                ))
            }
        }
    }
    Ok(Processed {
        claims: payload,
        paths,
    })
}

struct Walker<'a> {
    disclosures: &'a mut [Disclosure],
    by_digest: HashMap<[u8; DIGEST_LEN], usize, Fast>,
    seen: HashSet<String, Fast>,
    paths: Vec<Option<ClaimPath>>,
    /// Path of the value being visited.
    path: Vec<PathSegment>,
}

impl Walker<'_> {
    /// Records a digest (taking ownership, no copy) and returns the disclosure it names, if any.
    fn first_sight(&mut self, digest: String) -> Result<Option<usize>, SdJwtError> {
        if self.seen.contains(digest.as_str()) {
            return Err(SdJwtError::DuplicateDigest(digest));
        }
        let found = <[u8; DIGEST_LEN]>::try_from(digest.as_bytes())
            .ok()
            .and_then(|key| self.by_digest.get(&key).copied());
        self.seen.insert(digest);
        Ok(found)
    }

    fn object(&mut self, map: &mut Map<String, Value>, depth: usize) -> Result<(), SdJwtError> {
        if depth > MAX_DEPTH {
            return Err(SdJwtError::Malformed(
                "disclosures nested too deeply".into(),
            ));
        }
        let sd = map.remove("_sd");
        for (name, v) in map.iter_mut() {
            if name == "..." {
                return Err(SdJwtError::Malformed(
                    "\"...\" outside an array element".into(),
                ));
            }
            if v.is_object() || v.is_array() {
                self.path.push(PathSegment::Key(name.clone()));
                let r = self.value(v, depth + 1);
                self.path.pop();
                r?;
            }
        }
        let Some(sd) = sd else { return Ok(()) };
        let Value::Array(digests) = sd else {
            return Err(SdJwtError::Malformed("_sd is not an array".into()));
        };
        for digest in digests {
            let Value::String(digest) = digest else {
                return Err(SdJwtError::Malformed(
                    "_sd holds a non-string digest".into(),
                ));
            };
            let Some(i) = self.first_sight(digest)? else {
                continue;
            };
            let d = &mut self.disclosures[i];
            let Some(name) = d.name.take() else {
                return Err(SdJwtError::DisclosureKindMismatch(
                    "array-element disclosure referenced from an object's _sd".into(),
                ));
            };
            let slot = match map.entry(name) {
                Entry::Occupied(taken) => {
                    return Err(SdJwtError::ClaimCollision(taken.key().clone()))
                }
                Entry::Vacant(slot) => slot,
            };
            let mut value = std::mem::take(&mut d.value);
            let mut path = Vec::with_capacity(self.path.len() + 1);
            path.extend_from_slice(&self.path);
            path.push(PathSegment::Key(slot.key().clone()));
            if value.is_object() || value.is_array() {
                self.path.push(PathSegment::Key(slot.key().clone()));
                let r = self.value(&mut value, depth + 1);
                self.path.pop();
                r?;
            }
            self.paths[i] = Some(ClaimPath(path));
            slot.insert(value);
        }
        Ok(())
    }

    fn value(&mut self, value: &mut Value, depth: usize) -> Result<(), SdJwtError> {
        match value {
            Value::Object(map) => self.object(map, depth),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, mut item) in std::mem::take(items).into_iter().enumerate() {
                    self.path.push(PathSegment::Index(index));
                    let r = self.element(&mut item, index, depth);
                    self.path.pop();
                    if r? {
                        out.push(item);
                    }
                }
                *items = out;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Processes one array element in place; `false` if it is an undisclosed digest to drop.
    fn element(
        &mut self,
        item: &mut Value,
        index: usize,
        depth: usize,
    ) -> Result<bool, SdJwtError> {
        let Some(digest) = element_digest(item)? else {
            self.value(item, depth + 1)?;
            return Ok(true);
        };
        let Some(i) = self.first_sight(digest.to_string())? else {
            return Ok(false);
        };
        let d = &mut self.disclosures[i];
        if d.name.is_some() {
            return Err(SdJwtError::DisclosureKindMismatch(
                "object-property disclosure referenced as an array element".into(),
            ));
        }
        *item = std::mem::take(&mut d.value);
        self.value(item, depth + 1)?;
        self.paths[i] = Some(ClaimPath(self.path.clone()));
        debug_assert_eq!(self.path.last(), Some(&PathSegment::Index(index)));
        Ok(true)
    }
}

/// `Some(digest)` if `item` is an array-element digest `{"...": "<digest>"}`.
fn element_digest(item: &Value) -> Result<Option<&str>, SdJwtError> {
    let Value::Object(map) = item else {
        return Ok(None);
    };
    match map.get("...") {
        None => Ok(None),
        Some(Value::String(d)) if map.len() == 1 => Ok(Some(d)),
        Some(_) => Err(SdJwtError::Malformed(
            "malformed array element digest".into(),
        )),
    }
}
