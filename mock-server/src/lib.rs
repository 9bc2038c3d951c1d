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
//! [`auth::limits`] before its Datalog runs, so no token can stall the server. The OIDC
//! token exchange never hands out a token wider or longer-lived than the one presented.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod auth;
mod experimental;
pub mod faults;
pub mod fixtures;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
pub mod journal;
mod mock;
mod responder;
pub mod store;
pub mod summary;

pub use auth::{AuthOutcome, Authority, InvalidKey, LimitExceeded, Permission, TokenMinter};
pub use experimental::{EXCHANGED_TOKEN_LIFETIME, OIDC_ID_TOKEN_HEADER};
pub use faults::{Fault, FaultKind};
pub use fixtures::{BuildFixture, IntoBuild};
pub use journal::{AuthStatus, RecordedRequest};
pub use mock::{MockNixbuild, MockNixbuildBuilder, NoSuchBuild};
pub use responder::MAX_REQUEST_BODY_BYTES;
pub use store::BuildStore;
