//! IETF Token Status List (draft-ietf-oauth-status-list).
//!
//! A status list is a byte array of `bits`-wide entries (1, 2, 4 or 8 bits), the entry at index
//! `i` stored least significant bits first in byte `i * bits / 8`; it travels zlib-compressed and
//! base64url-encoded (`lst`) inside a signed JWT of `typ` `statuslist+jwt`.
//!
//! Invariants: decoding never inflates more than [`MAX_DECOMPRESSED_BYTES`] (a zlib bomb is an
//! error, not an out-of-memory); a lookup past the end is an error, never "valid".

mod list;
mod token;

pub use list::{Status, StatusList, MAX_DECOMPRESSED_BYTES};
pub use token::{sign_token, verify_token, StatusListToken, STATUS_LIST_TYP};

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum StatusListError {
    #[error("bits must be 1, 2, 4 or 8, not {0}")]
    BadBits(u64),
    #[error("index {index} is outside the list of {len} entries")]
    OutOfRange { index: u64, len: u64 },
    #[error("status {status} does not fit in {bits} bits")]
    StatusTooWide { status: u8, bits: u8 },
    #[error("malformed lst: {0}")]
    Malformed(String),
    #[error("status list inflates beyond {0} bytes")]
    TooLarge(usize),
    #[error("status list token: {0}")]
    Token(String),
    #[error("status list token signature does not verify")]
    BadSignature,
    #[error("status list token is for {found:?}, not {expected:?}")]
    WrongSubject { expected: String, found: String },
    #[error("status list token expired at {exp} (now {now})")]
    Expired { exp: i64, now: i64 },
}
