//! The API's resources, one file each; every operation is a builder ending in `.send()`.

#[cfg(feature = "experimental")]
mod auth;
mod builds;
mod filter_setters;
pub mod operation;
#[cfg(feature = "experimental")]
mod processes;
mod stream;
mod usage;
mod wait;
mod watch;

#[cfg(feature = "experimental")]
pub use auth::{Auth, OidcTokenExchange};
pub use builds::{Builds, GetBuildsSummary, ListBuilds};
#[cfg(feature = "experimental")]
pub use processes::{CreateProcesses, Processes};
pub use stream::{BuildStream, DEFAULT_PAGE_SIZE};
pub use usage::GetUsage;
pub use wait::{
    And, Condition, DEFAULT_WAIT_TIMEOUT, LatestPerDerivation, Not, Or, WaitEvent, WaitForBuilds,
    WaitOutcome, conditions, is_final, newest_per_derivation,
};
pub use watch::{BuildChange, BuildWatch, DEFAULT_MAX_POLL_INTERVAL, DEFAULT_POLL_INTERVAL, Watch};
