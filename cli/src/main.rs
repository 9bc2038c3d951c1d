//! `nixbuild`: the nixbuild.net API from the command line, a thin layer over the `nixbuild`
//! crate: each command is one or two SDK calls and their output.

mod args;
mod commands;
mod connect;
mod output;
mod parse;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// Exit code of a `wait` whose builds finished with a failure.
const EXIT_BUILD_FAILED: u8 = 3;
/// Exit code of a `wait` that timed out.
const EXIT_TIMED_OUT: u8 = 4;

/// Why a command did not succeed: the line for stderr (none when the output said it) and
/// the exit code.
#[derive(Debug)]
pub struct Failure {
    message: Option<String>,
    code: u8,
}

impl Failure {
    /// An error: exit code 1.
    pub fn error(message: impl Into<String>) -> Failure {
        Failure {
            message: Some(message.into()),
            code: 1,
        }
    }

    /// A usage error: exit code 2, as clap's own.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: Some(message.into()),
            code: 2,
        }
    }

    /// An outcome with its own exit code, already reported.
    pub fn outcome(code: u8) -> Failure {
        Failure { message: None, code }
    }
}

/// The SDK's message, on one line (it never holds a token); a filter the API would refuse
/// is a usage error (exit code 2), as clap's own are.
impl From<nixbuild::Error> for Failure {
    fn from(error: nixbuild::Error) -> Failure {
        let code = if matches!(error, nixbuild::Error::Filter(_)) {
            2
        } else {
            1
        };
        Failure {
            message: Some(error.to_string()),
            code,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if let Some(message) = failure.message {
                // Every message, configuration errors included, may hold text from outside
                // (a URL, a server's answer): escaped, it stays one line and drives nothing.
                eprintln!("nixbuild: {}", nixbuild::printable::escape_controls(&message));
            }
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    #[cfg(feature = "demo")]
    let demo = cli.demo;
    #[cfg(not(feature = "demo"))]
    let demo = false;
    let origin = connect::Origin::new(demo, cli.api_url, cli.token_file)?;
    let colour = output::colour(cli.color, std::io::stdout().is_terminal());
    // `wait` reports on stderr, which may be a terminal when stdout is not.
    let colour_stderr = output::colour(cli.color, std::io::stderr().is_terminal());
    #[cfg(feature = "demo")]
    let dashboard = cli.dashboard;
    #[cfg(not(feature = "demo"))]
    let dashboard = false;
    let api = |connection: connect::Connection, ran: Result<(), Failure>| async move {
        if dashboard {
            connection.show_dashboard(&ran).await;
        }
        ran
    };
    match cli.command {
        Command::Builds(args) => {
            let connection = origin.connect().await?;
            let ran = commands::builds::run(&connection.client, args, colour).await;
            api(connection, ran).await
        }
        Command::Summary(args) => {
            let connection = origin.connect().await?;
            let ran = commands::summary::run(&connection.client, args, colour).await;
            api(connection, ran).await
        }
        Command::Usage(args) => {
            let connection = origin.connect().await?;
            let ran = commands::usage::run(&connection.client, args).await;
            api(connection, ran).await
        }
        Command::Wait(args) => {
            let connection = origin.connect().await?;
            let ran = commands::wait::run(&connection.client, args, colour_stderr).await;
            api(connection, ran).await
        }
        Command::Token(command) => commands::token::run(command, &origin),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "nixbuild",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    }
}
