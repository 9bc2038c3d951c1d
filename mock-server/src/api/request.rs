//! What the handlers read from a request besides its body: its filter and its OIDC ID token.

use nixbuild::BuildFilter;
use nixbuild::api::operation::{OIDC_ID_TOKEN_HEADER, Operation};
use wiremock::Request;
use wiremock::http::HeaderName;

use crate::answer::Answer;
use crate::text::header_text;

/// The OIDC ID token's header, by a name made once: a name given as text is parsed at every
/// lookup, and every request with auth on looks for this one.
pub(super) const OIDC_ID_TOKEN: HeaderName = HeaderName::from_static(OIDC_ID_TOKEN_HEADER);

/// The filter of `request`'s query, reading the parameters `operation` takes; an error is
/// the 400 that names the parameter.
pub(super) fn filter(operation: &Operation, request: &Request) -> Result<BuildFilter, Answer> {
    BuildFilter::from_query_params(request.url.query().unwrap_or(""), operation.params)
        .map_err(|e| Answer::error(400, e.to_string()))
}

/// A request's OIDC ID token, or the message of a 400.
pub(super) fn id_token(request: &Request) -> Result<&str, String> {
    // Named as the service's documentation writes it: NIXBUILDNET-OIDC-ID-TOKEN.
    let name = OIDC_ID_TOKEN_HEADER.to_uppercase();
    let value = request
        .headers
        .get(OIDC_ID_TOKEN)
        .ok_or_else(|| format!("missing {name} header"))?;
    header_text(value)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("the {name} header is empty or not text"))
}
