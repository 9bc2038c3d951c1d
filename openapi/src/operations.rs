//! The operations: one per endpoint of the read API.

use nixbuild::{Build, BuildsSummary, Usage};
use utoipa::ToSchema;
use utoipa::openapi::path::{Operation, OperationBuilder, Parameter, PathItem};
use utoipa::openapi::schema::ArrayBuilder;
use utoipa::openapi::{HttpMethod, Paths, PathsBuilder, Ref, Response, ResponsesBuilder};

use crate::{parameters, responses};

/// The real `GET /builds` response of nixbuild.net's launch announcement.
const SEED_BUILDS: &str = include_str!("../../mock-server/fixtures/seed-builds.json");

pub(crate) fn paths() -> Paths {
    PathsBuilder::new()
        .path("/builds", PathItem::new(HttpMethod::Get, list_builds()))
        .path(
            "/builds/summary",
            PathItem::new(HttpMethod::Get, get_builds_summary()),
        )
        .path("/usage", PathItem::new(HttpMethod::Get, get_usage()))
        .path(
            "/auth/oidc-token-exchange",
            PathItem::new(HttpMethod::Get, crate::experimental::exchange_oidc_token()),
        )
        .path(
            "/processes",
            PathItem::new(HttpMethod::Post, crate::experimental::create_processes()),
        )
        .build()
}

fn list_builds() -> Operation {
    let seed: serde_json::Value = serde_json::from_str(SEED_BUILDS).unwrap_or_default();
    operation(
        "listBuilds",
        "builds",
        "List builds",
        "The builds that pass every filter, newest first (by `create_time`, then `build_id`, \
         descending). Without filters, every build of the account.",
        parameters::build_filters(),
        responses::json(
            "The matching builds, newest first",
            ArrayBuilder::new().items(Ref::from_schema_name(<Build as ToSchema>::name())),
            Some(seed),
        ),
    )
}

fn get_builds_summary() -> Operation {
    operation(
        "getBuildsSummary",
        "builds",
        "Summarise builds",
        "Counts, CPU time and output size over the builds that pass the same filters as \
         `listBuilds` (with `limit`, over the newest `limit` of them).",
        parameters::build_filters(),
        responses::json("The summary", Ref::from_schema_name(BuildsSummary::name()), None),
    )
}

fn get_usage() -> Operation {
    operation(
        "getUsage",
        "usage",
        "Get billing usage",
        "The CPU seconds and builds the account is billed for, over the builds created in the \
         given window (all builds without one): those `getBuildsSummary` counts as billable.",
        parameters::time_window(),
        responses::json("The usage", Ref::from_schema_name(Usage::name()), None),
    )
}

pub(crate) fn operation(
    id: &str,
    tag: &str,
    summary: &str,
    description: &str,
    parameters: Vec<Parameter>,
    success: Response,
) -> Operation {
    let takes_parameters = !parameters.is_empty();
    let responses = ResponsesBuilder::new()
        .response("200", success)
        .responses_from_iter(responses::errors(takes_parameters))
        .build();
    OperationBuilder::new()
        .operation_id(Some(id))
        .tag(tag)
        .summary(Some(summary))
        .description(Some(description))
        .parameters(Some(parameters))
        .responses(responses)
        .build()
}
