//! Where a command's client and token come from: NIXBUILD_TOKEN, a file or stdin, never a
//! visible argument; the real API (or --api-url), or with --demo an embedded mock.

use std::io::Read;
use std::path::Path;

use nixbuild::{Client, Token};
#[cfg(feature = "demo")]
use nixbuild_mock::{MockNixbuild, fixtures};

use crate::Failure;

/// The largest token file read (a nixbuild.net token is a few hundred bytes).
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

/// A client, and the mock behind it when it is a demo (kept alive as long as the client).
pub struct Connection {
    pub client: Client,
    #[cfg(feature = "demo")]
    _demo: Option<MockNixbuild>,
}

/// The client of a command that calls the API.
pub async fn connect(
    api_url: Option<&str>,
    token_file: Option<&Path>,
    demo: bool,
) -> Result<Connection, Failure> {
    #[cfg(feature = "demo")]
    if demo {
        let mock = MockNixbuild::builder().builds(fixtures::seed()).start().await;
        eprintln!(
            "nixbuild: demo: an embedded fake nixbuild.net with the {} builds of the service's announcement",
            mock.build_count()
        );
        return Ok(Connection {
            client: mock.client(),
            _demo: Some(mock),
        });
    }
    let token = read_token(token_file)?;
    let mut builder = Client::builder().token(token);
    if let Some(url) = api_url {
        builder = builder.base_url(url);
    }
    #[cfg(not(feature = "demo"))]
    let _ = demo;
    Ok(Connection {
        client: builder.build().map_err(Failure::from)?,
        #[cfg(feature = "demo")]
        _demo: None,
    })
}

/// The token: from `source` (a file, or `-` for stdin) when given, else NIXBUILD_TOKEN.
pub fn read_token(source: Option<&Path>) -> Result<Token, Failure> {
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
