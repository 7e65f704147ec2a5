//! Errors of the catalogue.

/// What can go wrong when looking up a credential type or checking its claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// No credential type in the catalogue has this `vct` or record type name.
    #[error("unknown credential type: {0}")]
    UnknownType(String),
    /// The claims break the type's JSON Schema. `errors` lists every violation,
    /// each starting with the JSON Pointer (RFC 6901) of the offending claim.
    #[error("invalid claims for {vct}: {}", errors.join("; "))]
    InvalidClaims {
        /// The credential type the claims were checked against.
        vct: String,
        /// One line per violation: `<json pointer>: <what is wrong>`.
        errors: Vec<String>,
    },
    /// An embedded JSON Schema does not compile. Never happens with the shipped
    /// schemas (a unit test compiles every one of them).
    #[error("schema of {name} does not compile: {message}")]
    Schema {
        /// The credential type name.
        name: String,
        /// What the schema compiler said.
        message: String,
    },
}
