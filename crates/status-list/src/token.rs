//! Status List Tokens: the list signed as a JWT (draft section 5.1), and their validation by a
//! relying party (section 8.3).
use crate::{StatusList, StatusListError};
use passport_jose::jws::{self, CompactJws, JwsHeader};
use passport_jose::{Signer, VerifyingKey};
use serde_json::{json, Value};

pub const STATUS_LIST_TYP: &str = "statuslist+jwt";

#[derive(Debug, Clone)]
pub struct StatusListToken {
    /// The URI of this list; equals `status.status_list.uri` in every credential that points here.
    pub sub: String,
    pub iss: Option<String>,
    pub iat: i64,
    pub exp: Option<i64>,
    /// Seconds a relying party may cache this token before fetching it again.
    pub ttl: Option<u64>,
    pub list: StatusList,
}

/// Signs `list` as the token served at `sub`.
pub fn sign_token(
    list: &StatusList,
    sub: &str,
    iss: Option<&str>,
    iat: i64,
    exp: Option<i64>,
    ttl: Option<u64>,
    signer: &dyn Signer,
) -> Result<String, StatusListError> {
    let mut payload = json!({ "sub": sub, "iat": iat, "status_list": list.to_claim() });
    if let Some(iss) = iss {
        payload["iss"] = iss.into();
    }
    if let Some(exp) = exp {
        payload["exp"] = exp.into();
    }
    if let Some(ttl) = ttl {
        payload["ttl"] = ttl.into();
    }
    jws::sign(&JwsHeader::typed(STATUS_LIST_TYP), &payload, signer)
        .map_err(|e| StatusListError::Token(e.to_string()))
}

/// Validates a status list token fetched from `expected_uri`: `typ`, ES256 signature with the key
/// of the referenced credential's issuer, `sub` equal to the URI the credential named, `iat`
/// present, and `exp` not passed. `leeway` tolerates clock skew.
pub fn verify_token(
    token: &str,
    key: &VerifyingKey,
    expected_uri: &str,
    now: i64,
    leeway: i64,
) -> Result<StatusListToken, StatusListError> {
    let jws = CompactJws::parse(token).map_err(|e| StatusListError::Token(e.to_string()))?;
    if jws.typ() != Some(STATUS_LIST_TYP) {
        return Err(StatusListError::Token(format!(
            "typ must be {STATUS_LIST_TYP}"
        )));
    }
    jws.verify(key).map_err(|_| StatusListError::BadSignature)?;
    let p = &jws.payload;
    let sub = p
        .get("sub")
        .and_then(Value::as_str)
        .ok_or_else(|| StatusListError::Token("sub missing".into()))?;
    if sub != expected_uri {
        return Err(StatusListError::WrongSubject {
            expected: expected_uri.into(),
            found: sub.into(),
        });
    }
    let iat = p
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| StatusListError::Token("iat missing".into()))?;
    let exp = p.get("exp").and_then(Value::as_i64);
    if let Some(exp) = exp {
        if now > exp + leeway {
            return Err(StatusListError::Expired { exp, now });
        }
    }
    let claim = p
        .get("status_list")
        .ok_or_else(|| StatusListError::Token("status_list missing".into()))?;
    Ok(StatusListToken {
        sub: sub.into(),
        iss: p.get("iss").and_then(Value::as_str).map(str::to_string),
        iat,
        exp,
        ttl: p.get("ttl").and_then(Value::as_u64),
        list: StatusList::from_claim(claim)?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use passport_jose::Es256Signer;

    #[test]
    fn token_round_trip_and_checks() {
        let (signer, _) = Es256Signer::generate().unwrap();
        let key = signer.public_jwk().verifying_key().unwrap();
        let mut list = StatusList::new(16, 2).unwrap();
        list.set(3, 2).unwrap();
        let uri = "https://h/issuers/RHQ/status/1";
        let t = sign_token(
            &list,
            uri,
            Some("https://h/issuers/RHQ"),
            100,
            Some(200),
            Some(60),
            &signer,
        )
        .unwrap();
        let v = verify_token(&t, &key, uri, 150, 0).unwrap();
        assert_eq!(v.list.get(3).unwrap(), 2);
        assert_eq!(v.ttl, Some(60));
        assert!(matches!(
            verify_token(&t, &key, "https://h/other", 150, 0),
            Err(StatusListError::WrongSubject { .. })
        ));
        assert!(matches!(
            verify_token(&t, &key, uri, 500, 0),
            Err(StatusListError::Expired { .. })
        ));
        let (other, _) = Es256Signer::generate().unwrap();
        let other_key = other.public_jwk().verifying_key().unwrap();
        assert_eq!(
            verify_token(&t, &other_key, uri, 150, 0).unwrap_err(),
            StatusListError::BadSignature
        );
    }
}
