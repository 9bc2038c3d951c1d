//! The experimental operations, marked `x-experimental: true`: OIDC token exchange and
//! `POST /processes`. Their shape on the service may change.

use nixbuild::Process;
use nixbuild::api::operation::Operation as ApiOperation;
use utoipa::ToSchema;
use utoipa::openapi::path::Operation;
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Content, Ref, Required, ResponseBuilder};

use crate::described::operation;

pub(crate) fn exchange_oidc_token(op: &ApiOperation) -> Operation {
    let token = ResponseBuilder::new()
        .description("The new nixbuild.net token, as plain text")
        .content(
            "text/plain",
            Content::new(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("A Biscuit token (base64url)")),
            )),
        )
        .build();
    operation(
        op,
        "auth",
        "Exchange a CI OIDC ID token",
        "Experimental. Exchanges the bearer token and a CI job's OIDC ID token for a short-lived \
         token carrying the bearer token's rights and the ID token's claims as \
         `jwt_claim(name, value)` facts. Earlier versions of the service answered a JSON string or \
         `{\"token\": …}`; clients should accept those too.",
        token,
    )
}

pub(crate) fn create_processes(op: &ApiOperation) -> Operation {
    let answer = ResponseBuilder::new()
        .description("The service's answer; its shape is not public")
        .content(
            "application/json",
            Content::new(Some(
                ObjectBuilder::new()
                    .schema_type(SchemaType::AnyValue)
                    .description(Some(
                        "Not public: nixbuild-mock answers `[{\"id\": 1, \"installable\": \"…\"}]`",
                    )),
            )),
        )
        .build();
    let mut operation = operation(
        op,
        "processes",
        "Schedule asynchronous builds",
        "Experimental. Schedules the given processes. Needs the `build:write` right and the CI \
         job's OIDC ID token. Not idempotent: never retry it blindly.",
        answer,
    );
    operation.request_body = Some(
        RequestBodyBuilder::new()
            .description(Some("The processes to schedule"))
            .required(Some(Required::True))
            .content(
                "application/json",
                Content::new(Some(
                    ArrayBuilder::new().items(Ref::from_schema_name(Process::name())),
                )),
            )
            .build()
            .into(),
    );
    operation
}
