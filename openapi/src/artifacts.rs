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

/// One committed rendering of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Its path from the workspace's root, such as `openapi/openapi.json`.
    pub path: &'static str,
    /// Its content as it must be committed.
    pub content: String,
}

/// The committed files: the API's document as `openapi/openapi.json` (pretty, stable key
/// order) and `openapi/openapi.yaml`, and the mock's control API's as
/// `mock-server/openapi.json`.
pub fn artifacts() -> Result<Vec<Artifact>, ArtifactError> {
    let document = crate::document();
    let json = pretty_json(&document)?;
    let control = pretty_json(&crate::mock_control::document())?;
    let yaml = document.to_yaml().map_err(|e| ArtifactError::Render {
        format: "YAML",
        message: e.to_string(),
    })?;
    Ok(vec![
        Artifact {
            path: "openapi/openapi.json",
            content: json,
        },
        Artifact {
            path: "openapi/openapi.yaml",
            content: yaml,
        },
        Artifact {
            path: "mock-server/openapi.json",
            content: control,
        },
    ])
}

fn pretty_json(document: &utoipa::openapi::OpenApi) -> Result<String, ArtifactError> {
    document
        .to_pretty_json()
        .map(|json| format!("{json}\n"))
        .map_err(|e| ArtifactError::Render {
            format: "JSON",
            message: e.to_string(),
        })
}

/// The workspace's root, where the files' paths start.
pub fn directory() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
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
            "the committed OpenAPI documents are stale ({}): run `{REGENERATE}` and commit the result",
            files.join(", ")
        )
    }
}

impl std::error::Error for Staleness {}

/// Compares the files under `dir` (a workspace's root) with what the code generates.
pub fn check(dir: &Path) -> Result<Result<(), Staleness>, ArtifactError> {
    let stale = artifacts()?
        .into_iter()
        .map(|artifact| (dir.join(artifact.path), artifact.content))
        .filter(|(path, content)| std::fs::read_to_string(path).ok().as_deref() != Some(content.as_str()))
        .map(|(path, _)| path)
        .collect::<Vec<_>>();
    Ok(if stale.is_empty() {
        Ok(())
    } else {
        Err(Staleness { stale })
    })
}

/// Writes the files under `dir` (a workspace's root), making their folders if need be.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, ArtifactError> {
    artifacts()?
        .into_iter()
        .map(|artifact| {
            let path = dir.join(artifact.path);
            path.parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, artifact.content))
                .map(|()| path.clone())
                .map_err(|source| ArtifactError::Write { path, source })
        })
        .collect()
}
