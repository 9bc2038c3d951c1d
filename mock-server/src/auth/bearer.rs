//! The bearer token of a request's `Authorization` header.

/// The value of `request`'s `Authorization` header (empty when it is not text).
pub(crate) fn authorization(request: &wiremock::Request) -> Option<&str> {
    // By the header's name made once: a name given as text is parsed at every lookup, a
    // thousand instructions of every request in a debug build.
    request
        .headers
        .get(nixbuild::reexports::reqwest::header::AUTHORIZATION)
        .map(|v| crate::text::header_text(v).unwrap_or(""))
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
    match header.trim().split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Ok(token.trim()),
        _ => Err("the Authorization header is not `Bearer <token>`".to_owned()),
    }
}
