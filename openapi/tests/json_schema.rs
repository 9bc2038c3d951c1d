//! Builds, real and generated, validate against the document's `Build` schema with an
//! independent JSON Schema validator; broken ones do not.

use chrono::{TimeZone, Utc};
use nixbuild::{Build, BuildId, BuildStatus, Output};
use proptest::prelude::*;
use serde_json::{Value, json};

fn document() -> Value {
    serde_json::to_value(nixbuild_openapi::document()).unwrap()
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles")
}

fn build_validator() -> jsonschema::Validator {
    validator(&nixbuild_openapi::json_schema::component(&document(), "Build"))
}

fn seed() -> Value {
    serde_json::from_str(nixbuild::examples::SEED_BUILDS_JSON).unwrap()
}

#[test]
fn the_seed_response_validates_as_the_list_builds_answer() {
    let schema = nixbuild_openapi::json_schema::response(&document(), "GET", "/builds", 200).unwrap();
    let validator = validator(&schema);
    let errors: Vec<String> = validator.iter_errors(&seed()).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn broken_builds_do_not_validate() {
    let validator = build_validator();
    let good = seed()[0].clone();
    assert!(validator.is_valid(&good));
    let breakages: [(&str, Value); 5] = [
        ("status", json!(3)),
        ("build_id", json!(-1)),
        ("create_time", json!("yesterday")),
        ("outputs", json!([{"name": "out"}])),
        ("tags", json!({"GITHUB_RUN_ID": 42})),
    ];
    for (field, value) in breakages {
        let mut broken = good.clone();
        broken[field] = value;
        assert!(
            !validator.is_valid(&broken),
            "{field} should make the build invalid"
        );
    }
    let mut missing = good;
    missing.as_object_mut().unwrap().remove("derivation_path");
    assert!(!validator.is_valid(&missing));
}

#[test]
fn error_bodies_validate_against_every_error_response() {
    let doc = document();
    for status in [400, 401, 403, 429, 503] {
        let schema = nixbuild_openapi::json_schema::response(&doc, "GET", "/builds", status).unwrap();
        let validator = validator(&schema);
        assert!(validator.is_valid(&json!({"error": "no"})), "{status}");
        assert!(!validator.is_valid(&json!({"message": "no"})), "{status}");
    }
}

fn status() -> impl Strategy<Value = BuildStatus> {
    prop_oneof![
        proptest::sample::select(BuildStatus::KNOWN.to_vec()),
        "[a-z_]{1,20}".prop_map(|s| BuildStatus::from_wire(&s)),
    ]
}

fn output() -> impl Strategy<Value = Output> {
    ("[a-z]{1,8}", "[a-z0-9]{32}", any::<u64>()).prop_map(|(name, hash, size)| {
        Output::new(
            name.clone(),
            format!("/nix/store/{hash}-pkg-{name}"),
            format!("sha256-{hash}="),
            size,
        )
    })
}

prop_compose! {
    fn build()(
        id in any::<u64>(),
        created in 0i64..4_102_444_800,
        nanos in 0u32..1_000_000_000,
        started in proptest::option::of((0.0f64..1e5, 0.0f64..1e6)),
        status in status(),
        message in proptest::option::of(".{0,20}"),
        cpu in (any::<u32>(), any::<u64>(), any::<u64>()),
        peaks in (proptest::option::of(any::<u64>()), proptest::option::of(any::<u64>())),
        outputs in proptest::collection::vec(output(), 0..3),
        tags in proptest::collection::btree_map(".{1,10}", ".{0,10}", 0..4),
        restarts in (proptest::option::of(any::<u64>()), proptest::option::of(any::<u64>())),
    ) -> Build {
        let create_time = Utc.timestamp_opt(created, nanos).unwrap();
        let mut build = Build::new(
            id,
            "/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv",
            "x86_64-linux",
            create_time,
        );
        build.start_time = started.map(|(queue, _)| create_time + chrono::TimeDelta::milliseconds(queue as i64));
        build.queue_time_seconds = started.map(|(queue, _)| queue);
        build.duration_seconds = started.map(|(_, duration)| duration);
        build.status = status;
        build.status_message = message;
        (build.cpu_count, build.allocated_megabytes, build.cpu_seconds) = cpu;
        (build.peak_memory_use_kilobytes, build.peak_storage_use_kilobytes) = peaks;
        build.outputs = outputs;
        build.tags = tags.into_iter().collect::<nixbuild::Tags>();
        build.restart_of_build_id = restarts.0.map(BuildId);
        build.restarted_as_build_id = restarts.1.map(BuildId);
        build
    }
}

proptest! {
    #[test]
    fn every_build_the_sdk_writes_validates(build in build()) {
        let value = serde_json::to_value(&build).unwrap();
        let validator = build_validator();
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
        prop_assert!(errors.is_empty(), "{:#?}\n{}", errors, value);
    }
}
