//! [`Token`]: the API token, a secret that never shows.

use std::fmt;
use std::sync::Arc;

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
