//! The command line, as clap reads it: every command, option and its help.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use nixbuild::{BuildStatus, TimeBound};

use crate::parse;

/// The nixbuild.net API from the command line: builds, CI summaries, usage, waiting for
/// builds, and tokens.
///
/// The token comes from NIXBUILD_TOKEN (or --token-file), never from a visible argument; the
/// API's URL from --api-url or NIXBUILD_API_URL. Without an account, `nixbuild --demo …`
/// runs every command against an embedded fake nixbuild.net serving the builds of the
/// service's announcement, with a token of its own.
///
/// Exit codes: 0 success; 1 an error (one line on stderr); 2 a usage error; `wait` exits 3
/// when a build failed and 4 when it timed out.
#[derive(Debug, Parser)]
#[command(name = "nixbuild", version, propagate_version = true)]
pub struct Cli {
    /// The API's base URL, for self-hosted deployments [default: NIXBUILD_API_URL, else
    /// the real API].
    // Read from the environment by `connect`, not by clap: clap would print an option set
    // there in every usage line, as if it were required.
    #[arg(long, global = true, value_name = "URL", help_heading = GLOBAL)]
    pub api_url: Option<String>,
    /// Read the API token from this file (`-` for stdin) instead of NIXBUILD_TOKEN.
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub token_file: Option<PathBuf>,
    /// Run against an embedded fake nixbuild.net with the seed builds and a token of its
    /// own: no account, no network (NIXBUILD_TOKEN and NIXBUILD_API_URL are not used).
    #[cfg(feature = "demo")]
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub demo: bool,
    /// With --demo: after the command, keep the embedded fake running and print a one-time
    /// URL of its dashboard (what the command sent, the builds, faults and clock, in a
    /// browser), until Ctrl-C.
    #[cfg(feature = "demo")]
    #[arg(long, global = true, requires = "demo", help_heading = GLOBAL)]
    pub dashboard: bool,
    /// Colour on a terminal (auto: unless NO_COLOR is set; CLICOLOR_FORCE forces it).
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto", help_heading = GLOBAL)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

/// The heading of the options every command takes.
const GLOBAL: &str = "Global options";

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set (or when CLICOLOR_FORCE is).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// How `builds` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuildsFormat {
    /// A table for people.
    Table,
    /// One JSON array.
    Json,
    /// One build per line, as JSON.
    Ndjson,
}

/// How `summary` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// A table for people.
    Table,
    /// The Action's Markdown job summary (append it to $GITHUB_STEP_SUMMARY, a GitLab
    /// artifact, a PR comment…).
    Markdown,
    /// The summary's figures as JSON.
    Json,
}

/// How `usage` and `token inspect` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    /// Text for people.
    Text,
    /// JSON.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List builds: a table on a terminal, JSON or NDJSON for scripts.
    #[command(after_help = "Examples:
  nixbuild builds --tag GITHUB_REPOSITORY=acme/web --status build_failed --since 7d
  nixbuild builds --drv /nix/store/…-hello-2.12.drv --format json
  nixbuild builds --all --format ndjson | jq -r .derivation_path")]
    Builds(BuildsArgs),
    /// The CI job summary of the official GitHub Action, for any CI (or a terminal table).
    #[command(after_help = "Examples:
  nixbuild summary --tag GITHUB_RUN_ID=$GITHUB_RUN_ID --format markdown >> \"$GITHUB_STEP_SUMMARY\"
  nixbuild summary --tag CI_PIPELINE_ID=$CI_PIPELINE_ID
  nixbuild --demo summary")]
    Summary(SummaryArgs),
    /// What the account is billed for.
    #[command(after_help = "Examples:
  nixbuild usage --since 2024-05-01 --until 2024-06-01
  nixbuild usage --since 30d --format json")]
    Usage(UsageArgs),
    /// Wait until each derivation's newest build finishes (following restarts): exit 0 when
    /// all built, 3 when one failed, 4 on timeout.
    #[command(after_help = "Examples:
  nixbuild wait /nix/store/…-hello-2.12.drv --timeout 30m
  nixbuild wait --tag GITHUB_RUN_ID=$GITHUB_RUN_ID --since 2h
  nixbuild wait --tag CI_PIPELINE_ID=$CI_PIPELINE_ID --any")]
    Wait(WaitArgs),
    /// Read or narrow an API token.
    #[command(
        subcommand,
        after_help = "Examples:
  nixbuild token inspect --format json
  nixbuild token attenuate --ttl 2h --only build:read > ci-token
  nixbuild token inspect ci-token"
    )]
    Token(TokenCommand),
    /// Print a shell completion script (`completions --help` says where it goes).
    #[command(after_help = "Installing it (a new shell then completes nixbuild):
  bash:  nixbuild completions bash > ~/.local/share/bash-completion/completions/nixbuild
  zsh:   nixbuild completions zsh > ~/.zfunc/_nixbuild    # with fpath+=~/.zfunc before compinit in ~/.zshrc
  fish:  nixbuild completions fish > ~/.config/fish/completions/nixbuild.fish
  elvish:      nixbuild completions elvish >> ~/.config/elvish/rc.elv
  powershell:  nixbuild completions powershell >> $PROFILE")]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: Shell,
    },
}

/// The filters of `GET /builds` and `GET /builds/summary`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only builds of this derivation: its store path, `/nix/store/<hash>-<name>.drv`.
    #[arg(long, value_name = "PATH", value_parser = parse::derivation_path)]
    pub drv: Option<String>,
    /// Only builds with this tag; repeat for several (all must match).
    #[arg(long = "tag", value_name = "NAME=VALUE", value_parser = parse::tag)]
    pub tags: Vec<(String, String)>,
    /// Only builds in this status; repeat for several (any may match).
    #[arg(long = "status", value_name = "STATUS", value_parser = parse::known_status())]
    pub statuses: Vec<BuildStatus>,
    /// A status newer than this nixbuild (not among --status's values), sent as written;
    /// repeat for several.
    #[arg(long = "other-status", value_name = "STATUS", value_parser = parse::other_status)]
    pub other_statuses: Vec<BuildStatus>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// At most this many builds, the newest.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
}

/// A creation-time window.
#[derive(Debug, Args)]
pub struct WindowArgs {
    /// Created at or after: a date (2024-05-01), an RFC 3339 time, or an age (90m, 7d: from
    /// now rounded down to the minute, so that a recorded request replays within it).
    #[arg(long, value_name = "TIME", value_parser = parse::time_bound)]
    pub since: Option<TimeBound>,
    /// Created before: a date, an RFC 3339 time, or an age (rounded down to the minute).
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
    /// How to print them.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: BuildsFormat,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// How to print it.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: SummaryFormat,
    /// The Markdown's heading for a whole workflow run (the default).
    #[arg(long, conflicts_with = "job")]
    pub workflow: bool,
    /// The Markdown's heading for one job.
    #[arg(long)]
    pub job: bool,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    /// How to print it.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: TextFormat,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The derivation to wait for, by its store path `/nix/store/<hash>-<name>.drv` (or
    /// --tag).
    #[arg(value_name = "DRV", required_unless_present = "tags", value_parser = parse::derivation_path)]
    pub drv: Option<String>,
    /// Wait for the builds with this tag; repeat for several.
    #[arg(long = "tag", value_name = "NAME=VALUE", value_parser = parse::tag)]
    pub tags: Vec<(String, String)>,
    /// Only builds created since: a date, an RFC 3339 time, or an age (from now rounded
    /// down to the minute, so that a recorded wait replays within it). The default, 6h, is
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
        /// How to print it.
        #[arg(long, value_name = "FORMAT", default_value = "text")]
        format: TextFormat,
    },
    /// Print a narrower token: a shorter life, fewer rights, one build. Offline.
    Attenuate {
        /// Read the token from this file, or `-` for stdin (default: NIXBUILD_TOKEN).
        #[arg(value_name = "FILE")]
        source: Option<PathBuf>,
        /// Its new lifetime from now (30m, 2h, 7d).
        #[arg(long, value_name = "DURATION", value_parser = parse::duration)]
        ttl: Option<Duration>,
        /// Keep only these rights; repeat for several.
        #[arg(long = "only", value_name = "RIGHT", value_parser = PossibleValuesParser::new(nixbuild::token::KNOWN_RIGHTS))]
        only: Vec<String>,
        /// Only for this build.
        #[arg(long, value_name = "ID")]
        build: Option<u64>,
        /// Only beside a CI job's OIDC ID token (NIXBUILDNET-OIDC-ID-TOKEN) whose claim NAME
        /// is VALUE, such as repository=acme/web; repeat for several. Checks the
        /// `jwt_claim(NAME, VALUE)` fact (the mock's and this tool's contract; see the guide).
        #[arg(long = "oidc-claim", value_name = "NAME=VALUE", value_parser = parse::oidc_claim)]
        oidc_claims: Vec<(String, String)>,
    },
}
