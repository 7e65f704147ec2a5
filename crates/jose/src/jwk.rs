//! P-256 public keys as JWK (RFC 7517), key sets, and RFC 7638 thumbprints.
use crate::{b64, JoseError};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
use serde::{Deserialize, Serialize};

/// A public P-256 key in JWK form. Private members are never serialised by this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub alg: Option<String>,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none", default)]
    pub use_: Option<String>,
}

/// A JWK Set (RFC 7517 section 5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// The key with this `kid`, if any.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

impl Jwk {
    /// Builds the JWK of an uncompressed SEC1 point (0x04 || x || y).
    pub fn from_uncompressed_point(point: &[u8]) -> Result<Self, JoseError> {
        if point.len() != 65 || point[0] != 4 {
            return Err(JoseError::InvalidKey(
                "expected a 65-byte uncompressed P-256 point".into(),
            ));
        }
        Ok(Jwk {
            kty: "EC".into(),
            crv: "P-256".into(),
            x: b64::encode(&point[1..33]),
            y: b64::encode(&point[33..65]),
            kid: None,
            alg: None,
            use_: None,
        })
    }

    /// Parses a JWK from JSON, rejecting anything that is not a public P-256 key. A JWK carrying a
    /// private member `d` is refused: a public key slot must never hold a secret.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, JoseError> {
        if value.get("d").is_some() {
            return Err(JoseError::InvalidKey(
                "JWK contains a private key member".into(),
            ));
        }
        let jwk = match Self::from_plain_members(value) {
            Some(jwk) => jwk,
            // Anything unusual (a member missing or not a string) goes through serde, which
            // gives the precise error or reads what it may (`null` for an optional member).
            None => <Jwk as Deserialize>::deserialize(value).map_err(|e| JoseError::Json {
                part: "jwk",
                reason: e.to_string(),
            })?,
        };
        jwk.verifying_key()?;
        Ok(jwk)
    }

    /// The JWK read directly from an object whose members it knows are all strings (other
    /// members are ignored, as serde does); `None` otherwise. A verifier reads one per
    /// presentation, and this is several times cheaper than deserialising.
    fn from_plain_members(value: &serde_json::Value) -> Option<Self> {
        let map = value.as_object()?;
        let text = |name: &str| -> Option<Option<String>> {
            match map.get(name) {
                None => Some(None),
                Some(serde_json::Value::String(s)) => Some(Some(s.clone())),
                Some(_) => None,
            }
        };
        Some(Jwk {
            kty: text("kty")??,
            crv: text("crv")??,
            x: text("x")??,
            y: text("y")??,
            kid: text("kid")?,
            alg: text("alg")?,
            use_: text("use")?,
        })
    }

    /// The uncompressed SEC1 point, after checking kty, crv and coordinate lengths.
    pub fn to_uncompressed_point(&self) -> Result<[u8; 65], JoseError> {
        if self.kty != "EC" || self.crv != "P-256" {
            return Err(JoseError::InvalidKey(format!(
                "unsupported key type {}/{} (only EC P-256)",
                self.kty, self.crv
            )));
        }
        if let Some(alg) = &self.alg {
            if alg != crate::ES256 {
                return Err(JoseError::AlgorithmNotAllowed(alg.clone()));
            }
        }
        let coordinates_len = || JoseError::InvalidKey("P-256 coordinates must be 32 bytes".into());
        if b64::decoded_len(&self.x) != 32 || b64::decoded_len(&self.y) != 32 {
            return Err(coordinates_len());
        }
        let mut point = [0u8; 65];
        point[0] = 4;
        b64::decode_into(&self.x, &mut point[1..33])?;
        b64::decode_into(&self.y, &mut point[33..])?;
        Ok(point)
    }

    /// The key ready for ES256 verification.
    pub fn verifying_key(&self) -> Result<VerifyingKey, JoseError> {
        Ok(VerifyingKey {
            point: self.to_uncompressed_point()?,
        })
    }

    /// RFC 7638 thumbprint (SHA-256, base64url) over the required members in lexicographic order.
    pub fn thumbprint(&self) -> String {
        thumbprint_of(&[
            ("crv", &self.crv),
            ("kty", &self.kty),
            ("x", &self.x),
            ("y", &self.y),
        ])
    }

    /// A copy with only the members that make the key (`kty`, `crv`, `x`, `y`: RFC 7638's),
    /// as a credential's `cnf.jwk` carries it.
    pub fn key_only(&self) -> Jwk {
        Jwk {
            kty: self.kty.clone(),
            crv: self.crv.clone(),
            x: self.x.clone(),
            y: self.y.clone(),
            kid: None,
            alg: None,
            use_: None,
        }
    }

    /// A copy with `kid` set (to the thumbprint when `kid` is None).
    pub fn with_kid(mut self, kid: Option<String>) -> Self {
        self.kid = Some(kid.unwrap_or_else(|| self.thumbprint()));
        self
    }
}

/// RFC 7638 section 3: hash the JSON object of the required members, sorted by name, with no
/// whitespace. `members` must already be sorted; values are JSON-escaped here.
pub fn thumbprint_of(members: &[(&str, &str)]) -> String {
    let mut json = String::from("{");
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&serde_json::Value::from(*name).to_string());
        json.push(':');
        json.push_str(&serde_json::Value::from(*value).to_string());
    }
    json.push('}');
    b64::encode(ring::digest::digest(&ring::digest::SHA256, json.as_bytes()))
}

/// A P-256 public key that verifies ES256 signatures. Point validation (on the curve, not the
/// identity) happens inside `ring` on every verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyingKey {
    point: [u8; 65],
}

impl VerifyingKey {
    /// Verifies a fixed-size (r || s) ES256 signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), JoseError> {
        if signature.len() != 64 {
            return Err(JoseError::BadSignature);
        }
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.point)
            .verify(message, signature)
            .map_err(|_| JoseError::BadSignature)
    }

    /// The uncompressed SEC1 point.
    pub fn point(&self) -> &[u8; 65] {
        &self.point
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 7638 section 3.1 example (an RSA key): the published thumbprint.
    /// The direct read and serde agree, and what it does not take goes to serde.
    #[test]
    fn from_json_direct_and_serde_agree() {
        use crate::Signer as _;
        let (signer, _) = crate::Es256Signer::generate().unwrap();
        let full = serde_json::to_value(signer.public_jwk()).unwrap();
        let direct = Jwk::from_plain_members(&full).unwrap();
        assert_eq!(&direct, signer.public_jwk());
        let mut odd = full.clone();
        odd["kid"] = serde_json::Value::Null;
        odd["extra"] = serde_json::json!([1]);
        assert!(Jwk::from_plain_members(&odd).is_none());
        let read = Jwk::from_json(&odd).unwrap();
        assert_eq!(read.kid, None);
        let mut missing = full.clone();
        missing.as_object_mut().unwrap().remove("y");
        assert!(Jwk::from_json(&missing).is_err());
        let mut wrong = full;
        wrong["x"] = serde_json::json!(5);
        assert!(Jwk::from_json(&wrong).is_err());
    }

    #[test]
    fn rfc7638_example_thumbprint() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let t = thumbprint_of(&[("e", "AQAB"), ("kty", "RSA"), ("n", n)]);
        assert_eq!(t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn thumbprint_ignores_optional_members() {
        let jwk = Jwk::from_json(&json!({"kty":"EC","crv":"P-256",
            "x":"b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
            "y":"Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"}))
        .unwrap();
        let with_kid = jwk.clone().with_kid(Some("k1".into()));
        assert_eq!(jwk.thumbprint(), with_kid.thumbprint());
        assert_eq!(jwk.clone().with_kid(None).kid.unwrap(), jwk.thumbprint());
    }

    #[test]
    fn rejects_non_p256_and_private_keys() {
        let ok = json!({"kty":"EC","crv":"P-256",
            "x":"b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
            "y":"Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"});
        let mut p384 = ok.clone();
        p384["crv"] = json!("P-384");
        assert!(Jwk::from_json(&p384).is_err());
        let mut private = ok.clone();
        private["d"] = json!("AAAA");
        assert!(Jwk::from_json(&private).is_err());
        let mut short = ok.clone();
        short["x"] = json!("AAAA");
        assert!(Jwk::from_json(&short).is_err());
        let mut hs = ok;
        hs["alg"] = json!("HS256");
        assert!(Jwk::from_json(&hs).is_err());
    }
}
