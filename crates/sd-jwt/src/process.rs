//! Replaces digests in an issuer-signed payload with the disclosed values (RFC 9901 section 7.1
//! step 3-5). Shared by the verifier (which needs the processed claims) and the holder (which
//! needs to know the path of each disclosure).
use crate::disclosure::Disclosure;
use crate::path::{ClaimPath, PathSegment};
use crate::{SdJwtError, SD_ALG};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Disclosures nested in disclosures nest this deep at most; deeper input is refused rather than
/// risking the stack.
const MAX_DEPTH: usize = 32;

pub(crate) struct Processed {
    pub claims: Map<String, Value>,
    /// The path of each disclosure, in the order the disclosures were given.
    pub paths: Vec<ClaimPath>,
}

pub(crate) fn process(
    mut payload: Map<String, Value>,
    disclosures: &[Disclosure],
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
    let mut by_digest = HashMap::with_capacity(disclosures.len());
    for (i, d) in disclosures.iter().enumerate() {
        if by_digest.insert(d.digest.as_str(), i).is_some() {
            return Err(SdJwtError::DuplicateDisclosure(d.encoded.clone()));
        }
    }
    let mut walker = Walker {
        disclosures,
        by_digest,
        seen: HashSet::new(),
        paths: vec![None; disclosures.len()],
    };
    let claims = walker.object(payload, &ClaimPath::default(), 0)?;
    let mut paths = Vec::with_capacity(disclosures.len());
    for (i, p) in walker.paths.into_iter().enumerate() {
        match p {
            Some(p) => paths.push(p),
            None => {
                return Err(SdJwtError::DisclosureNotReferenced(
                    disclosures[i].encoded.clone(),
                ))
            }
        }
    }
    Ok(Processed { claims, paths })
}

struct Walker<'a> {
    disclosures: &'a [Disclosure],
    by_digest: HashMap<&'a str, usize>,
    seen: HashSet<String>,
    paths: Vec<Option<ClaimPath>>,
}

impl Walker<'_> {
    /// Records a digest (taking ownership, no copy) and returns the disclosure it names, if any.
    fn first_sight(&mut self, digest: String) -> Result<Option<usize>, SdJwtError> {
        if self.seen.contains(digest.as_str()) {
            return Err(SdJwtError::DuplicateDigest(digest));
        }
        let found = self.by_digest.get(digest.as_str()).copied();
        self.seen.insert(digest);
        Ok(found)
    }

    fn object(
        &mut self,
        mut map: Map<String, Value>,
        path: &ClaimPath,
        depth: usize,
    ) -> Result<Map<String, Value>, SdJwtError> {
        if depth > MAX_DEPTH {
            return Err(SdJwtError::Malformed(
                "disclosures nested too deeply".into(),
            ));
        }
        let sd = map.remove("_sd");
        let mut out = Map::new();
        for (name, v) in map {
            if name == "..." {
                return Err(SdJwtError::Malformed(
                    "\"...\" outside an array element".into(),
                ));
            }
            let child = path.child(PathSegment::Key(name.clone()));
            out.insert(name, self.value(v, &child, depth + 1)?);
        }
        let Some(sd) = sd else { return Ok(out) };
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
            let d = &self.disclosures[i];
            let Some(name) = &d.name else {
                return Err(SdJwtError::DisclosureKindMismatch(
                    "array-element disclosure referenced from an object's _sd".into(),
                ));
            };
            if out.contains_key(name) {
                return Err(SdJwtError::ClaimCollision(name.clone()));
            }
            let child = path.child(PathSegment::Key(name.clone()));
            let value = self.value(d.value.clone(), &child, depth + 1)?;
            self.paths[i] = Some(child);
            out.insert(name.clone(), value);
        }
        Ok(out)
    }

    fn value(&mut self, value: Value, path: &ClaimPath, depth: usize) -> Result<Value, SdJwtError> {
        match value {
            Value::Object(map) => Ok(Value::Object(self.object(map, path, depth)?)),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    let child = path.child(PathSegment::Index(index));
                    match element_digest(&item)? {
                        Some(digest) => {
                            let Some(i) = self.first_sight(digest.to_string())? else {
                                continue;
                            };
                            let d = &self.disclosures[i];
                            if d.name.is_some() {
                                return Err(SdJwtError::DisclosureKindMismatch(
                                    "object-property disclosure referenced as an array element"
                                        .into(),
                                ));
                            }
                            out.push(self.value(d.value.clone(), &child, depth + 1)?);
                            self.paths[i] = Some(child);
                        }
                        None => out.push(self.value(item, &child, depth + 1)?),
                    }
                }
                Ok(Value::Array(out))
            }
            other => Ok(other),
        }
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
