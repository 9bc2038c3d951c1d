//! The query parameters, one per [`FilterParam`], described from the SDK's filter.

use nixbuild::FilterParam;
use nixbuild::api::operation::OIDC_ID_TOKEN_HEADER;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr, Required};

/// A header an operation needs, by its name in the SDK's table, written as the service's
/// documentation writes it (`NIXBUILDNET-OIDC-ID-TOKEN`).
pub(crate) fn header(name: &str) -> Parameter {
    let description = if name == OIDC_ID_TOKEN_HEADER {
        "The CI job's OIDC ID token (a JWT), such as the one GitHub Actions issues. The service \
         verifies it; nixbuild-mock only reads its claims."
    } else {
        "Required."
    };
    ParameterBuilder::new()
        .name(name.to_uppercase())
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(string().min_length(Some(1))))
        .build()
}

/// A query parameter.
pub(crate) fn query(param: FilterParam) -> Parameter {
    let builder = ParameterBuilder::new()
        .name(param.name())
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(param.description()));
    let (schema, example): (RefOr<Schema>, serde_json::Value) = match param {
        FilterParam::DerivationPath => (
            string().min_length(Some(1)).into(),
            "/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv".into(),
        ),
        FilterParam::Tags => (
            // A comma-separated list is OpenAPI's `form` style without `explode`.
            ArrayBuilder::new()
                .items(
                    string()
                        .pattern(Some("^[^:,]+:[^,]*$"))
                        .description(Some("One tag, `NAME:VALUE`")),
                )
                .into(),
            serde_json::json!(["GITHUB_REPOSITORY:owner/repo", "GITHUB_RUN_ID:42"]),
        ),
        FilterParam::Status => (
            ArrayBuilder::new()
                .items(Ref::from_schema_name("KnownBuildStatus"))
                .into(),
            serde_json::json!(["built", "build_failed"]),
        ),
        FilterParam::CreateTimeFrom | FilterParam::CreateTimeTo => (time_bound(), "2024-05-01".into()),
        FilterParam::Limit => (
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                // Any positive integer a u64 holds: wider than int64, so no format.
                .minimum(Some(1))
                .maximum(Some(u64::MAX))
                .into(),
            100.into(),
        ),
        // A parameter added to the SDK after this was written: still described, as text.
        _ => (string().into(), serde_json::Value::Null),
    };
    let builder = builder.schema(Some(schema));
    let builder = match param {
        FilterParam::Tags | FilterParam::Status => {
            builder.style(Some(ParameterStyle::Form)).explode(Some(false))
        }
        _ => builder,
    };
    let example = Some(example).filter(|e| !e.is_null());
    builder.example(example).build()
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// A date or a date-time.
fn time_bound() -> RefOr<Schema> {
    AnyOfBuilder::new()
        .item(
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .description(Some("A date: 00:00:00 UTC of that day")),
        )
        .item(
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some("An RFC 3339 date-time")),
        )
        .into()
}
