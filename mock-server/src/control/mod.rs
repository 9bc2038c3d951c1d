//! The control API: the mock driven from outside its process, by a test in any language,
//! under `/_mock` (outside the API's path prefix). Each route calls what the Rust API of
//! [`MockNixbuild`](crate::MockNixbuild) calls, so the two cannot disagree.
//!
//! Its requests carry the admin token (`Authorization: Bearer <admin token>`), never an API
//! token; `GET /_mock/health` needs none. They are not journaled, faulted or counted by
//! expectations: those are about the requests of the code under test. The bodies below are
//! the wire types of the control API, described by the mock's own OpenAPI document.

mod builds;
mod clock;
mod faults;
mod requests;
mod tokens;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wiremock::Request;

use crate::auth::admin;
use crate::auth::authorization;
use crate::server::answer::Answer;
use crate::server::state::State;

pub use builds::{BuildIds, FixtureSpec, MAX_BUILDS_PER_REQUEST, MAX_STORED_BUILDS, StatusChange};
pub use clock::{ClockChange, ClockState};
pub use faults::FaultSpec;
pub use requests::JournalEntry;
pub use tokens::{MintedToken, RevokeRequest, TokenRequest};

/// The path every control route is under.
pub const CONTROL_PREFIX: &str = "/_mock";

/// The largest control request body: a `POST /_mock/builds` of tens of thousands of builds.
pub const MAX_CONTROL_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The answer of `GET /_mock/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `ok`: the mock answers.
    pub status: String,
}

/// Whether `path` is the control API's.
pub(crate) fn is_control_path(path: &str) -> bool {
    path.strip_prefix(CONTROL_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The answer to a control request.
pub(crate) fn handle(state: &State, request: &Request) -> Answer {
    let path = request.url.path();
    let route = path[CONTROL_PREFIX.len()..].trim_end_matches('/');
    let segments: Vec<&str> = route.split('/').skip(1).collect();
    let method = request.method.as_str();
    if segments == ["health"] {
        return match method {
            "GET" => Answer::json(200, &Health { status: "ok".into() }),
            _ => not_allowed(path, method, "GET"),
        };
    }
    if let Err(answer) = admit(state, request) {
        return answer;
    }
    let (limit, what) = if segments == ["builds"] {
        (MAX_CONTROL_BODY_BYTES, "a `POST /_mock/builds` body")
    } else {
        (
            crate::limits::MAX_REQUEST_BODY_BYTES,
            "a control request body other than builds'",
        )
    };
    if request.body.len() > limit {
        return Answer::error(413, format!("{what} takes at most {limit} bytes"));
    }
    match (segments.as_slice(), method) {
        (["builds"], "POST") => builds::add(state, request),
        (["builds"], "GET") => builds::list(state),
        (["builds"], "DELETE") => builds::clear(state),
        (["builds"], _) => not_allowed(path, method, "GET, POST, DELETE"),
        (["builds", id], "GET") => builds::get(state, id),
        (["builds", id], "PATCH") => builds::patch(state, id, request),
        (["builds", _], _) => not_allowed(path, method, "GET, PATCH"),
        (["tokens"], "POST") => tokens::mint(state, request),
        (["tokens"], _) => not_allowed(path, method, "POST"),
        (["tokens", "revoke"], "POST") => tokens::revoke(state, request),
        (["tokens", "revoke"], _) => not_allowed(path, method, "POST"),
        (["faults"], "POST") => faults::inject(state, request),
        (["faults"], "GET") => faults::list(state),
        (["faults"], "DELETE") => faults::clear(state),
        (["faults"], _) => not_allowed(path, method, "GET, POST, DELETE"),
        (["requests"], "GET") => requests::list(state, request),
        (["requests"], "DELETE") => requests::clear(state),
        (["requests"], _) => not_allowed(path, method, "GET, DELETE"),
        (["clock"], "GET") => clock::get(state),
        (["clock"], "PUT") => clock::set(state, request),
        (["clock"], "DELETE") => clock::reset(state),
        (["clock"], _) => not_allowed(path, method, "GET, PUT, DELETE"),
        _ => Answer::error(404, format!("no such control path: {}", escaped(path))),
    }
}

/// Lets in a request that carries the admin token; the 401 for any other.
fn admit(state: &State, request: &Request) -> Result<(), Answer> {
    let refuse = |why: &str| {
        Answer::error(
            401,
            format!(
                "{why}: the control API takes `Authorization: Bearer <admin token>`, the \
                 NIXBUILD_MOCK_ADMIN_TOKEN the mock printed when it started (an API token \
                 does not open it)"
            ),
        )
    };
    admin::carries(authorization(request), &state.admin_token).map_err(|why| refuse(&why))
}

/// The 405 for `method` on `path`, which answers `allow`.
fn not_allowed(path: &str, method: &str, allow: &'static str) -> Answer {
    let mut answer = Answer::error(
        405,
        format!("{} answers {allow}, not {}", escaped(path), escaped(method)),
    );
    answer.allow = Some(allow);
    answer
}

/// The request's body, a JSON object, as a `T`; an empty body reads as `{}`; the 400 naming
/// what is wrong otherwise. (serde would also read a struct from an array of its fields.)
fn json_object<T: DeserializeOwned>(request: &Request) -> Result<T, Answer> {
    let bad = |e: &dyn std::fmt::Display| Answer::error(400, format!("bad request body: {e}"));
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_slice(b"{}").map_err(|e| bad(&e));
    }
    let value: serde_json::Value = serde_json::from_slice(&request.body).map_err(|e| bad(&e))?;
    if !value.is_object() {
        return Err(bad(&"the body is a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| bad(&e))
}

/// Text from a request, quoted and escaped for a message (a path may hold anything).
pub(crate) fn escaped(text: &str) -> String {
    let short: String = text.chars().take(200).collect();
    format!("{short:?}")
}
