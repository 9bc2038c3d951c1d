//! The control API's secret: the admin token, and the check of a request's bearer against it.

use nixbuild::Secret;

use super::bearer::bearer_token;
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
    authorization.is_some_and(|header| bearer_token(Some(header)).is_ok_and(|token| is_admin(token, admin)))
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
}
