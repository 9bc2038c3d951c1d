//! Decoding and encoding the wire types.

mod common;

use nixbuild::{Build, BuildId, BuildStatus, BuildsSummary, Usage};
use serde_json::{Value, json};

#[test]
fn seed_builds_decode_and_reencode_to_the_same_json() {
    let seed = common::seed_json();
    let builds: Vec<Build> = serde_json::from_str(&seed).unwrap();
    assert_eq!(builds.len(), 2);
    let original: Value = serde_json::from_str(&seed).unwrap();
    assert_eq!(serde_json::to_value(&builds).unwrap(), original);
}

#[test]
fn seed_builds_have_the_announced_values() {
    let builds: Vec<Build> = serde_json::from_str(&common::seed_json()).unwrap();
    let built = &builds[0];
    assert_eq!(built.build_id, BuildId(805823));
    assert_eq!(built.status, BuildStatus::Built);
    assert_eq!(built.name(), "snix-qemu-6.1.0");
    assert_eq!(built.create_time.timestamp_subsec_nanos(), 69_456_000);
    assert_eq!(built.start_time.unwrap().timestamp_subsec_nanos(), 538_530_000);
    assert_eq!(built.outputs[0].nar_size_bytes, 256_898_464);
    assert_eq!(
        built.finish_time().unwrap().to_rfc3339(),
        "2022-08-19T07:40:57.228423+00:00"
    );
    let disconnected = &builds[1];
    assert_eq!(disconnected.status, BuildStatus::ClientDisconnect);
    assert!(disconnected.status.is_user_failure());
    assert_eq!(disconnected.status_message.as_deref(), Some("ssh session closed"));
    assert!(disconnected.outputs.is_empty());
}

fn pending_build() -> Value {
    json!({
        "build_id": 10_000_001u64,
        "create_time": "2024-05-01T10:00:00Z",
        "start_time": null,
        "queue_time_seconds": null,
        "duration_seconds": null,
        "status": "pending",
        "status_message": null,
        "cpu_count": 2,
        "allocated_megabytes": 4096,
        "cpu_seconds": 0,
        "peak_memory_use_kilobytes": null,
        "peak_storage_use_kilobytes": null,
        "derivation_path": "/nix/store/00000000000000000000000000000000-hello-2.12.drv",
        "outputs": [],
        "system": "aarch64-linux",
        "tags": {"GITHUB_RUN_ID": "42"}
    })
}

#[test]
fn nulls_of_a_pending_build_decode_and_reencode() {
    let build: Build = serde_json::from_value(pending_build()).unwrap();
    assert!(build.start_time.is_none() && build.finish_time().is_none());
    assert_eq!(build.tag("GITHUB_RUN_ID"), Some("42"));
    assert_eq!(serde_json::to_value(&build).unwrap(), pending_build());
}

#[test]
fn unknown_status_and_unknown_fields_decode() {
    let mut value = pending_build();
    value["status"] = json!("quarantined");
    value["carbon_grams"] = json!(12.5);
    let build: Build = serde_json::from_value(value).unwrap();
    assert_eq!(build.status, BuildStatus::Unknown("quarantined".into()));
    assert_eq!(serde_json::to_value(&build).unwrap()["status"], "quarantined");
}

#[test]
fn build_status_is_read_as_status_and_written_as_status() {
    let mut value = pending_build();
    let status = value.as_object_mut().unwrap().remove("status").unwrap();
    value["build_status"] = status;
    let build: Build = serde_json::from_value(value).unwrap();
    assert_eq!(build.status, BuildStatus::Pending);
    let written = serde_json::to_value(&build).unwrap();
    assert_eq!(written["status"], "pending");
    assert!(written.get("build_status").is_none());
}

#[test]
fn absent_tags_and_restart_links_decode_as_empty() {
    let mut value = pending_build();
    value.as_object_mut().unwrap().remove("tags");
    let build: Build = serde_json::from_value(value).unwrap();
    assert!(build.tags.is_empty());
    assert_eq!(
        (build.restart_of_build_id, build.restarted_as_build_id),
        (None, None)
    );
    assert!(!build.is_discarded());
}

#[test]
fn restart_links_are_read_and_written() {
    let mut value = pending_build();
    value["restart_of_build_id"] = json!(10_000_000u64);
    value["restarted_as_build_id"] = json!(10_000_002u64);
    let build: Build = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(build.restart_of_build_id, Some(BuildId(10_000_000)));
    assert!(build.is_discarded());
    assert_eq!(serde_json::to_value(&build).unwrap(), value);
}

#[test]
fn timestamps_keep_every_fraction_digit() {
    let mut value = pending_build();
    value["create_time"] = json!("2024-05-01T10:00:00.123456789Z");
    let build: Build = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(build.create_time.timestamp_subsec_nanos(), 123_456_789);
    assert_eq!(serde_json::to_value(&build).unwrap(), value);
}

#[test]
fn summary_reads_the_official_fields_and_the_optional_ones() {
    let official = json!({
        "build_count": 5, "successful_build_count": 3, "failed_build_count": 1,
        "discarded_build_count": 1, "billable_cpu_seconds": 1200,
        "total_output_nar_size_kilobytes": 2048
    });
    let summary: BuildsSummary = serde_json::from_value(official.clone()).unwrap();
    assert_eq!(summary.failed_build_count, 1);
    assert_eq!(summary.running_build_count, None);
    assert_eq!(serde_json::to_value(&summary).unwrap(), official);

    let mut full = official;
    full["running_build_count"] = json!(0);
    full["total_cpu_seconds"] = json!(1300);
    full["total_duration_seconds"] = json!(612.5);
    full["wall_time_seconds"] = json!(400.25);
    let summary: BuildsSummary = serde_json::from_value(full.clone()).unwrap();
    assert_eq!(summary.wall_time_seconds, Some(400.25));
    assert_eq!(serde_json::to_value(&summary).unwrap(), full);
}

#[test]
fn usage_reads_the_documented_example() {
    let usage: Usage =
        serde_json::from_str(r#"{"billable_cpu_seconds": 316, "billable_build_count": 251}"#).unwrap();
    assert_eq!(usage, Usage::new(316, 251));
}

/// Found by the `decode` fuzz target: a number with more digits than an f64 holds must
/// decode to the nearest f64, or re-encoding it gives another number.
#[test]
fn long_numbers_decode_to_the_nearest_float_and_round_trip() {
    let digits = format!("{}9.5", "3597".to_owned() + &"7".repeat(100));
    let text = r#"{"billable_cpu_seconds": 1, "billable_build_count": 2}"#;
    let _: nixbuild::Usage = serde_json::from_str(text).unwrap();
    let value: f64 = serde_json::from_str(&digits).unwrap();
    assert_eq!(
        value,
        digits.parse::<f64>().unwrap(),
        "the nearest f64, as Rust's parser finds it"
    );
    let again: f64 = serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
    assert_eq!(again, value);
}
