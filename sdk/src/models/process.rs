//! [`Process`]: an asynchronous build to schedule, as `POST /processes` takes it (experimental).

use serde::{Deserialize, Serialize};

/// One asynchronous build to schedule with `POST /processes` (experimental).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Process {
    /// What to build: a flake reference or store path, such as `github:owner/repo#package`.
    pub installable: String,
    /// Attributes of the process, as `[name, value]` pairs.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = attribute_pairs))]
    pub attributes: Vec<(String, String)>,
}

/// `[[name, value], …]` as arrays of two strings: the tuple schema utoipa derives
/// (`prefixItems` with `items: false`) is valid OpenAPI 3.1 but beyond some generators.
#[cfg(feature = "openapi")]
fn attribute_pairs() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let pair = ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::String))
        .min_items(Some(2))
        .max_items(Some(2))
        .description(Some("`[name, value]`"));
    ArrayBuilder::new()
        .items(pair)
        .description(Some("Attributes of the process, as `[name, value]` pairs."))
        .build()
}

impl Process {
    /// A process building `installable`, with no attributes.
    pub fn new(installable: impl Into<String>) -> Process {
        Process {
            installable: installable.into(),
            attributes: Vec::new(),
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }
}
