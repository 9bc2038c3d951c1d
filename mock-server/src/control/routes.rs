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
}

const fn row(id: ControlRouteId, name: &'static str, method: Method, path: &'static str) -> ControlRoute {
    ControlRoute {
        id,
        name,
        method,
        path,
        open: false,
        max_body_bytes: MAX_REQUEST_BODY_BYTES,
    }
}

/// Every route of the control API.
pub static CONTROL_ROUTES: &[ControlRoute] = &[
    ControlRoute {
        id: ControlRouteId::GetHealth,
        name: "getHealth",
        method: Method::GET,
        path: "/_mock/health",
        open: true,
        max_body_bytes: MAX_REQUEST_BODY_BYTES,
    },
    ControlRoute {
        id: ControlRouteId::AddBuilds,
        name: "addBuilds",
        method: Method::POST,
        path: "/_mock/builds",
        open: false,
        max_body_bytes: MAX_CONTROL_BODY_BYTES,
    },
    row(
        ControlRouteId::ListStoredBuilds,
        "listStoredBuilds",
        Method::GET,
        "/_mock/builds",
    ),
    row(
        ControlRouteId::ClearBuilds,
        "clearBuilds",
        Method::DELETE,
        "/_mock/builds",
    ),
    row(
        ControlRouteId::GetStoredBuild,
        "getStoredBuild",
        Method::GET,
        "/_mock/builds/{id}",
    ),
    row(
        ControlRouteId::SetBuildStatus,
        "setBuildStatus",
        Method::PATCH,
        "/_mock/builds/{id}",
    ),
    row(
        ControlRouteId::MintToken,
        "mintToken",
        Method::POST,
        "/_mock/tokens",
    ),
    row(
        ControlRouteId::RevokeToken,
        "revokeToken",
        Method::POST,
        "/_mock/tokens/revoke",
    ),
    row(
        ControlRouteId::InjectFault,
        "injectFault",
        Method::POST,
        "/_mock/faults",
    ),
    row(
        ControlRouteId::ListFaults,
        "listFaults",
        Method::GET,
        "/_mock/faults",
    ),
    row(
        ControlRouteId::ClearFaults,
        "clearFaults",
        Method::DELETE,
        "/_mock/faults",
    ),
    row(
        ControlRouteId::ListRequests,
        "listRequests",
        Method::GET,
        "/_mock/requests",
    ),
    row(
        ControlRouteId::ClearRequests,
        "clearRequests",
        Method::DELETE,
        "/_mock/requests",
    ),
    row(ControlRouteId::GetClock, "getClock", Method::GET, "/_mock/clock"),
    row(ControlRouteId::SetClock, "setClock", Method::PUT, "/_mock/clock"),
    row(
        ControlRouteId::ResetClock,
        "resetClock",
        Method::DELETE,
        "/_mock/clock",
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
