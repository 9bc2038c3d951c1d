//! The wire types of the nixbuild.net API.
//!
//! These types are written once, here, and used by everything else: the [`Client`](crate::Client)
//! decodes responses into them, the OpenAPI document is generated from them and the mock server
//! serves them. Reading is lenient (unknown fields are ignored, an unknown status is kept as
//! [`BuildStatus::Unknown`], fields missing from older responses take their empty value) and
//! writing is exact, so that a response decodes and re-encodes to the same JSON.

mod build;
mod build_id;
mod error_body;
mod output;
#[cfg(feature = "experimental")]
mod process;
#[cfg(feature = "openapi")]
mod schema;
mod status;
mod summary;
mod tags;
pub(crate) mod timestamp;
mod usage;

pub use build::Build;
pub use build_id::BuildId;
pub use error_body::ErrorBody;
pub use output::Output;
#[cfg(feature = "experimental")]
pub use process::Process;
#[cfg(feature = "openapi")]
pub use schema::KnownBuildStatus;
pub use status::BuildStatus;
pub use summary::BuildsSummary;
pub use tags::{Tags, TagsIter};
pub use usage::Usage;
