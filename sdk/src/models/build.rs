//! [`Build`]: one build as the API answers it, field for field as nixbuild.net writes it,
//! with the helpers a caller needs: its derivation's name, when it finished, whether it was
//! discarded, a tag's value.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::build_id::BuildId;
use super::output::Output;
use super::status::BuildStatus;
use super::tags::Tags;
use super::timestamp;

/// One build, as an element of `GET /builds`.
///
/// The service adds fields over time: a reader must ignore those it does not know. `tags`,
/// `restart_of_build_id` and `restarted_as_build_id` are absent from older responses, and
/// the restart links are left out rather than null when there is none. Older documentation
/// calls `status` `build_status`; this crate reads either and writes `status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Build {
    /// The build's id.
    pub build_id: BuildId,
    /// When the build was created (asked for).
    #[serde(with = "timestamp")]
    pub create_time: DateTime<Utc>,
    /// When a builder started it; null while pending.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[serde(with = "timestamp::option")]
    pub start_time: Option<DateTime<Utc>>,
    /// Seconds between creation and start; null while pending.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub queue_time_seconds: Option<f64>,
    /// Seconds from start to finish; null until finished.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub duration_seconds: Option<f64>,
    /// The build's state.
    #[serde(alias = "build_status")]
    pub status: BuildStatus,
    /// A human-readable detail of the status: `""` when built, `"ssh session closed"`, ….
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub status_message: Option<String>,
    /// CPUs allocated to the build.
    pub cpu_count: u32,
    /// Memory allocated to the build, in megabytes.
    pub allocated_megabytes: u64,
    /// CPU seconds the build used.
    pub cpu_seconds: u64,
    /// The build's peak memory use, in kilobytes; null when not measured.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub peak_memory_use_kilobytes: Option<u64>,
    /// The build's peak storage use, in kilobytes; null when not measured.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub peak_storage_use_kilobytes: Option<u64>,
    /// The derivation built: `/nix/store/<hash>-<name>.drv`.
    pub derivation_path: String,
    /// The outputs produced; empty unless the build succeeded.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[serde(default, deserialize_with = "exact_vec")]
    pub outputs: Vec<Output>,
    /// The Nix system the build ran for, such as `x86_64-linux`.
    pub system: String,
    /// The tags the client attached to the build (`GITHUB_RUN_ID`, …).
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, String>))]
    #[serde(default)]
    pub tags: Tags,
    /// The build this one restarted, if it is a restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_of_build_id: Option<BuildId>,
    /// The build that restarted this one, if it was restarted (its result then is discarded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarted_as_build_id: Option<BuildId>,
}

impl Build {
    /// A pending build of `derivation_path` on `system`, created at `create_time`: no start,
    /// no figures, no outputs, no tags yet. Set the public fields for the rest (the service
    /// may add fields, so `Build` is built this way rather than literally).
    pub fn new(
        build_id: impl Into<BuildId>,
        derivation_path: impl Into<String>,
        system: impl Into<String>,
        create_time: DateTime<Utc>,
    ) -> Build {
        Build {
            build_id: build_id.into(),
            create_time,
            start_time: None,
            queue_time_seconds: None,
            duration_seconds: None,
            status: BuildStatus::Pending,
            status_message: None,
            cpu_count: 0,
            allocated_megabytes: 0,
            cpu_seconds: 0,
            peak_memory_use_kilobytes: None,
            peak_storage_use_kilobytes: None,
            derivation_path: derivation_path.into(),
            outputs: Vec::new(),
            system: system.into(),
            tags: Default::default(),
            restart_of_build_id: None,
            restarted_as_build_id: None,
        }
    }

    /// The name of the derivation built: its store path without the directory, hash and
    /// `.drv` suffix (`snix-qemu-6.1.0` for
    /// `/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv`).
    ///
    /// A path not in that shape gives back as much of it as makes sense, never an error.
    pub fn name(&self) -> &str {
        derivation_name(&self.derivation_path)
    }

    /// When the build finished: its start plus its duration, once both are known.
    pub fn finish_time(&self) -> Option<DateTime<Utc>> {
        let start = self.start_time?;
        let seconds = self.duration_seconds?;
        let nanos = (seconds * 1e9).round();
        // A duration beyond what fits in i64 nanoseconds (292 years) is nonsense from the wire.
        // Past the calendar's end there is no finish time either.
        (nanos.is_finite() && nanos.abs() < i64::MAX as f64)
            .then(|| start.checked_add_signed(TimeDelta::nanoseconds(nanos as i64)))
            .flatten()
    }

    /// Whether this build's result was discarded because it was restarted.
    pub fn is_discarded(&self) -> bool {
        self.restarted_as_build_id.is_some()
    }

    /// The value of one tag, if the build has it.
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.tags.get(name)
    }
}

/// The name part of a derivation (or output) store path.
pub(crate) fn derivation_name(path: &str) -> &str {
    const NIX_HASH_LEN: usize = 32;
    let file = path.rsplit('/').next().unwrap_or(path);
    let file = file.strip_suffix(".drv").unwrap_or(file);
    match file.split_once('-') {
        Some((hash, name)) if hash.len() == NIX_HASH_LEN && !name.is_empty() => name,
        _ => file,
    }
}

/// A JSON array read into a vector of its exact length: serde grows a vector of unknown
/// length to room for four, and a build has one output or two, 80 bytes each.
fn exact_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut items = Vec::<T>::deserialize(deserializer)?;
    items.shrink_to_fit();
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_strips_store_directory_hash_and_drv_suffix() {
        assert_eq!(
            derivation_name("/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv"),
            "snix-qemu-6.1.0"
        );
        assert_eq!(
            derivation_name("/nix/store/f00405bw7avnd5asafvvq4dgh6y33brc-snix-qemu-6.1.0"),
            "snix-qemu-6.1.0"
        );
    }

    #[test]
    fn name_of_an_odd_path_is_what_is_left() {
        assert_eq!(derivation_name("hello-2.12.drv"), "hello-2.12");
        assert_eq!(derivation_name(""), "");
        assert_eq!(derivation_name("/nix/store/"), "");
        assert_eq!(derivation_name("/nix/store/short-name.drv"), "short-name");
    }
}
