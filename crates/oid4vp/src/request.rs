//! The Authorization Request as a signed Request Object (OpenID4VP 1.0 section 5, RFC 9101),
//! profiled by HAIP 1.0 section 5: `response_type` `vp_token`, `response_mode`
//! `direct_post.jwt`, a DCQL query, client metadata with one ephemeral encryption key, signed
//! with ES256 under the `x509_hash` Client Identifier Prefix. [`crate::verify_request`] is the
//! Wallet's side.
use crate::jwe::{Enc, EncryptionKey, ALG_ECDH_ES};
use crate::x509::{client_id_for, CertificateInfo};
use crate::{DcqlQuery, Oid4vpError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use passport_jose::jws::{self, JwsHeader};
use passport_jose::{b64, Jwk, Jwks, Signer};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Section 5: the `typ` a Request Object MUST have.
pub const REQUEST_TYP: &str = "oauth-authz-req+jwt";
/// Section 5.6; HAIP 1.0 section 5: the Response Type.
pub const RESPONSE_TYPE: &str = "vp_token";
/// Section 8.3.1; HAIP 1.0 section 5.1: the Response Mode.
pub const RESPONSE_MODE: &str = "direct_post.jwt";
/// Section 5.8: `aud` of a Request Object under static discovery.
pub const AUD_SELF_ISSUED: &str = "https://self-issued.me/v2";
/// The longest Request Object accepted, in bytes.
pub const MAX_REQUEST_OBJECT_BYTES: usize = 64 * 1024;

/// Appendix B.3.4: the `dc+sd-jwt` entry of `vp_formats_supported`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdJwtFormat {
    #[serde(
        rename = "sd-jwt_alg_values",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sd_jwt_alg_values: Option<Vec<String>>,
    #[serde(
        rename = "kb-jwt_alg_values",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub kb_jwt_alg_values: Option<Vec<String>>,
}

/// Section 11.1: `vp_formats_supported`, Credential Format Identifier to parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpFormatsSupported {
    #[serde(rename = "dc+sd-jwt", default, skip_serializing_if = "Option::is_none")]
    pub dc_sd_jwt: Option<SdJwtFormat>,
    /// Other formats, kept as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Section 5.1: the `client_metadata` request parameter, as far as this profile uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientMetadata {
    /// Public keys for response encryption (section 8.3). Keys the Wallet cannot use (other
    /// curves, OKP) are dropped when a Request Object is verified.
    pub jwks: Jwks,
    /// Section 5.1: `enc` values for the response; absent means `["A128GCM"]`.
    #[serde(default = "default_enc", skip_serializing_if = "Vec::is_empty")]
    pub encrypted_response_enc_values_supported: Vec<String>,
    pub vp_formats_supported: VpFormatsSupported,
}

fn default_enc() -> Vec<String> {
    vec![Enc::A128GCM.name().into()]
}

impl ClientMetadata {
    /// The Verifier's metadata for one request: `key` (made for this request only, HAIP 1.0
    /// section 5) as the single encryption key, `enc` A128GCM and A256GCM, and `dc+sd-jwt` with
    /// ES256 for both the Issuer-signed JWT and the KB-JWT.
    pub fn for_request(key: &EncryptionKey) -> Self {
        let es256 = || Some(vec![passport_jose::ES256.to_string()]);
        ClientMetadata {
            jwks: Jwks {
                keys: vec![key.public_jwk()],
            },
            encrypted_response_enc_values_supported: vec![
                Enc::A128GCM.name().into(),
                Enc::A256GCM.name().into(),
            ],
            vp_formats_supported: VpFormatsSupported {
                dc_sd_jwt: Some(SdJwtFormat {
                    sd_jwt_alg_values: es256(),
                    kb_jwt_alg_values: es256(),
                }),
                other: Map::new(),
            },
        }
    }

    /// The Wallet's choice (section 8.3): the first key that is EC P-256 with `alg` `ECDH-ES`
    /// (and `use` `enc` if it has a `use`), and A256GCM if offered, else A128GCM.
    pub fn encryption(&self) -> Result<(&Jwk, Enc), Oid4vpError> {
        let key = self
            .jwks
            .keys
            .iter()
            .find(|k| {
                k.kty == "EC"
                    && k.crv == "P-256"
                    && k.alg.as_deref() == Some(ALG_ECDH_ES)
                    && k.use_.as_deref().is_none_or(|u| u == "enc")
            })
            .ok_or_else(|| {
                Oid4vpError::InvalidClientMetadata("no P-256 ECDH-ES key in jwks".into())
            })?;
        let offered = |e: Enc| {
            self.encrypted_response_enc_values_supported
                .iter()
                .any(|v| v == e.name())
        };
        let enc = [Enc::A256GCM, Enc::A128GCM]
            .into_iter()
            .find(|e| offered(*e))
            .ok_or_else(|| {
                Oid4vpError::InvalidClientMetadata("no supported enc (A128GCM, A256GCM)".into())
            })?;
        Ok((key, enc))
    }
}

/// The claims of a Request Object (sections 5, 5.2, 5.8, 8.2, 8.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthorizationRequest {
    /// `x509_hash:<base64url SHA-256 of the leaf certificate>` (section 5.9.3).
    pub client_id: String,
    /// Always [`RESPONSE_TYPE`].
    pub response_type: String,
    /// Always [`RESPONSE_MODE`].
    pub response_mode: String,
    /// Where the Wallet POSTs the response (section 8.2).
    pub response_uri: String,
    /// Fresh, random, URL-safe; bound into every KB-JWT (sections 5.2 and 14.1).
    pub nonce: String,
    /// Fresh, random, URL-safe; returned in the response (sections 5.3 and 8.2).
    pub state: String,
    pub dcql_query: DcqlQuery,
    pub client_metadata: ClientMetadata,
    /// Always [`AUD_SELF_ISSUED`] (section 5.8).
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

impl AuthorizationRequest {
    /// A request with the fixed values of this profile filled in.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        client_id: impl Into<String>,
        response_uri: impl Into<String>,
        nonce: impl Into<String>,
        state: impl Into<String>,
        dcql_query: DcqlQuery,
        client_metadata: ClientMetadata,
        iat: i64,
        exp: i64,
    ) -> Self {
        AuthorizationRequest {
            client_id: client_id.into(),
            response_type: RESPONSE_TYPE.into(),
            response_mode: RESPONSE_MODE.into(),
            response_uri: response_uri.into(),
            nonce: nonce.into(),
            state: state.into(),
            dcql_query,
            client_metadata,
            aud: AUD_SELF_ISSUED.into(),
            iat,
            exp,
        }
    }

    pub fn to_json(&self) -> Value {
        // A derived Serialize of plain data into a Value cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A fresh random value for `nonce` or `state`: 256 bits from the OS CSPRNG, base64url (43
/// characters, all URL-safe as section 5.2 requires).
pub fn random_value() -> Result<String, Oid4vpError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Oid4vpError::Crypto("no randomness".into()))?;
    Ok(b64::encode(bytes))
}

/// Signs `request` as a Request Object: header `{"alg":"ES256","typ":"oauth-authz-req+jwt",
/// "x5c":[<standard base64 of cert_der>]}` (RFC 7515 section 4.1.6: x5c is base64, not
/// base64url), no `kid`. The signer's key must be the certificate's, and `request.client_id`
/// must be [`client_id_for`]`(cert_der)`.
pub fn sign_request(
    request: &AuthorizationRequest,
    signer: &dyn Signer,
    cert_der: &[u8],
) -> Result<String, Oid4vpError> {
    let info = CertificateInfo::parse(cert_der)?;
    let point = signer
        .public_jwk()
        .to_uncompressed_point()
        .map_err(|e| Oid4vpError::Signing(e.to_string()))?;
    if point != info.public_key {
        return Err(Oid4vpError::Signing(
            "the signer's key is not the certificate's key".into(),
        ));
    }
    if request.client_id != client_id_for(cert_der) {
        return Err(Oid4vpError::ClientIdHashMismatch);
    }
    let mut extra = Map::new();
    extra.insert("x5c".into(), json!([STANDARD.encode(cert_der)]));
    let header = JwsHeader {
        typ: Some(REQUEST_TYP.into()),
        extra,
        with_kid: false,
    };
    jws::sign(&header, &request.to_json(), signer).map_err(|e| Oid4vpError::Signing(e.to_string()))
}
