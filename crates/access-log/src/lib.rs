//! The person's own access log: which organisation looked at what they shared, and when.
//!
//! A receiving trust's portal records every read of a transfer request's data in the node's
//! hash-chained audit log (the HR report, its CSV or JSON export, the decision, an occupational
//! health team's report). When a response verifies, the node also keeps the RFC 7638 thumbprint
//! of the wallet key the presentations were bound to. The wallet asks for its log by posting a
//! short-lived proof signed by that key to `<node>/access-log`; the node answers with every
//! request that key answered there and the audit entries about each, and nothing else.
//!
//! This crate is the agreement between the two sides, pure (no I/O, no HTTP types, no clock):
//! - [`make_proof`] / [`verify_proof`]: the proof, a compact JWS (ES256 only), header
//!   `{"alg":"ES256","typ":"passport-access-log+jwt","jwk":{public key}}`, payload
//!   `{"aud": <node URL>, "iat": <seconds>, "jti": <16 to 256 URL-safe characters>}`. The key
//!   comes only from the header's `jwk` (it is the key whose log is asked for: a proof signed
//!   by another key is simply another key's, empty, log); `aud` must be the node's public URL
//!   exactly; `iat` at most [`MAX_AGE_SECS`] old and [`IAT_LEEWAY_SECS`] ahead. The node keeps
//!   each `jti` until its proof is stale ([`VerifiedProof::replay_until`]), so a proof works
//!   once: a replay register rather than a nonce fetched first, so the wallet needs one request.
//! - [`AccessLog`] and its parts: the JSON the node answers (documented field by field), with
//!   [`classify`] turning an audit entry's action into what the person reads.
//! - [`node_of`]: the node a wallet shared with, from the Response URI it posted to.
//!
//! ```
//! use passport_access_log::{make_proof, verify_proof};
//! use passport_jose::{Es256Signer, Signer};
//! let (device_key, _) = Es256Signer::generate().unwrap();
//! let proof = make_proof(&device_key, "https://node.example", "a-random-single-use-id", 1_750_000_000).unwrap();
//! let checked = verify_proof(&proof, "https://node.example", 1_750_000_010).unwrap();
//! assert_eq!(checked.thumbprint, device_key.public_jwk().thumbprint());
//! ```

mod error;
mod log;
mod proof;

pub use error::AccessLogError;
pub use log::{classify, AccessLog, Decision, Deletion, Entry, Organisation, SharedRequest, What};
pub use proof::{
    make_proof, verify_proof, VerifiedProof, IAT_LEEWAY_SECS, MAX_AGE_SECS, MAX_PROOF_BYTES,
    PROOF_TYP,
};

/// Where a node serves the log, under its public URL.
pub const PATH: &str = "/access-log";

/// Requests in one answer at most (newest first; `truncated` says when older ones were left out).
pub const MAX_REQUESTS: usize = 100;

/// Audit entries per request at most (oldest first; `entries_truncated` says when cut).
pub const MAX_ENTRIES: usize = 200;

/// The log's address at `node` (a public URL without a trailing slash).
pub fn endpoint(node: &str) -> String {
    format!("{}{PATH}", node.trim_end_matches('/'))
}

/// The node a wallet shared with: the part of the Response URI it posted to before
/// `/verifiers/{ODS}/responses/{id}` (our nodes' shape, `public_url` included). `None` for any
/// other shape (another verifier's software): the wallet then has no log to ask for.
pub fn node_of(response_uri: &str) -> Option<String> {
    let at = response_uri.rfind("/verifiers/")?;
    let (node, rest) = response_uri.split_at(at);
    let mut parts = rest["/verifiers/".len()..].split('/');
    let (Some(ods), Some("responses"), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let plain = |s: &str| !s.is_empty() && !s.contains(['?', '#']);
    let scheme_end = node.find("://")?;
    let host = &node[scheme_end + 3..];
    (plain(ods) && plain(id) && !host.is_empty() && !node.contains(['?', '#']))
        .then(|| node.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_is_the_response_uri_before_its_verifier_path() {
        let cases = [
            (
                "https://passport.example.nhs.uk/verifiers/R0A/responses/tr-1",
                Some("https://passport.example.nhs.uk"),
            ),
            (
                "http://127.0.0.1:8080/passport/verifiers/R0A/responses/tr-1",
                Some("http://127.0.0.1:8080/passport"),
            ),
            ("https://other.example/direct_post", None),
            ("https://x.example/verifiers/R0A/responses/", None),
            ("https://x.example/verifiers/R0A/responses/tr-1/more", None),
            ("https://x.example/verifiers/R0A/responses/tr-1?x=1", None),
            ("/verifiers/R0A/responses/tr-1", None),
        ];
        for (uri, node) in cases {
            assert_eq!(node_of(uri).as_deref(), node, "{uri}");
        }
        assert_eq!(
            endpoint("https://n.example/"),
            "https://n.example/access-log"
        );
    }
}
