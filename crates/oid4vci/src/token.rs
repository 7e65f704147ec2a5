//! The Token Endpoint of the Pre-Authorized Code Flow (OpenID4VCI 1.0 section 6): the form-encoded
//! Token Request, the Transaction Code rules, and the Token Response with `authorization_details`.
use crate::{form, Oid4vciError, PRE_AUTHORIZED_CODE_GRANT};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The authorization details type of OpenID4VCI (section 5.1.1).
pub const OPENID_CREDENTIAL: &str = "openid_credential";

/// A Token Request with `grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code`
/// (section 6.1). Parameters this server does not use are ignored, as the section requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// `pre-authorized_code`: the code from the Credential Offer.
    pub pre_authorized_code: String,
    /// `tx_code`: the Transaction Code the End-User typed, if the wallet sent one.
    pub tx_code: Option<String>,
    /// `client_id`, if the wallet identified itself (anonymous access is allowed).
    pub client_id: Option<String>,
    /// `authorization_details` of type `openid_credential`, if the wallet narrowed its request.
    pub authorization_details: Option<Vec<AuthorizationDetail>>,
}

impl TokenRequest {
    /// A request for the pre-authorized code, with the Transaction Code if there is one.
    pub fn new(pre_authorized_code: &str, tx_code: Option<&str>) -> Self {
        TokenRequest {
            pre_authorized_code: pre_authorized_code.into(),
            tx_code: tx_code.map(str::to_string),
            client_id: None,
            authorization_details: None,
        }
    }

    /// Parses a form-encoded body (`application/x-www-form-urlencoded`).
    ///
    /// Errors (RFC 6749 section 5.2): a repeated parameter, no `grant_type`, no
    /// `pre-authorized_code`, or malformed `authorization_details` is `invalid_request`; a
    /// `grant_type` other than the Pre-Authorized Code grant is `unsupported_grant_type`.
    pub fn parse_form(body: &[u8]) -> Result<Self, Oid4vciError> {
        let params = form::parse(body).map_err(|e| Oid4vciError::InvalidRequest(e.to_string()))?;
        Self::from_params(&params)
    }

    /// Like [`Self::parse_form`], from parameters already decoded (names unique).
    pub fn from_params(params: &BTreeMap<String, String>) -> Result<Self, Oid4vciError> {
        let grant_type = params
            .get("grant_type")
            .ok_or_else(|| Oid4vciError::InvalidRequest("grant_type is missing".into()))?;
        if grant_type != PRE_AUTHORIZED_CODE_GRANT {
            return Err(Oid4vciError::UnsupportedGrantType(format!(
                "grant_type {grant_type} is not supported: only {PRE_AUTHORIZED_CODE_GRANT}"
            )));
        }
        let pre_authorized_code = params
            .get("pre-authorized_code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Oid4vciError::InvalidRequest("pre-authorized_code is missing".into()))?;
        let authorization_details = params
            .get("authorization_details")
            .map(|text| parse_authorization_details(text))
            .transpose()?;
        Ok(TokenRequest {
            pre_authorized_code: pre_authorized_code.clone(),
            tx_code: params.get("tx_code").cloned(),
            client_id: params.get("client_id").cloned(),
            authorization_details,
        })
    }

    /// The form-encoded body.
    pub fn to_form(&self) -> String {
        let details = self
            .authorization_details
            .as_ref()
            .map(|d| serde_json::to_string(d).unwrap_or_default());
        let mut pairs = vec![
            ("grant_type", PRE_AUTHORIZED_CODE_GRANT),
            ("pre-authorized_code", self.pre_authorized_code.as_str()),
        ];
        if let Some(tx) = &self.tx_code {
            pairs.push(("tx_code", tx));
        }
        if let Some(id) = &self.client_id {
            pairs.push(("client_id", id));
        }
        if let Some(d) = &details {
            pairs.push(("authorization_details", d));
        }
        form::serialize(pairs)
    }
}

fn parse_authorization_details(text: &str) -> Result<Vec<AuthorizationDetail>, Oid4vciError> {
    let bad = |why: String| Oid4vciError::InvalidRequest(format!("authorization_details: {why}"));
    let value = passport_jose::strict_json::from_slice(text.as_bytes()).map_err(bad)?;
    let details: Vec<AuthorizationDetail> =
        serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    if details.is_empty() {
        return Err(bad("empty array".into()));
    }
    if let Some(d) = details.iter().find(|d| d.type_ != OPENID_CREDENTIAL) {
        return Err(bad(format!("type {} is not supported", d.type_)));
    }
    Ok(details)
}

/// The Transaction Code rules of section 6.3, for the server that knows what the offer asked:
/// a code sent but not expected, or expected but not sent, is `invalid_request`; a wrong code is
/// `invalid_grant`. The comparison takes the same time wherever the codes differ.
pub fn check_tx_code(expected: Option<&str>, given: Option<&str>) -> Result<(), Oid4vciError> {
    match (expected, given) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(Oid4vciError::InvalidRequest(
            "tx_code was sent but this offer has no Transaction Code".into(),
        )),
        (Some(_), None) => Err(Oid4vciError::InvalidRequest(
            "tx_code is required for this offer".into(),
        )),
        (Some(e), Some(g)) if constant_time_eq(e.as_bytes(), g.as_bytes()) => Ok(()),
        (Some(_), Some(_)) => Err(Oid4vciError::InvalidGrant(
            "the Transaction Code is wrong".into(),
        )),
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An authorization details object of type `openid_credential` (sections 5.1.1 and 6.2). In a
/// Token Response it lists the `credential_identifiers` the access token may fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationDetail {
    #[serde(rename = "type")]
    pub type_: String,
    pub credential_configuration_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credential_identifiers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Value>,
}

impl AuthorizationDetail {
    /// `{"type": "openid_credential", "credential_configuration_id": .., "credential_identifiers": ..}`
    pub fn openid_credential(configuration_id: &str, identifiers: Vec<String>) -> Self {
        AuthorizationDetail {
            type_: OPENID_CREDENTIAL.into(),
            credential_configuration_id: configuration_id.into(),
            credential_identifiers: identifiers,
            locations: None,
            claims: None,
        }
    }
}

/// A successful Token Response (section 6.2; RFC 6749 section 5.1). Unknown members are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    /// `Bearer` (compared case-insensitively, RFC 6749 section 7.1).
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_details: Vec<AuthorizationDetail>,
}

impl TokenResponse {
    /// A Bearer token response naming the Credential identifiers it grants.
    pub fn bearer(
        access_token: &str,
        expires_in: u64,
        authorization_details: Vec<AuthorizationDetail>,
    ) -> Self {
        TokenResponse {
            access_token: access_token.into(),
            token_type: "Bearer".into(),
            expires_in: Some(expires_in),
            authorization_details,
        }
    }

    /// Whether `token_type` is Bearer.
    pub fn is_bearer(&self) -> bool {
        self.token_type.eq_ignore_ascii_case("bearer")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn form_round_trip() {
        let mut req = TokenRequest::new("SplxlOBeZQQYbYS6WxSbIA", Some("493536"));
        req.authorization_details = Some(vec![AuthorizationDetail::openid_credential(
            "CoreSkillsTraining",
            vec![],
        )]);
        let form = req.to_form();
        assert!(form.starts_with(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=SplxlOBeZQQYbYS6WxSbIA&tx_code=493536"
        ));
        assert_eq!(TokenRequest::parse_form(form.as_bytes()).unwrap(), req);
    }

    #[test]
    fn request_errors_have_oauth_codes() {
        let g = "grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code";
        let code = |body: &str| {
            TokenRequest::parse_form(body.as_bytes())
                .unwrap_err()
                .code()
        };
        assert_eq!(code("pre-authorized_code=x"), "invalid_request");
        assert_eq!(
            code("grant_type=authorization_code&code=x"),
            "unsupported_grant_type"
        );
        assert_eq!(code(g), "invalid_request");
        assert_eq!(
            code(&format!("{g}&pre-authorized_code=")),
            "invalid_request"
        );
        assert_eq!(
            code(&format!("{g}&pre-authorized_code=a&pre-authorized_code=b")),
            "invalid_request"
        );
        assert_eq!(
            code(&format!(
                "{g}&pre-authorized_code=a&authorization_details=%5B%5D"
            )),
            "invalid_request"
        );
        let ok = TokenRequest::parse_form(format!("{g}&pre-authorized_code=a&extra=1").as_bytes())
            .unwrap();
        assert_eq!(ok.tx_code, None);
    }

    #[test]
    fn tx_code_rules() {
        assert!(check_tx_code(None, None).is_ok());
        assert!(check_tx_code(Some("123456"), Some("123456")).is_ok());
        assert_eq!(
            check_tx_code(None, Some("1")).unwrap_err().code(),
            "invalid_request"
        );
        assert_eq!(
            check_tx_code(Some("1"), None).unwrap_err().code(),
            "invalid_request"
        );
        assert_eq!(
            check_tx_code(Some("123456"), Some("123457"))
                .unwrap_err()
                .code(),
            "invalid_grant"
        );
    }
}
