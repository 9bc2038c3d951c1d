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
    /// `text`: a line per difference and skip, then the counts; `json`: one document, an
    /// object per request (its outcome, each difference as a JSON pointer with the recorded
    /// and served values, the reason for a skip). The exit code is the same either way.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

/// Exit 0 when every compared answer agrees (skipped ones, said to be, included), 1 when
/// one differs, 2 when the recording cannot be read.
pub(crate) async fn run(args: CheckArgs) -> ExitCode {
    let report = match Recording::read(&args.recording) {
        Ok(recording) => check(&recording).await,
        Err(e) => Err(e),
    };
    match report {
        Ok(report) => {
            match args.format {
                CheckFormat::Text => {
                    for line in report.to_string().lines() {
                        println!("{}", nixbuild::printable::escape_controls(line));
                    }
                }
                // Every unsafe character of a string escaped, as the text's lines are.
                CheckFormat::Json => match nixbuild::printable::to_json_string(&report.to_json()) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("nixbuild-mock: cannot write the report: {e}");
                        return ExitCode::from(2);
                    }
                },
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
