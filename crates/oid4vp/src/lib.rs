//! OpenID for Verifiable Presentations 1.0 (final, 2025) as the passport uses it, profiled by the
//! OpenID4VC High Assurance Interoperability Profile (HAIP) 1.0: `dc+sd-jwt` Credentials asked
//! for with DCQL, a signed Request Object fetched by `request_uri`, the `x509_hash` Client
//! Identifier Prefix, and Authorization Responses encrypted to the Verifier (`direct_post.jwt`,
//! ECDH-ES on P-256 with A128GCM or A256GCM). Pure: no I/O, no HTTP types, no clock (`now` is
//! always a parameter).
//!
//! | Step (section of OpenID4VP 1.0) | Verifier | Wallet |
//! |---|---|---|
//! | certificate, Client Identifier (5.9.3) | [`verifier_certificate`], [`client_id_for`] | |
//! | Request Object (5, 5.8, 5.9.3, 5.10.1) | [`AuthorizationRequest::new`], [`sign_request`] | [`verify_request`] |
//! | invocation URL (9; RFC 9101 section 5.2) | [`authorization_url`] | [`parse_authorization_url`] |
//! | DCQL (6, 7) | [`DcqlQuery::validate`] | [`select`] |
//! | encrypted response (8.3, 8.3.1) | [`decrypt_response`], [`parse_response_form`] | [`encrypt_response`], [`response_form`] |
//! | VP Token (8.1, 8.6) | [`check_response`], [`check_presentation`] | |
//! | errors (8.5) | [`Oid4vpError::code`] | [`ErrorResponse`] |
//!
//! Presentations themselves are SD-JWT VCs with a KB-JWT whose `aud` is the full `client_id`
//! (`x509_hash:...`) and whose `nonce` is the request's `nonce` (appendix B.3.6); making and
//! verifying them is `passport-sd-jwt`'s job.
//!
//! ```
//! use passport_jose::{Es256Signer, Jwks, Signer};
//! use passport_oid4vp::*;
//! use passport_trust_list::{OrgKind, Organisation, TrustList};
//! # let now = 1_750_000_000;
//!
//! // Verifier RR8: a certificate for its key (on the trust list), a key for this request only.
//! let (signer, _) = Es256Signer::generate().unwrap();
//! let cert = verifier_certificate(&signer, "RR8 verifier", "RR8", now - 60, now + 86_400).unwrap();
//! let key = EncryptionKey::generate().unwrap();
//! let query = DcqlQuery::parse(br#"{"credentials": [{"id": "cstf", "format": "dc+sd-jwt",
//!     "meta": {"vct_values": ["https://w3id.org/nhs-staff-passport/vct/cstf/v1"]},
//!     "claims": [{"path": ["competencyName"]}]}]}"#).unwrap();
//! let request = AuthorizationRequest::new(client_id_for(&cert), "https://rr8.example/response",
//!     random_value().unwrap(), random_value().unwrap(), query, ClientMetadata::for_request(&key),
//!     now, now + 300);
//! let request_object = sign_request(&request, &signer, &cert).unwrap(); // served at request_uri
//! let link = authorization_url(OPENID4VP_SCHEME, &request.client_id, "https://rr8.example/r/1");
//!
//! // Wallet: the link, then the Request Object, checked against the trust list.
//! # let org = Organisation { ods_code: "RR8".into(), name: "RR8".into(), kind: OrgKind::Trust,
//! #     issuer: "https://rr8.example".into(), jwks: Jwks { keys: vec![signer.public_jwk().clone()] },
//! #     may_issue: vec![], may_verify: true };
//! # let trust = TrustList::new(1, now, now + 3600, vec![org]);
//! let (client_id, _request_uri) = parse_authorization_url(&link).unwrap();
//! let (verified, org) = verify_request(&request_object, Some(&client_id), &trust, now, 60).unwrap();
//! assert_eq!(org.ods_code, "RR8");
//! // ... select() the credentials, present them with aud = client_id and the nonce, then:
//! let response = AuthorizationResponse { vp_token: VpToken::new(), state: Some(verified.state.clone()) };
//! let body = response_form(&encrypt_response(&response.into(), &verified.client_metadata).unwrap());
//!
//! // Verifier: the POSTed body, decrypted with this request's key.
//! let ResponseForm::Encrypted(jwe) = parse_response_form(body.as_bytes()).unwrap() else { panic!() };
//! let payload = decrypt_response(&jwe, &key).unwrap();
//! payload.expect_state(&request.state).unwrap();
//! ```
//!
//! Trust: a Verifier is an organisation on the registry-signed trust list with `may_verify`.
//! Its certificate carries its ODS code as the subject organisation (O), and the certificate's
//! key must be one of that organisation's keys on the list: the list pins the key, so no X.509
//! chain is built. HAIP 1.0 section 5 asks for a certificate that is not self-signed; see
//! [`verifier_certificate`] for where this crate stands.

mod dcql;
mod error;
mod invocation;
pub mod jwe;
mod kdf;
mod request;
mod response;
mod verify;
mod x509;

pub use dcql::{
    check_presentation, check_response, is_valid_id, path_to_json, process_path, select,
    ClaimsQuery, CredentialMatch, CredentialQuery, CredentialSetQuery, DcqlQuery, Meta,
    PathElement, QueryCandidates, SelectedClaim, Selection, SetOutcome, TrustedAuthoritiesQuery,
    VpToken, FORMAT_SD_JWT_VC,
};
pub use error::{sanitize_description, Oid4vpError};
pub use invocation::{authorization_url, parse_authorization_url, OPENID4VP_SCHEME};
pub use jwe::{decrypt, encrypt, Enc, EncryptionKey};
pub use kdf::concat_kdf;
pub use request::{
    random_value, sign_request, AuthorizationRequest, ClientMetadata, SdJwtFormat,
    VpFormatsSupported, AUD_SELF_ISSUED, MAX_REQUEST_OBJECT_BYTES, REQUEST_TYP, RESPONSE_MODE,
    RESPONSE_TYPE,
};
pub use response::{
    decrypt_response, encrypt_response, error_form, parse_response_form, response_form,
    AuthorizationResponse, ErrorResponse, ResponseEndpointReply, ResponseForm, ResponsePayload,
};
pub use verify::{verify_request, MAX_LEEWAY_SECS};
pub use x509::{client_id_for, verifier_certificate, CertificateInfo, X509_HASH_PREFIX};
