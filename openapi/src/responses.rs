//! The responses operations share: JSON success bodies and the error answers.

use nixbuild::{ErrorBody, StatusCode};
use utoipa::ToSchema;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Content, Ref, RefOr, Schema};

/// A 200 answer with a JSON body.
pub(crate) fn json(
    description: &str,
    schema: impl Into<RefOr<Schema>>,
    example: Option<serde_json::Value>,
) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::builder().schema(Some(schema)).example(example).build(),
        )
        .build()
}

/// The error answers of an operation, as `(status, response)`.
pub(crate) fn errors(takes_parameters: bool) -> Vec<(String, Response)> {
    let mut errors = Vec::new();
    if takes_parameters {
        errors.push(error(
            StatusCode::BAD_REQUEST,
            "A parameter is malformed; the message names it.",
            "invalid `limit` parameter: `0` is not a positive integer",
            false,
        ));
    }
    errors.push(error(
        StatusCode::UNAUTHORIZED,
        "The token is missing, unreadable, or not signed by the service.",
        "missing bearer token",
        false,
    ));
    errors.push(error(
        StatusCode::FORBIDDEN,
        "The token is genuine, but one of its checks or the service's policies fails: it has \
         expired, lacks the right the endpoint needs, or is pinned to another resource. The \
         message says which.",
        "the token has expired",
        false,
    ));
    errors.push(error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests: wait for `Retry-After` seconds, then try again.",
        "too many requests",
        true,
    ));
    errors.push(error(
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is briefly unavailable: wait for `Retry-After` seconds, then try again.",
        "the service is restarting",
        true,
    ));
    errors
}

fn error(status: StatusCode, description: &str, example: &str, retry_after: bool) -> (String, Response) {
    let content = Content::builder()
        .schema(Some(Ref::from_schema_name(ErrorBody::name())))
        .example(Some(
            serde_json::to_value(ErrorBody::new(example)).unwrap_or_default(),
        ))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content);
    if retry_after {
        let seconds = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0));
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(seconds))
                .description(Some("Seconds to wait before sending the request again."))
                .build(),
        );
    }
    (status.as_u16().to_string(), response.build())
}
