//! The CI build summary: what the official nixbuild.net GitHub Action publishes as a job
//! summary, rendered from a [`BuildsSummary`](crate::BuildsSummary) and its builds, as
//! Markdown (the Action's HTML tables) or as plain text for a terminal.
//!
//! ```no_run
//! # async fn run(client: nixbuild::Client) -> nixbuild::Result<()> {
//! use nixbuild::report::{self, Scope};
//!
//! let summary = client.builds().summary().tag("GITHUB_RUN_ID", "42").send().await?;
//! let builds = client.builds().list().tag("GITHUB_RUN_ID", "42").send().await?;
//! let markdown = report::markdown(&summary, &builds, Scope::Workflow);
//! println!("{}", report::text(&summary, &builds));
//! # let _ = markdown;
//! # Ok(())
//! # }
//! ```

pub mod human;
mod markdown;
mod marks;
mod numbers;
mod scope;
mod text;

pub use markdown::markdown;
pub use scope::Scope;
pub use text::{Colour, text, text_with};
