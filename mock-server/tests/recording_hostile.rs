//! `nixbuild-mock record` against an upstream that is hostile or careless with secrets:
//! tokens where no recorder looks (a tag, a status message, a query under an ordinary name,
//! escaped in JSON), cookies that read as JSON, a flood of cookies, and names that
//! `--anonymise` must not leave readable anywhere. The upstream is a wiremock server whose
//! answers each test writes.

mod common;

use common::standalone::Standalone;
use common::tempdir::TempDir;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn scratch(name: &str) -> TempDir {
    TempDir::new(&format!("hostile-{name}"))
}

fn token() -> String {
    nixbuild_mock::Authority::generate()
        .tokens()
        .rights(["build:read"])
        .mint()
        .expose_secret()
        .to_owned()
}

const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvd2ViIn0.c2lnbmF0dXJlLWJ5dGVz";

fn build(id: u64, drv: &str, tags: Value, message: &str) -> Value {
    serde_json::json!({
        "build_id": id, "create_time": "2024-05-01T10:00:00Z", "start_time": null,
        "queue_time_seconds": null, "duration_seconds": null, "status": "build_failed",
        "status_message": message, "cpu_count": 1, "allocated_megabytes": 1, "cpu_seconds": 1,
        "peak_memory_use_kilobytes": null, "peak_storage_use_kilobytes": null,
        "derivation_path": drv, "outputs": [], "system": "x86_64-linux", "tags": tags,
    })
}

async fn get(base: &str, path_and_query: &str) -> u16 {
    nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .get(format!("{base}{path_and_query}"))
        .header("authorization", "Bearer a-caller-token-0123456789")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Every string of a JSON text, decoded, joined: what a reader of the file sees once parsed.
fn decoded(text: &str) -> String {
    fn strings(value: &Value, out: &mut String) {
        match value {
            Value::String(s) => out.push_str(s),
            Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
            Value::Object(fields) => fields.iter().for_each(|(k, v)| {
                out.push_str(k);
                strings(v, out)
            }),
            _ => {}
        }
        out.push('\n');
    }
    let mut out = String::new();
    strings(
        &serde_json::from_str(text).expect("the recording is JSON"),
        &mut out,
    );
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_anywhere_in_an_answer_or_a_query_never_reach_the_recording_or_its_log() {
    let biscuit = token();
    let escaped: String = biscuit.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
    let upstream = MockServer::start().await;
    let builds = serde_json::json!([build(
        1,
        "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.drv",
        serde_json::json!({"CI": format!("NIXBUILD_TOKEN={biscuit}"), "J": format!("id_token={JWT}")}),
        &format!("see ?token={biscuit}&next and {}", biscuit.replace('=', "%3d")),
    )]);
    // The token once more, written with JSON escapes: whole again once the file is read.
    let body = builds
        .to_string()
        .replacen("\"CI\"", &format!("\"E\":\"{escaped}\",\"CI\""), 1);
    Mock::given(method("GET"))
        .and(path("/builds"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(body, "application/json")
                .insert_header("set-cookie", "s=,\"system\":\"x86_64-linux\"; Path=/"),
        )
        .mount(&upstream)
        .await;
    // A cookie flood: more values than the recorder learns from one header (20,000 would
    // not pass the HTTP client's limit on a head's size; 500 do).
    let flood: Vec<String> = (0..500).map(|i| format!("c{i}=value-number-{i:08}")).collect();
    Mock::given(method("GET"))
        .and(path("/usage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(
                    r#"{"billable_cpu_seconds":1,"billable_build_count":1}"#,
                    "application/json",
                )
                .insert_header("set-cookie", flood.join("; ").as_str()),
        )
        .mount(&upstream)
        .await;

    let dir = scratch("tokens");
    let out = dir.join("rec.json");
    let recorder = Standalone::start(&[
        "record",
        "--upstream",
        &upstream.uri(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(get(recorder.url(), "/builds?limit=5").await, 200);
    assert_eq!(
        get(recorder.url(), &format!("/builds?t={biscuit}&x=1")).await,
        200
    );
    assert_eq!(get(recorder.url(), &format!("/builds?id_token={JWT}")).await, 200);
    assert_eq!(get(recorder.url(), "/usage").await, 200);
    let (stopped, log) = recorder.terminate();
    assert!(stopped, "{log}");

    let text = std::fs::read_to_string(&out).unwrap();
    let recording = nixbuild_mock::recording::Recording::read(&out).expect("a valid recording");
    let readable = decoded(&text);
    for secret in [biscuit.trim_end_matches('='), JWT, &escaped[..60]] {
        for (what, place) in [("file", &text), ("file, decoded", &readable), ("log", &log)] {
            assert!(
                !place.contains(secret),
                "a token reached the {what}: {}…",
                &secret[..12]
            );
        }
    }
    // The cookie that reads as JSON is redacted as a string: the file stays a recording,
    // and the build's own system is untouched.
    assert!(readable.contains("x86_64-linux"));
    assert_eq!(recording.builds().unwrap()[0].system, "x86_64-linux");
    // The flooded answer is forwarded, not recorded, and the log says why.
    assert!(recording.interactions.iter().all(|i| i.path != "/usage"));
    assert!(
        log.contains("GET /usage -> 200 (forwarded, not recorded: it showed more secrets"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymise_leaves_no_original_readable_in_the_file_or_the_log() {
    let hash = "0123456789abcdfghijklmnpqrsvwxyz";
    let drv = format!("/nix/store/{hash}-secret-project-1.0.drv");
    let upstream = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/builds"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([build(
            7,
            &drv,
            serde_json::json!({"GITHUB_REPOSITORY": "acme/secret-project"}),
            "failed",
        )])))
        .mount(&upstream)
        .await;
    let message = format!(
        "tags=GITHUB_REPOSITORY:acme/secret-project matches nothing for Account 4242 (account_id=4242): \
         secret-project-1.0, {hash}-secret-project-1.0.drv, %2Fnix%2Fstore%2F{hash}-secret-project-1.0.drv"
    );
    Mock::given(method("GET"))
        .and(path("/builds/summary"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": message})))
        .mount(&upstream)
        .await;

    let dir = scratch("anonymise");
    let out = dir.join("anon.json");
    let recorder = Standalone::start(&[
        "record",
        "--anonymise",
        "--upstream",
        &upstream.uri(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        get(
            recorder.url(),
            "/builds?tags=GITHUB_REPOSITORY%3Aacme%2Fsecret-project"
        )
        .await,
        200
    );
    assert_eq!(
        get(
            recorder.url(),
            &format!("/builds?derivation_path={hash}-secret-project-1.0.drv")
        )
        .await,
        200
    );
    assert_eq!(get(recorder.url(), "/builds/summary?account_id=4242").await, 400);
    let (stopped, log) = recorder.terminate();
    assert!(stopped, "{log}");

    let text = std::fs::read_to_string(&out).unwrap();
    let recording = nixbuild_mock::recording::Recording::read(&out).expect("a valid recording");
    assert!(recording.anonymised);
    let readable = decoded(&text);
    for original in [hash, "secret-project", "4242", "acme%2Fsecret"] {
        for (what, place) in [("file", &text), ("file, decoded", &readable), ("log", &log)] {
            assert!(
                !place.contains(original),
                "{original} is readable in the {what}:\n{place}"
            );
        }
    }
    assert_eq!(recording.builds().unwrap()[0].build_id, 7, "ids stay");
}
