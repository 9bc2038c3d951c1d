//! [`BuildId`]: a build's id, a number on the wire and a type of its own in Rust.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The identifier nixbuild.net gives a build (`build_id`); a 64-bit integer on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct BuildId(pub u64);

impl BuildId {
    /// The number itself.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl From<u64> for BuildId {
    fn from(id: u64) -> Self {
        BuildId(id)
    }
}

impl From<BuildId> for u64 {
    fn from(id: BuildId) -> Self {
        id.0
    }
}

/// `build.build_id == 805823` reads as it should.
impl PartialEq<u64> for BuildId {
    fn eq(&self, other: &u64) -> bool {
        self.0 == *other
    }
}

impl PartialEq<BuildId> for u64 {
    fn eq(&self, other: &BuildId) -> bool {
        *self == other.0
    }
}

impl fmt::Display for BuildId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for BuildId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(BuildId)
    }
}
