//! Real Biscuit auth: the mock's root key, the tokens it mints, and the verification and
//! authorization of every request, as NIXBUILD_API.md decides them.
//!
//! A request's token goes through, in order: the header's size; its structure, read as data
//! and held to [`limits`]; its signature, verified once and remembered; revocation; and last
//! the Datalog, with `time(now)` and the operation, under biscuit's own run limits.

pub(crate) mod admin;
mod authority;
mod bearer;
pub(crate) mod dashboard;
pub(crate) mod limits;
mod minter;
mod outcome;
mod secrets;
mod verified;

pub use authority::{Authority, InvalidKey};
pub(crate) use bearer::authorization;
pub use limits::LimitExceeded;
pub use minter::{DEFAULT_TOKEN_LIFETIME, TokenMinter};
pub use outcome::AuthOutcome;
pub(crate) use outcome::Refusal;
pub(crate) use verified::VerifiedToken;
