//! Standalone JSON Schemas (draft 2020-12) cut from the document, so that any JSON Schema
//! validator can check a body against what the document promises.
//!
//! OpenAPI 3.1 schemas are JSON Schema 2020-12. A cut keeps the document's `components`
//! beside the schema, so the `#/components/schemas/…` references inside resolve unchanged.

use serde_json::{Value, json};

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema of component `name` (`Build`, `BuildsSummary`, …) of `document`.
pub fn component(document: &Value, name: &str) -> Value {
    standalone(
        document,
        json!({ "$ref": format!("#/components/schemas/{name}") }),
    )
}

/// The schema of the JSON body of the `status` answer of `method path` in `document`, or
/// `None` when the document describes no JSON body for it.
pub fn response(document: &Value, method: &str, path: &str, status: u16) -> Option<Value> {
    let schema = document
        .get("paths")?
        .get(path)?
        .get(method.to_ascii_lowercase())?
        .get("responses")?
        .get(status.to_string())?
        .get("content")?
        .get("application/json")?
        .get("schema")?;
    Some(standalone(document, schema.clone()))
}

fn standalone(document: &Value, schema: Value) -> Value {
    json!({
        "$schema": DIALECT,
        "allOf": [schema],
        "components": document.get("components").cloned().unwrap_or(Value::Null),
    })
}
