//! The OpenAPI schema of [`BuildStatus`], which no derive can write.
//!
//! The service adds statuses over time, and a client generated from the document must
//! neither reject a new one nor lose the known ones. So `BuildStatus` is described as
//! `anyOf: [KnownBuildStatus, string]`: the known values stay an enum (generated as one, with
//! autocompletion and exhaustive matching where the language has them), and any other string
//! is still valid and kept as it came.

use std::borrow::Cow;

use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::status::BuildStatus;

/// The statuses known when this document was written: the enum half of
/// [`BuildStatus`]'s schema.
pub struct KnownBuildStatus;

impl PartialSchema for KnownBuildStatus {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(BuildStatus::KNOWN.iter().map(|s| s.as_str().to_owned())))
            .description(Some(
                "A build status known when this document was written. `pending` and `running` \
                 are in progress; `built` is success; `build_failed`, `cancelled`, `timeout`, \
                 `max_memory_exceeded`, `client_disconnect` and `client_error` are the user's \
                 failures; `internal_error` and `out_of_memory` are the service's.",
            ))
            .into()
    }
}

impl ToSchema for KnownBuildStatus {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("KnownBuildStatus")
    }
}

impl PartialSchema for BuildStatus {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(KnownBuildStatus::name()))
            .item(ObjectBuilder::new().schema_type(Type::String).description(Some(
                "A status added to the service after this document was written.",
            )))
            .description(Some(
                "The state of a build. The service may add statuses: a client must accept any \
                 string here, and should treat one it does not know as a finished build that \
                 neither succeeded nor failed in a known way. The known values are \
                 `KnownBuildStatus`.",
            ))
            .examples(["built"])
            .into()
    }
}

impl ToSchema for BuildStatus {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("BuildStatus")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((KnownBuildStatus::name().into_owned(), KnownBuildStatus::schema()));
    }
}
