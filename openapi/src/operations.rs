//! The operations: one per endpoint of the read API.

use nixbuild::api::operation::{OPERATIONS, Operation as ApiOperation, OperationId};
use nixbuild::{Build, BuildsSummary, Usage};
use utoipa::ToSchema;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::ArrayBuilder;
use utoipa::openapi::{HttpMethod, Paths, PathsBuilder, Ref};

use crate::described::operation;
use crate::responses;

/// One path per row of the SDK's operation table.
pub(crate) fn paths() -> Paths {
    OPERATIONS
        .iter()
        .fold(PathsBuilder::new(), |paths, op| {
            paths.path(
                op.path,
                PathItem::new(openapi_method(&op.method, op.name), describe(op)),
            )
        })
        .build()
}

/// The document's method for the HTTP method of a row named `name` (of the API's table or
/// the control API's): each mapped, none assumed.
///
/// # Panics
///
/// For a method OpenAPI has no field for (`CONNECT`, or an extension method): a row no
/// document could describe, which the generator refuses at once.
pub(crate) fn openapi_method(method: &nixbuild::reexports::reqwest::Method, name: &str) -> HttpMethod {
    match method.as_str() {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        "HEAD" => HttpMethod::Head,
        "OPTIONS" => HttpMethod::Options,
        "TRACE" => HttpMethod::Trace,
        other => panic!("{name} is {other}, which an OpenAPI document cannot describe"),
    }
}

/// What the document says of `op`.
fn describe(op: &ApiOperation) -> Operation {
    match op.id {
        OperationId::ListBuilds => list_builds(op),
        OperationId::GetBuildsSummary => get_builds_summary(op),
        OperationId::GetUsage => get_usage(op),
        OperationId::ExchangeOidcToken => crate::experimental::exchange_oidc_token(op),
        OperationId::CreateProcesses => crate::experimental::create_processes(op),
        // Outside the workspace (a release of this crate against a newer SDK), a row not
        // described yet is listed, plainly; inside it, the match is exhaustive.
        #[cfg(not(nixbuild_workspace))]
        _ => operation(
            op,
            "other",
            op.name,
            "Not described yet.",
            utoipa::openapi::ResponseBuilder::new()
                .description("Success")
                .build(),
        ),
    }
}

fn list_builds(op: &ApiOperation) -> Operation {
    let seed: serde_json::Value =
        serde_json::from_str(nixbuild::examples::SEED_BUILDS_JSON).unwrap_or_default();
    operation(
        op,
        "builds",
        "List builds",
        "The builds that pass every filter, newest first (by `create_time`, then `build_id`, \
         descending). Without filters, every build of the account.",
        responses::json(
            "The matching builds, newest first",
            ArrayBuilder::new().items(Ref::from_schema_name(<Build as ToSchema>::name())),
            Some(seed),
        ),
    )
}

fn get_builds_summary(op: &ApiOperation) -> Operation {
    operation(
        op,
        "builds",
        "Summarise builds",
        "Counts, CPU time and output size over the builds that pass the same filters as \
         `listBuilds` (with `limit`, over the newest `limit` of them).",
        responses::json("The summary", Ref::from_schema_name(BuildsSummary::name()), None),
    )
}

fn get_usage(op: &ApiOperation) -> Operation {
    operation(
        op,
        "usage",
        "Get billing usage",
        "The CPU seconds and builds the account is billed for, over the builds created in the \
         given window (all builds without one): those `getBuildsSummary` counts as billable.",
        responses::json("The usage", Ref::from_schema_name(Usage::name()), None),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_under_its_own_method_in_the_document() {
        let paths = paths();
        for op in OPERATIONS {
            let item = &paths.paths[op.path];
            let described = match openapi_method(&op.method, op.name) {
                HttpMethod::Get => &item.get,
                HttpMethod::Post => &item.post,
                HttpMethod::Put => &item.put,
                HttpMethod::Patch => &item.patch,
                HttpMethod::Delete => &item.delete,
                HttpMethod::Head => &item.head,
                HttpMethod::Options => &item.options,
                HttpMethod::Trace => &item.trace,
            };
            let described = described
                .as_ref()
                .unwrap_or_else(|| panic!("{} is not under {}", op.name, op.method));
            assert_eq!(described.operation_id.as_deref(), Some(op.name));
        }
    }
}
