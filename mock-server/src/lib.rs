#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// docs.rs labels every item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
pub mod control;
pub mod fixtures;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod front;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod handlers;
pub mod limits;
mod mock;
pub mod recording;
mod redaction;
mod server;
mod sync;
mod testing;
mod world;

pub use auth::admin::ADMIN_TOKEN_PREFIX;
pub use auth::{AuthOutcome, Authority, DEFAULT_TOKEN_LIFETIME, InvalidKey, LimitExceeded, TokenMinter};
pub use fixtures::build_fixture::{BuildFixture, IntoBuild};
pub use handlers::exchange::EXCHANGED_TOKEN_LIFETIME;
pub use mock::{MockNixbuild, MockNixbuildBuilder};
pub use redaction::REDACTED;
pub use testing::expectation::{Expectation, Times, UnmetExpectations};
pub use testing::faults::{Fault, FaultKind};
pub use testing::journal::{AuthStatus, RecordedRequest};
pub use world::clock::ClockOverflow;
pub use world::lifecycle::{NoSuchBuild, StatusChangeError};
pub use world::store::BuildStore;
pub use world::summary;
