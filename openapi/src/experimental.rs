//! The experimental operations, marked `x-experimental: true`: OIDC token exchange and
//! `POST /processes`. Their shape on the service may change.

use nixbuild::Process;
use utoipa::ToSchema;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Content, Ref, Required, ResponseBuilder};

use crate::operations::operation;

/// The header that carries the CI job's OIDC ID token.
const OIDC_HEADER: &str = "NIXBUILDNET-OIDC-ID-TOKEN";

fn oidc_header() -> Parameter {
    ParameterBuilder::new()
        .name(OIDC_HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some(
            "The CI job's OIDC ID token (a JWT), such as the one GitHub Actions issues. The service \
             verifies it; nixbuild-mock only reads its claims.",
        ))
        .schema(Some(
            ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)),
        ))
        .build()
}

fn experimental(mut operation: Operation) -> Operation {
    operation.extensions = Some(ExtensionsBuilder::new().add("x-experimental", true).build());
    operation
}

pub(crate) fn exchange_oidc_token() -> Operation {
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
    experimental(operation(
        "exchangeOidcToken",
        "auth",
        "Exchange a CI OIDC ID token",
        "Experimental. Exchanges the bearer token and a CI job's OIDC ID token for a short-lived \
         token carrying the bearer token's rights and the ID token's claims as \
         `jwt_claim(name, value)` facts. Earlier versions of the service answered a JSON string or \
         `{\"token\": …}`; clients should accept those too.",
        vec![oidc_header()],
        token,
    ))
}

pub(crate) fn create_processes() -> Operation {
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
    let mut operation = experimental(operation(
        "createProcesses",
        "processes",
        "Schedule asynchronous builds",
        "Experimental. Schedules the given processes. Needs the `build:write` right and the CI \
         job's OIDC ID token. Not idempotent: never retry it blindly.",
        vec![oidc_header()],
        answer,
    ));
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
