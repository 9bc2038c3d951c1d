//! [`Output`]: one output of a finished build: its name, store path, NAR hash and size.

use serde::{Deserialize, Serialize};

/// One output path a successful build produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Output {
    /// The output's name, such as `out`, `dev` or `doc`.
    pub name: String,
    /// The store path, `/nix/store/<hash>-<name>`.
    pub path: String,
    /// The hash of the output's NAR serialisation, as an SRI string (`sha256-<base64>`).
    pub nar_hash: String,
    /// The size of the output's NAR serialisation, in bytes.
    pub nar_size_bytes: u64,
}

impl Output {
    /// An output named `name` (`out`, `dev`, …) at store path `path`.
    pub fn new(
        name: impl Into<String>,
        path: impl Into<String>,
        nar_hash: impl Into<String>,
        nar_size_bytes: u64,
    ) -> Output {
        Output {
            name: name.into(),
            path: path.into(),
            nar_hash: nar_hash.into(),
            nar_size_bytes,
        }
    }
}
