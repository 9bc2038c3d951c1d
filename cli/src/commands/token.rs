//! `nixbuild token`: a token read as data (owner, rights, expiry, every block's Datalog) and
//! narrowed offline. Neither verifies the signature: only the service can.

use nixbuild::token::TokenInfo;

use crate::Failure;
use crate::args::{TextFormat, TokenCommand};
use crate::connect::Origin;
use crate::output;

const NOT_VERIFIED: &str =
    "This shows what the token says; it does not verify its signature (only the service can).";

pub fn run(command: TokenCommand, origin: &Origin) -> Result<(), Failure> {
    match command {
        TokenCommand::Inspect { source, format } => {
            let token = origin.token(source.as_deref())?;
            let info = token
                .inspect()
                .map_err(|e| Failure::error(format!("cannot read the token: {e}")))?;
            if format == TextFormat::Json {
                output::print(&output::json(&as_json(&info))?)
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
            oidc_claims,
        } => {
            if ttl.is_none() && only.is_empty() && build.is_none() && oidc_claims.is_empty() {
                return Err(Failure::usage(
                    "nothing to narrow: give --ttl, --only, --build or --oidc-claim",
                ));
            }
            let token = origin.token(source.as_deref())?;
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
            for (claim, value) in oidc_claims {
                attenuation = attenuation.oidc_claim(claim, value);
            }
            let narrowed = attenuation
                .finish()
                .map_err(|e| Failure::error(format!("cannot attenuate the token: {e}")))?;
            output::print(&format!("{}\n", narrowed.expose_secret()))
        }
    }
}

/// What `--format json` shows: the figures the text shows, from the same model, and that
/// the signature was not verified.
#[derive(serde::Serialize)]
struct Shown<'a> {
    signature_verified: bool,
    #[serde(flatten)]
    info: &'a TokenInfo,
}

fn as_json(info: &TokenInfo) -> Shown<'_> {
    Shown {
        signature_verified: false,
        info,
    }
}
