//! The Wallet's checks of a Request Object fetched from `request_uri` (OpenID4VP 1.0 sections
//! 5, 5.2, 5.8, 5.9.3, 5.10.1, 8.2, 8.3; RFC 9101; HAIP 1.0 section 5), in the order below, each
//! with its own error. Nothing in the payload is read before the signature has verified with a
//! key the trust list vouches for.
use crate::jwe::Enc;
use crate::request::{
    AuthorizationRequest, ClientMetadata, SdJwtFormat, VpFormatsSupported, AUD_SELF_ISSUED,
    MAX_REQUEST_OBJECT_BYTES, REQUEST_TYP, RESPONSE_MODE, RESPONSE_TYPE,
};
use crate::x509::{client_id_for, CertificateInfo, X509_HASH_PREFIX};
use crate::{DcqlQuery, Oid4vpError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use passport_jose::{CompactJws, JoseError, Jwk, Jwks};
use passport_trust_list::{Organisation, TrustList};
use serde_json::{Map, Value};

/// Clock skew tolerated on `iat`, `exp`, `nbf` and the certificate's validity, at most.
pub const MAX_LEEWAY_SECS: i64 = 300;
const MIN_RANDOM_LEN: usize = 16;
const MAX_RANDOM_LEN: usize = 256;

/// Verifies a Request Object as a Wallet must before showing anything to the End-User.
///
/// `expected_client_id` is the `client_id` of the invocation URL ([`crate::parse_authorization_url`]);
/// `leeway_secs` is clamped to `0..=`[`MAX_LEEWAY_SECS`]. The checks:
///
/// 1. at most [`MAX_REQUEST_OBJECT_BYTES`]; a compact JWS with `alg` ES256 (`none` and every
///    other algorithm refused); `typ` `oauth-authz-req+jwt` (section 5);
/// 2. `x5c` holds exactly one certificate, the leaf (section 5.9.3; HAIP 1.0 section 5: never
///    the trust anchor), DER, with a P-256 key, valid at `now` (RFC 5280 section 4.1.2.5);
/// 3. the trust list is current, names the certificate's organisation (O = ODS code), lists the
///    certificate's key among that organisation's keys, and says it `may_verify`
///    ([`TrustList::authorise_verifier`]);
/// 4. the JWS signature verifies with that key;
/// 5. `client_id` is `x509_hash:` + base64url(SHA-256(leaf DER)) (section 5.9.3) and equals the
///    URL's `client_id` (section 5.10.1);
/// 6. `aud` is `https://self-issued.me/v2` (section 5.8); `iat` and `exp` present, `exp` not
///    passed, `iat` and `nbf` not in the future;
/// 7. `response_type` `vp_token`, `response_mode` `direct_post.jwt` (HAIP 1.0 sections 5 and
///    5.1); `response_uri` https or loopback http, and no `redirect_uri` (section 8.2);
/// 8. `nonce` and `state` URL-safe and 16 to 256 characters (sections 5.2 and 5.3);
/// 9. no `transaction_data` (section 5.1: unsupported, so rejected); a `dcql_query` and no
///    `scope` (section 5.1), valid ([`DcqlQuery::validate`]);
/// 10. `client_metadata` with a usable encryption key and `enc` (sections 5.1 and 8.3) and
///     `dc+sd-jwt` with ES256 in `vp_formats_supported` (appendix B.3.4).
///
/// `iss`, `wallet_nonce`, `verifier_info` and unknown claims are ignored (section 5).
pub fn verify_request<'t>(
    jwt: &str,
    expected_client_id: Option<&str>,
    trust: &'t TrustList,
    now: i64,
    leeway_secs: i64,
) -> Result<(AuthorizationRequest, &'t Organisation), Oid4vpError> {
    let leeway = leeway_secs.clamp(0, MAX_LEEWAY_SECS);
    let malformed = |why: String| Oid4vpError::MalformedRequestObject(why);
    if jwt.len() > MAX_REQUEST_OBJECT_BYTES {
        return Err(malformed("too large".into()));
    }
    let jws = CompactJws::parse(jwt).map_err(|e| match e {
        JoseError::AlgorithmNotAllowed(alg) => Oid4vpError::RequestAlgorithmNotAllowed(alg),
        other => malformed(other.to_string()),
    })?;
    if jws.typ() != Some(REQUEST_TYP) {
        return Err(Oid4vpError::WrongRequestTyp);
    }
    let cert_der = leaf_certificate(&jws.header)?;
    let cert = CertificateInfo::parse(&cert_der)?;
    if now + leeway < cert.not_before || now - leeway > cert.not_after {
        return Err(Oid4vpError::CertificateNotValidNow {
            now,
            not_before: cert.not_before,
            not_after: cert.not_after,
        });
    }
    let org = trusted_verifier(trust, &cert, now)?;
    jws.verify(&cert.verifying_key()?)
        .map_err(|_| Oid4vpError::BadRequestSignature)?;
    let (_, claims) = jws.into_parts();

    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let client_id = text("client_id").ok_or_else(|| malformed("no client_id".into()))?;
    if !client_id.starts_with(X509_HASH_PREFIX) {
        return Err(Oid4vpError::UnsupportedClientIdPrefix(client_id.into()));
    }
    if client_id != client_id_for(&cert_der) {
        return Err(Oid4vpError::ClientIdHashMismatch);
    }
    if expected_client_id.is_some_and(|expected| expected != client_id) {
        return Err(Oid4vpError::ClientIdMismatch);
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == AUD_SELF_ISSUED,
        Some(Value::Array(a)) => a.iter().any(|v| v == AUD_SELF_ISSUED),
        _ => false,
    };
    if !aud_ok {
        return Err(Oid4vpError::WrongAudience);
    }
    let (iat, exp) = check_times(&claims, now, leeway)?;
    let response_type = text("response_type").unwrap_or("(none)");
    if response_type != RESPONSE_TYPE {
        return Err(Oid4vpError::UnsupportedResponseType(response_type.into()));
    }
    let response_mode = text("response_mode").unwrap_or("(none)");
    if response_mode != RESPONSE_MODE {
        return Err(Oid4vpError::UnsupportedResponseMode(response_mode.into()));
    }
    if claims.contains_key("redirect_uri") {
        return Err(Oid4vpError::InvalidResponseUri(
            "redirect_uri must not be present with direct_post (section 8.2)".into(),
        ));
    }
    let response_uri = text("response_uri")
        .ok_or_else(|| Oid4vpError::InvalidResponseUri("no response_uri".into()))?;
    check_response_uri(response_uri)?;
    let nonce = random_value(text("nonce")).map_err(Oid4vpError::InvalidNonce)?;
    let state = random_value(text("state")).map_err(Oid4vpError::InvalidState)?;
    if claims.contains_key("transaction_data") {
        return Err(Oid4vpError::TransactionDataUnsupported);
    }
    if claims.contains_key("scope") {
        return Err(Oid4vpError::MissingDcqlQuery);
    }
    let dcql = claims
        .get("dcql_query")
        .ok_or(Oid4vpError::MissingDcqlQuery)?;
    let dcql_query = DcqlQuery::from_value(dcql.clone())?;
    dcql_query.validate()?;
    let client_metadata = client_metadata(claims.get("client_metadata"))?;
    let request = AuthorizationRequest::new(
        client_id,
        response_uri,
        nonce,
        state,
        dcql_query,
        client_metadata,
        iat,
        exp,
    );
    Ok((request, org))
}

/// The DER of the single certificate in `x5c` (standard base64, RFC 7515 section 4.1.6).
fn leaf_certificate(header: &Map<String, Value>) -> Result<Vec<u8>, Oid4vpError> {
    let x5c = header.get("x5c").ok_or(Oid4vpError::MissingX5c)?;
    let [Value::String(leaf)] = x5c.as_array().map(Vec::as_slice).unwrap_or_default() else {
        return Err(Oid4vpError::X5cNotSingleCertificate);
    };
    STANDARD
        .decode(leaf)
        .map_err(|e| Oid4vpError::InvalidCertificate(format!("x5c is not base64: {e}")))
}

/// Step 3: the organisation behind the certificate, if the trust list vouches for its key.
fn trusted_verifier<'t>(
    trust: &'t TrustList,
    cert: &CertificateInfo,
    now: i64,
) -> Result<&'t Organisation, Oid4vpError> {
    if now > trust.exp {
        return Err(Oid4vpError::TrustListExpired {
            exp: trust.exp,
            now,
        });
    }
    let ods = cert
        .organisation
        .as_deref()
        .ok_or_else(|| Oid4vpError::InvalidCertificate("no organisation (O) in subject".into()))?;
    let org = trust
        .by_ods(ods)
        .ok_or_else(|| Oid4vpError::UnknownVerifier(ods.into()))?;
    let listed =
        (org.jwks.keys.iter()).any(|k| k.to_uncompressed_point().ok() == Some(cert.public_key));
    if !listed {
        return Err(Oid4vpError::KeyNotOnTrustList(ods.into()));
    }
    trust
        .authorise_verifier(ods)
        .map_err(|_| Oid4vpError::NotAuthorisedToVerify(ods.into()))
}

fn check_times(
    claims: &Map<String, Value>,
    now: i64,
    leeway: i64,
) -> Result<(i64, i64), Oid4vpError> {
    let expired = |why: &str| Oid4vpError::RequestObjectExpired(why.into());
    let int = |name: &str| claims.get(name).and_then(Value::as_i64);
    let (Some(iat), Some(exp)) = (int("iat"), int("exp")) else {
        return Err(expired("iat and exp are required integers"));
    };
    if now - leeway > exp {
        return Err(expired("exp has passed"));
    }
    // Saturating: the values come from the request, and must not overflow in the comparison.
    let future = |t: i64| t.saturating_sub(leeway) > now;
    if future(iat) || int("nbf").is_some_and(future) {
        return Err(expired("issued in the future"));
    }
    if claims.get("nbf").is_some_and(|v| !v.is_i64()) {
        return Err(expired("nbf is not an integer"));
    }
    Ok((iat, exp))
}

/// Section 8.2: the Response URI receives the response; sections 14.3.1 and 14.6 (TLS): https
/// only (plain http only to a loopback address, for tests), no user information, no fragment.
fn check_response_uri(text: &str) -> Result<(), Oid4vpError> {
    https_or_loopback(text).map_err(|why| Oid4vpError::InvalidResponseUri(why.into()))
}

/// An absolute `https` URL, or `http` to `localhost`, `127.0.0.0/8` or `::1`; without user
/// information or fragment.
pub(crate) fn https_or_loopback(text: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(text).map_err(|_| "not an absolute URL")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("user information is not allowed");
    }
    if url.fragment().is_some() {
        return Err("a fragment is not allowed");
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err("plain http is allowed only to 127.0.0.1, ::1 or localhost"),
        _ => Err("only https"),
    }
}

/// Sections 5.2 and 5.3: ASCII URL-safe characters (letters, digits, `-._~`); here also 16 to
/// 256 characters, so that a value cannot be trivially guessed or oversized.
fn random_value(value: Option<&str>) -> Result<String, String> {
    let value = value.ok_or("missing")?;
    if !(MIN_RANDOM_LEN..=MAX_RANDOM_LEN).contains(&value.len()) {
        return Err(format!("{} characters (16 to 256 allowed)", value.len()));
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    {
        return Err("characters other than A-Z a-z 0-9 - . _ ~".into());
    }
    Ok(value.into())
}

/// Step 10: `client_metadata`, keeping only the keys a Wallet can use.
fn client_metadata(value: Option<&Value>) -> Result<ClientMetadata, Oid4vpError> {
    let bad = |why: &str| Oid4vpError::InvalidClientMetadata(why.into());
    let meta = value
        .and_then(Value::as_object)
        .ok_or_else(|| bad("missing"))?;
    let keys = (meta.get("jwks"))
        .and_then(|j| j.get("keys"))
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no jwks"))?;
    // Section 5.1: each JWK MUST have a kid that identifies it within the request.
    let mut kids = std::collections::HashSet::new();
    if !keys.iter().all(|k| {
        k.get("kid")
            .and_then(Value::as_str)
            .is_some_and(|kid| kids.insert(kid))
    }) {
        return Err(bad("every jwks key needs its own kid"));
    }
    let usable = keys
        .iter()
        .filter(|k| k.get("d").is_none())
        .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
        .filter(|k| k.kty == "EC" && k.crv == "P-256")
        .collect();
    let enc = match meta.get("encrypted_response_enc_values_supported") {
        None => vec![Enc::A128GCM.name().to_string()],
        Some(v) => serde_json::from_value::<Vec<String>>(v.clone())
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                bad("encrypted_response_enc_values_supported is not a non-empty array")
            })?,
    };
    let formats: VpFormatsSupported = (meta.get("vp_formats_supported").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or(Oid4vpError::VpFormatsNotSupported)?;
    let es256 = |algs: &Option<Vec<String>>| {
        algs.as_ref()
            .is_none_or(|a| a.iter().any(|x| x == passport_jose::ES256))
    };
    match &formats.dc_sd_jwt {
        Some(SdJwtFormat {
            sd_jwt_alg_values,
            kb_jwt_alg_values,
        }) if es256(sd_jwt_alg_values) && es256(kb_jwt_alg_values) => {}
        _ => return Err(Oid4vpError::VpFormatsNotSupported),
    }
    let metadata = ClientMetadata {
        jwks: Jwks { keys: usable },
        encrypted_response_enc_values_supported: enc,
        vp_formats_supported: formats,
    };
    metadata.encryption()?;
    Ok(metadata)
}
