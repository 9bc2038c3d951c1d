//! The committed files: rendering the document, writing them, and finding them stale.

use std::path::{Path, PathBuf};

/// The command that rewrites the committed files.
pub const REGENERATE: &str = "cargo run -p nixbuild-openapi";

/// The document could not be rendered or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// utoipa could not render the document in this format.
    #[error("cannot render the document as {format}: {message}")]
    Render {
        /// `JSON` or `YAML`.
        format: &'static str,
        /// What utoipa said.
        message: String,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// One committed rendering of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Its file name inside `openapi/`.
    pub file_name: &'static str,
    /// Its content as it must be committed.
    pub content: String,
}

/// The files `openapi/` commits: `openapi.json` (pretty, stable key order) and `openapi.yaml`.
pub fn artifacts() -> Result<Vec<Artifact>, ArtifactError> {
    let document = crate::document();
    let json = document.to_pretty_json().map_err(|e| ArtifactError::Render {
        format: "JSON",
        message: e.to_string(),
    })?;
    let yaml = document.to_yaml().map_err(|e| ArtifactError::Render {
        format: "YAML",
        message: e.to_string(),
    })?;
    Ok(vec![
        Artifact {
            file_name: "openapi.json",
            content: format!("{json}\n"),
        },
        Artifact {
            file_name: "openapi.yaml",
            content: yaml,
        },
    ])
}

/// The directory the files live in.
pub fn directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// A committed file that differs from what the code generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staleness {
    /// The stale files' paths.
    pub stale: Vec<PathBuf>,
}

impl std::fmt::Display for Staleness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let files = self
            .stale
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>();
        write!(
            f,
            "the committed OpenAPI document is stale ({}): run `{REGENERATE}` and commit the result",
            files.join(", ")
        )
    }
}

impl std::error::Error for Staleness {}

/// Compares the files in `dir` with what the code generates.
pub fn check(dir: &Path) -> Result<Result<(), Staleness>, ArtifactError> {
    let stale = artifacts()?
        .into_iter()
        .map(|artifact| (dir.join(artifact.file_name), artifact.content))
        .filter(|(path, content)| std::fs::read_to_string(path).ok().as_deref() != Some(content.as_str()))
        .map(|(path, _)| path)
        .collect::<Vec<_>>();
    Ok(if stale.is_empty() {
        Ok(())
    } else {
        Err(Staleness { stale })
    })
}

/// Writes the files into `dir`.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, ArtifactError> {
    artifacts()?
        .into_iter()
        .map(|artifact| {
            let path = dir.join(artifact.file_name);
            std::fs::write(&path, artifact.content)
                .map(|()| path.clone())
                .map_err(|source| ArtifactError::Write { path, source })
        })
        .collect()
}
