//! The standalone tools around a mock: the front that bounds what a request may make the
//! server read, the recording proxy that stands between a client and the real service, and
//! the check of a mock against a recording. The front and the proxy are the binary's
//! (feature `cli`); the check needs only a mock in process.

pub(crate) mod check;
#[cfg(feature = "cli")]
pub mod front;
#[cfg(feature = "cli")]
pub mod proxy;
