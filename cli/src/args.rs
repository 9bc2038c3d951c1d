//! The command line, as clap reads it: every command, option and its help.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;
use nixbuild::{BuildStatus, TimeBound};

use crate::parse;

/// The nixbuild.net API from the command line: builds, CI summaries, usage, waiting for
/// builds, and tokens.
///
/// The token comes from NIXBUILD_TOKEN (or --token-file), never from a visible argument.
/// Without an account, `nixbuild --demo …` runs every command against an embedded fake
/// nixbuild.net serving the builds of the service's announcement.
///
/// Exit codes: 0 success; 1 an error (one line on stderr); 2 a usage error; `wait` exits 3
/// when a build failed and 4 when it timed out.
#[derive(Debug, Parser)]
#[command(name = "nixbuild", version, propagate_version = true)]
pub struct Cli {
    /// The API's base URL, for self-hosted deployments.
    #[arg(long, global = true, env = "NIXBUILD_API_URL", value_name = "URL")]
    pub api_url: Option<String>,
    /// Read the API token from this file (`-` for stdin) instead of NIXBUILD_TOKEN.
    #[arg(long, global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Run against an embedded fake nixbuild.net with the seed builds: no account, no network.
    #[arg(long, global = true)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List builds: a table on a terminal, JSON or NDJSON for scripts.
    Builds(BuildsArgs),
    /// The CI job summary of the official GitHub Action, for any CI (or a terminal table).
    Summary(SummaryArgs),
    /// What the account is billed for.
    Usage(UsageArgs),
    /// Wait until each derivation's newest build finishes (following restarts): exit 0 when
    /// all built, 3 when one failed, 4 on timeout.
    Wait(WaitArgs),
    /// Read or narrow an API token.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print a shell completion script.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: Shell,
    },
}

/// The filters of `GET /builds` and `GET /builds/summary`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only builds of this derivation (a `/nix/store/….drv` path).
    #[arg(long, value_name = "PATH")]
    pub drv: Option<String>,
    /// Only builds with this tag; repeat for several (all must match).
    #[arg(long = "tag", value_name = "NAME=VALUE", value_parser = parse::tag)]
    pub tags: Vec<(String, String)>,
    /// Only builds in this status; repeat for several (any may match).
    #[arg(long = "status", value_name = "STATUS", value_parser = parse::status)]
    pub statuses: Vec<BuildStatus>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// At most this many builds, the newest.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
}

/// A creation-time window.
#[derive(Debug, Args)]
pub struct WindowArgs {
    /// Created at or after: a date (2024-05-01), an RFC 3339 time, or an age (90m, 7d).
    #[arg(long, value_name = "TIME", value_parser = parse::time_bound)]
    pub since: Option<TimeBound>,
    /// Created before: a date, an RFC 3339 time, or an age.
    #[arg(long, value_name = "TIME", value_parser = parse::time_bound)]
    pub until: Option<TimeBound>,
}

#[derive(Debug, Args)]
pub struct BuildsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Every matching build, fetched page by page and printed as each page arrives, in
    /// constant memory whatever the format.
    #[arg(long)]
    pub all: bool,
    /// One JSON array.
    #[arg(long, conflicts_with = "ndjson")]
    pub json: bool,
    /// One build per line, as JSON.
    #[arg(long)]
    pub ndjson: bool,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The Action's Markdown job summary (append it to $GITHUB_STEP_SUMMARY, a GitLab
    /// artifact, a PR comment…).
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Its heading for a whole workflow run (the default).
    #[arg(long, requires = "markdown", conflicts_with = "job")]
    pub workflow: bool,
    /// Its heading for one job.
    #[arg(long, requires = "markdown")]
    pub job: bool,
    /// The summary's figures as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    /// As JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The derivation to wait for (or --tag).
    #[arg(value_name = "DRV", required_unless_present = "tags")]
    pub drv: Option<String>,
    /// Wait for the builds with this tag; repeat for several.
    #[arg(long = "tag", value_name = "NAME=VALUE", value_parser = parse::tag)]
    pub tags: Vec<(String, String)>,
    /// Only builds created since: a date, an RFC 3339 time, or an age. The default, 6h, is
    /// the longest a GitHub Actions job runs: the builds of this CI run count, last week's
    /// success of the same derivation does not. Give an older date to count those too.
    #[arg(long, value_name = "TIME", default_value = "6h", value_parser = parse::time_bound)]
    pub since: TimeBound,
    /// Give up after this long (90s, 30m, 2h).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse::duration)]
    pub timeout: Duration,
    /// Done when any derivation's newest build has finished, not every one.
    #[arg(long)]
    pub any: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Show what a token says: owner, rights, expiry, every block's Datalog. It does not
    /// verify the signature.
    Inspect {
        /// Read the token from this file, or `-` for stdin (default: NIXBUILD_TOKEN).
        #[arg(value_name = "FILE")]
        source: Option<PathBuf>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a narrower token: a shorter life, fewer rights, one build. Offline.
    Attenuate {
        /// Read the token from this file, or `-` for stdin (default: NIXBUILD_TOKEN).
        #[arg(value_name = "FILE")]
        source: Option<PathBuf>,
        /// Its new lifetime from now (30m, 2h, 7d).
        #[arg(long, value_name = "DURATION", value_parser = parse::duration)]
        ttl: Option<Duration>,
        /// Keep only these rights (build:read, build:write); repeat for several.
        #[arg(long = "only", value_name = "RIGHT")]
        only: Vec<String>,
        /// Only for this build.
        #[arg(long, value_name = "ID")]
        build: Option<u64>,
    },
}
