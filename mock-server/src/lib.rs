#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// docs.rs labels every item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod admin;
mod answer;
mod answer_cache;
mod auth;
mod clock;
pub mod control;
mod expectation;
mod faults;
pub mod fixtures;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod front;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod handlers;
mod journal;
mod lifecycle;
pub mod limits;
mod mock;
mod process_log;
mod responder;
mod routing;
mod state;
mod store;
pub mod summary;
mod sync;

pub use admin::ADMIN_TOKEN_PREFIX;
pub use auth::{AuthOutcome, Authority, DEFAULT_TOKEN_LIFETIME, InvalidKey, LimitExceeded, TokenMinter};
pub use clock::ClockOverflow;
pub use expectation::{Expectation, Times, UnmetExpectations};
pub use faults::{Fault, FaultKind};
pub use fixtures::build_fixture::{BuildFixture, IntoBuild};
pub use handlers::exchange::EXCHANGED_TOKEN_LIFETIME;
pub use journal::{AuthStatus, REDACTED, RecordedRequest};
pub use lifecycle::{NoSuchBuild, StatusChangeError};
pub use mock::{MockNixbuild, MockNixbuildBuilder};
pub use store::BuildStore;
