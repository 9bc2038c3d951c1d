//! [`Secrets`]: what a recorder must never write, and the last pass over a recording's text
//! that makes sure it does not.
//!
//! A recording keeps no request header and no exchange answer in the first place. This pass
//! is the net under that: whatever a caller or a service put where a recorder does not
//! expect it (a token in a tag, a query parameter, an error message that quotes the
//! request), the text written is searched for
//!
//! - every secret the recorder saw: each request's `Authorization`, `Cookie` and other
//!   secret-looking headers (whole, after their scheme, and each `name=value` of a cookie),
//!   each secret-looking query parameter, and each token the exchange answered;
//! - anything that reads as a Biscuit token, a JWT (`eyJ….….`) or the mock's admin token
//!   (`nbmock-admin-…`), seen before or not,
//!
//! and each is replaced by [`REDACTED`].

use std::collections::BTreeSet;

use crate::ADMIN_TOKEN_PREFIX;
use crate::testing::journal::{REDACTED, looks_secret};

/// The shortest secret searched for by its text: shorter values (a session id of a few
/// characters) would match ordinary words, and are never written anyway (no header is).
pub(crate) const MIN_SECRET_CHARS: usize = 12;

/// The shortest run of Base64url characters tried as a Biscuit token: the smallest token
/// this mock mints is several hundred characters long.
const MIN_TOKEN_CHARS: usize = 64;

/// The secrets a recorder saw.
#[derive(Default, Clone)]
pub(crate) struct Secrets {
    known: BTreeSet<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} known)", self.known.len())
    }
}

impl Secrets {
    /// No secret known yet.
    pub(crate) fn new() -> Secrets {
        Secrets::default()
    }

    /// Learns a secret value: the whole of it, and without its `=` padding (which a query
    /// string carries as `%3D`).
    pub(crate) fn learn(&mut self, value: &str) {
        let value = value.trim();
        for form in [value, value.trim_end_matches('=')] {
            if form.chars().count() >= MIN_SECRET_CHARS {
                self.known.insert(form.to_owned());
            }
        }
    }

    /// Learns what a header may hide: when its name looks secret, its value, the part after
    /// a scheme (`Bearer …`), and each value of a cookie list.
    pub(crate) fn learn_header(&mut self, name: &str, value: &str) {
        if !looks_secret(name) {
            return;
        }
        self.learn(value);
        if let Some((_, credential)) = value.trim().split_once(' ') {
            self.learn(credential);
        }
        for pair in value.split(';') {
            if let Some((_, cookie)) = pair.split_once('=') {
                self.learn(cookie);
            }
        }
    }

    /// Learns the values of a query string's secret-looking parameters.
    pub(crate) fn learn_query(&mut self, query: &str) {
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if looks_secret(&name) {
                self.learn(&value);
            }
        }
    }

    /// `text` with every known secret, and anything that reads as a token, replaced by
    /// [`REDACTED`].
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        // Longest first: a secret that holds another is redacted whole.
        let mut known: Vec<&String> = self.known.iter().collect();
        known.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        for secret in known {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        redact_token_shapes(&text)
    }
}

/// `text` with each run that reads as a Biscuit token, a JWT or the mock's admin token
/// replaced by [`REDACTED`].
pub(crate) fn redact_token_shapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(is_token_char) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
        let (run, after) = rest.split_at(end);
        if reads_as_token(run) {
            out.push_str(REDACTED);
        } else {
            out.push_str(run);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The characters of a token's text: Base64url, its padding, and a JWT's dots.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '.')
}

/// Whether `run` (token characters only) is a secret by its shape.
fn reads_as_token(run: &str) -> bool {
    if run.starts_with(ADMIN_TOKEN_PREFIX) {
        return true;
    }
    // A run may end in a sentence's full stop.
    let candidate = run.trim_end_matches('.');
    if is_jwt(candidate) {
        return true;
    }
    // A Biscuit token never holds a dot.
    candidate.len() >= MIN_TOKEN_CHARS && !candidate.contains('.') && is_biscuit(candidate)
}

/// Three dot-separated Base64url parts, the first a JSON object (`eyJ` is `{"`).
fn is_jwt(run: &str) -> bool {
    let parts: Vec<&str> = run.split('.').collect();
    parts.len() == 3 && parts[0].starts_with("eyJ") && parts[0].len() >= 10 && parts[1].len() >= 10
}

fn is_biscuit(candidate: &str) -> bool {
    let bare = candidate.trim_end_matches('=');
    ["", "=", "=="]
        .iter()
        .any(|padding| biscuit_auth::UnverifiedBiscuit::from_base64(format!("{bare}{padding}")).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> String {
        crate::Authority::generate()
            .tokens()
            .rights(["build:read"])
            .mint()
            .expose_secret()
            .to_owned()
    }

    #[test]
    fn every_known_secret_is_redacted_wherever_it_is() {
        let mut secrets = Secrets::new();
        secrets.learn_header("Authorization", "Bearer abcdefghijklmnop123==");
        secrets.learn_header("Cookie", "session=cookievalue-0123456; theme=dark");
        secrets.learn_header("Accept", "application/json-but-long-enough");
        secrets.learn_query("access_token=querysecret-9876543&status=built");
        let text = "a abcdefghijklmnop123%3D%3D b cookievalue-0123456 c querysecret-9876543 \
                    d application/json-but-long-enough e dark";
        assert_eq!(
            secrets.scrub(text),
            "a [redacted]%3D%3D b [redacted] c [redacted] d application/json-but-long-enough e dark"
        );
    }

    #[test]
    fn tokens_never_seen_are_redacted_by_their_shape_and_ordinary_text_is_not() {
        let token = token();
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2lnbmF0dXJl";
        let admin = format!("{ADMIN_TOKEN_PREFIX}0123456789abcdef");
        let text = format!(
            "{{\"tags\":{{\"t\":\"{token}\",\"j\":\"x {jwt}.\",\"a\":\"{admin}\"}},\
             \"derivation_path\":\"/nix/store/0123456789abcdfghijklmnpqrsvwxyz-a-very-long-name-of-a-package-that-goes-on-and-on.drv\"}}"
        );
        let scrubbed = Secrets::new().scrub(&text);
        assert!(!scrubbed.contains(&token), "{scrubbed}");
        assert!(!scrubbed.contains(jwt), "{scrubbed}");
        assert!(!scrubbed.contains(&admin), "{scrubbed}");
        assert!(scrubbed.contains("a-very-long-name-of-a-package"), "{scrubbed}");
        assert_eq!(scrubbed.matches(REDACTED).count(), 3, "{scrubbed}");
        serde_json::from_str::<serde_json::Value>(&scrubbed).expect("still JSON");
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut secrets = Secrets::new();
        secrets.learn("a-secret-of-some-length");
        assert!(!format!("{secrets:?}").contains("a-secret"));
    }
}
