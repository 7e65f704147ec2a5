//! Invoking the Wallet (OpenID4VP 1.0 sections 5.10 and 9; RFC 9101 section 5.2): a URL that
//! carries only `client_id` and `request_uri`; the Wallet fetches the signed Request Object
//! from `request_uri` (HAIP 1.0 section 5.1: signed requests by reference only).
use crate::verify::https_or_loopback;
use crate::Oid4vpError;
use std::collections::BTreeMap;

/// The custom scheme of section 13.1.2 (`openid4vp://`). HAIP 1.0 section 5.1 also allows
/// `haip-vp://` or a claimed https URL; [`authorization_url`] takes any of them.
pub const OPENID4VP_SCHEME: &str = "openid4vp://";

/// `scheme` (e.g. `openid4vp://`, or an https Wallet URL that may already have a query) with
/// `client_id` and `request_uri` added as form-encoded query parameters.
pub fn authorization_url(scheme: &str, client_id: &str, request_uri: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri)
        .finish();
    let sep = if scheme.contains('?') { '&' } else { '?' };
    format!("{scheme}{sep}{query}")
}

/// Reads `client_id` and `request_uri` from an invocation URL, refusing:
///
/// - a parameter given twice (RFC 6749 section 3.1), or a URL without a query;
/// - `request` (a Request Object by value: HAIP 1.0 section 5.1 wants `request_uri`);
/// - no `request_uri`: an unsigned request in the URL itself (HAIP 1.0 section 5);
/// - no `client_id` (RFC 9101 section 5: REQUIRED with `request_uri`);
/// - a `request_uri` that is not https (plain http only to loopback);
/// - `request_uri_method` other than `get` or `post` (section 5.1,
///   `invalid_request_uri_method`). `post` is accepted, and the Wallet fetches with GET, as
///   section 5.1 lets a Wallet that does not support `post` do.
///
/// Every other parameter is ignored: section 5.10.1 says the Wallet uses only the Request
/// Object's.
pub fn parse_authorization_url(url: &str) -> Result<(String, String), Oid4vpError> {
    let malformed = |why: &str| Oid4vpError::MalformedAuthorizationUrl(why.into());
    let without_fragment = url.split('#').next().unwrap_or_default();
    let (_, query) = without_fragment
        .split_once('?')
        .ok_or_else(|| malformed("no query"))?;
    let mut params = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(malformed(&format!("parameter {name} is repeated")));
        }
    }
    if params.contains_key("request") {
        return Err(Oid4vpError::RequestByValueRefused);
    }
    let request_uri = params
        .remove("request_uri")
        .ok_or(Oid4vpError::UnsignedRequestRefused)?;
    let client_id = params
        .remove("client_id")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| malformed("no client_id"))?;
    https_or_loopback(&request_uri).map_err(|why| malformed(&format!("request_uri: {why}")))?;
    if let Some(method) = params.get("request_uri_method") {
        if method != "get" && method != "post" {
            return Err(Oid4vpError::InvalidRequestUriMethod(method.clone()));
        }
    }
    Ok((client_id, request_uri))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let client_id = "x509_hash:Uvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk";
        let request_uri = "https://verifier.example.nhs.uk/requests/abc?x=1&y=2";
        let url = authorization_url(OPENID4VP_SCHEME, client_id, request_uri);
        assert!(url.starts_with("openid4vp://?client_id=x509_hash%3A"));
        assert_eq!(
            parse_authorization_url(&url),
            Ok((client_id.to_string(), request_uri.to_string()))
        );
        let https = authorization_url(
            "https://wallet.example/authorize?lang=en",
            client_id,
            request_uri,
        );
        assert!(https.contains("?lang=en&client_id="));
        assert!(parse_authorization_url(&https).is_ok());
        let with_post = format!("{url}&request_uri_method=post#frag");
        assert!(parse_authorization_url(&with_post).is_ok());

        use Oid4vpError::*;
        let err = |u: &str| parse_authorization_url(u).expect_err(u);
        assert_eq!(err(&format!("{url}&request=eyJ")), RequestByValueRefused);
        assert_eq!(
            err("openid4vp://?client_id=x&response_type=vp_token&nonce=n"),
            UnsignedRequestRefused
        );
        assert_eq!(
            err(&format!("{url}&request_uri_method=PUT")),
            InvalidRequestUriMethod("PUT".into())
        );
        for bad in [
            "openid4vp://".to_string(),
            format!("{url}&client_id=other"),
            "openid4vp://?request_uri=https%3A%2F%2Fv.example%2Fr".to_string(),
            authorization_url(OPENID4VP_SCHEME, client_id, "http://verifier.example/r"),
            authorization_url(OPENID4VP_SCHEME, client_id, "file:///etc/passwd"),
        ] {
            assert!(matches!(err(&bad), MalformedAuthorizationUrl(_)), "{bad}");
        }
        let loopback = authorization_url(OPENID4VP_SCHEME, client_id, "http://127.0.0.1:8080/r");
        assert!(parse_authorization_url(&loopback).is_ok());
    }
}
