//! The verifier's fast path: reads the issuer-signed payload and applies the disclosures in one
//! pass over its text, for the shape almost every credential has (object-property disclosures
//! with plain values, anywhere in the payload's objects).
//!
//! It never decides a failure. Anything else (malformed JSON, a duplicate member or digest, an
//! unreferenced disclosure, a name collision, array-element or recursive disclosures, `...`, a
//! disclosed `iss`, `cnf` or other never-disclosable claim, a digest that is not SHA-256 sized,
//! nesting deeper than the general path allows) returns `None`, and the caller runs the general
//! path ([`crate::process::process`] on the parsed payload), which gives the precise error or the
//! result. So the fast path must only ever accept what the general path accepts, and build the
//! same claims in the same order: the differential tests below hold it to that.
//!
//! Why it is faster: it works from the received text, so a disclosure is decoded only when a
//! digest names it and its name and value go straight into their object (no copy of its text);
//! `_sd` digests are read as borrowed text and looked up in a sorted table without becoming
//! strings; each object is built once, at its final size, with its disclosed members; the
//! payload is walked once instead of parsed and then walked.
use crate::disclosure::{self, Digest, DIGEST_LEN};
use crate::path::{ClaimPath, PathSegment};
use crate::process::{Processed, MAX_DEPTH};
use crate::vc::NEVER_DISCLOSABLE;
use crate::SD_ALG;
use passport_jose::strict_json::{Next, Reader};
use serde_json::map::Entry;
use serde_json::{Map, Value};

/// Applies the disclosures (as received, base64url text) to the payload; `None` when the general
/// path must decide. `want_paths`: whether to build the path of each disclosure (the holder needs
/// them; a relying party does not).
pub(crate) fn process_text(
    payload: &[u8],
    disclosures: &[&str],
    want_paths: bool,
) -> Option<Processed> {
    let n = disclosures.len();
    let mut by_digest: Vec<Indexed> = disclosures
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let digest = *Digest::of(text.as_bytes()).as_bytes();
            (lead(&digest), digest, i)
        })
        .collect();
    by_digest.sort_unstable();
    if by_digest.windows(2).any(|w| w[0].1 == w[1].1) {
        return None;
    }
    let mut pass = Pass {
        disclosures,
        by_digest,
        seen: Vec::with_capacity(n + 8),
        used: vec![false; n],
        paths: if want_paths {
            vec![None; n]
        } else {
            Vec::new()
        },
        path: Vec::new(),
        want_paths,
        members: Vec::with_capacity(32),
        found: Vec::with_capacity(n),
    };
    let mut reader = Reader::new(payload);
    let claims = pass.object(&mut reader, 0, Level::Top)?;
    reader.finish().ok()?;
    if !pass.used.iter().all(|&u| u) {
        return None;
    }
    pass.seen.sort_unstable();
    if pass.seen.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    Some(Processed {
        claims,
        paths: pass.paths.into_iter().flatten().collect(),
    })
}

/// A disclosure's digest with its first eight bytes as a number (compared first: digests are
/// uniformly distributed, so the full comparison is almost never needed) and its index.
type Indexed = (u64, [u8; DIGEST_LEN], usize);

fn lead(digest: &[u8; DIGEST_LEN]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(word)
}

/// Where an object sits: the payload itself, inside a never-disclosable claim (`cnf`, `status`),
/// or anywhere else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Top,
    Reserved,
    Nested,
}

struct Pass<'a> {
    disclosures: &'a [&'a str],
    /// Sorted by digest.
    by_digest: Vec<Indexed>,
    /// Every digest met, decoys included (checked for repeats at the end).
    seen: Vec<[u8; DIGEST_LEN]>,
    used: Vec<bool>,
    paths: Vec<Option<ClaimPath>>,
    /// Path of the object being read (kept only when `want_paths`).
    path: Vec<PathSegment>,
    want_paths: bool,
    /// Members of the objects being read, innermost last (one stack for all of them).
    members: Vec<(String, Value)>,
    /// Disclosures named by the `_sd` of the objects being read, innermost last.
    found: Vec<usize>,
}

impl Pass<'_> {
    /// Reads one object, applying the disclosures its `_sd` names. Member order is the general
    /// path's: the members as written, with `_sd_alg` (top level) and then `_sd` taken out by
    /// swapping the last member into their place, then the disclosed members in `_sd` order.
    fn object(
        &mut self,
        r: &mut Reader<'_>,
        depth: usize,
        level: Level,
    ) -> Option<Map<String, Value>> {
        let top = level == Level::Top;
        if depth > MAX_DEPTH {
            return None;
        }
        r.begin_object().ok()?;
        let members_from = self.members.len();
        let found_from = self.found.len();
        let mut sd_at = None;
        let mut alg_at = None;
        let mut first = true;
        while let Some(key) = r.next_key_str(first).ok()? {
            first = false;
            // `_sd` and (at the top) `_sd_alg` keep a nameless place among the members, so that
            // taking them out below moves the others as the general path's removal does.
            if key == "_sd" {
                if sd_at.is_some() {
                    return None;
                }
                sd_at = Some(self.members.len() - members_from);
                self.digests(r)?;
                self.members.push((String::new(), Value::Null));
                continue;
            }
            if top && key == "_sd_alg" {
                if alg_at.is_some() || r.str().ok()? != SD_ALG {
                    return None;
                }
                alg_at = Some(self.members.len() - members_from);
                self.members.push((String::new(), Value::Null));
                continue;
            }
            if key == "..." {
                return None;
            }
            let key = key.into_owned();
            let value = match r.peek().ok()? {
                Next::Object => {
                    let inner = if level == Level::Reserved
                        || (top && NEVER_DISCLOSABLE.contains(&key.as_str()))
                    {
                        Level::Reserved
                    } else {
                        Level::Nested
                    };
                    if self.want_paths {
                        self.path.push(PathSegment::Key(key.clone()));
                    }
                    let map = self.object(r, depth + 1, inner);
                    if self.want_paths {
                        self.path.pop();
                    }
                    Value::Object(map?)
                }
                Next::Array => {
                    let v = r.value().ok()?;
                    if !plain_array(&v, depth + 1) {
                        return None;
                    }
                    v
                }
                Next::Scalar => r.value().ok()?,
            };
            self.members.push((key, value));
        }
        // Swap-removal on the shared stack swaps with this object's last member: the members of
        // the objects inside it were taken off the stack when they were built.
        if let Some(at) = alg_at {
            self.members.swap_remove(members_from + at);
            if sd_at == Some(self.members.len() - members_from) {
                sd_at = Some(at);
            }
        }
        if let Some(at) = sd_at {
            self.members.swap_remove(members_from + at);
        }
        let found = self.found.len() - found_from;
        // Nothing may be disclosed into `cnf`, `status` and the like: the general path reads them
        // from the issuer-signed text alone.
        if level == Level::Reserved && found > 0 {
            return None;
        }
        let mut map = Map::with_capacity(self.members.len() - members_from + found);
        for (key, value) in self.members.drain(members_from..) {
            match map.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                Entry::Occupied(_) => return None,
            }
        }
        for k in found_from..self.found.len() {
            let i = self.found[k];
            if self.used[i] {
                return None;
            }
            self.used[i] = true;
            // Only object properties with plain values; anything else is the general path's.
            let (Some(name), value) = disclosure::decode(self.disclosures[i]).ok()? else {
                return None;
            };
            if value.is_object() || value.is_array() {
                return None;
            }
            if top && NEVER_DISCLOSABLE.contains(&name.as_str()) {
                return None;
            }
            match map.entry(name) {
                Entry::Vacant(slot) => {
                    if self.want_paths {
                        let mut path = Vec::with_capacity(self.path.len() + 1);
                        path.extend_from_slice(&self.path);
                        path.push(PathSegment::Key(slot.key().clone()));
                        self.paths[i] = Some(ClaimPath(path));
                    }
                    slot.insert(value);
                }
                Entry::Occupied(_) => return None,
            }
        }
        self.found.truncate(found_from);
        Some(map)
    }

    /// The digests of an `_sd` array: each must be a string of a SHA-256 digest's length; those
    /// naming a disclosure go to `found`.
    fn digests(&mut self, r: &mut Reader<'_>) -> Option<()> {
        r.begin_array().ok()?;
        let mut first = true;
        while r.next_item(first).ok()? {
            first = false;
            let text = r.str().ok()?;
            let digest: [u8; DIGEST_LEN] = text.as_bytes().try_into().ok()?;
            self.seen.push(digest);
            let key = lead(&digest);
            let from = self.by_digest.partition_point(|e| e.0 < key);
            let hit = self.by_digest[from..]
                .iter()
                .take_while(|e| e.0 == key)
                .find(|e| e.1 == digest);
            if let Some(&(_, _, i)) = hit {
                self.found.push(i);
            }
        }
        Some(())
    }
}

/// An array value the general path would leave exactly as it is: no object in it, at any depth,
/// has an `_sd` or `...` member, and no object is nested deeper than the general path allows.
fn plain_array(v: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        Value::Array(items) => items.iter().all(|i| plain_array(i, depth + 1)),
        Value::Object(map) => {
            !map.contains_key("_sd")
                && !map.contains_key("...")
                && map.values().all(|v| plain_array(v, depth + 1))
        }
        _ => true,
    }
}

/// The one pass against the general path on a payload and disclosure texts, for the tests and
/// the `one_pass` fuzz target: `true` if the one pass took it. Panics if the one pass accepts
/// what the general path refuses, or builds other claims or paths.
#[doc(hidden)]
pub fn check_against_general(bytes: &[u8], disclosures: &[&str]) -> bool {
    let Some(fast) = process_text(bytes, disclosures, true) else {
        return false;
    };
    let text = String::from_utf8_lossy(bytes);
    let mut parsed: Vec<crate::Disclosure> = disclosures
        .iter()
        .map(|d| {
            crate::Disclosure::parse(d)
                .unwrap_or_else(|e| panic!("one pass took a disclosure the parser refuses: {e}"))
        })
        .collect();
    let payload = passport_jose::jws::parse_object(bytes, "payload")
        .unwrap_or_else(|e| panic!("one pass accepted bad JSON ({e}): {text}"));
    let general = crate::process::process(payload, &mut parsed).unwrap_or_else(|e| {
        panic!("one pass accepted what the general path refuses ({e}): {text}")
    });
    assert_eq!(
        Value::Object(fast.claims).to_string(),
        Value::Object(general.claims).to_string(),
        "claims differ: {text}"
    );
    assert_eq!(fast.paths, general.paths, "paths differ: {text}");
    let bare = process_text(bytes, disclosures, false);
    assert!(
        bare.is_some_and(|b| b.paths.is_empty()),
        "without paths: {text}"
    );
    true
}

#[cfg(test)]
#[path = "onepass_tests.rs"]
mod tests;
