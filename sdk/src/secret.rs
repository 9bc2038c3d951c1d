//! [`Secret`]: text that must not be shown, such as a CI job's OIDC ID token.

use std::fmt;
use std::sync::Arc;

/// A secret string: its `Debug` and `Display` never show it, so a struct holding one can
/// derive `Debug` and be logged. [`expose_secret`](Self::expose_secret) is the one way to
/// read it. (The API token has a type of its own, [`Token`](crate::Token).)
///
/// ```
/// let id_token = nixbuild::Secret::from("eyJhbGciOi…");
/// assert_eq!(format!("{id_token:?} {id_token}"), "Secret(<redacted>) <redacted>");
/// assert_eq!(id_token.expose_secret(), "eyJhbGciOi…");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// The secret itself. Mind where it goes.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Secret {
        Secret(Arc::from(secret))
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Secret {
        Secret(Arc::from(secret))
    }
}
