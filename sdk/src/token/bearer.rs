//! [`Token`]: the API token, a secret that never shows.

use std::fmt;
use std::sync::Arc;

#[cfg(feature = "biscuit")]
use super::{Attenuation, TokenError, TokenInfo, inspect};

/// A nixbuild.net API token (a Biscuit token, base64url), sent as `Authorization: Bearer`.
///
/// The secret never shows in `Debug` or `Display` output, so a `Token` can sit in a
/// configuration struct that is logged. Surrounding white space (a trailing newline from a
/// file) is dropped when the token is made.
///
/// ```
/// let token = nixbuild::Token::new("En0KEwoEMTIzNBgDIgkKBwgKEgMYgAgSJAgAEiD\n");
/// assert_eq!(format!("{token:?}"), "Token(<redacted>)");
/// assert!(!token.to_string().contains("En0K"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Arc<str>);

impl Token {
    /// Wraps a token string.
    pub fn new(secret: impl AsRef<str>) -> Token {
        Token(Arc::from(secret.as_ref().trim()))
    }

    /// The token itself. Mind where it goes: this is the one way to read the secret.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Reads what the token holds: account, rights, expiry, and each block's facts, rules and
    /// checks as data ([`datalog`](crate::token::datalog)).
    ///
    /// The token is decoded from its protobuf encoding, never from printed Datalog, so no
    /// string inside it can change what it reads as. A block that cannot be read fails the
    /// whole call with [`TokenError::Unreadable`] rather than being skipped.
    ///
    /// This does **not** check the signature (that needs nixbuild.net's root key, which only
    /// the service has): a forged token reads as well as a genuine one. Use it to show a
    /// user what a token says, or to avoid sending one that has expired; the service decides
    /// whether it is valid.
    ///
    /// ```
    /// let token = nixbuild::Token::new(include_str!("../../tests/tokens/legacy-read-only.txt"));
    /// let info = token.inspect()?;
    /// assert_eq!(info.account, Some(1));
    /// assert_eq!(info.rights, ["read"]);
    /// assert_eq!(info.authority().checks[0].to_string(), r#"check if operation("read")"#);
    /// # Ok::<(), nixbuild::TokenError>(())
    /// ```
    #[cfg(feature = "biscuit")]
    pub fn inspect(&self) -> Result<TokenInfo, TokenError> {
        inspect::inspect(self)
    }

    /// Starts an attenuated copy of this token: the same token with one more block of checks
    /// (a shorter expiry, fewer operations, one build). No key or network is needed.
    #[cfg(feature = "biscuit")]
    pub fn attenuate(&self) -> Attenuation<'_> {
        Attenuation::new(self)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted token>")
    }
}

impl From<String> for Token {
    fn from(secret: String) -> Token {
        Token::new(secret)
    }
}

impl From<&str> for Token {
    fn from(secret: &str) -> Token {
        Token::new(secret)
    }
}

impl From<&String> for Token {
    fn from(secret: &String) -> Token {
        Token::new(secret)
    }
}
