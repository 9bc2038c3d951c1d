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
//! The port it prints is its front's (`nixbuild_mock::front`), which bounds headers, bodies
//! and the time to send them before anything is buffered; the mock itself listens behind it
//! on a loopback port of its own.

use nixbuild_mock::front;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use nixbuild::Build;
use nixbuild_mock::{Authority, MockNixbuild, fixtures};

/// A fake nixbuild.net: the read API over a store of builds, with real Biscuit auth.
#[derive(Debug, Parser)]
#[command(name = "nixbuild-mock", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free one (printed on start).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// A JSON array of builds to serve (the seed builds when neither this nor --generate).
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
    /// The root private key (`ed25519-private/<hex>`); a fresh one when absent.
    #[arg(long, value_name = "KEY", conflicts_with = "root_key_file")]
    root_key: Option<String>,
    /// A file holding the root private key.
    #[arg(long, value_name = "FILE")]
    root_key_file: Option<PathBuf>,
    /// Answer every request without checking its token.
    #[arg(long)]
    no_auth: bool,
    /// Serve the API under this path prefix, such as /api/v1.
    #[arg(long, value_name = "PREFIX", default_value = "")]
    path_prefix: String,
    /// The control API's secret (a fresh random one when absent). Prefer the environment
    /// variable: an argument is visible to every user of the machine.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "NIXBUILD_MOCK_ADMIN_TOKEN",
        hide_env_values = true
    )]
    admin_token: Option<String>,
    /// Exit when standard input closes: a test harness that dies, however it dies, takes the
    /// mock with it (the Python fixture starts it so).
    #[arg(long)]
    exit_with_stdin: bool,
    /// How long a client may take to send a request's headers, and then its whole body, in
    /// seconds (fractions allowed).
    #[arg(long, value_name = "SECONDS", default_value_t = front::DEFAULT_READ_TIMEOUT.as_secs_f64(), value_parser = read_timeout)]
    read_timeout: f64,
    /// Lifetime of the printed token, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 24 * 3600)]
    token_ttl: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("nixbuild-mock: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let builds = load_builds(&args)?;
    let authority = load_authority(&args)?;
    let admin_token = args.admin_token.as_deref().map(checked_admin_token).transpose()?;
    let listener = TcpListener::bind((args.host.as_str(), args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?
        .port();
    let count = builds.len();
    // The mock behind the front: loopback only, whatever --host says.
    let upstream =
        TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let mut builder = MockNixbuild::builder()
        .authority(authority.clone())
        .builds(builds)
        .listener(upstream)
        .path_prefix(args.path_prefix.clone())
        .journal_capacity(10_000)
        .on_request(|request| eprintln!("{}", request.line()));
    if args.no_auth {
        builder = builder.without_auth();
    }
    if let Some(admin_token) = admin_token {
        builder = builder.admin_token(admin_token);
    }
    let mock = builder.start().await;
    let root_url = format!(
        "http://{}",
        listener
            .local_addr()
            .map_err(|e| format!("cannot read the bound address: {e}"))?
    );
    let prefix = mock
        .uri()
        .strip_prefix(&mock.server().uri())
        .unwrap_or_default()
        .to_owned();
    let front = front::Front::new(
        *mock.server().address(),
        mock.admin_token(),
        Duration::from_secs_f64(args.read_timeout),
    );
    let serving = tokio::spawn(front.serve(listener));
    let token = mock
        .tokens()
        .rights(["build:read", "build:write"])
        .expires_in(Duration::from_secs(args.token_ttl))
        .mint();
    let auth = if args.no_auth {
        "auth off".to_owned()
    } else {
        format!("root public key {}", authority.public_key())
    };
    println!("# nixbuild-mock: {count} builds; {auth}");
    println!("NIXBUILD_API_URL={root_url}{prefix}");
    println!("NIXBUILD_MOCK_URL={root_url}");
    println!("NIXBUILD_MOCK_PORT={port}");
    println!("NIXBUILD_TOKEN={}", token.expose_secret());
    println!("NIXBUILD_MOCK_ADMIN_TOKEN={}", mock.admin_token().expose_secret());
    // Its own pid, for `kill "$NIXBUILD_MOCK_PID"`: a shell's `$!` after `cargo run … &` is
    // cargo's, and killing cargo leaves the mock running.
    println!("NIXBUILD_MOCK_PID={}", std::process::id());
    println!(
        "export NIXBUILD_API_URL NIXBUILD_MOCK_URL NIXBUILD_MOCK_PORT NIXBUILD_TOKEN NIXBUILD_MOCK_ADMIN_TOKEN \
         NIXBUILD_MOCK_PID"
    );
    tokio::select! {
        _ = shutdown_signal() => {}
        _ = stdin_closed(), if args.exit_with_stdin => {}
        served = serving => {
            return Err(match served {
                Ok(Err(e)) => format!("the server stopped: {e}"),
                _ => "the server stopped".to_owned(),
            });
        }
    }
    eprintln!("nixbuild-mock: shutting down");
    Ok(())
}

/// A read timeout: a number of seconds from a millisecond to a day.
fn read_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if (0.001..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err("a number of seconds from 0.001 to 86400".into()),
    }
}

/// An admin token given on the command line: long enough not to be guessed, and printable
/// as one shell word.
fn checked_admin_token(token: &str) -> Result<String, String> {
    if token.len() < 16
        || token.len() > 256
        || !token
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"'\"\\$`".contains(&b))
    {
        return Err(
            "the admin token must be 16 to 256 printable ASCII characters, without quotes, \\, $ or `".into(),
        );
    }
    Ok(token.to_owned())
}

fn load_builds(args: &Args) -> Result<Vec<Build>, String> {
    if args.empty {
        return Ok(Vec::new());
    }
    if let Some(n) = args.generate {
        return Ok(fixtures::generate(n, args.seed));
    }
    let Some(path) = &args.builds else {
        return Ok(fixtures::seed());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not a JSON array of builds: {e}", path.display()))
}

fn load_authority(args: &Args) -> Result<Authority, String> {
    let key = match (&args.root_key, &args.root_key_file) {
        (Some(key), _) => key.clone(),
        (None, Some(path)) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        (None, None) => return Ok(Authority::generate()),
    };
    Authority::from_private_key(&key).map_err(|e| format!("bad root key: {e}"))
}

/// Returns once standard input reaches its end (or fails). Read on a detached thread, not
/// tokio's blocking pool, whose shutdown would wait for a read that may never end.
async fn stdin_closed() {
    let (closed, on_close) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = [0u8; 1024];
        let mut stdin = std::io::stdin().lock();
        while let Ok(1..) = std::io::Read::read(&mut stdin, &mut sink) {}
        let _ = closed.send(());
    });
    let _ = on_close.await;
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
