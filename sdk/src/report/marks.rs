//! How the summary reads builds: each build's [`Mark`], the builds grouped by system and
//! sorted by duration, and the figures the API gives in kilobytes.

use crate::models::{Build, BuildStatus};

/// How a build ended, as the summary marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Built, or not a failure (still running, or a status the Action does not know).
    Success,
    /// The user's failure: `build_failed`, `cancelled`, `timeout`, ….
    Failure,
    /// The service's failure: `internal_error`, `out_of_memory`.
    ServiceFailure,
}

impl Mark {
    /// The mark of `status`.
    pub(crate) fn of(status: &BuildStatus) -> Mark {
        if status.is_user_failure() {
            Mark::Failure
        } else if status.is_service_failure() {
            Mark::ServiceFailure
        } else {
            Mark::Success
        }
    }
}

/// The builds grouped by system, in the order each system first appears, each group sorted
/// by duration, longest first (a build without a duration counts as zero).
pub(crate) fn by_system(builds: &[Build]) -> Vec<(&str, Vec<&Build>)> {
    let mut groups: Vec<(&str, Vec<&Build>)> = Vec::new();
    for build in builds {
        match groups.iter_mut().find(|(system, _)| *system == build.system) {
            Some((_, group)) => group.push(build),
            None => groups.push((&build.system, vec![build])),
        }
    }
    for (_, group) in &mut groups {
        // Stable, as the Action's sort is: equal durations keep the API's order.
        group.sort_by(|a, b| duration(b).total_cmp(&duration(a)));
    }
    groups
}

fn duration(build: &Build) -> f64 {
    build.duration_seconds.unwrap_or(0.0)
}

/// Bytes of a figure the API gives in kilobytes (a missing one is zero).
pub(crate) fn kilobytes(value: Option<u64>) -> f64 {
    value.unwrap_or(0) as f64 * 1024.0
}
