//! The one error type of the crate: one variant per rule, each with the error code of OpenID4VP
//! 1.0 section 8.5 (or of RFC 6749 section 4.1.2.1 / RFC 9101 section 6.2 that it builds on) that
//! a Wallet would answer with, see [`Oid4vpError::code`].
//!
//! A Wallet MUST NOT send an error to a `response_uri` taken from a Request Object that failed
//! verification: nothing in such an object is authenticated. Those errors are for the End-User
//! and the logs.
use thiserror::Error;

/// Every way a DCQL query, Request Object, encrypted response or VP Token can break a rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Oid4vpError {
    // ---- DCQL (OpenID4VP 1.0 sections 6, 7 and appendix B.3.5) ----
    /// The DCQL query is not JSON of the shape of section 6 (a member has the wrong type, a
    /// required member is missing, a claims path element is not a string, integer >= 0 or null).
    #[error("malformed DCQL query: {0}")]
    MalformedDcql(String),
    /// Section 6: `credentials` MUST be a non-empty array.
    #[error("DCQL query has no Credential Queries")]
    EmptyCredentialQueries,
    /// Section 6.1: an `id` MUST be non-empty and only alphanumerics, `_` and `-`.
    #[error("Credential Query id {0:?} is empty or has characters other than A-Z a-z 0-9 _ -")]
    InvalidCredentialQueryId(String),
    /// Section 6.1: the same Credential Query `id` MUST NOT be present more than once.
    #[error("Credential Query id {0:?} is used twice")]
    DuplicateCredentialQueryId(String),
    /// Profile (HAIP 1.0 section 5.3.2): the only Credential Format is `dc+sd-jwt`.
    #[error("Credential Query {id:?} asks for format {format:?}; only dc+sd-jwt is supported")]
    UnsupportedFormat { id: String, format: String },
    /// Appendix B.3.5: `meta.vct_values` is REQUIRED for `dc+sd-jwt` and MUST be non-empty.
    #[error("Credential Query {0:?} has no meta.vct_values")]
    MissingVctValues(String),
    /// Section 6.1.1: `trusted_authorities` is a non-empty array of `{type, values}` with a
    /// non-empty `values`.
    #[error("Credential Query {0:?} has an empty trusted_authorities array or values")]
    InvalidTrustedAuthorities(String),
    /// Section 6.1: `claims`, if present, MUST be a non-empty array.
    #[error("Credential Query {0:?} has an empty claims array")]
    EmptyClaims(String),
    /// Sections 6.3 and 7: a claims path pointer MUST be a non-empty array.
    #[error("Credential Query {0:?} has a claim with an empty path")]
    EmptyClaimPath(String),
    /// Section 6.3: a claim `id` MUST be non-empty and only alphanumerics, `_` and `-`.
    #[error("Credential Query {credential:?} has an invalid claim id {claim:?}")]
    InvalidClaimId { credential: String, claim: String },
    /// Section 6.3: within one `claims` array the same `id` MUST NOT be present more than once.
    #[error("Credential Query {credential:?} uses claim id {claim:?} twice")]
    DuplicateClaimId { credential: String, claim: String },
    /// Section 6.1: Verifiers MUST NOT point to the same claim more than once in one query.
    #[error("Credential Query {0:?} requests the same claim path twice")]
    DuplicateClaimPath(String),
    /// Section 6.3: `values`, if present, MUST be a non-empty array.
    #[error("Credential Query {0:?} has a claim with an empty values array")]
    EmptyValues(String),
    /// Section 6.3: each of `values` is a string, an integer or a boolean.
    #[error("Credential Query {0:?} has a claim value that is not a string, integer or boolean")]
    InvalidValue(String),
    /// Section 6.4.1: `claim_sets` MUST NOT be present if `claims` is absent.
    #[error("Credential Query {0:?} has claim_sets but no claims")]
    ClaimSetsWithoutClaims(String),
    /// Section 6.1: `claim_sets`, if present, MUST be a non-empty array.
    #[error("Credential Query {0:?} has an empty claim_sets array")]
    EmptyClaimSets(String),
    /// Section 6.3: a claim `id` is REQUIRED when `claim_sets` is present.
    #[error("Credential Query {0:?} has claim_sets and a claim without id")]
    MissingClaimId(String),
    /// Section 6.1: `claim_sets` holds identifiers of elements of `claims`.
    #[error("Credential Query {credential:?}: claim_sets names unknown claim id {claim:?}")]
    UnknownClaimId { credential: String, claim: String },
    /// Section 6: `credential_sets`, if present, MUST be a non-empty array.
    #[error("DCQL query has an empty credential_sets array")]
    EmptyCredentialSets,
    /// Section 6.2: `options` MUST be a non-empty array of non-empty arrays.
    #[error("credential_sets[{0}] has no options or an empty option")]
    EmptyCredentialSetOption(usize),
    /// Section 6.2: every identifier in `options` references an element of `credentials`.
    #[error("credential_sets names unknown Credential Query id {0:?}")]
    UnknownCredentialQueryId(String),

    // ---- VP Token (sections 8.1 and 8.6) ----
    /// Section 8.1: every key of `vp_token` is the `id` of a Credential Query.
    #[error("vp_token has key {0:?}, which is not a Credential Query id")]
    UnexpectedPresentation(String),
    /// Section 8.1: each value is an array of one or more Presentations.
    #[error("vp_token entry {0:?} is an empty array")]
    EmptyPresentations(String),
    /// Section 8.1: when `multiple` is omitted or false, the array MUST contain one Presentation.
    #[error("vp_token entry {0:?} has {1} Presentations; the query allows one")]
    MultiplePresentations(String, usize),
    /// Section 6.4.2: without `credential_sets` every Credential Query is requested.
    #[error("vp_token has no Presentation for Credential Query {0:?}")]
    MissingPresentation(String),
    /// Section 6.4.2: every required Credential Set Query must be satisfied by one option.
    #[error("vp_token satisfies no option of required credential_sets[{0}]")]
    CredentialSetNotSatisfied(usize),
    /// Section 8.6 step 2.2: a Presentation lacks what its Credential Query asked for.
    #[error("Presentation for {id:?} does not meet its Credential Query: {why}")]
    PresentationDoesNotMatch { id: String, why: String },

    // ---- Authorization Request URL (sections 5, 5.10 and RFC 9101) ----
    /// The authorization URL has no query, or a parameter is repeated (RFC 6749 section 3.1).
    #[error("malformed authorization request URL: {0}")]
    MalformedAuthorizationUrl(String),
    /// HAIP 1.0 section 5.1: the request MUST be passed by reference (`request_uri`).
    #[error("Request Object passed by value (request) is refused; HAIP requires request_uri")]
    RequestByValueRefused,
    /// HAIP 1.0 section 5: only signed requests are accepted; a URL without `request_uri`
    /// carries an unsigned request.
    #[error("unsigned Authorization Request refused; a signed request_uri is required")]
    UnsignedRequestRefused,
    /// Section 5.1: `request_uri_method` is `get` or `post` (case-sensitive).
    #[error("request_uri_method {0:?} is neither get nor post")]
    InvalidRequestUriMethod(String),

    // ---- Request Object (sections 5, 5.9.3, 5.10.1; RFC 9101; HAIP 1.0 section 5) ----
    /// Not a compact JWS with a JSON object header and payload, or over the size limit.
    #[error("malformed Request Object: {0}")]
    MalformedRequestObject(String),
    /// HAIP 1.0 section 7 makes ES256 mandatory; it is the only algorithm accepted here (`none`
    /// never).
    #[error("Request Object algorithm {0:?} is not allowed (only ES256)")]
    RequestAlgorithmNotAllowed(String),
    /// Section 5: `typ` MUST be `oauth-authz-req+jwt`.
    #[error("Request Object typ must be oauth-authz-req+jwt")]
    WrongRequestTyp,
    /// Section 5.9.3: the leaf certificate comes in the `x5c` header.
    #[error("Request Object has no x5c header")]
    MissingX5c,
    /// Section 5.9.3 and HAIP 1.0 section 5: `x5c` carries exactly the leaf certificate here
    /// (the trust anchor never; our verifiers have no intermediates).
    #[error("x5c must hold exactly one certificate, the leaf")]
    X5cNotSingleCertificate,
    /// The leaf certificate is not a DER X.509 certificate with a P-256 key.
    #[error("invalid verifier certificate: {0}")]
    InvalidCertificate(String),
    /// RFC 5280 section 4.1.2.5: the certificate is not valid at `now`.
    #[error("verifier certificate not valid at {now} (valid {not_before}..{not_after})")]
    CertificateNotValidNow {
        now: i64,
        not_before: i64,
        not_after: i64,
    },
    /// The trust list in hand has expired; a fresh one must be fetched first.
    #[error("trust list expired at {exp} (now {now})")]
    TrustListExpired { exp: i64, now: i64 },
    /// The certificate names no organisation (ODS code) that the trust list knows.
    #[error("verifier organisation {0:?} is not on the trust list")]
    UnknownVerifier(String),
    /// The certificate's key is not a key of that organisation on the trust list.
    #[error("verifier certificate key is not a key of {0} on the trust list")]
    KeyNotOnTrustList(String),
    /// The organisation is on the trust list but may not request presentations.
    #[error("organisation {0} is not authorised to verify")]
    NotAuthorisedToVerify(String),
    /// The JWS signature does not verify with the certificate's key.
    #[error("Request Object signature does not verify")]
    BadRequestSignature,
    /// Section 5.9.3 and HAIP 1.0 section 5: the Client Identifier Prefix MUST be `x509_hash`.
    #[error("client_id {0:?} does not use the x509_hash Client Identifier Prefix")]
    UnsupportedClientIdPrefix(String),
    /// Section 5.9.3: the `x509_hash` value MUST equal the SHA-256 hash of the leaf certificate.
    #[error("client_id does not match the hash of the x5c leaf certificate")]
    ClientIdHashMismatch,
    /// Section 5.10.1: the `client_id` of the URL and of the Request Object MUST be identical.
    #[error("client_id of the authorization URL and of the Request Object differ")]
    ClientIdMismatch,
    /// Section 5.8: with static discovery `aud` MUST be `https://self-issued.me/v2`.
    #[error("Request Object aud must be https://self-issued.me/v2")]
    WrongAudience,
    /// RFC 7519 sections 4.1.4-4.1.6: `iat` and `exp` are required here; `exp` not passed; `iat`
    /// not in the future (both within the leeway).
    #[error("Request Object not valid now: {0}")]
    RequestObjectExpired(String),
    /// Section 5.6: `response_type` MUST be `vp_token` here (HAIP 1.0 section 5).
    #[error("response_type {0:?} is not supported (only vp_token)")]
    UnsupportedResponseType(String),
    /// HAIP 1.0 section 5.1: `response_mode` MUST be `direct_post.jwt`.
    #[error("response_mode {0:?} is not supported (only direct_post.jwt)")]
    UnsupportedResponseMode(String),
    /// Section 8.2: `response_uri` is REQUIRED with direct_post, and `redirect_uri` MUST NOT be
    /// present; sections 14.3.1, 14.6: https only (plain http only to a loopback address).
    #[error("invalid response_uri: {0}")]
    InvalidResponseUri(String),
    /// Section 5.2: `nonce` is REQUIRED, ASCII URL-safe characters; here also 16..=256 long.
    #[error("invalid nonce: {0}")]
    InvalidNonce(String),
    /// Section 5.2 / 5.3: `state` ASCII URL-safe characters; required here, 16..=256 long.
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// Section 5.1: exactly one of `dcql_query` or `scope`; we accept only `dcql_query`.
    #[error("Request Object must carry dcql_query (and no scope)")]
    MissingDcqlQuery,
    /// Section 5.1: a Wallet that does not support `transaction_data` MUST reject the request.
    #[error("transaction_data is not supported")]
    TransactionDataUnsupported,
    /// Sections 5.1 and 8.3: `client_metadata` with a usable `jwks` encryption key and `enc`.
    #[error("invalid client_metadata: {0}")]
    InvalidClientMetadata(String),
    /// Section 11.1 / appendix B.3.4: `vp_formats_supported` must include `dc+sd-jwt`.
    #[error("the Verifier supports no format this Wallet presents (dc+sd-jwt)")]
    VpFormatsNotSupported,

    // ---- Encrypted response (section 8.3, RFC 7516, RFC 7518 sections 4.6 and 5.3) ----
    /// Not five base64url parts, a header that is not a JSON object, or over the size limit.
    #[error("malformed JWE: {0}")]
    MalformedJwe(String),
    /// HAIP 1.0 section 5: `alg` `ECDH-ES` (direct key agreement) on P-256; the only one here.
    #[error("JWE alg {0:?} is not allowed (only ECDH-ES)")]
    JweAlgorithmNotAllowed(String),
    /// Section 8.3 / HAIP: `enc` is `A128GCM` or `A256GCM` only.
    #[error("JWE enc {0:?} is not allowed (only A128GCM, A256GCM)")]
    JweEncryptionNotAllowed(String),
    /// RFC 7516 section 4.1.3: compression is refused (it leaks through the length).
    #[error("JWE zip (compression) is refused")]
    JweCompression,
    /// RFC 7516 section 4.1.13: `crit` extensions are not understood, so refused.
    #[error("JWE crit header is refused")]
    JweCrit,
    /// RFC 7518 section 4.6: with direct key agreement the JWE Encrypted Key MUST be empty.
    #[error("JWE encrypted key must be empty for ECDH-ES")]
    JweEncryptedKeyNotEmpty,
    /// Section 8.3: the JWE `kid` MUST be the `kid` of the Verifier key that was used.
    #[error("JWE kid is missing or is not the kid of this request's key")]
    JweKidMismatch,
    /// RFC 7518 section 4.6.1.1: `epk` is a public P-256 key on the curve.
    #[error("JWE epk is not a valid P-256 public key: {0}")]
    JweInvalidEpk(String),
    /// RFC 7518 section 5.3: the IV is 96 bits, the tag 128 bits, and the tag verifies.
    #[error("JWE decryption failed (wrong key, or the JWE was altered)")]
    JweDecryptionFailed,
    /// A recipient JWK that is not a P-256 `ECDH-ES` encryption key.
    #[error("invalid encryption key: {0}")]
    InvalidEncryptionKey(String),
    /// Randomness or a primitive failed inside ring or p256.
    #[error("cryptographic failure: {0}")]
    Crypto(String),

    // ---- Authorization Response (sections 8.1, 8.2, 8.3.1, 8.5) ----
    /// The form body or the decrypted payload is not of the shape of section 8.
    #[error("malformed authorization response: {0}")]
    MalformedResponse(String),
    /// RFC 6749 section 4.1.2: `state` MUST be returned unchanged.
    #[error("state of the response is not the state of the request")]
    StateMismatch,

    // ---- Answers a Wallet gives (section 8.5) ----
    /// Section 8.5: the Wallet does not have the requested Credentials, or the End-User declined.
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// Section 8.5: the Wallet appears to be unavailable.
    #[error("wallet unavailable: {0}")]
    WalletUnavailable(String),
    /// Signing the Request Object or building the certificate failed.
    #[error("signing failed: {0}")]
    Signing(String),
}

impl Oid4vpError {
    /// The `error` code (OpenID4VP 1.0 section 8.5, RFC 6749 section 4.1.2.1, RFC 9101 section
    /// 6.2) a Wallet answers with, or a Verifier logs, for this error.
    pub fn code(&self) -> &'static str {
        use Oid4vpError::*;
        match self {
            UnsupportedFormat { .. } | VpFormatsNotSupported => "vp_formats_not_supported",
            InvalidRequestUriMethod(_) => "invalid_request_uri_method",
            MalformedRequestObject(_)
            | RequestAlgorithmNotAllowed(_)
            | WrongRequestTyp
            | MissingX5c
            | X5cNotSingleCertificate
            | BadRequestSignature
            | WrongAudience
            | RequestObjectExpired(_) => "invalid_request_object",
            InvalidCertificate(_)
            | CertificateNotValidNow { .. }
            | UnknownVerifier(_)
            | KeyNotOnTrustList(_)
            | NotAuthorisedToVerify(_) => "invalid_client",
            UnsupportedResponseType(_) => "unsupported_response_type",
            TransactionDataUnsupported => "invalid_transaction_data",
            AccessDenied(_) => "access_denied",
            WalletUnavailable(_) => "wallet_unavailable",
            _ => "invalid_request",
        }
    }
}

/// Reduces a description to the characters RFC 6749 section 4.1.2.1 allows in
/// `error_description` (`%x20-21 / %x23-5B / %x5D-7E`), replacing others with `?`.
pub fn sanitize_description(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{20}'..='\u{21}' | '\u{23}'..='\u{5B}' | '\u{5D}'..='\u{7E}' => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_descriptions() {
        assert_eq!(
            Oid4vpError::EmptyCredentialQueries.code(),
            "invalid_request"
        );
        assert_eq!(
            Oid4vpError::VpFormatsNotSupported.code(),
            "vp_formats_not_supported"
        );
        assert_eq!(
            Oid4vpError::WrongRequestTyp.code(),
            "invalid_request_object"
        );
        assert_eq!(
            Oid4vpError::NotAuthorisedToVerify("RHQ".into()).code(),
            "invalid_client"
        );
        assert_eq!(
            Oid4vpError::InvalidRequestUriMethod("put".into()).code(),
            "invalid_request_uri_method"
        );
        assert_eq!(
            Oid4vpError::WalletUnavailable("x".into()).code(),
            "wallet_unavailable"
        );
        assert_eq!(sanitize_description("a \"b\" \\ é\n"), "a ?b? ? ??");
    }
}
