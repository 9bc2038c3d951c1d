#![doc = include_str!("../README.md")]
//!
//! ## Inside the crate: its layers
//!
//! For whoever changes the mock. Each layer imports only from itself and the layers below
//! it (`tests/layers.rs` at the workspace's root fails on an import upward or a circle
//! anywhere in the workspace), top first:
//!
//! ```text
//! public            lib.rs, recording       the paths users name, re-exported from below
//! fuzzing           fuzzing                 cargo-fuzz's entry points (cfg fuzzing)
//! standalone        standalone/             the binary's front and recording proxy (feature
//!                                           cli), and the check of a mock against a recording
//! mock              mock                    MockNixbuild and its builder: the Rust API, a thin
//!                                           adapter over app's State
//! dispatch          dispatch/               routing, the pipeline (route, expectations, fault,
//!                                           serve, journal) and the wiremock adapter
//! control           control/                the /_mock routes (one table), each a thin adapter
//!                                           over the same State method the Rust API calls
//! api               api/                    one handler per operation, and replay as the other
//!                                           way of serving; each returns an Answer
//! app               app/                    State: every change and query as a method; the
//!                                           cache of read answers
//! recording format  recording_format/       the recording file, its queries, the recorder,
//!                                           the replay lookup (no server)
//! instruments       instruments/            the journal, faults (Fault::apply), expectations
//! auth              auth/                   the root key, Biscuit verification and its bounds,
//!                                           the admin token
//! world             world/                  the store, the clock, status changes, summaries,
//!                                           the processes log
//! fixtures          fixtures/               realistic builds
//! base              sync, limits, redaction, text, answer
//!                                           locks, every bound, the one redaction policy,
//!                                           messages, and Answer (the one type that becomes a
//!                                           wiremock response)
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// docs.rs labels every item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The layers, lowest first (see the diagram above; tests/layers.rs holds each module to it).
mod answer;
mod api;
mod app;
mod auth;
pub mod control;
mod dispatch;
pub mod fixtures;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod instruments;
pub mod limits;
mod mock;
mod recording_format;
mod redaction;
mod standalone;
mod sync;
mod text;
mod world;
// The public faces that gather from the layers.
pub mod recording;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub use standalone::front;

pub use api::EXCHANGED_TOKEN_LIFETIME;
pub use auth::{AuthOutcome, Authority, DEFAULT_TOKEN_LIFETIME, InvalidKey, LimitExceeded, TokenMinter};
pub use fixtures::build_fixture::{BuildFixture, IntoBuild};
pub use instruments::expectation::{Expectation, Times, UnmetExpectations};
pub use instruments::faults::{Fault, FaultKind};
pub use instruments::recorded_request::{AuthStatus, RecordedRequest};
pub use mock::{MockNixbuild, MockNixbuildBuilder};
pub use redaction::{ADMIN_TOKEN_PREFIX, REDACTED};
pub use world::clock::ClockOverflow;
pub use world::lifecycle::{NoSuchBuild, StatusChangeError};
pub use world::store::BuildStore;
pub use world::summary;
