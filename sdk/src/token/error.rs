//! [`TokenError`]: why a token could not be read, attenuated or inspected.

use thiserror::Error;

/// A token could not be read or attenuated. Never holds the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is not a Biscuit token this crate can read (it may still be a valid opaque
    /// token for the service).
    #[error("the token is not a readable Biscuit token: {0}")]
    Unreadable(String),
    /// A sealed token cannot take another block.
    #[error("the token is sealed: it cannot be attenuated further")]
    Sealed,
    /// The Datalog given for a new block is not valid.
    #[error("invalid Datalog for the new block: {0}")]
    Datalog(String),
}
