//! The bearer token of a request's `Authorization` header.

/// The value of `request`'s `Authorization` header (empty when it is not text).
pub(crate) fn authorization(request: &wiremock::Request) -> Option<&str> {
    // The first value, as `HeaderMap::get` gives it, found by walking the few headers a
    // request carries: hashing the name was most of this lookup in a debug build (1,900
    // instructions a request; a name given as text is parsed at every lookup, more again).
    request
        .headers
        .iter()
        .find(|(name, _)| **name == nixbuild::reexports::reqwest::header::AUTHORIZATION)
        .map(|(_, v)| crate::text::header_text(v).unwrap_or(""))
}

/// The token of an `Authorization: Bearer <token>` header value, or why there is none.
pub(crate) fn bearer_token(authorization: Option<&str>) -> Result<&str, String> {
    let header = authorization.ok_or_else(|| "missing bearer token".to_owned())?;
    if header.len() > crate::limits::MAX_AUTHORIZATION_BYTES {
        return Err(format!(
            "the Authorization header has {} bytes; this mock reads at most {}",
            header.len(),
            crate::limits::MAX_AUTHORIZATION_BYTES
        ));
    }
    plainly_bearer(header)
        .or_else(|| read_generally(header))
        .ok_or_else(|| "the Authorization header is not `Bearer <token>`".to_owned())
}

/// The token of a header `Bearer <token>`, the scheme in any case, spaces around either
/// trimmed.
fn read_generally(header: &str) -> Option<&str> {
    match header.trim().split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim()),
        _ => None,
    }
}

/// Whether `byte` is one no trimming removes, and no split at a space splits at: ASCII and
/// not whitespace (the quick readings of a header look at its ends with this).
pub(super) fn is_plain(byte: u8) -> bool {
    byte.is_ascii() && !byte.is_ascii_whitespace()
}

/// The token of a header written `Bearer <token>` exactly as clients write it (one space,
/// nothing to trim at either end), read without trimming or splitting: what nearly every
/// request carries, and what a debug build spent 2,000 instructions a request reading the
/// general way. Any other header is read the general way, which gives the same token here.
fn plainly_bearer(header: &str) -> Option<&str> {
    let token = header.strip_prefix("Bearer ")?;
    let bytes = token.as_bytes();
    let plain = |byte: &u8| is_plain(*byte);
    (bytes.first().is_some_and(plain) && bytes.last().is_some_and(plain)).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_reading_gives_the_token_the_general_one_gives() {
        let mut quick = 0;
        for lead in ["", " ", "\t"] {
            for scheme in ["Bearer", "bearer", "Basic", "Bearerx", ""] {
                for separator in [" ", "  ", "\t", "", "\u{3000}"] {
                    for token in ["tok", "t", "t k", "é", "", " "] {
                        for tail in ["", " ", "\u{3000}", "é", "\n"] {
                            let header = format!("{lead}{scheme}{separator}{token}{tail}");
                            let read = bearer_token(Some(&header)).ok();
                            assert_eq!(read, read_generally(&header), "{header:?}");
                            quick += usize::from(plainly_bearer(&header).is_some());
                        }
                    }
                }
            }
        }
        assert!(quick >= 3, "the quick path was taken {quick} times");
    }
}
