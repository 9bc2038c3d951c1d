//! A stateful fake nixbuild.net for integration tests, on a real HTTP server.
//!
//! [`MockNixbuild`] answers `GET /builds`, `/builds/summary` and `/usage` from a store of
//! builds (and the experimental `GET /auth/oidc-token-exchange` and `POST /processes`), with every filter, the ordering, `limit` and the summary definitions of the API
//! contract, parsing queries with the SDK's own [`nixbuild::BuildFilter`]. Every request is
//! authenticated with real Biscuit tokens signed by the mock's root key; faults (error
//! statuses, delays, malformed bodies, dropped connections) are injected on demand; and every
//! request is recorded for the test to inspect. The same server runs standalone as the
//! `nixbuild-mock` binary, for tests in other languages.
//!
//! Auth is real and stays cheap: a token's signature is verified once and remembered, a
//! token can be revoked with [`MockNixbuild::revoke`], and every token is held to
//! [`limits`] before its Datalog runs, so no token can stall the server. The OIDC
//! token exchange never hands out a token wider or longer-lived than the one presented.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod answer;
mod auth;
mod faults;
pub mod fixtures;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod handlers;
mod journal;
pub mod limits;
mod mock;
mod responder;
mod routing;
mod state;
mod store;
pub mod summary;

pub use auth::{AuthOutcome, Authority, DEFAULT_TOKEN_LIFETIME, InvalidKey, LimitExceeded, TokenMinter};
pub use faults::{Fault, FaultKind};
pub use fixtures::build_fixture::{BuildFixture, IntoBuild};
pub use handlers::exchange::EXCHANGED_TOKEN_LIFETIME;
pub use journal::{AuthStatus, RecordedRequest};
pub use mock::{MockNixbuild, MockNixbuildBuilder, NoSuchBuild};
pub use store::BuildStore;
