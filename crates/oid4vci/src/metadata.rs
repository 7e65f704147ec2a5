//! Discovery documents: Credential Issuer Metadata (OpenID4VCI 1.0 section 12.2) and OAuth 2.0
//! Authorization Server Metadata (RFC 8414; OpenID4VCI 1.0 section 12.3), the endpoint URLs
//! they name, and the well-known URLs they are served at.
//!
//! Each passport issuer (`https://HOST/issuers/ODS`) is its own Authorization Server, so its
//! metadata omits `authorization_servers` and the wallet reads the token endpoint from the
//! RFC 8414 document at the same identifier.
use crate::{Oid4vciError, BATCH_SIZE, FORMAT_SD_JWT_VC, PRE_AUTHORIZED_CODE_GRANT};
use passport_catalogue::{Catalogue, CredentialType, LOCALE};
use passport_jose::ES256;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Well-known suffix of Credential Issuer Metadata (OpenID4VCI 1.0 section 12.2.2).
pub const WELL_KNOWN_CREDENTIAL_ISSUER: &str = "/.well-known/openid-credential-issuer";
/// Well-known suffix of Authorization Server Metadata (RFC 8414 section 3).
pub const WELL_KNOWN_AUTHORIZATION_SERVER: &str = "/.well-known/oauth-authorization-server";

/// The endpoints of one passport issuer, all under its identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `{issuer}/token`
    pub token: String,
    /// `{issuer}/nonce`
    pub nonce: String,
    /// `{issuer}/credential`
    pub credential: String,
    /// `{issuer}/notification`
    pub notification: String,
}

impl Endpoints {
    /// The endpoint URLs of the issuer `credential_issuer` (no trailing `/`).
    pub fn for_issuer(credential_issuer: &str) -> Self {
        let base = credential_issuer.trim_end_matches('/');
        Endpoints {
            token: format!("{base}/token"),
            nonce: format!("{base}/nonce"),
            credential: format!("{base}/credential"),
            notification: format!("{base}/notification"),
        }
    }
}

/// Splits an `http(s)` identifier into origin (`scheme://authority`) and path (`""` or starting
/// with `/`). Identifiers carry no query or fragment (OpenID4VCI 1.0 section 12.2.1, RFC 8414
/// section 2).
pub fn split_identifier(identifier: &str) -> Result<(&str, &str), Oid4vciError> {
    let bad = |why: &str| Oid4vciError::InvalidRequest(format!("identifier {identifier}: {why}"));
    let Some((scheme, rest)) = identifier.split_once("://") else {
        return Err(bad("not an absolute URL"));
    };
    if scheme != "https" && scheme != "http" {
        return Err(bad("scheme must be https"));
    }
    if identifier.contains(['?', '#']) {
        return Err(bad("must have no query or fragment"));
    }
    let authority_len = rest.find('/').unwrap_or(rest.len());
    if authority_len == 0 || rest[..authority_len].contains('@') {
        return Err(bad("no host, or user information in the authority"));
    }
    let origin_len = scheme.len() + 3 + authority_len;
    Ok((&identifier[..origin_len], &identifier[origin_len..]))
}

/// The Credential Issuer Metadata URL: `/.well-known/openid-credential-issuer` inserted between
/// the host and the path (OpenID4VCI 1.0 section 12.2.2). For `https://h/issuers/RHQ`:
/// `https://h/.well-known/openid-credential-issuer/issuers/RHQ`.
pub fn credential_issuer_metadata_url(credential_issuer: &str) -> Result<String, Oid4vciError> {
    let (origin, path) = split_identifier(credential_issuer)?;
    let path = if path == "/" { "" } else { path };
    Ok(format!("{origin}{WELL_KNOWN_CREDENTIAL_ISSUER}{path}"))
}

/// The Authorization Server Metadata URL: `/.well-known/oauth-authorization-server` inserted
/// between the host and the path, a terminating `/` removed first (RFC 8414 section 3.1).
pub fn authorization_server_metadata_url(issuer: &str) -> Result<String, Oid4vciError> {
    let (origin, path) = split_identifier(issuer)?;
    Ok(format!(
        "{origin}{WELL_KNOWN_AUTHORIZATION_SERVER}{}",
        path.trim_end_matches('/')
    ))
}

/// Credential Issuer Metadata (OpenID4VCI 1.0 section 12.2.4) for a passport issuer: one
/// `dc+sd-jwt` Credential Configuration per catalogue type, its identifier the type name
/// (`CoreSkillsTraining`), bound to a holder `jwk` proven by an ES256 `jwt` key proof, with the
/// type's display and claim labels under `credential_metadata` (where 1.0 final puts them).
///
/// No `scope`: the passport only runs the Pre-Authorized Code Flow, where the Token Response's
/// `authorization_details` name what the access token may fetch; the Authorization Server
/// metadata lists `openid_credential` in `authorization_details_types_supported` accordingly.
pub fn issuer_metadata(
    credential_issuer: &str,
    catalogue: &Catalogue,
    display_name: &str,
) -> Value {
    let endpoints = Endpoints::for_issuer(credential_issuer);
    // A self-declared type is signed by the holder's own wallet, never issued here.
    let configurations: Map<String, Value> = catalogue
        .iter()
        .filter(|t| !t.self_declared)
        .map(|t| (t.name.to_string(), credential_configuration(t)))
        .collect();
    json!({
        "credential_issuer": credential_issuer,
        "credential_endpoint": endpoints.credential,
        "nonce_endpoint": endpoints.nonce,
        "notification_endpoint": endpoints.notification,
        "batch_credential_issuance": { "batch_size": BATCH_SIZE },
        "display": [{ "name": display_name, "locale": LOCALE }],
        "credential_configurations_supported": configurations,
    })
}

/// One entry of `credential_configurations_supported` (sections 12.2.4 and A.3.2).
pub fn credential_configuration(t: &CredentialType) -> Value {
    let type_metadata = t.type_metadata();
    let mut display = Map::new();
    display.insert("name".into(), t.display_name.into());
    display.insert("locale".into(), LOCALE.into());
    display.insert("description".into(), t.description.into());
    if let Some(simple) = type_metadata.pointer("/display/0/rendering/simple") {
        for colour in ["background_color", "text_color"] {
            if let Some(c) = simple.get(colour) {
                display.insert(colour.into(), c.clone());
            }
        }
    }
    let claims: Vec<Value> = type_metadata
        .get("claims")
        .and_then(Value::as_array)
        .map(|claims| claims.iter().map(claim_description).collect())
        .unwrap_or_default();
    json!({
        "format": FORMAT_SD_JWT_VC,
        "vct": t.vct,
        "cryptographic_binding_methods_supported": ["jwk"],
        "credential_signing_alg_values_supported": [ES256],
        "proof_types_supported": {
            "jwt": { "proof_signing_alg_values_supported": [ES256] }
        },
        "credential_metadata": {
            "display": [display],
            "claims": claims,
        },
    })
}

/// A claims description object for Issuer Metadata (appendix B.2): `path`, `mandatory` when
/// true, and `display` entries with `name` and `locale`, from the SD-JWT VC Type Metadata claim
/// (whose display entries say `label` where OpenID4VCI says `name`).
fn claim_description(type_claim: &Value) -> Value {
    let mut out = Map::new();
    out.insert(
        "path".into(),
        type_claim.get("path").cloned().unwrap_or(Value::Null),
    );
    if type_claim.get("mandatory") == Some(&Value::Bool(true)) {
        out.insert("mandatory".into(), Value::Bool(true));
    }
    let display: Vec<Value> = type_claim
        .get("display")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .map(|d| {
                    let mut e = Map::new();
                    if let Some(label) = d.get("label") {
                        e.insert("name".into(), label.clone());
                    }
                    if let Some(locale) = d.get("locale") {
                        e.insert("locale".into(), locale.clone());
                    }
                    Value::Object(e)
                })
                .collect()
        })
        .unwrap_or_default();
    if !display.is_empty() {
        out.insert("display".into(), Value::Array(display));
    }
    Value::Object(out)
}

/// OAuth 2.0 Authorization Server Metadata (RFC 8414 section 2) of a passport issuer acting as
/// its own Authorization Server: the token endpoint, the Pre-Authorized Code grant only, anonymous
/// access (OpenID4VCI 1.0 section 12.3: no `client_id` needed), public clients only. No
/// `authorization_endpoint` and no `response_types_supported`, which section 12.2.4 allows for
/// an Authorization Server that only supports the Pre-Authorized Code grant.
pub fn authorization_server_metadata(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "token_endpoint": Endpoints::for_issuer(issuer).token,
        "grant_types_supported": [PRE_AUTHORIZED_CODE_GRANT],
        "pre-authorized_grant_anonymous_access_supported": true,
        "token_endpoint_auth_methods_supported": ["none"],
        "authorization_details_types_supported": ["openid_credential"],
    })
}

/// Credential Issuer Metadata as a wallet reads it (section 12.2.4): the members a wallet acts on,
/// everything else ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuerMetadata {
    pub credential_issuer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_servers: Option<Vec<String>>,
    pub credential_endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_credential_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_request_encryption: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_response_encryption: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_credential_issuance: Option<BatchCredentialIssuance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Value>,
    pub credential_configurations_supported: BTreeMap<String, CredentialConfigurationSupported>,
}

/// `batch_credential_issuance` (section 12.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCredentialIssuance {
    pub batch_size: u32,
}

/// One entry of `credential_configurations_supported`, as a wallet reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialConfigurationSupported {
    pub format: String,
    /// SD-JWT VC type (appendix A.3.2); absent for other formats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vct: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cryptographic_binding_methods_supported: Option<Vec<String>>,
    /// Strings for JOSE formats, integers (COSE) for mdoc: kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_signing_alg_values_supported: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_types_supported: Option<BTreeMap<String, ProofTypeSupported>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_metadata: Option<Value>,
}

/// One entry of `proof_types_supported`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProofTypeSupported {
    pub proof_signing_alg_values_supported: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_attestations_required: Option<Value>,
}

impl IssuerMetadata {
    /// Parses metadata fetched for `expected_issuer`. Section 12.2.4: if `credential_issuer` is
    /// not identical (simple string comparison) to the identifier the well-known URL was built
    /// from, the document MUST NOT be used.
    pub fn parse(json: &[u8], expected_issuer: &str) -> Result<Self, Oid4vciError> {
        let bad =
            |s: String| Oid4vciError::InvalidRequest(format!("credential issuer metadata: {s}"));
        let value = passport_jose::strict_json::from_slice(json).map_err(bad)?;
        let metadata: IssuerMetadata =
            serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        if metadata.credential_issuer != expected_issuer {
            return Err(bad(format!(
                "credential_issuer {} is not the issuer {expected_issuer} the offer named",
                metadata.credential_issuer
            )));
        }
        Ok(metadata)
    }
}

/// OAuth 2.0 Authorization Server Metadata as a wallet reads it (RFC 8414 section 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationServerMetadata {
    pub issuer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    #[serde(
        rename = "pre-authorized_grant_anonymous_access_supported",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_grant_anonymous_access_supported: Option<bool>,
}

impl AuthorizationServerMetadata {
    /// Parses metadata fetched for `expected_issuer`; RFC 8414 section 3.3: `issuer` MUST be
    /// identical to the identifier the well-known URL was built from.
    pub fn parse(json: &[u8], expected_issuer: &str) -> Result<Self, Oid4vciError> {
        let bad =
            |s: String| Oid4vciError::InvalidRequest(format!("authorization server metadata: {s}"));
        let value = passport_jose::strict_json::from_slice(json).map_err(bad)?;
        let metadata: AuthorizationServerMetadata =
            serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        if metadata.issuer != expected_issuer {
            return Err(bad(format!(
                "issuer {} is not {expected_issuer}",
                metadata.issuer
            )));
        }
        Ok(metadata)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls_insert_between_host_and_path() {
        let iss = "https://passport.example.nhs.uk/issuers/RHQ";
        assert_eq!(
            credential_issuer_metadata_url(iss).unwrap(),
            "https://passport.example.nhs.uk/.well-known/openid-credential-issuer/issuers/RHQ"
        );
        assert_eq!(
            authorization_server_metadata_url(iss).unwrap(),
            "https://passport.example.nhs.uk/.well-known/oauth-authorization-server/issuers/RHQ"
        );
        // The examples of OpenID4VCI 1.0 section 12.2.2.
        assert_eq!(
            credential_issuer_metadata_url("https://issuer.example.com/tenant").unwrap(),
            "https://issuer.example.com/.well-known/openid-credential-issuer/tenant"
        );
        assert_eq!(
            credential_issuer_metadata_url("https://tenant.issuer.example.com").unwrap(),
            "https://tenant.issuer.example.com/.well-known/openid-credential-issuer"
        );
        assert_eq!(
            authorization_server_metadata_url("http://127.0.0.1:8080/issuers/RHQ/").unwrap(),
            "http://127.0.0.1:8080/.well-known/oauth-authorization-server/issuers/RHQ"
        );
        for bad in [
            "issuer.example.com",
            "ftp://x/y",
            "https://x/y?q=1",
            "https://x/y#f",
            "https:///y",
            "https://user@x/y",
        ] {
            assert!(credential_issuer_metadata_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn issuer_metadata_has_the_1_0_final_shape() {
        let iss = "https://passport.example.nhs.uk/issuers/RHQ";
        let m = issuer_metadata(iss, Catalogue::nhs(), "Example NHS Trust");
        assert_eq!(m["credential_issuer"], iss);
        assert!(m.get("authorization_servers").is_none());
        assert_eq!(m["credential_endpoint"], format!("{iss}/credential"));
        assert_eq!(m["nonce_endpoint"], format!("{iss}/nonce"));
        assert_eq!(m["notification_endpoint"], format!("{iss}/notification"));
        assert_eq!(m["batch_credential_issuance"]["batch_size"], 3);
        assert_eq!(m["display"][0]["name"], "Example NHS Trust");
        let configs = m["credential_configurations_supported"]
            .as_object()
            .unwrap();
        assert_eq!(
            configs.len(),
            Catalogue::nhs().iter().filter(|t| !t.self_declared).count()
        );
        assert!(!configs.contains_key("SelfDeclaredDetails"));
        let c = &configs["CoreSkillsTraining"];
        assert_eq!(c["format"], "dc+sd-jwt");
        assert_eq!(
            c["vct"],
            "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1"
        );
        assert_eq!(c["cryptographic_binding_methods_supported"], json!(["jwk"]));
        assert_eq!(
            c["credential_signing_alg_values_supported"],
            json!(["ES256"])
        );
        assert_eq!(
            c["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"],
            json!(["ES256"])
        );
        // Display lives under credential_metadata in 1.0 final, not at the top of the config.
        assert!(c.get("display").is_none() && c.get("claims").is_none());
        let cm = &c["credential_metadata"];
        assert_eq!(cm["display"][0]["locale"], "en-GB");
        assert_eq!(cm["display"][0]["background_color"], "#005EB8");
        let claims = cm["claims"].as_array().unwrap();
        let record_type = claims
            .iter()
            .find(|c| c["path"] == json!(["recordType"]))
            .unwrap();
        assert_eq!(record_type["mandatory"], true);
        assert_eq!(record_type["display"][0]["name"], "Record type");
        assert_eq!(record_type["display"][0]["locale"], "en-GB");
        for claim in claims {
            assert!(claim["path"].as_array().is_some_and(|p| !p.is_empty()));
            assert!(claim.get("sd").is_none(), "Type Metadata only");
        }
    }

    #[test]
    fn our_metadata_reads_back() {
        let iss = "https://passport.example.nhs.uk/issuers/RHQ";
        let text = issuer_metadata(iss, Catalogue::nhs(), "Example").to_string();
        let m = IssuerMetadata::parse(text.as_bytes(), iss).unwrap();
        assert_eq!(
            m.nonce_endpoint.as_deref(),
            Some(format!("{iss}/nonce").as_str())
        );
        let c = &m.credential_configurations_supported["CoreSkillsTraining"];
        assert_eq!(
            c.proof_types_supported.as_ref().unwrap()["jwt"].proof_signing_alg_values_supported,
            ["ES256"]
        );
        assert!(IssuerMetadata::parse(
            text.as_bytes(),
            "https://passport.example.nhs.uk/issuers/RHQ/"
        )
        .is_err());
        let text = authorization_server_metadata(iss).to_string();
        let a = AuthorizationServerMetadata::parse(text.as_bytes(), iss).unwrap();
        assert_eq!(a.token_endpoint.unwrap(), format!("{iss}/token"));
        assert_eq!(
            a.pre_authorized_grant_anonymous_access_supported,
            Some(true)
        );
        assert!(AuthorizationServerMetadata::parse(text.as_bytes(), "https://other").is_err());
    }

    #[test]
    fn authorization_server_metadata_shape() {
        let iss = "https://passport.example.nhs.uk/issuers/RHQ";
        let m = authorization_server_metadata(iss);
        assert_eq!(m["issuer"], iss);
        assert_eq!(m["token_endpoint"], format!("{iss}/token"));
        assert_eq!(m["pre-authorized_grant_anonymous_access_supported"], true);
        assert_eq!(
            m["grant_types_supported"],
            json!(["urn:ietf:params:oauth:grant-type:pre-authorized_code"])
        );
    }
}
