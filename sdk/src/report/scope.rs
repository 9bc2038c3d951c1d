//! [`Scope`]: what a summary covers, which its heading names.

/// What a summary covers, which its heading says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Scope {
    /// Every job of a workflow run (`GITHUB_RUN_ID` and `GITHUB_RUN_ATTEMPT` tags).
    #[default]
    Workflow,
    /// One job.
    Job,
}
