//! What the document must say: every endpoint, parameter, error and description.

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(nixbuild_openapi::document()).unwrap()
}

#[test]
fn describes_each_endpoint_with_a_readable_operation_id() {
    let doc = document();
    for (method, path, id, tag, experimental) in [
        ("get", "/builds", "listBuilds", "builds", false),
        ("get", "/builds/summary", "getBuildsSummary", "builds", false),
        ("get", "/usage", "getUsage", "usage", false),
        (
            "get",
            "/auth/oidc-token-exchange",
            "exchangeOidcToken",
            "auth",
            true,
        ),
        ("post", "/processes", "createProcesses", "processes", true),
    ] {
        let operation = &doc["paths"][path][method];
        assert_eq!(operation["operationId"], id, "{path}");
        assert_eq!(operation["tags"][0], tag, "{path}");
        assert_eq!(operation.get("x-experimental").is_some(), experimental, "{path}");
    }
    let paths = doc["paths"].as_object().unwrap().len();
    assert_eq!(paths, 5, "no invented endpoints (no GET /builds/{{id}})");
}

#[test]
fn every_filter_parameter_is_described_on_both_build_endpoints() {
    let doc = document();
    for path in ["/builds", "/builds/summary"] {
        let names: Vec<&str> = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = nixbuild::FilterParam::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names, expected, "{path}");
    }
    let usage: Vec<&str> = doc["paths"]["/usage"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(usage, ["create_time_from", "create_time_to"]);
}

#[test]
fn lists_are_comma_separated_and_limit_is_positive() {
    let doc = document();
    let params = doc["paths"]["/builds"]["get"]["parameters"].as_array().unwrap();
    let param = |name: &str| params.iter().find(|p| p["name"] == name).unwrap();
    for name in ["tags", "status"] {
        assert_eq!(param(name)["style"], "form", "{name}");
        assert_eq!(param(name)["explode"], false, "{name}");
    }
    assert_eq!(param("limit")["schema"]["minimum"], 1);
    let formats: Vec<&Value> = param("create_time_from")["schema"]["anyOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["format"])
        .collect();
    assert_eq!(formats, ["date", "date-time"]);
}

#[test]
fn errors_are_described_with_their_body_and_retry_after() {
    let doc = document();
    let responses = &doc["paths"]["/builds"]["get"]["responses"];
    for status in ["400", "401", "403", "429", "503"] {
        let body = &responses[status]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(body, "#/components/schemas/ErrorBody", "{status}");
    }
    assert!(responses["429"]["headers"]["Retry-After"].is_object());
    assert!(doc["paths"]["/usage"]["get"]["responses"]["400"].is_object());
}

#[test]
fn security_is_a_biscuit_bearer_token_with_a_description() {
    let doc = document();
    let scheme = &doc["components"]["securitySchemes"][nixbuild_openapi::SECURITY_SCHEME];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "biscuit");
    assert!(scheme["description"].as_str().unwrap().contains("build:read"));
    assert_eq!(
        doc["security"][0][nixbuild_openapi::SECURITY_SCHEME],
        serde_json::json!([])
    );
    assert_eq!(doc["servers"][0]["url"], "https://api.nixbuild.net");
}

#[test]
fn the_seed_builds_are_the_example_of_list_builds() {
    let doc = document();
    let example =
        &doc["paths"]["/builds"]["get"]["responses"]["200"]["content"]["application/json"]["example"];
    let seed: Value = serde_json::from_str(nixbuild::examples::SEED_BUILDS_JSON).unwrap();
    assert_eq!(example, &seed);
}

/// Collects where a schema or parameter lacks a description.
fn undescribed(value: &Value, at: String, missing: &mut Vec<String>) {
    let Value::Object(map) = value else { return };
    if let Some(Value::Object(properties)) = map.get("properties") {
        for (name, schema) in properties {
            if schema.get("description").is_none() && !one_of_described(schema) {
                missing.push(format!("{at}.properties.{name}"));
            }
        }
    }
    for (key, child) in map {
        match child {
            Value::Object(_) => undescribed(child, format!("{at}.{key}"), missing),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    undescribed(item, format!("{at}.{key}[{i}]"), missing);
                }
            }
            _ => {}
        }
    }
}

/// utoipa writes a nullable reference as `oneOf: [{$ref, description}, {type: null}]`.
fn one_of_described(schema: &Value) -> bool {
    schema["oneOf"]
        .as_array()
        .is_some_and(|items| items.iter().any(|i| i.get("description").is_some()))
}

#[test]
fn every_schema_property_component_and_parameter_has_a_description() {
    let doc = document();
    let mut missing = Vec::new();
    undescribed(&doc, "#".into(), &mut missing);
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if schema.get("description").is_none() {
            missing.push(format!("components.schemas.{name}"));
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for operation in item.as_object().unwrap().values() {
            for param in operation["parameters"].as_array().unwrap() {
                if param.get("description").is_none() {
                    missing.push(format!("{path} {}", param["name"]));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undescribed: {missing:#?}");
}

#[test]
fn the_experimental_operations_take_the_oidc_header() {
    let doc = document();
    for (method, path) in [("get", "/auth/oidc-token-exchange"), ("post", "/processes")] {
        let operation = &doc["paths"][path][method];
        assert_eq!(operation["x-experimental"], true);
        let header = &operation["parameters"][0];
        assert_eq!(header["name"], "NIXBUILDNET-OIDC-ID-TOKEN");
        assert_eq!(
            (&header["in"], &header["required"]),
            (&Value::from("header"), &Value::from(true))
        );
    }
    let exchange = &doc["paths"]["/auth/oidc-token-exchange"]["get"]["responses"]["200"]["content"];
    assert!(exchange["text/plain"].is_object());
    let body = &doc["paths"]["/processes"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["items"]["$ref"], "#/components/schemas/Process");
}
