//! Serving: the mock behind its front, over builds or a recording, until told to stop.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use nixbuild::Build;
use nixbuild_mock::recording::Recording;
use nixbuild_mock::{Authority, MockNixbuild, front};

use crate::ListenArgs;
use crate::process::{parent_ended, shutdown_signal, stdin_closed};

/// How a serving mock is set up: where it listens, its keys and tokens.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    listen: ListenArgs,
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
    /// Lifetime of the printed token, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 24 * 3600)]
    token_ttl: u64,
}

/// What the API answers from.
pub(crate) enum Serving {
    /// A store of builds, changing as the control API says.
    Builds(Vec<Build>),
    /// A recording's answers, as recorded; a request matches whatever the named query
    /// parameters hold.
    Replay(Recording, Vec<String>),
}

pub(crate) async fn run(args: &ServeArgs, serving: Serving) -> Result<(), String> {
    let authority = load_authority(args)?;
    let admin_token = args.admin_token.as_deref().map(checked_admin_token).transpose()?;
    let listener = args.listen.bind()?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?
        .port();
    // The mock's wiremock server, which the front leaves unused (it calls the mock in
    // process): loopback only, whatever --host says.
    let upstream =
        TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let mut builder = MockNixbuild::builder()
        .authority(authority.clone())
        .listener(upstream)
        .path_prefix(args.path_prefix.clone())
        .journal_capacity(10_000)
        .on_request(|request| eprintln!("{}", request.line()));
    let what = match serving {
        Serving::Builds(builds) => {
            let what = nixbuild::report::human::count(builds.len() as u64, "build");
            builder = builder.builds(builds);
            what
        }
        Serving::Replay(recording, ignored) => {
            let what = format!(
                "replaying {}",
                nixbuild::report::human::count(recording.interactions.len() as u64, "recorded request")
            );
            builder = builder.replay(recording).ignore_params(ignored);
            what
        }
    };
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
    let front = front::Front::new(&mock, args.listen.read_timeout());
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
    println!("# nixbuild-mock: {what}; {auth}");
    println!("NIXBUILD_API_URL={root_url}{prefix}");
    println!("NIXBUILD_MOCK_URL={root_url}");
    println!("NIXBUILD_MOCK_PORT={port}");
    println!("NIXBUILD_TOKEN={}", token.expose_secret());
    println!("NIXBUILD_MOCK_ADMIN_TOKEN={}", mock.admin_token().expose_secret());
    // One use, within ten minutes; POST /_mock/ui/login (admin token) makes another.
    let dashboard = mock.dashboard_url();
    let login = dashboard.strip_prefix(&mock.server().uri()).unwrap_or(&dashboard);
    println!("NIXBUILD_MOCK_DASHBOARD_URL={root_url}{login}");
    // Its own pid, for `kill "$NIXBUILD_MOCK_PID"`: a shell's `$!` after `cargo run … &` is
    // cargo's, and killing cargo leaves the mock running.
    println!("NIXBUILD_MOCK_PID={}", std::process::id());
    println!(
        "export NIXBUILD_API_URL NIXBUILD_MOCK_URL NIXBUILD_MOCK_PORT NIXBUILD_TOKEN NIXBUILD_MOCK_ADMIN_TOKEN \
         NIXBUILD_MOCK_DASHBOARD_URL NIXBUILD_MOCK_PID"
    );
    tokio::select! {
        _ = shutdown_signal() => {}
        _ = stdin_closed(), if args.listen.exit_with_stdin => {}
        _ = parent_ended(), if args.listen.exit_with_parent => {}
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

fn load_authority(args: &ServeArgs) -> Result<Authority, String> {
    let key = match (&args.root_key, &args.root_key_file) {
        (Some(key), _) => key.clone(),
        (None, Some(path)) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        (None, None) => return Ok(Authority::generate()),
    };
    Authority::from_private_key(&key).map_err(|e| format!("bad root key: {e}"))
}
