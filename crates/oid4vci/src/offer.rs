//! Credential Offers (OpenID4VCI 1.0 section 4.1): the object, and the links that carry it by
//! value (`credential_offer`) or by reference (`credential_offer_uri`).
use crate::form;
use crate::metadata::split_identifier;
use crate::Oid4vciError;
use serde::{Deserialize, Serialize};

/// The custom URL scheme of a wallet's Credential Offer Endpoint (section 12.1).
pub const OFFER_SCHEME: &str = "openid-credential-offer";

/// A Credential Offer object (section 4.1.1). Unknown members are ignored, as the section
/// requires of a wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialOffer {
    pub credential_issuer: String,
    pub credential_configuration_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Grants::is_empty")]
    pub grants: Grants,
}

/// The `grants` object: grant type identifier to grant parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    #[serde(
        rename = "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_code: Option<PreAuthorizedCodeGrant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<AuthorizationCodeGrant>,
}

impl Grants {
    pub fn is_empty(&self) -> bool {
        self.pre_authorized_code.is_none() && self.authorization_code.is_none()
    }
}

/// Parameters of the Pre-Authorized Code grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreAuthorizedCodeGrant {
    /// Short-lived, single use; sent back in the Token Request.
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: String,
    /// Present (even empty) when the Token Request must carry a Transaction Code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_code: Option<TxCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
}

/// Parameters of the Authorization Code grant (parsed so a wallet can tell what it was offered;
/// the passport does not run this flow).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationCodeGrant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
}

/// What the Transaction Code looks like, to help the wallet render its input screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxCode {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_mode: Option<InputMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// At most 300 characters (section 4.1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `input_mode` of a Transaction Code; `numeric` when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputMode {
    Numeric,
    Text,
}

impl TxCode {
    /// A numeric code of `length` digits, with guidance on where the user finds it.
    pub fn numeric(length: u32, description: &str) -> Self {
        TxCode {
            input_mode: Some(InputMode::Numeric),
            length: Some(length),
            description: Some(description.into()),
        }
    }

    /// Whether `code` fits the announced input mode and length (a wallet-side courtesy check;
    /// the server compares the code itself).
    pub fn accepts(&self, code: &str) -> bool {
        let digits_ok = match self.input_mode.unwrap_or(InputMode::Numeric) {
            InputMode::Numeric => code.bytes().all(|b| b.is_ascii_digit()),
            InputMode::Text => true,
        };
        let length_ok = self
            .length
            .is_none_or(|n| code.chars().count() == n as usize);
        !code.is_empty() && digits_ok && length_ok
    }
}

impl CredentialOffer {
    /// An offer of `configuration_ids` under the Pre-Authorized Code grant.
    pub fn pre_authorized(
        credential_issuer: &str,
        configuration_ids: Vec<String>,
        pre_authorized_code: &str,
        tx_code: Option<TxCode>,
    ) -> Self {
        CredentialOffer {
            credential_issuer: credential_issuer.into(),
            credential_configuration_ids: configuration_ids,
            grants: Grants {
                pre_authorized_code: Some(PreAuthorizedCodeGrant {
                    pre_authorized_code: pre_authorized_code.into(),
                    tx_code,
                    authorization_server: None,
                }),
                authorization_code: None,
            },
        }
    }

    /// Parses and checks an offer object (as served at a `credential_offer_uri`, or decoded from
    /// `credential_offer`). Duplicate member names are refused.
    pub fn parse(json: &[u8]) -> Result<Self, Oid4vciError> {
        let value = passport_jose::strict_json::from_slice(json)
            .map_err(|e| Oid4vciError::InvalidOffer(format!("not JSON: {e}")))?;
        let offer: CredentialOffer =
            serde_json::from_value(value).map_err(|e| Oid4vciError::InvalidOffer(e.to_string()))?;
        offer.validate()?;
        Ok(offer)
    }

    /// The rules of section 4.1.1 a wallet can check on its own.
    pub fn validate(&self) -> Result<(), Oid4vciError> {
        let bad = |s: &str| Err(Oid4vciError::InvalidOffer(s.into()));
        split_identifier(&self.credential_issuer)
            .map_err(|e| Oid4vciError::InvalidOffer(e.description().into()))?;
        let ids = &self.credential_configuration_ids;
        if ids.is_empty() {
            return bad("credential_configuration_ids is empty");
        }
        if ids.iter().enumerate().any(|(i, id)| ids[..i].contains(id)) {
            return bad("credential_configuration_ids repeats an identifier");
        }
        if let Some(grant) = &self.grants.pre_authorized_code {
            if grant.pre_authorized_code.is_empty() {
                return bad("pre-authorized_code is empty");
            }
            if let Some(tx) = &grant.tx_code {
                if tx.length == Some(0) {
                    return bad("tx_code.length is 0");
                }
                if tx
                    .description
                    .as_ref()
                    .is_some_and(|d| d.chars().count() > 300)
                {
                    return bad("tx_code.description is longer than 300 characters");
                }
            }
        }
        Ok(())
    }

    /// The offer as JSON text.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A Credential Offer as a link carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferRef {
    /// `credential_offer`: the offer itself.
    ByValue(CredentialOffer),
    /// `credential_offer_uri`: where to GET the offer (`application/json`).
    ByReference(String),
}

/// `openid-credential-offer://?credential_offer_uri=<percent-encoded offer_uri>` (section 4.1.3).
pub fn offer_link(offer_uri: &str) -> String {
    format!(
        "{OFFER_SCHEME}://?credential_offer_uri={}",
        form::encode(offer_uri)
    )
}

/// `openid-credential-offer://?credential_offer=<percent-encoded JSON>` (section 4.1.2).
pub fn offer_link_by_value(offer: &CredentialOffer) -> String {
    format!(
        "{OFFER_SCHEME}://?credential_offer={}",
        form::encode(&offer.to_json_string())
    )
}

/// Reads a Credential Offer link: the `openid-credential-offer://` form, or any other URL (an
/// `https` page of the issuer, a wallet's own scheme) carrying the same query. Exactly one of
/// `credential_offer` and `credential_offer_uri` must be present, once.
pub fn parse_offer_link(link: &str) -> Result<OfferRef, Oid4vciError> {
    let bad = |s: &str| Oid4vciError::InvalidOffer(s.into());
    let link = link.trim();
    let (scheme, _) = link
        .split_once(':')
        .ok_or_else(|| bad("not a URL: no scheme"))?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return Err(bad("not a URL: bad scheme"));
    }
    let without_fragment = link.split('#').next().unwrap_or(link);
    let (_, query) = without_fragment.split_once('?').ok_or_else(|| {
        bad("the link has no query: expected credential_offer or credential_offer_uri")
    })?;
    let pairs =
        form::parse(query.as_bytes()).map_err(|e| Oid4vciError::InvalidOffer(e.to_string()))?;
    let by_value = pairs.get("credential_offer");
    let by_reference = pairs.get("credential_offer_uri");
    match (by_value, by_reference) {
        (Some(_), Some(_)) => Err(bad(
            "credential_offer and credential_offer_uri must not both be present",
        )),
        (None, None) => Err(bad(
            "the link carries neither credential_offer nor credential_offer_uri",
        )),
        (Some(json), None) => Ok(OfferRef::ByValue(CredentialOffer::parse(json.as_bytes())?)),
        (None, Some(uri)) => {
            split_identifier_like_url(uri)?;
            Ok(OfferRef::ByReference(uri.clone()))
        }
    }
}

/// A `credential_offer_uri` is an absolute `http(s)` URL (it may have a query).
fn split_identifier_like_url(uri: &str) -> Result<(), Oid4vciError> {
    let base = uri.split(['?', '#']).next().unwrap_or(uri);
    split_identifier(base)
        .map(|_| ())
        .map_err(|_| Oid4vciError::InvalidOffer("credential_offer_uri is not an https URL".into()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn offer() -> CredentialOffer {
        CredentialOffer::pre_authorized(
            "https://passport.example.nhs.uk/issuers/RHQ",
            vec!["CoreSkillsTraining".into()],
            "abc",
            Some(TxCode::numeric(6, "Sent to your NHS email")),
        )
    }

    #[test]
    fn serialises_with_spec_member_names() {
        let v = serde_json::to_value(offer()).unwrap();
        let grant = &v["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"];
        assert_eq!(grant["pre-authorized_code"], "abc");
        assert_eq!(grant["tx_code"]["input_mode"], "numeric");
        assert_eq!(grant["tx_code"]["length"], 6);
        assert!(v["grants"].get("authorization_code").is_none());
    }

    #[test]
    fn link_round_trips_by_reference_and_by_value() {
        let uri = "https://passport.example.nhs.uk/issuers/RHQ/offers/Gk+u/x?a=b&c=d";
        let link = offer_link(uri);
        assert!(link.starts_with("openid-credential-offer://?credential_offer_uri=https%3A%2F%2F"));
        assert!(!link[40..].contains(['/', '?', '&', '+']), "{link}");
        assert_eq!(
            parse_offer_link(&link).unwrap(),
            OfferRef::ByReference(uri.into())
        );
        let query = link.split_once('?').unwrap().1;
        let https = format!("https://passport.example.nhs.uk/offer?{query}#top");
        assert_eq!(
            parse_offer_link(&https).unwrap(),
            OfferRef::ByReference(uri.into())
        );
        let by_value = offer_link_by_value(&offer());
        assert_eq!(
            parse_offer_link(&by_value).unwrap(),
            OfferRef::ByValue(offer())
        );
    }

    #[test]
    fn bad_links_are_refused() {
        let uri = "https%3A%2F%2Fi.example%2Fo";
        let json = form::encode(&offer().to_json_string());
        for bad in [
            "openid-credential-offer://".to_string(),
            "openid-credential-offer://?foo=bar".to_string(),
            format!(
                "openid-credential-offer://?credential_offer_uri={uri}&credential_offer_uri={uri}"
            ),
            format!(
                "openid-credential-offer://?credential_offer_uri={uri}&credential_offer={json}"
            ),
            "openid-credential-offer://?credential_offer_uri=ftp%3A%2F%2Fx".to_string(),
            "openid-credential-offer://?credential_offer=%7B%7D".to_string(),
            "no scheme here".to_string(),
        ] {
            let e = parse_offer_link(&bad).unwrap_err();
            assert_eq!(e.code(), "invalid_request", "{bad}");
        }
    }

    #[test]
    fn offer_rules() {
        let mut o = offer();
        o.credential_configuration_ids = vec![];
        assert!(o.validate().is_err());
        let mut o = offer();
        o.credential_configuration_ids = vec!["A".into(), "A".into()];
        assert!(o.validate().is_err());
        let dup = br#"{"credential_issuer":"https://a","credential_issuer":"https://b","credential_configuration_ids":["A"]}"#;
        assert!(CredentialOffer::parse(dup).is_err());
        let tx = TxCode::numeric(6, "");
        assert!(tx.accepts("012345"));
        assert!(!tx.accepts("12345") && !tx.accepts("12345a") && !tx.accepts(""));
        assert!(TxCode::default().accepts("4711"));
    }
}
