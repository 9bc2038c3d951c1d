//! `nixbuild-mock`: the fake nixbuild.net as a standalone server, for tests in any language.
//!
//! On start it prints, on stdout, lines a shell can source (comments start with `#`; it keeps
//! running, so redirect them to a file and source that once the `export` line is there):
//!
//! ```text
//! # nixbuild-mock: 2 builds; root public key ed25519/…
//! NIXBUILD_API_URL=http://127.0.0.1:41234
//! NIXBUILD_MOCK_URL=http://127.0.0.1:41234
//! NIXBUILD_MOCK_PORT=41234
//! NIXBUILD_TOKEN=En0K…
//! NIXBUILD_MOCK_ADMIN_TOKEN=nbmock-admin-…
//! export NIXBUILD_API_URL NIXBUILD_MOCK_URL NIXBUILD_MOCK_PORT NIXBUILD_TOKEN NIXBUILD_MOCK_ADMIN_TOKEN
//! ```
//!
//! `NIXBUILD_MOCK_URL` is the server's root, where the control API lives (`/_mock`), and
//! `NIXBUILD_MOCK_ADMIN_TOKEN` its secret.
//!
//! then logs each request on one line on stderr, and exits cleanly on Ctrl-C or SIGTERM.
//!
//! Recordings (see `nixbuild_mock::recording`):
//!
//! ```text
//! nixbuild-mock record --out rec.json [--upstream URL] [--anonymise]   # a recording proxy
//! nixbuild-mock --builds rec.json                                     # its builds, stateful
//! nixbuild-mock replay rec.json [--ignore-param NAME]                 # its answers, as recorded
//! nixbuild-mock check rec.json [--format json]                        # the mock against them
//! nixbuild-mock record --refresh rec.json --out new.json              # asked again (NIXBUILD_TOKEN)
//! ```
//!
//! The port it prints is its front's (`nixbuild_mock::front`), which bounds headers, bodies
//! and the time to send them before anything is buffered, then hands each request to the mock
//! in process (whose wiremock server, on a loopback port of its own, is left unused).

mod check;
mod process;
mod record;
mod refresh;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, Parser, Subcommand};
use nixbuild_mock::front;

/// A fake nixbuild.net: the read API over a store of builds, with real Biscuit auth.
#[derive(Debug, Parser)]
#[command(name = "nixbuild-mock", version, args_conflicts_with_subcommands = true)]
struct Args {
    /// A JSON array of builds, or a recording (`record --out`), to serve (the seed builds
    /// when neither this nor --generate).
    #[arg(long, value_name = "FILE", conflicts_with = "generate")]
    builds: Option<PathBuf>,
    /// Start with no builds at all (a test adds its own through the control API).
    #[arg(long, conflicts_with_all = ["builds", "generate"])]
    empty: bool,
    /// Serve N synthetic builds instead.
    #[arg(long, value_name = "N")]
    generate: Option<usize>,
    /// The seed of --generate: the same seed gives the same builds.
    #[arg(long, value_name = "S", default_value_t = 1, requires = "generate")]
    seed: u64,
    #[command(flatten)]
    serve: serve::ServeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Stand between a client and the real service: forward each request with the
    /// client's own token, answer with the service's answer, and record the builds and the
    /// read requests' answers into a file (never a token).
    Record(record::RecordArgs),
    /// Answer each request exactly as a recording answered it; any other with a 404 that
    /// names the nearest recorded request.
    Replay(ReplayArgs),
    /// Ask a mock serving a recording's builds every recorded request, and report each
    /// answer that differs from the recorded one (exit 1 when one does, 2 when the
    /// recording cannot be read).
    Check(check::CheckArgs),
}

#[derive(Debug, ClapArgs)]
struct ReplayArgs {
    /// The recording (`record --out`).
    #[arg(value_name = "FILE")]
    recording: PathBuf,
    /// A query parameter a request matches its recorded one whatever it holds (or whether it
    /// is sent at all): one your own client makes unique to each request, a timestamp or a
    /// nonce. Repeatable. (`nixbuild`'s relative times are rounded to the minute already.)
    #[arg(long = "ignore-param", value_name = "NAME")]
    ignore_params: Vec<String>,
    #[command(flatten)]
    serve: serve::ServeArgs,
}

/// Where a server listens and how long a client may take to send: every mode's.
#[derive(Debug, ClapArgs)]
struct ListenArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free one (printed on start).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Exit when standard input closes: a test harness that dies, however it dies, takes the
    /// mock with it (the Python fixture starts it so).
    #[arg(long)]
    exit_with_stdin: bool,
    /// Exit when the process that started it ends (on Unix; it looks four times a second),
    /// even if a child of that process still holds its standard input open.
    #[arg(long)]
    exit_with_parent: bool,
    /// How long a client may take to send a request's headers, and then its whole body, in
    /// seconds (fractions allowed).
    #[arg(long, value_name = "SECONDS", default_value_t = front::DEFAULT_READ_TIMEOUT.as_secs_f64(), value_parser = read_timeout)]
    read_timeout: f64,
}

impl ListenArgs {
    fn bind(&self) -> Result<std::net::TcpListener, String> {
        std::net::TcpListener::bind((self.host.as_str(), self.port))
            .map_err(|e| format!("cannot listen on {}:{}: {e}", self.host, self.port))
    }

    fn read_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.read_timeout)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let outcome = match args.command {
        None => {
            let builds = load_builds(args.builds.as_deref(), args.empty, args.generate, args.seed);
            match builds {
                Ok(builds) => serve::run(&args.serve, serve::Serving::Builds(builds)).await,
                Err(message) => Err(message),
            }
        }
        Some(Command::Replay(replay)) => match nixbuild_mock::recording::Recording::read(&replay.recording) {
            Ok(recording) => {
                let serving = serve::Serving::Replay(recording, replay.ignore_params);
                serve::run(&replay.serve, serving).await
            }
            Err(e) => Err(e.to_string()),
        },
        Some(Command::Record(record)) => record::run(record).await,
        Some(Command::Check(check)) => return check::run(check).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!(
                "nixbuild-mock: {}",
                nixbuild::printable::escape_controls(&message)
            );
            ExitCode::FAILURE
        }
    }
}

/// A read timeout: a number of seconds from a millisecond to a day.
fn read_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if (0.001..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err("a number of seconds from 0.001 to 86400".into()),
    }
}

fn load_builds(
    path: Option<&std::path::Path>,
    empty: bool,
    generate: Option<usize>,
    seed: u64,
) -> Result<Vec<nixbuild::Build>, String> {
    if empty {
        return Ok(Vec::new());
    }
    if let Some(n) = generate {
        return Ok(nixbuild_mock::fixtures::generate(n, seed));
    }
    let Some(path) = path else {
        return Ok(nixbuild_mock::fixtures::seed());
    };
    nixbuild_mock::recording::read_builds(path).map_err(|e| e.to_string())
}
