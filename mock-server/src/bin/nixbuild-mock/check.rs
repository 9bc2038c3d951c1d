//! `nixbuild-mock check`: the mock's answers over a recording's builds, compared with the
//! recorded ones.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use nixbuild_mock::recording::{Recording, check};

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The recording (`record --out`).
    #[arg(value_name = "FILE")]
    recording: PathBuf,
}

/// Exit 0 when every answer agrees, 1 when one differs, 2 when the recording cannot be
/// read.
pub(crate) async fn run(args: CheckArgs) -> ExitCode {
    let report = match Recording::read(&args.recording) {
        Ok(recording) => check(&recording).await,
        Err(e) => Err(e),
    };
    match report {
        Ok(report) => {
            for line in report.to_string().lines() {
                println!("{}", nixbuild::printable::escape_controls(line));
            }
            if report.agrees() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!(
                "nixbuild-mock: {}",
                nixbuild::printable::escape_controls(&e.to_string())
            );
            ExitCode::from(2)
        }
    }
}
