//! The rules of the control API's bodies that tie one field to another: "exactly one of
//! these", "this only with that", "a right it knows unless told otherwise". The mock refuses
//! a body that breaks one with a 400; said in the schema, a generated request never breaks
//! one, and a property-based tester knows such a body is not valid.
//!
//! Each rule is a JSON Schema `not` of the shapes the mock refuses. Generators of typed
//! clients ignore `not`, so the models stay what they are (`oneOf`/`anyOf` would turn each
//! into a union of nameless shapes); validators and testers honour it.

use serde_json::{Value, json};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::{RefOr, Schema};

/// `schema` with `not` of the shapes in `refused`. utoipa's `Object` has no field for `not`;
/// its extensions serialize flattened among the schema's keywords, which writes it there.
pub fn refusing(schema: RefOr<Schema>, mut refused: Vec<Value>) -> RefOr<Schema> {
    // One shape stands alone: an `anyOf` of one is noise to linters.
    let not = match refused.len() {
        1 => refused.remove(0),
        _ => json!({ "anyOf": refused }),
    };
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            object
                .extensions
                .get_or_insert_with(Extensions::default)
                .insert("not".to_owned(), not);
            RefOr::T(Schema::Object(object))
        }
        // Every body schema here is an object; anything else is left as it is.
        other => other,
    }
}

/// A body field that is present and says yes.
fn set(field: &str) -> Value {
    json!({ "required": [field], "properties": { field: { "const": true } } })
}

/// A body field that is present and not null (the mock reads a null as left out).
fn present(field: &str) -> Value {
    json!({ "required": [field], "properties": { field: { "not": { "type": "null" } } } })
}

/// Both shapes at once.
fn both(a: &Value, b: &Value) -> Value {
    json!({ "allOf": [a, b] })
}

/// What a fault body may not be: two kinds at once, no kind, or a `Retry-After` without a
/// status to go with it.
pub fn fault_rules() -> Vec<Value> {
    let kinds = [
        present("status"),
        present("delay_ms"),
        set("malformed_body"),
        set("drop_connection"),
    ];
    let mut refused = Vec::new();
    for (i, a) in kinds.iter().enumerate() {
        for b in &kinds[i + 1..] {
            refused.push(both(a, b));
        }
    }
    refused.push(json!({ "not": { "anyOf": kinds } }));
    refused.push(both(
        &present("retry_after_seconds"),
        &json!({ "not": present("status") }),
    ));
    refused
}

/// What a token request may not be: two expiries, or a right nixbuild.net does not grant
/// (or an empty or overlong one) unless `allow_unknown_rights` says so.
pub fn token_rules(known_rights: &[&str], max_right_chars: usize) -> Vec<Value> {
    let unknown_right = json!({
        "required": ["rights"],
        "properties": { "rights": { "type": "array", "contains": { "not": { "enum": known_rights } } } }
    });
    let bad_length = json!({
        "required": ["rights"],
        "properties": { "rights": { "type": "array", "contains": {
            "anyOf": [{ "maxLength": 0 }, { "minLength": max_right_chars + 1 }]
        } } }
    });
    vec![
        both(&present("expires_in_seconds"), &present("expires_at")),
        both(&unknown_right, &json!({ "not": set("allow_unknown_rights") })),
        bad_length,
    ]
}

/// What a clock change may not be: both an instant and a move, or neither.
pub fn clock_rules() -> Vec<Value> {
    vec![
        both(&present("now"), &present("advance_seconds")),
        json!({ "not": { "anyOf": [present("now"), present("advance_seconds")] } }),
    ]
}

/// What a fixture spec may not be: an empty status.
pub fn fixture_rules() -> Vec<Value> {
    vec![json!({ "required": ["status"], "properties": { "status": { "maxLength": 0 } } })]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `body` breaks one of `rules`, as a validator reads the `not`.
    fn refused(rules: &[Value], body: Value) -> bool {
        let schema = json!({ "anyOf": rules });
        jsonschema::is_valid(&schema, &body)
    }

    #[test]
    fn each_rule_refuses_what_the_mock_refuses_and_nothing_it_takes() {
        let faults = fault_rules();
        for bad in [
            json!({}),
            json!({"status": 503, "delay_ms": 5}),
            json!({"malformed_body": true, "drop_connection": true}),
            json!({"delay_ms": 5, "retry_after_seconds": 1}),
            json!({"malformed_body": false}),
        ] {
            assert!(refused(&faults, bad.clone()), "{bad}");
        }
        for good in [
            json!({"status": 503, "retry_after_seconds": 1, "malformed_body": false}),
            json!({"drop_connection": true, "delay_ms": null}),
            json!({"malformed_body": true, "times": 3}),
        ] {
            assert!(!refused(&faults, good.clone()), "{good}");
        }
        let tokens = token_rules(&["build:read", "build:write"], 128);
        assert!(refused(
            &tokens,
            json!({"expires_in_seconds": 1, "expires_at": "2030-01-01T00:00:00Z"})
        ));
        assert!(refused(&tokens, json!({"rights": ["build:raed"]})));
        assert!(refused(
            &tokens,
            json!({"rights": [""], "allow_unknown_rights": true})
        ));
        assert!(!refused(
            &tokens,
            json!({"rights": ["run:write"], "allow_unknown_rights": true})
        ));
        assert!(!refused(
            &tokens,
            json!({"rights": ["build:read"], "expires_in_seconds": 5})
        ));
        let clock = clock_rules();
        assert!(refused(&clock, json!({})) && refused(&clock, json!({"now": "x", "advance_seconds": 1})));
        assert!(!refused(&clock, json!({"advance_seconds": 1})));
    }
}
