//! `nixbuild token`: a token read as data (owner, rights, expiry, every block's Datalog) and
//! narrowed offline. Neither verifies the signature: only the service can.

use std::path::Path;

use nixbuild::token::TokenInfo;

use crate::Failure;
use crate::args::{TextFormat, TokenCommand};
use crate::connect::read_token;
use crate::output;

const NOT_VERIFIED: &str =
    "This shows what the token says; it does not verify its signature (only the service can).";

pub fn run(command: TokenCommand, token_file: Option<&Path>) -> Result<(), Failure> {
    match command {
        TokenCommand::Inspect { source, format } => {
            let token = read_token(source.as_deref().or(token_file))?;
            let info = token
                .inspect()
                .map_err(|e| Failure::error(format!("cannot read the token: {e}")))?;
            if format == TextFormat::Json {
                output::print(&output::json_line(&as_json(&info))?)
            } else {
                output::print(&format!(
                    "{NOT_VERIFIED}\n\n{}\n",
                    output::clean_lines(&info.to_string())
                ))
            }
        }
        TokenCommand::Attenuate {
            source,
            ttl,
            only,
            build,
        } => {
            if ttl.is_none() && only.is_empty() && build.is_none() {
                return Err(Failure::usage("nothing to narrow: give --ttl, --only or --build"));
            }
            let token = read_token(source.as_deref().or(token_file))?;
            let mut attenuation = token.attenuate();
            if let Some(ttl) = ttl {
                attenuation = attenuation.expires_in(ttl);
            }
            if !only.is_empty() {
                attenuation = attenuation.only(only);
            }
            if let Some(build) = build {
                attenuation = attenuation.only_build(build);
            }
            let narrowed = attenuation
                .finish()
                .map_err(|e| Failure::error(format!("cannot attenuate the token: {e}")))?;
            output::print(&format!("{}\n", narrowed.expose_secret()))
        }
    }
}

/// What `--json` shows: the figures and each block's Datalog as text.
fn as_json(info: &TokenInfo) -> serde_json::Value {
    serde_json::json!({
        "signature_verified": false,
        "owner": info.owner,
        "account": info.account,
        "rights": info.rights,
        "expires_at": info.expires_at.map(|t| t.to_rfc3339()),
        "sealed": info.sealed,
        "blocks": info.blocks.iter().map(|block| block.to_string()).collect::<Vec<_>>(),
    })
}
