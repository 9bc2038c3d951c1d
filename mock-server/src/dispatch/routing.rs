//! Which operation a request asks for, from the SDK's operation table
//! ([`nixbuild::api::operation`]): a path outside the prefix or unknown is 404, a known path
//! with another method 405 (with `Allow`).

use nixbuild::api::operation::{self, Operation};
use wiremock::Request;

use crate::answer::Answer;

/// The operation `request` asks for under `prefix`, or the 404 or 405 that answers it.
pub(crate) fn route(prefix: &str, request: &Request) -> Result<&'static Operation, Answer> {
    let full_path = request.url.path();
    let not_found = || Answer::error(404, format!("no such path: {full_path}"));
    let path = full_path
        .strip_prefix(prefix)
        .filter(|p| p.starts_with('/'))
        .ok_or_else(not_found)?;
    let operation = operation::find(path).ok_or_else(not_found)?;
    if request.method != operation.method {
        let mut answer = Answer::error(
            405,
            format!("{path} answers {}, not {}", operation.method, request.method),
        );
        answer.allow = Some(operation.method.as_str().to_owned());
        return Err(answer);
    }
    Ok(operation)
}
