//! The API's operations as one table: for each endpoint, its operation id, method, path,
//! whether it is idempotent, the permission a token needs for it, its query parameters,
//! the headers it needs, and whether it is experimental.
//!
//! The client builds its requests from this table, `nixbuild-mock` routes and authorizes
//! from it, and `nixbuild-openapi` writes the document's paths from it: an endpoint is
//! spelled once. Adding one is a row here and a handler in each consumer: inside this
//! project's workspace [`OperationId`] is exhaustive (the `nixbuild_workspace` cfg of its
//! `.cargo/config.toml`), so each consumer's `match` fails to compile until it handles the
//! new row. Everywhere else the enum is `#[non_exhaustive]`: a new operation is a minor
//! release, and a `match` outside this workspace needs a wildcard arm.
//!
//! ```
//! use nixbuild::api::operation::{self, OperationId};
//!
//! let op = operation::find("/builds/summary").unwrap();
//! assert_eq!((op.id, op.method.as_str(), op.idempotent), (OperationId::GetBuildsSummary, "GET", true));
//! assert_eq!(OperationId::CreateProcesses.operation().path, "/processes");
//! ```

use reqwest::Method;

use crate::filter::FilterParam;

/// The header that carries a CI job's OIDC ID token (`NIXBUILDNET-OIDC-ID-TOKEN`), for the
/// token exchange and `POST /processes`.
pub const OIDC_ID_TOKEN_HEADER: &str = "nixbuildnet-oidc-id-token";

/// Which operation: the key to match on (with a wildcard arm: new operations come in minor
/// releases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(not(nixbuild_workspace), non_exhaustive)]
pub enum OperationId {
    /// `GET /builds`.
    ListBuilds,
    /// `GET /builds/summary`.
    GetBuildsSummary,
    /// `GET /usage`.
    GetUsage,
    /// `GET /auth/oidc-token-exchange` (experimental).
    ExchangeOidcToken,
    /// `POST /processes` (experimental).
    CreateProcesses,
}

/// What a token must grant for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Permission {
    /// `build:read`.
    BuildRead,
    /// `build:write`.
    BuildWrite,
    /// Any right at all: the token exchange hands the token's own rights on.
    AnyRight,
}

impl Permission {
    /// The permission's name in a token's `right({…})` set (`build:read`); `AnyRight`,
    /// which no right is named, is `any`.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::BuildRead => "build:read",
            Permission::BuildWrite => "build:write",
            Permission::AnyRight => "any",
        }
    }
}

/// One row of the table.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The key.
    pub id: OperationId,
    /// The OpenAPI `operationId`, such as `listBuilds`.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path under the base URL, such as `/builds/summary`.
    pub path: &'static str,
    /// Whether sending it twice does no harm: only such requests are retried.
    pub idempotent: bool,
    /// What the token must grant.
    pub permission: Permission,
    /// The query parameters it reads.
    pub params: &'static [FilterParam],
    /// Headers it needs besides `Authorization`.
    pub headers: &'static [&'static str],
    /// Whether its shape may change without a major version.
    pub experimental: bool,
}

/// The query parameters of a time window.
const WINDOW: &[FilterParam] = &[FilterParam::CreateTimeFrom, FilterParam::CreateTimeTo];

/// Every operation of the API.
pub static OPERATIONS: &[Operation] = &[
    Operation {
        id: OperationId::ListBuilds,
        name: "listBuilds",
        method: Method::GET,
        path: "/builds",
        idempotent: true,
        permission: Permission::BuildRead,
        params: &FilterParam::ALL,
        headers: &[],
        experimental: false,
    },
    Operation {
        id: OperationId::GetBuildsSummary,
        name: "getBuildsSummary",
        method: Method::GET,
        path: "/builds/summary",
        idempotent: true,
        permission: Permission::BuildRead,
        params: &FilterParam::ALL,
        headers: &[],
        experimental: false,
    },
    Operation {
        id: OperationId::GetUsage,
        name: "getUsage",
        method: Method::GET,
        path: "/usage",
        idempotent: true,
        permission: Permission::BuildRead,
        params: WINDOW,
        headers: &[],
        experimental: false,
    },
    Operation {
        id: OperationId::ExchangeOidcToken,
        name: "exchangeOidcToken",
        method: Method::GET,
        path: "/auth/oidc-token-exchange",
        idempotent: true,
        permission: Permission::AnyRight,
        params: &[],
        headers: &[OIDC_ID_TOKEN_HEADER],
        experimental: true,
    },
    Operation {
        id: OperationId::CreateProcesses,
        name: "createProcesses",
        method: Method::POST,
        path: "/processes",
        idempotent: false,
        permission: Permission::BuildWrite,
        params: &[],
        headers: &[OIDC_ID_TOKEN_HEADER],
        experimental: true,
    },
];

impl OperationId {
    /// Its row of the table.
    pub fn operation(self) -> &'static Operation {
        OPERATIONS
            .iter()
            .find(|op| op.id == self)
            .expect("every OperationId has a row in OPERATIONS")
    }
}

impl Operation {
    /// The path's segments (`["builds", "summary"]`).
    pub fn segments(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('/').filter(|s| !s.is_empty())
    }
}

/// The operation at `path` (under the base URL), whatever its method.
pub fn find(path: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_id_has_one_row_and_each_path_one_operation() {
        for (i, op) in OPERATIONS.iter().enumerate() {
            assert_eq!(op.id.operation(), op);
            assert!(
                OPERATIONS[i + 1..]
                    .iter()
                    .all(|other| other.id != op.id && other.path != op.path)
            );
            assert_eq!(find(op.path), Some(op));
        }
        assert!(find("/builds/").is_none());
        assert_eq!(
            OperationId::GetBuildsSummary
                .operation()
                .segments()
                .collect::<Vec<_>>(),
            ["builds", "summary"]
        );
    }
}
