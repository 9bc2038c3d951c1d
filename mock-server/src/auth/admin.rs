//! The control API's secret: the admin token, and the check of a request's bearer against it.

use nixbuild::Secret;

use super::bearer::{bearer_token, is_plain};
use super::secrets::{random_hex, same_secret};
use crate::redaction::ADMIN_TOKEN_PREFIX;

/// A fresh admin token: the prefix and 32 random bytes from the operating system, in hex.
pub(crate) fn generate() -> Secret {
    Secret::from(format!("{ADMIN_TOKEN_PREFIX}{}", random_hex()))
}

/// Whether an `Authorization` header value carries the admin token; why not, otherwise.
pub(crate) fn carries(authorization: Option<&str>, admin: &Secret) -> Result<(), String> {
    let token = bearer_token(authorization)?;
    if is_admin(token, admin) {
        Ok(())
    } else {
        Err("not the admin token".to_owned())
    }
}

/// Whether an `Authorization` header value carries the admin token, without saying why not:
/// every API request asks, and a reason made and dropped was an allocation each time.
pub(crate) fn is_carried(authorization: Option<&str>, admin: &Secret) -> bool {
    let Some(header) = authorization else {
        return false;
    };
    if cannot_carry(header.as_bytes(), admin.expose_secret().len()) {
        return false;
    }
    bearer_token(Some(header)).is_ok_and(|token| is_admin(token, admin))
}

/// Whether a header of these bytes cannot carry a token of `len` bytes, told from the
/// header's length and two of its bytes: nearly every API request's, which must not pay for
/// trimming and splitting its header in a debug build to learn that.
///
/// A header carrying it ends with it after a space (`Bearer <token>`), but for whitespace
/// trimmed after. So when the header's last byte and the byte `len` before the end are both
/// ASCII and not whitespace, its token is longer or shorter than `len`. Only lengths are
/// compared, as [`same_secret`] compares them first: the admin token's content plays no part.
fn cannot_carry(header: &[u8], len: usize) -> bool {
    let Some(before) = header.len().checked_sub(len + 1) else {
        return true;
    };
    before < "Bearer".len() || (is_plain(header[before]) && is_plain(header[header.len() - 1]))
}

/// Whether `presented` is `admin`, compared in time that does not depend on where they differ.
fn is_admin(presented: &str, admin: &Secret) -> bool {
    same_secret(presented, admin.expose_secret())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_tokens_are_fresh_and_compared_whole() {
        let (a, b) = (generate(), generate());
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert!(a.expose_secret().starts_with(ADMIN_TOKEN_PREFIX));
        assert!(is_admin(a.expose_secret(), &a));
        assert!(!is_admin(b.expose_secret(), &a));
        assert!(!is_admin(&a.expose_secret()[1..], &a));
        assert!(!is_admin("", &a));
        let header = format!("Bearer {}", a.expose_secret());
        assert_eq!(carries(Some(&header), &a), Ok(()));
        assert!(carries(Some("Bearer x"), &a).is_err() && carries(None, &a).is_err());
        assert!(is_carried(Some(&header), &a));
        for other in [None, Some("Bearer x"), Some(""), Some(a.expose_secret())] {
            assert!(!is_carried(other, &a), "{other:?}");
        }
    }

    /// The quick answer from lengths is the answer the header's reading gives, for every
    /// header made of a leading space or none, a scheme, a separator, a token (the admin
    /// token, or one a byte shorter or longer) and a tail (spaces of both kinds, or more).
    #[test]
    fn the_quick_answer_agrees_with_reading_the_header() {
        let admin = generate();
        let token = admin.expose_secret();
        let (longer, longer_before) = (format!("{token}x"), format!("x{token}"));
        let tokens = [token, &token[1..], &longer, &longer_before, "x", ""];
        let mut carried = 0;
        for lead in ["", " ", "\t"] {
            for scheme in ["Bearer", "bEaReR", "Basic", "x", ""] {
                for separator in [" ", "  ", "\t", "", "\u{3000}"] {
                    for token in tokens {
                        for tail in ["", " ", " \t", "\u{3000}", "é", "x", " x"] {
                            let header = format!("{lead}{scheme}{separator}{token}{tail}");
                            let read = carries(Some(&header), &admin).is_ok();
                            assert_eq!(is_carried(Some(&header), &admin), read, "{header:?}");
                            carried += usize::from(read);
                        }
                    }
                }
            }
        }
        assert!(carried >= 30, "the admin token was carried {carried} times");
    }
}
