//! [`Token`]: the secret that authenticates requests, and (feature `biscuit`) what can be
//! done with it offline: reading it and narrowing it.

#[cfg(feature = "biscuit")]
mod attenuate;
pub(crate) mod bearer;
#[cfg(feature = "biscuit")]
mod block;
#[cfg(feature = "biscuit")]
pub mod datalog;
#[cfg(feature = "biscuit")]
mod decode;
#[cfg(feature = "biscuit")]
pub(crate) mod error;
#[cfg(feature = "biscuit")]
mod inspect;
#[cfg(feature = "biscuit")]
mod narrowing;
#[cfg(feature = "biscuit")]
mod oidc;

#[cfg(feature = "biscuit")]
pub use attenuate::{Attenuation, DatalogValue};
#[cfg(feature = "biscuit")]
pub use block::BlockInfo;
#[cfg(feature = "biscuit")]
pub(crate) use error::TokenError;
#[cfg(feature = "biscuit")]
pub use inspect::TokenInfo;
#[cfg(feature = "biscuit")]
pub use narrowing::Narrowing;
#[cfg(feature = "biscuit")]
pub use oidc::{JWT_CLAIM_FACT, OidcRequirement};

pub(crate) use bearer::Token;

/// The rights nixbuild.net is known to grant, as a token's `right({…})` set names them:
/// reading and starting builds, reading and writing the store, and the 2022 tokens'
/// `account:read`. A right outside this list is most likely a typo; tools that check one
/// (the `nixbuild` command's `--only`, the mock's minting) refuse it and list these.
pub const KNOWN_RIGHTS: &[&str] = &[
    "build:read",
    "build:write",
    "store:read",
    "store:write",
    "account:read",
];
