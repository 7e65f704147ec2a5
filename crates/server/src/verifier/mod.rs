//! The receiving trust: OpenID4VP 1.0 verifier endpoints, transfer requests and verification.
pub mod statuses;
