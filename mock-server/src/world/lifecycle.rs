//! Moving a stored build through its statuses, as the service does: `pending`, then
//! `running`, then a finished status. One implementation for the Rust API
//! ([`MockNixbuild::set_status`](crate::MockNixbuild::set_status)) and the control API
//! (`PATCH /_mock/builds/{id}`).

use std::fmt;

use chrono::{DateTime, Utc};
use nixbuild::{Build, BuildId, BuildStatus};

use crate::fixtures::{mark_finished_at, mark_running_at};

/// Why a build could not move to a status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusChangeError {
    /// The mock has no build with this id.
    NoSuchBuild(NoSuchBuild),
    /// Builds never go back to `pending`.
    BackToPending(BuildId),
    /// The build has finished already, in this status.
    AlreadyFinished(BuildId, BuildStatus),
}

/// The build a test asked to change does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoSuchBuild(pub BuildId);

impl fmt::Display for NoSuchBuild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the mock has no build {}", self.0)
    }
}

impl std::error::Error for NoSuchBuild {}

impl From<NoSuchBuild> for StatusChangeError {
    fn from(missing: NoSuchBuild) -> StatusChangeError {
        StatusChangeError::NoSuchBuild(missing)
    }
}

impl fmt::Display for StatusChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusChangeError::NoSuchBuild(missing) => missing.fmt(f),
            StatusChangeError::BackToPending(id) => {
                write!(
                    f,
                    "build {id} cannot go back to pending: builds only move forward"
                )
            }
            StatusChangeError::AlreadyFinished(id, status) => write!(
                f,
                "build {id} has finished already ({:?}); a finished build does not change",
                status.as_str()
            ),
        }
    }
}

impl std::error::Error for StatusChangeError {}

/// Moves `build` to `status` at `now`: to `running` it starts (a running build stays as it
/// is); to a finished status it finishes, starting first if it was pending, with the outputs
/// and figures a finished build has.
pub(crate) fn move_to(
    build: &mut Build,
    status: BuildStatus,
    now: DateTime<Utc>,
) -> Result<(), StatusChangeError> {
    let id = build.build_id;
    if build.status.is_finished() {
        return Err(StatusChangeError::AlreadyFinished(id, build.status.clone()));
    }
    match status {
        BuildStatus::Pending => Err(StatusChangeError::BackToPending(id)),
        BuildStatus::Running if build.status == BuildStatus::Running => Ok(()),
        BuildStatus::Running => {
            mark_running_at(build, now);
            Ok(())
        }
        finished => {
            mark_finished_at(build, finished, now);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuildFixture;

    #[test]
    fn builds_only_move_forward() {
        let now = Utc::now();
        let mut build = BuildFixture::pending("hello").id(1).created_at(now).build();
        assert_eq!(
            move_to(&mut build, BuildStatus::Pending, now),
            Err(StatusChangeError::BackToPending(BuildId(1)))
        );
        move_to(&mut build, BuildStatus::Running, now).unwrap();
        let started = build.start_time;
        move_to(
            &mut build,
            BuildStatus::Running,
            now + chrono::TimeDelta::seconds(5),
        )
        .unwrap();
        assert_eq!(build.start_time, started, "running again changes nothing");
        move_to(
            &mut build,
            BuildStatus::Built,
            now + chrono::TimeDelta::seconds(60),
        )
        .unwrap();
        assert_eq!(build.duration_seconds, Some(60.0));
        assert_eq!(build.outputs.len(), 1);
        assert_eq!(
            move_to(&mut build, BuildStatus::BuildFailed, now),
            Err(StatusChangeError::AlreadyFinished(BuildId(1), BuildStatus::Built))
        );
    }
}
