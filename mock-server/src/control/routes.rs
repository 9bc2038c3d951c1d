//! The control API's routes as one table, as the SDK's operation table is for the API:
//! for each route its id, its `operationId`, method, path, whether it needs the admin
//! token, and the largest body it takes. The control API's handler dispatches from it and
//! `nixbuild-openapi` writes the control document's paths from it; inside this workspace
//! [`ControlRouteId`] is exhaustive, so a new row fails to compile in both until handled.

use nixbuild::reexports::reqwest::Method;

use crate::limits::{MAX_CONTROL_BODY_BYTES, MAX_REQUEST_BODY_BYTES};

/// The path every control route is under.
pub const CONTROL_PREFIX: &str = "/_mock";

/// Which control route: the key to match on (with a wildcard arm outside this workspace:
/// routes come in minor releases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(not(nixbuild_workspace), non_exhaustive)]
#[allow(missing_docs)] // Each variant is the route its row describes.
pub enum ControlRouteId {
    GetHealth,
    AddBuilds,
    ListStoredBuilds,
    ClearBuilds,
    GetStoredBuild,
    SetBuildStatus,
    MintToken,
    RevokeToken,
    InjectFault,
    ListFaults,
    ClearFaults,
    ListRequests,
    ClearRequests,
    GetClock,
    SetClock,
    ResetClock,
    CreateDashboardLogin,
}

/// One row of the table.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ControlRoute {
    /// The key.
    pub id: ControlRouteId,
    /// The OpenAPI `operationId`, such as `addBuilds`.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path, with `{id}` for a build id, such as `/_mock/builds/{id}`.
    pub path: &'static str,
    /// Whether it answers without the admin token.
    pub open: bool,
    /// The largest body it takes; larger is a 413.
    pub max_body_bytes: usize,
    /// The method of [`MockNixbuild`](crate::MockNixbuild) that does what it does.
    pub rust: Helper,
    /// The method of the Python package's `NixbuildMock` that calls it.
    pub python: Helper,
    /// The method of the npm package's `NixbuildMock` that calls it.
    pub javascript: Helper,
}

/// A language's way to a control route: a method of its mock's handle, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Helper {
    /// The method's name.
    Named(&'static str),
    /// Why there is none.
    Without(&'static str),
}

/// One row of the table, with its defaults: the admin token, and a body of at most
/// [`MAX_REQUEST_BODY_BYTES`].
const fn row(
    id: ControlRouteId,
    name: &'static str,
    method: Method,
    path: &'static str,
    [rust, python, javascript]: [Helper; 3],
) -> ControlRoute {
    ControlRoute {
        id,
        name,
        method,
        path,
        open: false,
        max_body_bytes: MAX_REQUEST_BODY_BYTES,
        rust,
        python,
        javascript,
    }
}

/// A row that answers without the admin token.
const fn open(mut route: ControlRoute) -> ControlRoute {
    route.open = true;
    route
}

/// A row whose body may be as large as [`MAX_CONTROL_BODY_BYTES`].
const fn with_large_body(mut route: ControlRoute) -> ControlRoute {
    route.max_body_bytes = MAX_CONTROL_BODY_BYTES;
    route
}

/// Every route of the control API. Each names the method of [`MockNixbuild`](crate::MockNixbuild),
/// of the Python `NixbuildMock` and of the JavaScript `NixbuildMock` that does what it does
/// (or why there is none); `tests/route_parity.rs` checks that each exists.
pub static CONTROL_ROUTES: &[ControlRoute] = &[
    open(row(
        ControlRouteId::GetHealth,
        "getHealth",
        Method::GET,
        "/_mock/health",
        [
            Helper::Without("an in-process mock answers for as long as its handle lives"),
            Helper::Named("health"),
            Helper::Named("health"),
        ],
    )),
    with_large_body(row(
        ControlRouteId::AddBuilds,
        "addBuilds",
        Method::POST,
        "/_mock/builds",
        [
            Helper::Named("add_builds"),
            Helper::Named("add_builds"),
            Helper::Named("addBuilds"),
        ],
    )),
    row(
        ControlRouteId::ListStoredBuilds,
        "listStoredBuilds",
        Method::GET,
        "/_mock/builds",
        [
            Helper::Named("builds"),
            Helper::Named("builds"),
            Helper::Named("builds"),
        ],
    ),
    row(
        ControlRouteId::ClearBuilds,
        "clearBuilds",
        Method::DELETE,
        "/_mock/builds",
        [
            Helper::Named("clear_builds"),
            Helper::Named("clear_builds"),
            Helper::Named("clearBuilds"),
        ],
    ),
    row(
        ControlRouteId::GetStoredBuild,
        "getStoredBuild",
        Method::GET,
        "/_mock/builds/{id}",
        [
            Helper::Named("build"),
            Helper::Named("build"),
            Helper::Named("build"),
        ],
    ),
    row(
        ControlRouteId::SetBuildStatus,
        "setBuildStatus",
        Method::PATCH,
        "/_mock/builds/{id}",
        [
            Helper::Named("set_status"),
            Helper::Named("set_status"),
            Helper::Named("setStatus"),
        ],
    ),
    row(
        ControlRouteId::MintToken,
        "mintToken",
        Method::POST,
        "/_mock/tokens",
        [
            Helper::Named("tokens"),
            Helper::Named("mint_token"),
            Helper::Named("mintToken"),
        ],
    ),
    row(
        ControlRouteId::RevokeToken,
        "revokeToken",
        Method::POST,
        "/_mock/tokens/revoke",
        [
            Helper::Named("revoke"),
            Helper::Named("revoke"),
            Helper::Named("revoke"),
        ],
    ),
    row(
        ControlRouteId::InjectFault,
        "injectFault",
        Method::POST,
        "/_mock/faults",
        [
            Helper::Named("inject_fault"),
            Helper::Named("inject_fault"),
            Helper::Named("injectFault"),
        ],
    ),
    row(
        ControlRouteId::ListFaults,
        "listFaults",
        Method::GET,
        "/_mock/faults",
        [
            Helper::Named("faults"),
            Helper::Named("faults"),
            Helper::Named("faults"),
        ],
    ),
    row(
        ControlRouteId::ClearFaults,
        "clearFaults",
        Method::DELETE,
        "/_mock/faults",
        [
            Helper::Named("clear_faults"),
            Helper::Named("clear_faults"),
            Helper::Named("clearFaults"),
        ],
    ),
    row(
        ControlRouteId::ListRequests,
        "listRequests",
        Method::GET,
        "/_mock/requests",
        [
            Helper::Named("received_requests"),
            Helper::Named("received_requests"),
            Helper::Named("receivedRequests"),
        ],
    ),
    row(
        ControlRouteId::ClearRequests,
        "clearRequests",
        Method::DELETE,
        "/_mock/requests",
        [
            Helper::Named("clear_requests"),
            Helper::Named("clear_requests"),
            Helper::Named("clearRequests"),
        ],
    ),
    row(
        ControlRouteId::GetClock,
        "getClock",
        Method::GET,
        "/_mock/clock",
        [
            Helper::Named("now"),
            Helper::Named("clock"),
            Helper::Named("clock"),
        ],
    ),
    row(
        ControlRouteId::SetClock,
        "setClock",
        Method::PUT,
        "/_mock/clock",
        [
            Helper::Named("set_clock"),
            Helper::Named("set_clock"),
            Helper::Named("setClock"),
        ],
    ),
    row(
        ControlRouteId::ResetClock,
        "resetClock",
        Method::DELETE,
        "/_mock/clock",
        [
            Helper::Named("reset_clock"),
            Helper::Named("reset_clock"),
            Helper::Named("resetClock"),
        ],
    ),
    row(
        ControlRouteId::CreateDashboardLogin,
        "createDashboardLogin",
        Method::POST,
        "/_mock/ui/login",
        [
            Helper::Named("dashboard_url"),
            Helper::Named("dashboard_url"),
            Helper::Named("dashboardUrl"),
        ],
    ),
];

/// Where a control request goes: its route and the `{id}` in its path, or why none.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Routed<'p> {
    /// The route, and the path's `{id}` segment if it has one.
    Found(&'static ControlRoute, Option<&'p str>),
    /// The path has routes, none for this method: these methods are allowed.
    NotAllowed(String),
    /// No route has this path.
    NotFound,
}

/// The route for `method` on `path` (a trailing slash is ignored).
pub(crate) fn route<'p>(method: &str, path: &'p str) -> Routed<'p> {
    let path = path.trim_end_matches('/');
    let mut allowed = Vec::new();
    for route in CONTROL_ROUTES {
        let Some(id) = matches(route.path, path) else {
            continue;
        };
        if route.method == method {
            return Routed::Found(route, id);
        }
        allowed.push(route.method.as_str());
    }
    // In the order RFC 9110 lists the methods, whatever the table's.
    let rank = |m: &&str| {
        ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
            .iter()
            .position(|r| r == m)
    };
    allowed.sort_by_key(rank);
    if allowed.is_empty() {
        Routed::NotFound
    } else {
        Routed::NotAllowed(allowed.join(", "))
    }
}

/// Whether `path` is `pattern`'s, and the segment standing for `{id}` if any.
fn matches<'p>(pattern: &str, path: &'p str) -> Option<Option<&'p str>> {
    let mut id = None;
    let mut segments = path.split('/');
    for expected in pattern.split('/') {
        let segment = segments.next()?;
        if expected == "{id}" {
            id = Some(segment);
        } else if expected != segment {
            return None;
        }
    }
    segments.next().is_none().then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_has_one_row_and_paths_route_by_method() {
        for (i, route) in CONTROL_ROUTES.iter().enumerate() {
            assert!(route.path.starts_with(CONTROL_PREFIX));
            assert!(CONTROL_ROUTES[i + 1..].iter().all(|other| other.id != route.id
                && other.name != route.name
                && (other.path, &other.method) != (route.path, &route.method)));
        }
        assert!(
            matches!(route("GET", "/_mock/builds/12/"), Routed::Found(r, Some("12")) if r.id == ControlRouteId::GetStoredBuild)
        );
        assert_eq!(
            route("PUT", "/_mock/builds"),
            Routed::NotAllowed("GET, POST, DELETE".into())
        );
        assert_eq!(route("GET", "/_mock/builds/1/2"), Routed::NotFound);
        assert_eq!(route("GET", "/_mock"), Routed::NotFound);
    }
}
