//! `nixbuild-mock record`, `replay` and `check`, with a second `nixbuild-mock` (auth on,
//! thousands of generated builds, faults injected) standing in for the real service.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::standalone::Standalone;
use common::tempdir::TempDir;
use futures::TryStreamExt;
use nixbuild::{Build, BuildStatus, Client};
use serde_json::Value;

const ADMIN: &str = "nbmock-admin-recording-test-0123456789abcdef";

/// One answer as a client saw it, to compare byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    status: u16,
    retry_after: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

async fn get(base: &str, path_and_query: &str, headers: &[(&str, &str)]) -> Seen {
    let mut request = nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .get(format!("{base}{path_and_query}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let answer = request.send().await.unwrap();
    let header = |name: &str| answer.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    Seen {
        status: answer.status().as_u16(),
        retry_after: header("retry-after"),
        content_type: header("content-type"),
        body: answer.bytes().await.unwrap().to_vec(),
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn jwt(claims: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    format!(
        "{header}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn client(base: &str, token: &str) -> Client {
    Client::builder().token(token).base_url(base).build().unwrap()
}

/// Queries over the generated builds: each filter, alone and combined, and the windows a
/// CI job polls with.
fn queries(builds: &[Build]) -> Vec<String> {
    let tagged = builds
        .iter()
        .find(|b| b.tags.len() >= 2)
        .expect("a build with two tags");
    let mut tags = tagged.tags.iter();
    let (tag, value) = tags.next().unwrap();
    let (tag2, value2) = tags.next().unwrap();
    let drv = &builds[17].derivation_path;
    let middle = builds[builds.len() / 2].create_time.to_rfc3339();
    let later = builds[builds.len() / 3].create_time.to_rfc3339();
    let day = &middle[..10];
    let mut queries = Vec::new();
    for path in ["/builds", "/builds/summary"] {
        queries.extend([
            path.to_owned(),
            format!("{path}?limit=7"),
            format!("{path}?status=built,build_failed&limit=25"),
            format!("{path}?tags={tag}:{value}"),
            format!("{path}?tags={tag}:{value},{tag2}:{value2}&status=built"),
            format!("{path}?derivation_path={drv}"),
            format!("{path}?create_time_from={middle}&limit=40"),
            format!("{path}?create_time_from={later}&create_time_to={middle}"),
            format!("{path}?create_time_from={day}&status=timeout"),
            format!("{path}?status=running,pending"),
        ]);
    }
    queries.extend([
        "/usage".to_owned(),
        format!("/usage?create_time_from={day}"),
        "/builds?status=bogus".to_owned(),
        "/builds?limit=0".to_owned(),
    ]);
    queries
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn run_check(recording: &Path) -> (i32, String) {
    // A proxy that answers nothing: `check` asks its own mock directly, whatever a CI
    // runner's environment says.
    let output = Command::new(env!("CARGO_BIN_EXE_nixbuild-mock"))
        .arg("check")
        .arg(recording)
        .env("http_proxy", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

async fn inject(upstream: &Standalone, fault: Value) {
    let answer = nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .post(format!("{}/_mock/faults", upstream.vars["NIXBUILD_MOCK_URL"]))
        .bearer_auth(ADMIN)
        .header("content-type", "application/json")
        .body(fault.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
}

#[tokio::test(flavor = "multi_thread")]
async fn recorded_answers_are_replayed_byte_for_byte_and_the_mock_agrees_with_them() {
    let dir = tempdir("record");
    let out = dir.join("rec.json");
    let upstream = Standalone::start_with_env(
        &["--generate", "3000", "--seed", "5"],
        &[("NIXBUILD_MOCK_ADMIN_TOKEN", ADMIN)],
    );
    let token = upstream.token().to_owned();
    let builds = upstream.client().builds().list().send().await.unwrap();
    let recorder = Standalone::start(&[
        "record",
        "--upstream",
        upstream.url(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let through = recorder.url().to_owned();
    let auth = bearer(&token);

    // Raw requests, each answer kept as the client saw it.
    let mut seen: Vec<(String, Seen)> = Vec::new();
    for query in queries(&builds) {
        let answer = get(&through, &query, &[("authorization", &auth)]).await;
        seen.push((query, answer));
    }
    // A fault of the moment, then the same request answered.
    inject(
        &upstream,
        serde_json::json!({"status": 503, "retry_after_seconds": 7, "path": "/builds"}),
    )
    .await;
    for _ in 0..2 {
        let answer = get(&through, "/builds?limit=3", &[("authorization", &auth)]).await;
        seen.push(("/builds?limit=3".to_owned(), answer));
    }
    assert_eq!(seen[seen.len() - 2].1.status, 503);
    assert_eq!(
        seen[seen.len() - 2].1.retry_after.as_deref(),
        Some("7"),
        "Retry-After passes through"
    );
    assert_eq!(seen[seen.len() - 1].1.status, 200);

    // Through the SDK: lists, a stream of pages, a summary, usage; a retried fault.
    let sdk = client(&through, &token);
    inject(
        &upstream,
        serde_json::json!({"status": 429, "retry_after_seconds": 0, "path": "/usage"}),
    )
    .await;
    let built = sdk
        .builds()
        .list()
        .status(BuildStatus::Built)
        .limit(30)
        .send()
        .await
        .unwrap();
    let streamed: Vec<Build> = sdk
        .builds()
        .list()
        .page_size(400)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), builds.len());
    let summary = sdk
        .builds()
        .summary()
        .status(BuildStatus::BuildFailed)
        .send()
        .await
        .unwrap();
    let usage = sdk.usage().send().await.unwrap();

    // Secrets, planted everywhere a token could hide.
    let cookie = "session-cookie-value-0123456789";
    let api_key = "api-key-value-0123456789abcdef";
    // A genuine token the recorder never sees in a header: found by its shape.
    let other_token = nixbuild_mock::Authority::generate()
        .tokens()
        .rights(["build:read"])
        .mint()
        .expose_secret()
        .to_owned();
    let id_token =
        jwt(serde_json::json!({"repository": "acme/web", "sub": "repo:acme/web:ref:refs/heads/main"}));
    let planted_query = format!("/builds?limit=1&access_token={api_key}&tags=ci:{other_token}");
    let _ = get(
        &through,
        &planted_query,
        &[
            ("authorization", &auth),
            ("cookie", &format!("session={cookie}")),
            ("x-api-key", api_key),
        ],
    )
    .await;
    let exchanged = sdk
        .auth()
        .oidc_token_exchange(id_token.clone())
        .send()
        .await
        .unwrap();
    let exchanged = exchanged.expose_secret().to_owned();
    let with_exchanged = client(&through, &exchanged);
    with_exchanged.builds().list().limit(2).send().await.unwrap();
    let processes_secret = "process-body-secret-0123456789";
    let posted = nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .post(format!("{through}/processes"))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(serde_json::json!([{"secret": processes_secret}]).to_string())
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_client_error() || posted.status().is_success());
    let admin_answer = get(&through, "/builds?limit=1", &[("authorization", &bearer(ADMIN))]).await;
    assert_eq!(admin_answer.status, 401);

    let (stopped, log) = recorder.terminate();
    assert!(stopped, "{log}");
    assert!(log.contains("GET /builds?limit=7 -> 200 (recorded)"), "{log}");
    assert!(
        log.contains("/auth/oidc-token-exchange -> 200 (forwarded, not recorded)"),
        "{log}"
    );
    let text = read(&out);
    for secret in [
        &token[..],
        &other_token,
        &exchanged,
        &id_token,
        cookie,
        api_key,
        processes_secret,
        ADMIN,
    ] {
        assert!(
            !text.contains(secret),
            "a secret reached the recording: {}…",
            &secret[..12]
        );
        assert!(
            !log.contains(secret),
            "a secret reached the log: {}…",
            &secret[..12]
        );
    }
    let recording = nixbuild_mock::recording::Recording::read(&out).unwrap();
    assert_eq!(
        recording.build_count(),
        builds.len(),
        "every build seen, merged by id"
    );
    assert!(
        recording
            .interactions
            .iter()
            .all(|i| i.path != "/processes" && !i.path.starts_with("/auth"))
    );

    // Replay: every answer as recorded, in the order recorded.
    let replay = Standalone::start(&["replay", out.to_str().unwrap()]);
    for (query, answer) in &seen {
        let replayed = get(replay.url(), query, &[]).await;
        assert_eq!(&replayed, answer, "{query}");
    }
    let replay_sdk = client(replay.url(), "not checked when replaying");
    assert_eq!(
        replay_sdk
            .builds()
            .list()
            .status(BuildStatus::Built)
            .limit(30)
            .send()
            .await
            .unwrap(),
        built
    );
    assert_eq!(
        replay_sdk
            .builds()
            .summary()
            .status(BuildStatus::BuildFailed)
            .send()
            .await
            .unwrap(),
        summary
    );
    let replayed_usage = replay_sdk.usage().send();
    assert_eq!(
        replayed_usage.await.unwrap(),
        usage,
        "the recorded 429 was retried, as when recorded"
    );
    let missed = get(replay.url(), "/builds?limit=8", &[]).await;
    assert_eq!(missed.status, 404);
    let message = String::from_utf8(missed.body).unwrap();
    assert!(
        message.contains(
            "GET /builds?limit=8 was not recorded; the nearest recorded request is GET /builds?limit="
        ) && message.contains(r#"limit (recorded \"7\", sent \"8\")"#),
        "{message}"
    );
    let journal = get(
        &replay.vars["NIXBUILD_MOCK_URL"],
        "/_mock/requests",
        &[(
            "authorization",
            &bearer(&replay.vars["NIXBUILD_MOCK_ADMIN_TOKEN"]),
        )],
    )
    .await;
    let journal: Value = serde_json::from_slice(&journal.body).unwrap();
    let unmatched: Vec<&str> = journal
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["unmatched"] == true)
        .map(|entry| entry["query"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(unmatched, ["limit=8"]);
    let (_, replay_log) = replay.terminate();
    assert!(
        replay_log.contains("GET /builds?limit=8 -> 404 (auth: not_checked) [unmatched]"),
        "{replay_log}"
    );

    // The recorded builds, served with the mock's own filters: every list answer again.
    let served = Standalone::start(&["--builds", out.to_str().unwrap()]);
    let served_auth = bearer(served.token());
    let mut compared = 0;
    for (query, answer) in &seen {
        if query.starts_with("/builds?") && !query.starts_with("/builds/") && answer.status == 200 {
            let again = get(served.url(), query, &[("authorization", &served_auth)]).await;
            assert_eq!(again.body, answer.body, "{query}");
            compared += 1;
        }
    }
    assert!(compared >= 10, "{compared}");
    drop(served);

    // The mock agrees with every recorded answer.
    let (code, report) = run_check(&out);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("0 differ"), "{report}");
    assert!(
        !report.contains("skipped: GET /builds?limit=3"),
        "the last answer counts: {report}"
    );

    // A recording edited by hand: exactly the planted differences.
    let mut edited: Value = serde_json::from_str(&text).unwrap();
    let interactions = edited["interactions"].as_array_mut().unwrap();
    let last_with = |interactions: &Vec<Value>, path: &str| {
        interactions
            .iter()
            .rposition(|i| i["path"] == path && i["status"] == 200 && i["query"] == "limit=7")
            .unwrap()
    };
    let list = last_with(interactions, "/builds");
    let old_status = interactions[list]["body"][2]["status"]
        .as_str()
        .unwrap()
        .to_owned();
    let new_status = if old_status == "cancelled" {
        "built"
    } else {
        "cancelled"
    };
    interactions[list]["body"][2]["status"] = new_status.into();
    let changed_build = interactions[list]["body"][2]["build_id"].as_u64().unwrap();
    let summary_at = last_with(interactions, "/builds/summary");
    let count = interactions[summary_at]["body"]["build_count"].as_u64().unwrap();
    interactions[summary_at]["body"]["build_count"] = (count + 1).into();
    let edited_path = dir.join("edited.json");
    std::fs::write(&edited_path, serde_json::to_string(&edited).unwrap()).unwrap();
    let (code, report) = run_check(&edited_path);
    assert_eq!(code, 1, "{report}");
    let differing: BTreeSet<&str> = report.lines().filter(|l| l.starts_with("differs: ")).collect();
    assert_eq!(
        differing,
        BTreeSet::from([
            "differs: GET /builds?limit=7",
            "differs: GET /builds/summary?limit=7"
        ]),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "  build {changed_build}: status: recorded \"{new_status}\", served \"{old_status}\""
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!("  build_count: recorded {}, served {count}", count + 1)),
        "{report}"
    );
    assert!(report.contains("2 differ"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_anonymised_recording_hides_names_tags_and_hashes_and_still_agrees_with_the_mock() {
    let dir = tempdir("anonymise");
    let out = dir.join("anon.json");
    let upstream = Standalone::start(&["--generate", "500", "--seed", "11"]);
    let builds = upstream.client().builds().list().send().await.unwrap();
    let recorder = Standalone::start(&[
        "record",
        "--anonymise",
        "--upstream",
        upstream.url(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let auth = bearer(upstream.token());
    for query in queries(&builds) {
        get(recorder.url(), &query, &[("authorization", &auth)]).await;
    }
    let (stopped, _) = recorder.terminate();
    assert!(stopped);
    let text = read(&out);
    let recording = nixbuild_mock::recording::Recording::read(&out).unwrap();
    assert!(recording.anonymised);
    assert_eq!(recording.build_count(), builds.len());
    for build in &builds {
        let name = build.derivation_path.rsplit_once('/').unwrap().1;
        assert!(!text.contains(&name[..32]), "a store-path hash is left: {name}");
        for output in &build.outputs {
            assert!(!text.contains(output.nar_hash.as_str()));
        }
        for value in build.tags.values() {
            assert!(
                !text.contains(&format!("\"{value}\"")),
                "a tag value is left: {value}"
            );
        }
    }
    let recorded = recording.builds().unwrap();
    let statuses = |builds: &[Build]| {
        builds
            .iter()
            .map(|b| (b.build_id, b.status.clone(), b.cpu_seconds))
            .collect::<Vec<_>>()
    };
    let mut sorted = builds.clone();
    sorted.sort_by_key(|b| b.build_id);
    assert_eq!(
        statuses(&recorded),
        statuses(&sorted),
        "numbers, statuses and ids stay"
    );
    // Filters select the same builds: the mock answers every mapped query as recorded.
    let (code, report) = run_check(&out);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains(" 0 differ"), "{report}");
}

#[tokio::test]
async fn hostile_arguments_and_files_are_refused_with_a_reason() {
    let dir = tempdir("hostile");
    let garbage = dir.join("garbage.json");
    std::fs::write(
        &garbage,
        "{\"format\": \"nixbuild-mock-recording/1\", \"builds\": 7}",
    )
    .unwrap();
    let (code, report) = run_check(&garbage);
    assert_eq!(code, 2, "{report}");
    assert!(report.contains("not a recording"), "{report}");
    let (code, report) = run_check(&dir.join("absent.json"));
    assert_eq!(code, 2, "{report}");
    for (args, expected) in [
        (
            vec!["record", "--out", "x.json", "--upstream", "ftp://example.org"],
            "http or https",
        ),
        (
            vec![
                "record",
                "--out",
                "x.json",
                "--upstream",
                "https://user:pw@example.org",
            ],
            "credentials",
        ),
        (
            vec!["record", "--out", "x.json", "--upstream", "not a url"],
            "not a URL",
        ),
        (
            vec![
                "record",
                "--out",
                "x.json",
                "--upstream",
                "https://user:secret-pw@[bad",
            ],
            "not a URL",
        ),
        (vec!["record", "--out", "/nonexistent/dir/x.json"], "cannot write"),
        (vec!["replay", garbage.to_str().unwrap()], "not a recording"),
        (vec!["--builds", garbage.to_str().unwrap()], "not a recording"),
        (vec!["replay"], "<FILE>"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_nixbuild-mock"))
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("pw@"), "{stderr}");
    }
}

#[tokio::test]
async fn an_upstream_that_is_gone_is_a_502_that_names_it() {
    let dir = tempdir("gone");
    let out = dir.join("rec.json");
    let recorder = Standalone::start(&[
        "record",
        "--upstream",
        "http://127.0.0.1:9",
        "--out",
        out.to_str().unwrap(),
    ]);
    let answer = get(
        recorder.url(),
        "/builds",
        &[("authorization", "Bearer secret-token-0123456789")],
    )
    .await;
    assert_eq!(answer.status, 502);
    let body = String::from_utf8(answer.body).unwrap();
    assert!(body.contains("the upstream 127.0.0.1:9 did not answer"), "{body}");
    let (stopped, log) = recorder.terminate();
    assert!(stopped);
    assert!(!read(&out).contains("secret-token-0123456789"));
    assert!(!log.contains("secret-token-0123456789"));
}

fn tempdir(name: &str) -> TempDir {
    TempDir::new(&format!("recording-{name}"))
}

#[tokio::test]
async fn a_replaying_mock_in_process_keeps_faults_expectations_and_the_journal() {
    use nixbuild_mock::recording::{Interaction, Recording};
    use nixbuild_mock::{Expectation, Fault, MockNixbuild};

    let mut recording = Recording::new(false);
    recording.interactions.push(Interaction::new(
        "GET",
        "/usage",
        "",
        200,
        [("content-type".to_owned(), "application/json".to_owned())].into(),
        br#"{"billable_cpu_seconds":316,"billable_build_count":251}"#,
    ));
    let mock = MockNixbuild::builder().replay(recording).start().await;
    mock.expect(Expectation::path("/usage").times(2));
    mock.inject_fault(Fault::status(503).on_path("/usage"));
    let usage = format!("{}/usage", mock.uri());
    let first = get(&usage, "", &[]).await;
    assert_eq!(first.status, 503, "a fault comes first, as for any request");
    let second = get(&usage, "", &[]).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        second.body,
        br#"{"billable_cpu_seconds":316,"billable_build_count":251}"#
    );
    let missed = get(&format!("{}/builds", mock.uri()), "?limit=1", &[]).await;
    assert_eq!(missed.status, 404);
    let unknown_path = get(&format!("{}/nope", mock.uri()), "", &[]).await;
    assert_eq!(unknown_path.status, 404);
    assert!(String::from_utf8_lossy(&unknown_path.body).contains("nearest recorded request is GET /usage"));
    mock.verify();
    let unmatched: Vec<String> = mock
        .received_requests()
        .iter()
        .filter(|r| r.unmatched)
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(unmatched, ["/builds", "/nope"]);
}

/// `ignore_params` (the binary's `replay --ignore-param`): a parameter a client makes unique
/// to each request matches whatever it holds, or its absence; others still must match.
#[tokio::test]
async fn a_replay_ignores_the_parameters_it_is_told_to() {
    use nixbuild_mock::MockNixbuild;
    use nixbuild_mock::recording::{Interaction, Recording};

    let mut recording = Recording::new(false);
    recording.interactions.push(Interaction::new(
        "GET",
        "/usage",
        "create_time_from=2026-12-01T10:15:42.123456Z&nonce=abc",
        200,
        [("content-type".to_owned(), "application/json".to_owned())].into(),
        br#"{"billable_cpu_seconds":1,"billable_build_count":1}"#,
    ));
    let strict = MockNixbuild::builder().replay(recording.clone()).start().await;
    let lenient = MockNixbuild::builder()
        .replay(recording)
        .ignore_params(["create_time_from", "nonce"])
        .start()
        .await;
    let later = "?create_time_from=2026-12-01T10:16:01.000001Z&nonce=xyz";
    assert_eq!(
        get(&format!("{}/usage", strict.uri()), later, &[]).await.status,
        404
    );
    for query in [later, "?nonce=other", ""] {
        let answer = get(&format!("{}/usage", lenient.uri()), query, &[]).await;
        assert_eq!(answer.status, 200, "{query}");
    }
    let other_path = get(&format!("{}/builds", lenient.uri()), later, &[]).await;
    assert_eq!(other_path.status, 404, "the path still matters");
}
