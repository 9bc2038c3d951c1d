//! `nixbuild-mock check` as a user recording their own account would run it: a partial
//! recording (a few list queries, summaries, usage) checks clean, saying what it could not
//! compare; and each edit a drifting service could make to an answer is caught and named
//! (the mutation suite), with no false alarm on the unedited recording.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::standalone::Standalone;
use common::tempdir::TempDir;
use serde_json::{Value, json};

/// Records `queries` (paths with their query strings) against a standalone mock of `builds`
/// generated builds, through `nixbuild-mock record`; returns the recording's path.
async fn record(dir: &TempDir, builds: &str, queries: &[&str]) -> PathBuf {
    let out = dir.join("recording.json");
    let upstream = Standalone::start(&["--generate", builds, "--seed", "9"]);
    let recorder = Standalone::start(&[
        "record",
        "--upstream",
        upstream.url(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let http = nixbuild::http_client_builder()
        .unwrap()
        .no_proxy()
        .build()
        .unwrap();
    for query in queries {
        let answer = http
            .get(format!("{}{query}", recorder.url()))
            .bearer_auth(upstream.token())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{query}");
        answer.bytes().await.unwrap();
    }
    let (stopped, log) = recorder.terminate();
    assert!(stopped, "{log}");
    out
}

/// `nixbuild-mock check --format json FILE`: its exit code and report.
fn check(recording: &Path) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_nixbuild-mock"))
        .args(["check", "--format", "json"])
        .arg(recording)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code().unwrap_or(-1), report)
}

fn outcomes<'a>(report: &'a Value, outcome: &str) -> Vec<&'a Value> {
    report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == outcome)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partial_recording_of_the_mock_itself_checks_clean_and_says_what_it_could_not_compare() {
    let dir = TempDir::new("check-partial");
    // What a user recording their account runs: a few lists, summaries, usage.
    let recording = record(
        &dir,
        "3000",
        &[
            "/builds?limit=80",
            "/builds?status=build_failed&limit=20",
            "/builds?tags=GITHUB_REPOSITORY:acme/web&limit=50",
            "/builds/summary",
            "/builds/summary?status=build_failed",
            "/builds/summary?limit=80",
            "/usage",
            "/usage?create_time_from=2024-01-01",
        ],
    )
    .await;
    let (code, report) = check(&recording);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["differ"], 0, "{report:#}");
    let skipped = outcomes(&report, "skipped");
    assert!(!skipped.is_empty(), "{report:#}");
    for request in &skipped {
        let reason = request["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("not comparable: the recording holds ")
                && reason.contains("record `nixbuild builds --all`"),
            "{reason}"
        );
    }
    let summary = skipped
        .iter()
        .find(|r| r["request"] == "GET /builds/summary")
        .expect("the whole account's summary is not comparable");
    assert!(
        summary["reason"]
            .as_str()
            .unwrap()
            .contains(" of the 3000 builds this summary counts"),
        "{summary}"
    );
    // The summary over the 80 newest builds is covered by the list of those 80: compared.
    let covered = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["request"] == "GET /builds/summary?limit=80")
        .unwrap();
    assert_eq!(covered["outcome"], "agrees", "{covered}");
}

/// An edit of the recording: what it changes, the JSON it changes, and where `check` must
/// say the difference is (the kind, and the pointer or build it names).
struct Mutation {
    name: &'static str,
    edit: fn(&mut Value),
    kind: &'static str,
    place: Place,
}

enum Place {
    /// A field of a build in the list answer: the build's id, the pointer's last token.
    BuildField(&'static str),
    /// A build as a whole (missing or extra).
    Build,
    /// A JSON pointer in a non-list answer.
    Pointer(&'static str),
    /// A header.
    Header(&'static str),
}

/// The recorded interaction for `request` (`path?query`).
fn interaction<'a>(recording: &'a mut Value, request: &str) -> &'a mut Value {
    let (path, query) = request.split_once('?').unwrap_or((request, ""));
    recording["interactions"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .rfind(|i| i["path"] == path && i["query"].as_str().unwrap_or("") == query)
        .unwrap_or_else(|| panic!("no recorded {request}"))
}

/// The list answer the mutations edit, and its third build.
const LIST: &str = "/builds?limit=7";

fn third_build(recording: &mut Value) -> &mut Value {
    &mut interaction(recording, LIST)["body"][2]
}

fn mutations() -> Vec<Mutation> {
    vec![
        Mutation {
            name: "a field renamed",
            edit: |r| {
                let build = third_build(r).as_object_mut().unwrap();
                let value = build.remove("system").unwrap();
                build.insert("platform".into(), value);
            },
            kind: "not_served",
            place: Place::BuildField("platform"),
        },
        Mutation {
            name: "a field removed",
            edit: |r| {
                third_build(r).as_object_mut().unwrap().remove("cpu_count");
            },
            kind: "not_recorded",
            place: Place::BuildField("cpu_count"),
        },
        Mutation {
            name: "a field retyped",
            edit: |r| {
                let build = third_build(r);
                build["cpu_count"] = build["cpu_count"].to_string().into();
            },
            kind: "retyped",
            place: Place::BuildField("cpu_count"),
        },
        Mutation {
            name: "a field added",
            edit: |r| {
                third_build(r)["queue_position"] = 3.into();
            },
            kind: "not_served",
            place: Place::BuildField("queue_position"),
        },
        Mutation {
            name: "a status changed",
            edit: |r| {
                let build = third_build(r);
                let other = if build["status"] == "cancelled" {
                    "built"
                } else {
                    "cancelled"
                };
                build["status"] = other.into();
            },
            kind: "changed",
            place: Place::BuildField("status"),
        },
        Mutation {
            name: "a number changed",
            edit: |r| {
                let build = third_build(r);
                build["allocated_megabytes"] = (build["allocated_megabytes"].as_u64().unwrap() + 1).into();
            },
            kind: "changed",
            place: Place::BuildField("allocated_megabytes"),
        },
        Mutation {
            name: "a build missing",
            edit: |r| {
                interaction(r, LIST)["body"].as_array_mut().unwrap().remove(2);
            },
            kind: "extra_build",
            place: Place::Build,
        },
        Mutation {
            name: "a build extra",
            edit: |r| {
                let mut stranger = third_build(r).clone();
                stranger["build_id"] = 99_999_999.into();
                interaction(r, LIST)["body"]
                    .as_array_mut()
                    .unwrap()
                    .push(stranger);
            },
            kind: "missing_build",
            place: Place::Build,
        },
        Mutation {
            name: "a summary count changed",
            edit: |r| {
                let summary = &mut interaction(r, "/builds/summary?limit=7")["body"];
                summary["failed_build_count"] = (summary["failed_build_count"].as_u64().unwrap() + 1).into();
            },
            kind: "changed",
            place: Place::Pointer("/failed_build_count"),
        },
        Mutation {
            name: "a header changed",
            edit: |r| {
                interaction(r, LIST)["headers"]["content-type"] = "text/plain".into();
            },
            kind: "header",
            place: Place::Header("content-type"),
        },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn every_edit_a_drifting_service_could_make_is_caught_and_named() {
    let dir = TempDir::new("check-mutations");
    let recording = record(
        &dir,
        "300",
        &[
            LIST,
            "/builds/summary?limit=7",
            "/builds?status=build_failed",
            "/builds/summary?status=build_failed",
            "/usage",
        ],
    )
    .await;
    let (code, report) = check(&recording);
    assert_eq!(
        (code, &report["differ"]),
        (0, &json!(0)),
        "no false alarm: {report:#}"
    );
    assert_eq!(
        outcomes(&report, "skipped").len(),
        1,
        "usage alone is not covered: {report:#}"
    );

    let original: Value = serde_json::from_str(&std::fs::read_to_string(&recording).unwrap()).unwrap();
    let third_id = original["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == "/builds" && i["query"] == "limit=7")
        .unwrap()["body"][2]["build_id"]
        .as_u64()
        .unwrap();
    let mut caught = 0;
    let all = mutations();
    for mutation in &all {
        let mut edited = original.clone();
        (mutation.edit)(&mut edited);
        let path = dir.join(&format!("{}.json", mutation.name.replace(' ', "-")));
        std::fs::write(&path, edited.to_string()).unwrap();
        let (code, report) = check(&path);
        assert_eq!(code, 1, "{}: {report:#}", mutation.name);
        // The edited request differs (an edit may also make another request differ: a list
        // cut short reads as one that came back whole, and then covers the usage).
        let edited_request = match mutation.place {
            Place::Pointer(_) => "GET /builds/summary?limit=7",
            _ => "GET /builds?limit=7",
        };
        let differing = outcomes(&report, "differs");
        let edited = differing
            .iter()
            .find(|r| r["request"] == edited_request)
            .unwrap_or_else(|| panic!("{}: {edited_request} differs: {report:#}", mutation.name));
        let findings = edited["differences"].as_array().unwrap();
        let named = findings.iter().any(|f| {
            f["kind"] == mutation.kind
                && match mutation.place {
                    Place::BuildField(field) => {
                        f["build_id"] == third_id
                            && f["pointer"].as_str().unwrap().ends_with(&format!("/{field}"))
                    }
                    Place::Build => f["build_id"] == third_id || f["build_id"] == 99_999_999,
                    Place::Pointer(pointer) => f["pointer"] == pointer,
                    Place::Header(name) => f["header"] == name,
                }
        });
        assert!(named, "{}: the place is named: {findings:#?}", mutation.name);
        caught += 1;
    }
    assert_eq!(caught, all.len(), "every edit caught");
}

/// `replay --ignore-param NAME`: a recorded request whose parameter a client makes unique
/// (a timestamp to the microsecond) replays whatever that parameter holds.
#[tokio::test(flavor = "multi_thread")]
async fn replay_ignore_param_replays_a_request_whose_parameter_changed() {
    let dir = TempDir::new("check-ignore-param");
    let recording = record(
        &dir,
        "50",
        &["/usage?create_time_from=2024-05-01T10:15:42.123456Z"],
    )
    .await;
    let replaying = Standalone::start(&[
        "replay",
        recording.to_str().unwrap(),
        "--ignore-param",
        "create_time_from",
    ]);
    let answer = nixbuild::http_client_builder()
        .unwrap()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!(
            "{}/usage?create_time_from=2024-05-01T10:16:03.000001Z",
            replaying.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

/// `record --refresh`: each request of a recording asked again of another upstream (with the
/// token in NIXBUILD_TOKEN), written as a new recording of that upstream's answers, which
/// the mock then agrees with; without the token it says what it needs.
#[tokio::test(flavor = "multi_thread")]
async fn a_recording_is_refreshed_from_the_upstream_and_checks_against_its_new_answers() {
    let dir = TempDir::new("check-refresh");
    let old = record(
        &dir,
        "120",
        &["/builds?limit=5", "/builds/summary?limit=5", "/usage"],
    )
    .await;
    let upstream = Standalone::start(&["--generate", "200", "--seed", "21"]);
    let fresh = dir.join("fresh.json");
    let refresh = |token: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nixbuild-mock"));
        command
            .args(["record", "--refresh"])
            .arg(&old)
            .args(["--upstream", upstream.url(), "--out"])
            .arg(&fresh)
            .env_remove("NIXBUILD_TOKEN")
            .env("http_proxy", "http://127.0.0.1:9");
        if let Some(token) = token {
            command.env("NIXBUILD_TOKEN", token);
        }
        command.output().unwrap()
    };
    let without = refresh(None);
    assert_eq!(without.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&without.stderr).contains("NIXBUILD_TOKEN"));

    let refreshed = refresh(Some(upstream.token()));
    let log = String::from_utf8_lossy(&refreshed.stderr);
    assert!(refreshed.status.success(), "{log}");
    assert!(log.contains("refreshed 3 requests"), "{log}");
    assert!(!log.contains(upstream.token()), "the token is never logged");
    let text = std::fs::read_to_string(&fresh).unwrap();
    assert!(!text.contains(upstream.token()), "nor written");
    let requests = |text: &str| -> Vec<String> {
        let recording: Value = serde_json::from_str(text).unwrap();
        recording["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| format!("{} {}", i["path"], i["query"]))
            .collect()
    };
    assert_eq!(requests(&text), requests(&std::fs::read_to_string(&old).unwrap()));
    let newest = upstream.client().builds().list().limit(5).send().await.unwrap();
    let fresh_recording: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        fresh_recording["interactions"][0]["body"][0]["build_id"], newest[0].build_id.0,
        "the new upstream's answers"
    );
    let (code, report) = check(&fresh);
    assert_eq!(code, 0, "{report:#}");

    // A recording's text on the terminal is shown, never obeyed: an escape sequence in a
    // query is written out in the log.
    let mut hostile: Value = serde_json::from_str(&text).unwrap();
    hostile["interactions"][0]["query"] = "limit=5&x=\u{1b}[2J\u{202e}".into();
    std::fs::write(&old, hostile.to_string()).unwrap();
    let refreshed = refresh(Some(upstream.token()));
    let log = String::from_utf8_lossy(&refreshed.stderr);
    assert!(refreshed.status.success(), "{log}");
    assert!(!log.contains('\u{1b}') && !log.contains('\u{202e}'), "{log:?}");
    assert!(log.contains("x=\\u{1b}[2J"), "{log:?}");
}
