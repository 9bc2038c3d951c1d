//! [`BuildStatus`]: where a build is, the statuses the API is known to answer and any
//! newer one kept as it came.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The state of a build.
///
/// The service may add statuses: one this crate does not know decodes as
/// [`BuildStatus::Unknown`], keeping the string, and encodes back unchanged.
///
/// The groups ([`is_success`](Self::is_success), [`is_user_failure`](Self::is_user_failure),
/// [`is_service_failure`](Self::is_service_failure), [`is_in_progress`](Self::is_in_progress))
/// are those of the official nixbuild.net GitHub Action's summary.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BuildStatus {
    /// Waiting for a builder.
    Pending,
    /// Building now.
    Running,
    /// Finished successfully; the outputs are in the build's `outputs`.
    Built,
    /// The builder ran and failed.
    BuildFailed,
    /// Cancelled before it finished.
    Cancelled,
    /// Ran past its time limit.
    Timeout,
    /// The client that asked for the build went away (for example `ssh session closed`).
    ClientDisconnect,
    /// The client sent something the service could not use.
    ClientError,
    /// Used more memory than the account's limit allows.
    MaxMemoryExceeded,
    /// The builder ran out of memory (counted as the service's failure).
    OutOfMemory,
    /// The service failed.
    InternalError,
    /// A status this version of the crate does not know, exactly as the service sent it.
    Unknown(String),
}

impl BuildStatus {
    /// Every status this crate knows, in the order of the API's documentation.
    pub const KNOWN: [BuildStatus; 11] = [
        BuildStatus::Pending,
        BuildStatus::Running,
        BuildStatus::Built,
        BuildStatus::BuildFailed,
        BuildStatus::Cancelled,
        BuildStatus::Timeout,
        BuildStatus::ClientDisconnect,
        BuildStatus::ClientError,
        BuildStatus::MaxMemoryExceeded,
        BuildStatus::OutOfMemory,
        BuildStatus::InternalError,
    ];

    /// The status as it is written on the wire, such as `build_failed`.
    pub fn as_str(&self) -> &str {
        match self {
            BuildStatus::Pending => "pending",
            BuildStatus::Running => "running",
            BuildStatus::Built => "built",
            BuildStatus::BuildFailed => "build_failed",
            BuildStatus::Cancelled => "cancelled",
            BuildStatus::Timeout => "timeout",
            BuildStatus::ClientDisconnect => "client_disconnect",
            BuildStatus::ClientError => "client_error",
            BuildStatus::MaxMemoryExceeded => "max_memory_exceeded",
            BuildStatus::OutOfMemory => "out_of_memory",
            BuildStatus::InternalError => "internal_error",
            BuildStatus::Unknown(other) => other,
        }
    }

    /// Reads a wire string; a string that names no known status becomes [`BuildStatus::Unknown`].
    pub fn from_wire(s: &str) -> BuildStatus {
        Self::KNOWN
            .iter()
            .find(|known| known.as_str() == s)
            .cloned()
            .unwrap_or_else(|| BuildStatus::Unknown(s.to_owned()))
    }

    /// Whether this is a status this crate knows (not [`BuildStatus::Unknown`]).
    pub fn is_known(&self) -> bool {
        !matches!(self, BuildStatus::Unknown(_))
    }

    /// `pending` or `running`: the build has not finished yet.
    pub fn is_in_progress(&self) -> bool {
        matches!(self, BuildStatus::Pending | BuildStatus::Running)
    }

    /// The build has finished, one way or another.
    ///
    /// Every status but `pending` and `running` is final, and so is an unknown one: the
    /// in-progress statuses are the ones known since the API's launch.
    pub fn is_finished(&self) -> bool {
        !self.is_in_progress()
    }

    /// `built`: the build succeeded.
    pub fn is_success(&self) -> bool {
        matches!(self, BuildStatus::Built)
    }

    /// The build failed because of what was built or asked: `build_failed`, `cancelled`,
    /// `timeout`, `max_memory_exceeded`, `client_disconnect` or `client_error`.
    pub fn is_user_failure(&self) -> bool {
        matches!(
            self,
            BuildStatus::BuildFailed
                | BuildStatus::Cancelled
                | BuildStatus::Timeout
                | BuildStatus::MaxMemoryExceeded
                | BuildStatus::ClientDisconnect
                | BuildStatus::ClientError
        )
    }

    /// The build failed because of the service: `internal_error` or `out_of_memory`.
    pub fn is_service_failure(&self) -> bool {
        matches!(self, BuildStatus::InternalError | BuildStatus::OutOfMemory)
    }
}

/// `build.status == "built"` compares with the wire name.
impl PartialEq<str> for BuildStatus {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for BuildStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for BuildStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parsing never fails: an unrecognised string becomes [`BuildStatus::Unknown`].
impl FromStr for BuildStatus {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(BuildStatus::from_wire(s))
    }
}

impl Serialize for BuildStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for BuildStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StatusVisitor;

        impl serde::de::Visitor<'_> for StatusVisitor {
            type Value = BuildStatus;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a build status string")
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<BuildStatus, E> {
                Ok(BuildStatus::from_wire(s))
            }
        }

        deserializer.deserialize_str(StatusVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_statuses_round_trip_through_their_wire_names() {
        for status in BuildStatus::KNOWN {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<BuildStatus>(&json).unwrap(), status);
        }
    }

    #[test]
    fn an_unknown_status_is_kept_and_written_back_unchanged() {
        let status: BuildStatus = serde_json::from_str("\"evicted_by_aliens\"").unwrap();
        assert_eq!(status, BuildStatus::Unknown("evicted_by_aliens".into()));
        assert!(!status.is_known());
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"evicted_by_aliens\"");
    }

    #[test]
    fn every_known_status_is_in_exactly_one_group() {
        for status in BuildStatus::KNOWN {
            let groups = [
                status.is_success(),
                status.is_user_failure(),
                status.is_service_failure(),
                status.is_in_progress(),
            ];
            assert_eq!(groups.iter().filter(|g| **g).count(), 1, "{status}");
        }
    }

    #[test]
    fn an_unknown_status_is_finished_but_in_no_failure_group() {
        let status = BuildStatus::Unknown("new".into());
        assert!(status.is_finished());
        assert!(!status.is_success() && !status.is_user_failure() && !status.is_service_failure());
    }

    #[test]
    fn statuses_and_ids_compare_with_their_wire_values() {
        assert_eq!(BuildStatus::BuildFailed, "build_failed");
        assert!(BuildStatus::Unknown("new".into()) == *"new");
        use crate::models::build_id::BuildId;
        assert_eq!(BuildId(805823), 805823);
        assert_eq!(805823, BuildId(805823));
    }

    #[test]
    fn a_number_is_not_a_status() {
        let err = serde_json::from_str::<BuildStatus>("3").unwrap_err();
        assert!(err.to_string().contains("a build status string"), "{err}");
    }
}
