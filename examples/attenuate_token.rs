//! Shows what a nixbuild.net token holds and prints a narrower copy of it: valid for one
//! hour, read-only. No key and no network are needed: Biscuit tokens are attenuated offline.
//!
//! ```sh
//! cargo run --example attenuate_token -- <token>    # or with NIXBUILD_TOKEN set
//! cargo run --example attenuate_token               # a token minted by the mock server
//! ```
//!
//! The attenuated token is printed on the last line of standard output, alone, so that
//! `cargo run -q --example attenuate_token | tail -n 1` yields it.

use std::time::Duration;

use nixbuild::Token;
use nixbuild_mock::Authority;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = match std::env::args()
        .nth(1)
        .or_else(|| std::env::var(nixbuild::TOKEN_ENV).ok())
    {
        Some(token) => Token::new(token),
        None => {
            eprintln!("no token given: using one minted by a mock nixbuild.net root key");
            Authority::generate()
                .tokens()
                .owner(4)
                .rights(["build:read", "build:write"])
                .mint()
        }
    };

    let info = token.inspect()?;
    println!("The token (its signature is not checked here):\n{info}");

    let narrowed = token
        .attenuate()
        .expires_in(Duration::from_secs(3600))
        .only(["build:read"])
        .finish()?;
    println!("A copy valid for one hour, read-only:\n{}", narrowed.inspect()?);
    println!("{}", narrowed.expose_secret());
    Ok(())
}
