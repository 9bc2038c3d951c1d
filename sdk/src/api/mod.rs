//! The API's resources, one file each; every operation is a builder ending in `.send()`.

mod builds;
mod usage;

pub use builds::{Builds, BuildsRequest, GetBuildsSummary, ListBuilds, kind};
pub use usage::GetUsage;
