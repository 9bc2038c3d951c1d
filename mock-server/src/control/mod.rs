//! The control API: the mock driven from outside its process, by a test in any language,
//! under `/_mock` (outside the API's path prefix). Each route calls what the Rust API of
//! [`MockNixbuild`](crate::MockNixbuild) calls, so the two cannot disagree.
//!
//! Its requests carry the admin token (`Authorization: Bearer <admin token>`), never an API
//! token; `GET /_mock/health` needs none. They are not journaled, faulted or counted by
//! expectations: those are about the requests of the code under test. The bodies below are
//! the wire types of the control API, described by the mock's own OpenAPI document.

mod body;
mod builds;
mod clock;
pub(crate) mod dashboard;
mod faults;
mod requests;
mod routes;
mod tokens;

use serde::{Deserialize, Serialize};
use wiremock::Request;

use crate::answer::Answer;
use crate::app::State;
use crate::auth::admin;
use crate::auth::authorization;
use crate::text::escaped;

pub use crate::limits::{MAX_BUILDS_PER_REQUEST, MAX_CONTROL_BODY_BYTES, MAX_STORED_BUILDS};
pub use builds::{ALLOW_UNKNOWN_STATUS, BuildIds, FixtureSpec, StatusChange};
pub use clock::{ClockChange, ClockState};
pub use dashboard::{DASHBOARD_PATH, DashboardLogin};
pub use faults::FaultSpec;
pub use requests::JournalEntry;
pub use routes::{CONTROL_PREFIX, CONTROL_ROUTES, ControlRoute, ControlRouteId, Helper};
pub use tokens::{MAX_RIGHT_CHARS, MintedToken, RevokeRequest, TokenRequest};

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

/// The answer to a control request: its route from the table, the admin token unless the
/// route is open, the route's body budget, then its handler.
pub(crate) fn handle(state: &State, request: &Request) -> Answer {
    if let Some(answer) = dashboard::serve(state, request) {
        return answer;
    }
    let path = request.url.path();
    let method = request.method.as_str();
    let (route, id) = match routes::route(method, path) {
        routes::Routed::Found(route, id) => (route, id.unwrap_or("")),
        routes::Routed::NotAllowed(allow) => return not_allowed(path, method, allow),
        routes::Routed::NotFound => {
            return Answer::error(404, format!("no such control path: {}", escaped(path)));
        }
    };
    if !route.open
        && let Err(answer) = admit(state, request)
    {
        return answer;
    }
    if request.body.len() > route.max_body_bytes {
        return Answer::error(
            413,
            format!(
                "a `{} {}` body takes at most {} bytes",
                route.method, route.path, route.max_body_bytes
            ),
        );
    }
    match route.id {
        ControlRouteId::GetHealth => Answer::json(200, &Health { status: "ok".into() }),
        ControlRouteId::AddBuilds => builds::add(state, request),
        ControlRouteId::ListStoredBuilds => builds::list(state),
        ControlRouteId::ClearBuilds => builds::clear(state),
        ControlRouteId::GetStoredBuild => builds::get(state, id),
        ControlRouteId::SetBuildStatus => builds::patch(state, id, request),
        ControlRouteId::MintToken => tokens::mint(state, request),
        ControlRouteId::RevokeToken => tokens::revoke(state, request),
        ControlRouteId::InjectFault => faults::inject(state, request),
        ControlRouteId::ListFaults => faults::list(state),
        ControlRouteId::ClearFaults => faults::clear(state),
        ControlRouteId::ListRequests => requests::list(state, request),
        ControlRouteId::ClearRequests => requests::clear(state),
        ControlRouteId::GetClock => clock::get(state),
        ControlRouteId::SetClock => clock::set(state, request),
        ControlRouteId::ResetClock => clock::reset(state),
        ControlRouteId::CreateDashboardLogin => dashboard::login_url(state, request),
    }
}

/// Lets in a request that carries the admin token, or a dashboard session's from the
/// dashboard's own page; the 401 (or the dashboard's 403) for any other.
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
    let Err(why) = admin::carries(authorization(request), state.admin_token()) else {
        return Ok(());
    };
    if request.headers.contains_key("cookie") && authorization(request).is_none() {
        return dashboard::admitted(state, request).map_err(dashboard::secured);
    }
    Err(refuse(&why))
}

/// The 405 for `method` on `path`, which answers `allow`.
fn not_allowed(path: &str, method: &str, allow: String) -> Answer {
    let mut answer = Answer::error(
        405,
        format!("{} answers {allow}, not {}", escaped(path), escaped(method)),
    );
    answer.allow = Some(allow);
    answer
}
