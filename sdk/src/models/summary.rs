//! [`BuildsSummary`]: what `GET /builds/summary` answers, the counts and totals of the
//! builds a filter selects.

use serde::{Deserialize, Serialize};

/// Aggregates over the builds a filter selects (`GET /builds/summary`).
///
/// The first six fields are the ones the official nixbuild.net GitHub Action reads. The
/// others are newer or less documented: they may be absent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BuildsSummary {
    /// Every selected build.
    pub build_count: u64,
    /// Builds with status `built`.
    pub successful_build_count: u64,
    /// Finished builds that did not succeed and were not discarded.
    pub failed_build_count: u64,
    /// Builds whose result was discarded because they were restarted (the Action's
    /// "Restarted builds").
    pub discarded_build_count: u64,
    /// CPU seconds billed: those of builds neither discarded nor failed by the service.
    pub billable_cpu_seconds: u64,
    /// The total NAR size of all outputs, in kilobytes (1024 bytes), rounded up.
    pub total_output_nar_size_kilobytes: u64,
    /// Builds still pending or running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_build_count: Option<u64>,
    /// CPU seconds of every selected build, billed or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_cpu_seconds: Option<u64>,
    /// The sum of the builds' durations, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_duration_seconds: Option<f64>,
    /// Seconds from the earliest start to the latest finish among the builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_time_seconds: Option<f64>,
}
