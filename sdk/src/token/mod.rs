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
pub use attenuate::{Attenuation, DatalogValue};
#[cfg(feature = "biscuit")]
pub use block::BlockInfo;
#[cfg(feature = "biscuit")]
pub(crate) use error::TokenError;
#[cfg(feature = "biscuit")]
pub use inspect::TokenInfo;

pub(crate) use bearer::Token;
