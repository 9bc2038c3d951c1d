//! Where a command's client and token come from: NIXBUILD_TOKEN, a file or stdin, never a
//! visible argument; the real API (or --api-url, or NIXBUILD_API_URL); or with --demo an
//! embedded mock and a token of its own.

use std::io::Read;
use std::path::{Path, PathBuf};

use nixbuild::{Client, Token};
#[cfg(feature = "demo")]
use nixbuild_mock::{MockNixbuild, fixtures};

use crate::Failure;

/// The largest token file read (a nixbuild.net token is a few hundred bytes).
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

/// Where the API and the token come from, as the global options say.
#[derive(Debug)]
pub enum Origin {
    /// The embedded fake nixbuild.net, with its own token.
    Demo,
    /// A real (or self-hosted) API.
    Api {
        /// --api-url, else NIXBUILD_API_URL, else the real API.
        url: Option<String>,
        /// --token-file, else NIXBUILD_TOKEN.
        token_file: Option<PathBuf>,
    },
}

impl Origin {
    /// The origin the options describe. `--demo` brings its own API and token, so giving
    /// it one too (--api-url, --token-file) is a usage error rather than silently ignored;
    /// the environment's are set for every command and are not used.
    pub fn new(demo: bool, api_url: Option<String>, token_file: Option<PathBuf>) -> Result<Origin, Failure> {
        if demo {
            if api_url.is_some() {
                return Err(Failure::usage(
                    "--demo runs against an embedded fake nixbuild.net: it takes no --api-url",
                ));
            }
            if token_file.is_some() {
                return Err(Failure::usage(
                    "--demo brings its own token: it takes no --token-file",
                ));
            }
            return Ok(Origin::Demo);
        }
        // The SDK's own reading of NIXBUILD_API_URL, so that the command and a program
        // using the SDK agree on what an empty or blank value means.
        let url = api_url.or_else(nixbuild::api_url_from_env);
        Ok(Origin::Api { url, token_file })
    }

    /// The token of a command that reads tokens (`token …`): `source` (a file, or `-`),
    /// else --token-file, else NIXBUILD_TOKEN; with --demo, a token of the demo's own.
    pub fn token(&self, source: Option<&Path>) -> Result<Token, Failure> {
        match self {
            Origin::Demo if source.is_some() => Err(Failure::usage(
                "--demo brings its own token: give no FILE with it",
            )),
            Origin::Demo => demo_token(),
            Origin::Api { token_file, .. } => read_token(source.or(token_file.as_deref())),
        }
    }

    /// The client of a command that calls the API.
    pub async fn connect(&self) -> Result<Connection, Failure> {
        match self {
            Origin::Demo => demo_connection().await,
            Origin::Api { url, token_file } => {
                let token = read_token(token_file.as_deref())?;
                let mut builder = Client::builder().token(token);
                if let Some(url) = url {
                    builder = builder.base_url(url);
                }
                Ok(Connection {
                    client: builder.build().map_err(Failure::from)?,
                    #[cfg(feature = "demo")]
                    _demo: None,
                })
            }
        }
    }
}

/// A client, and the mock behind it when it is a demo (kept alive as long as the client).
pub struct Connection {
    pub client: Client,
    #[cfg(feature = "demo")]
    _demo: Option<std::sync::Arc<MockNixbuild>>,
}

impl Connection {
    /// Keeps the demo's embedded fake running after the command (`ran`), with a one-time
    /// URL of its dashboard on stderr, until the process is interrupted: a look at what the
    /// command sent. Nothing for a real API, which has no dashboard.
    pub async fn show_dashboard(self, ran: &Result<(), Failure>) {
        #[cfg(feature = "demo")]
        if let Some(mock) = &self._demo {
            let outcome = if ran.is_ok() { "done" } else { "failed" };
            eprintln!(
                "nixbuild: demo: the command {outcome}; the embedded fake's dashboard (one use, ten minutes): {}",
                mock.dashboard_url()
            );
            eprintln!("nixbuild: demo: serving until Ctrl-C");
            std::future::pending::<()>().await;
        }
        let _ = (self, ran);
    }
}

/// How long into the demo its running build finishes: long enough for `wait` to show its
/// spinner, short enough to watch.
#[cfg(feature = "demo")]
const DEMO_BUILD_FINISHES_AFTER: std::time::Duration = std::time::Duration::from_secs(3);

#[cfg(feature = "demo")]
async fn demo_connection() -> Result<Connection, Failure> {
    let builds = fixtures::demo(chrono::Utc::now());
    let running = builds
        .iter()
        .find(|build| build.name() == fixtures::DEMO_RUNNING)
        .map(|build| (build.build_id, build.derivation_path.clone()));
    let mock = std::sync::Arc::new(MockNixbuild::builder().builds(builds).start().await);
    eprintln!(
        "nixbuild: demo: an embedded fake nixbuild.net: the 2 builds of the service's announcement, and a CI run of {} (GITHUB_RUN_ID={}) from the last hour",
        fixtures::DEMO_REPOSITORY,
        fixtures::DEMO_RUN_ID
    );
    if let Some((id, derivation)) = running {
        eprintln!(
            "nixbuild: demo: its {} finishes {} s in: nixbuild --demo wait {derivation}",
            fixtures::DEMO_RUNNING,
            DEMO_BUILD_FINISHES_AFTER.as_secs()
        );
        let finishing = std::sync::Arc::clone(&mock);
        tokio::spawn(async move {
            tokio::time::sleep(DEMO_BUILD_FINISHES_AFTER).await;
            let _ = finishing.set_status(id, nixbuild::BuildStatus::Built);
        });
    }
    Ok(Connection {
        client: mock.client(),
        _demo: Some(mock),
    })
}

/// The demo's token: what `nixbuild --demo`'s API accepts, signed by a key of its own.
#[cfg(feature = "demo")]
fn demo_token() -> Result<Token, Failure> {
    eprintln!("nixbuild: demo: a token of an embedded fake nixbuild.net (account 1, valid for a day)");
    Ok(nixbuild_mock::Authority::generate()
        .tokens()
        .rights(["build:read", "build:write"])
        .expires_in(std::time::Duration::from_secs(24 * 3600))
        .mint())
}

// Without the `demo` feature clap has no --demo, so these are never reached.
#[cfg(not(feature = "demo"))]
async fn demo_connection() -> Result<Connection, Failure> {
    Err(Failure::usage("this nixbuild was built without --demo"))
}

#[cfg(not(feature = "demo"))]
fn demo_token() -> Result<Token, Failure> {
    Err(Failure::usage("this nixbuild was built without --demo"))
}

/// The token: from `source` (a file, or `-` for stdin) when given, else NIXBUILD_TOKEN.
fn read_token(source: Option<&Path>) -> Result<Token, Failure> {
    let text = match source {
        Some(path) if path == Path::new("-") => read_bounded(std::io::stdin().lock(), "stdin")?,
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| Failure::error(format!("cannot read the token file {}: {e}", path.display())))?;
            read_bounded(file, &path.display().to_string())?
        }
        None => std::env::var(nixbuild::TOKEN_ENV).map_err(|_| {
            Failure::error(format!(
                "no token: set {}, or give --token-file FILE (`-` for stdin), or try --demo",
                nixbuild::TOKEN_ENV
            ))
        })?,
    };
    let token = text.trim();
    if token.is_empty() {
        return Err(Failure::error("the token is empty"));
    }
    Ok(Token::new(token))
}

fn read_bounded(reader: impl Read, name: &str) -> Result<String, Failure> {
    let mut text = String::new();
    reader
        .take(MAX_TOKEN_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure::error(format!("cannot read the token from {name}: {e}")))?;
    if text.len() as u64 > MAX_TOKEN_BYTES {
        return Err(Failure::error(format!(
            "{name} holds more than {MAX_TOKEN_BYTES} bytes: not a token"
        )));
    }
    Ok(text)
}
