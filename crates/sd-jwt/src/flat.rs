//! Issuing a flat SD-JWT VC straight to its compact text: every subject claim except the named
//! ones becomes one disclosure. The passport's records are flat, and issuance happens at national
//! scale (every August about a million credentials), so this path writes JSON and base64 into a
//! few reused buffers instead of building intermediate `serde_json` values. Its output is the
//! same format as [`crate::vc::issue`] produces; the tests check both verify alike.
use crate::disclosure::{Digest, DIGEST_LEN};
use crate::issue::SaltSource;
use crate::vc::{StatusReference, NEVER_DISCLOSABLE};
use crate::{SdJwtError, SD_ALG, VC_TYP};
use passport_jose::b64::encode_append_str;
use passport_jose::{Jwk, Signer};
use serde::Serialize;
use serde_json::{Map, Value};

/// The envelope of [`issue_flat`], borrowed: issuing copies none of it.
#[derive(Debug, Clone, Copy)]
pub struct FlatEnvelope<'a> {
    pub iss: &'a str,
    pub vct: &'a str,
    pub iat: i64,
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub holder: Option<&'a Jwk>,
    pub status: Option<&'a StatusReference>,
}

/// Whether a claim name belongs to the envelope (set only through [`FlatEnvelope`]).
fn is_envelope_name(name: &str) -> bool {
    name == "iat" || NEVER_DISCLOSABLE.contains(&name)
}

fn json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), SdJwtError> {
    serde_json::to_writer(out, value).map_err(|e| SdJwtError::Issuance(e.to_string()))
}

/// Writes a JSON string; text with nothing to escape (nearly all claim text) is copied as is.
fn json_str(out: &mut Vec<u8>, text: &str) -> Result<(), SdJwtError> {
    // A fold without early exit, so the scan vectorises.
    let plain = !text.bytes().fold(false, |bad, b| {
        bad | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        json(out, text)
    }
}

fn json_value(out: &mut Vec<u8>, value: &Value) -> Result<(), SdJwtError> {
    match value {
        Value::String(s) => json_str(out, s),
        other => json(out, other),
    }
}

fn digest_of(text: &[u8]) -> [u8; DIGEST_LEN] {
    *Digest::of(text).as_bytes()
}

/// Issues `claims` under `envelope`, concealing every claim not in `always_visible`, with up to
/// `max_decoys` decoy digests. Returns `<JWT>~<D1>~...~<Dn>~`.
pub fn issue_flat(
    signer: &dyn Signer,
    envelope: &FlatEnvelope<'_>,
    claims: &Map<String, Value>,
    always_visible: &[&str],
    salts: &mut dyn SaltSource,
    max_decoys: usize,
) -> Result<String, SdJwtError> {
    let mut scratch: Vec<u8> = Vec::with_capacity(512);
    let mut tail = String::with_capacity(claims.len() * 128);
    let mut digests: Vec<[u8; DIGEST_LEN]> = Vec::with_capacity(claims.len() + max_decoys);
    let mut visible: Vec<(&String, &Value)> = Vec::with_capacity(always_visible.len());

    for (name, value) in claims {
        if is_envelope_name(name) {
            return Err(SdJwtError::ClaimCollision(name.clone()));
        }
        if name == "_sd" || name == "_sd_alg" || name == "..." {
            return Err(SdJwtError::ReservedClaimName(name.clone()));
        }
        if let Some(reserved) = crate::issue::reserved_name(value) {
            return Err(SdJwtError::ReservedClaimName(reserved.into()));
        }
        if always_visible.contains(&name.as_str()) {
            visible.push((name, value));
            continue;
        }
        scratch.clear();
        scratch.extend_from_slice(b"[\"");
        salts.write_salt(&mut scratch)?;
        scratch.extend_from_slice(b"\",");
        json_str(&mut scratch, name)?;
        scratch.push(b',');
        json_value(&mut scratch, value)?;
        scratch.push(b']');
        let start = tail.len();
        encode_append_str(&scratch, &mut tail);
        digests.push(digest_of(&tail.as_bytes()[start..]));
        tail.push('~');
    }
    if !digests.is_empty() {
        for _ in 0..salts.below_or_equal(max_decoys)? {
            scratch.clear();
            salts.write_salt(&mut scratch)?;
            digests.push(digest_of(&scratch));
        }
    }
    // Sorted, so the order of digests reveals nothing about the order of claims. Ordered by their
    // first eight characters (ties, vanishingly rare, in any order); the small keys are sorted
    // rather than the 43-byte digests.
    let mut order: Vec<(u64, usize)> = digests
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let key = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
            (key, i)
        })
        .collect();
    order.sort_unstable();

    scratch.clear();
    scratch.extend_from_slice(b"{\"iss\":");
    json_str(&mut scratch, envelope.iss)?;
    scratch.extend_from_slice(b",\"vct\":");
    json_str(&mut scratch, envelope.vct)?;
    scratch.extend_from_slice(b",\"iat\":");
    json(&mut scratch, &envelope.iat)?;
    if let Some(exp) = envelope.exp {
        scratch.extend_from_slice(b",\"exp\":");
        json(&mut scratch, &exp)?;
    }
    if let Some(nbf) = envelope.nbf {
        scratch.extend_from_slice(b",\"nbf\":");
        json(&mut scratch, &nbf)?;
    }
    if let Some(jwk) = envelope.holder {
        // Only the members that make the key (RFC 7638's): `kid`, `alg` and `use` the wallet may
        // have sent add bytes to every credential and tell a verifier nothing it needs.
        scratch.extend_from_slice(b",\"cnf\":{\"jwk\":{\"kty\":");
        json_str(&mut scratch, &jwk.kty)?;
        scratch.extend_from_slice(b",\"crv\":");
        json_str(&mut scratch, &jwk.crv)?;
        scratch.extend_from_slice(b",\"x\":");
        json_str(&mut scratch, &jwk.x)?;
        scratch.extend_from_slice(b",\"y\":");
        json_str(&mut scratch, &jwk.y)?;
        scratch.extend_from_slice(b"}}");
    }
    if let Some(status) = envelope.status {
        scratch.extend_from_slice(b",\"status\":{\"status_list\":{\"idx\":");
        json(&mut scratch, &status.idx)?;
        scratch.extend_from_slice(b",\"uri\":");
        json_str(&mut scratch, &status.uri)?;
        scratch.extend_from_slice(b"}}");
    }
    for (name, value) in visible {
        scratch.push(b',');
        json_str(&mut scratch, name)?;
        scratch.push(b':');
        json_value(&mut scratch, value)?;
    }
    if !digests.is_empty() {
        scratch.extend_from_slice(b",\"_sd\":[");
        for (n, &(_, i)) in order.iter().enumerate() {
            if n > 0 {
                scratch.push(b',');
            }
            scratch.push(b'"');
            scratch.extend_from_slice(&digests[i]);
            scratch.push(b'"');
        }
        scratch.push(b']');
    }
    scratch.extend_from_slice(b",\"_sd_alg\":\"");
    scratch.extend_from_slice(SD_ALG.as_bytes());
    scratch.extend_from_slice(b"\"}");

    // Written as a string: everything appended is base64url text or '.' and '~'.
    let mut out = String::with_capacity(128 + scratch.len() * 4 / 3 + 90 + tail.len());
    let mut header = Vec::with_capacity(96);
    header.extend_from_slice(b"{\"alg\":\"ES256\",\"typ\":\"");
    header.extend_from_slice(VC_TYP.as_bytes());
    header.extend_from_slice(b"\",\"kid\":");
    json_str(&mut header, signer.kid())?;
    header.push(b'}');
    encode_append_str(&header, &mut out);
    out.push('.');
    encode_append_str(&scratch, &mut out);
    let signature = signer
        .sign(out.as_bytes())
        .map_err(|e| SdJwtError::Issuance(e.to_string()))?;
    out.push('.');
    encode_append_str(signature, &mut out);
    out.push('~');
    out.push_str(&tail);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::issue::RandomSalts;
    use crate::verify::{KeyBinding, VerifyOptions};
    use crate::{vc, SdJwt};
    use passport_jose::Es256Signer;
    use serde_json::json;

    fn envelope<'a>(holder: &'a Jwk, status: &'a StatusReference) -> FlatEnvelope<'a> {
        FlatEnvelope {
            iss: "https://i/issuers/RHQ",
            vct: "https://v/t/v1",
            iat: 100,
            exp: Some(200),
            nbf: Some(90),
            holder: Some(holder),
            status: Some(status),
        }
    }

    #[test]
    fn flat_output_verifies_to_the_input_claims() {
        let (issuer, _) = Es256Signer::generate().unwrap();
        let (holder, _) = Es256Signer::generate().unwrap();
        let status = StatusReference {
            uri: "https://i/s/1".into(),
            idx: 9,
        };
        let claims = json!({"recordType": "X", "a": "é\"\\", "b": {"c": [1, 2]}, "d": null});
        let text = issue_flat(
            &issuer,
            &envelope(holder.public_jwk(), &status),
            claims.as_object().unwrap(),
            &["recordType"],
            &mut RandomSalts::default(),
            3,
        )
        .unwrap();
        let sd = SdJwt::parse(&text).unwrap();
        assert_eq!(
            sd.disclosures.len(),
            3,
            "a, b and d; recordType stays visible"
        );
        let key = issuer.public_jwk().verifying_key().unwrap();
        let v = vc::verify(
            &text,
            &move |_, _| Ok(key),
            &VerifyOptions::new(150, KeyBinding::HolderReceipt),
        )
        .unwrap();
        for (k, val) in claims.as_object().unwrap() {
            assert_eq!(&v.sd_jwt.claims[k], val, "{k}");
        }
        assert_eq!(v.status, Some(status.clone()));
        assert_eq!(v.sd_jwt.claims["nbf"], 90);
        assert_eq!(
            v.sd_jwt.holder_key.as_ref().map(Jwk::thumbprint),
            Some(holder.public_jwk().thumbprint())
        );
        let payload = sd.unverified_payload().unwrap();
        assert_eq!(payload["recordType"], "X");
        assert!(payload["_sd"].as_array().unwrap().len() >= 3);
    }

    #[test]
    fn flat_refuses_envelope_and_reserved_names() {
        let (issuer, _) = Es256Signer::generate().unwrap();
        let status = StatusReference {
            uri: "u".into(),
            idx: 0,
        };
        let env = envelope(issuer.public_jwk(), &status);
        let issue = |c: serde_json::Value| {
            issue_flat(
                &issuer,
                &env,
                c.as_object().unwrap(),
                &[],
                &mut RandomSalts::default(),
                0,
            )
        };
        for name in ["iss", "vct", "cnf", "status", "exp", "iat", "vct#integrity"] {
            assert_eq!(
                issue(json!({ name: 1 })).unwrap_err(),
                SdJwtError::ClaimCollision(name.into())
            );
        }
        assert!(matches!(
            issue(json!({"_sd": []})),
            Err(SdJwtError::ReservedClaimName(_))
        ));
        assert!(matches!(
            issue(json!({"x": {"...": "d"}})),
            Err(SdJwtError::ReservedClaimName(_))
        ));
    }
}
