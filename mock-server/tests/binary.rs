//! The standalone `nixbuild-mock` binary: what it prints, serves, logs, refuses, and how it
//! stops.

mod common;

use std::process::Command;

use common::standalone::Standalone;
use nixbuild::{Build, Client};
use nixbuild_mock::{Authority, fixtures};

/// Runs the binary to completion (for arguments it must refuse).
fn refused(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nixbuild-mock"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn serves_the_seed_builds_with_the_printed_token_logs_requests_and_stops_on_sigterm() {
    let mock = Standalone::start(&["--port", "0"]);
    let port: u16 = mock.vars["NIXBUILD_MOCK_PORT"].parse().unwrap();
    assert_ne!(port, 0);
    assert_eq!(mock.vars["NIXBUILD_API_URL"], format!("http://127.0.0.1:{port}"));
    let builds = mock.client().builds().list().send().await.unwrap();
    assert_eq!(builds, fixtures::seed());
    let unauthorized = Client::builder()
        .token("nope")
        .base_url(&mock.vars["NIXBUILD_API_URL"])
        .build()
        .unwrap();
    assert!(
        unauthorized
            .builds()
            .list()
            .send()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    let token = mock.vars["NIXBUILD_TOKEN"].clone();
    let (clean, log) = mock.terminate();
    assert!(clean, "exits successfully on SIGTERM: {log}");
    assert!(log.contains("GET /builds -> 200 (auth: passed)"), "{log}");
    assert!(log.contains("GET /builds -> 401 (auth: refused)"), "{log}");
    assert!(!log.contains(&token), "the token is never logged");
}

#[tokio::test]
async fn generates_builds_deterministically() {
    let mock = Standalone::start(&["--generate", "300", "--seed", "9"]);
    let builds = mock.client().builds().list().send().await.unwrap();
    assert_eq!(builds, fixtures::generate(300, 9));
    assert!(mock.terminate().0);
}

#[tokio::test]
async fn serves_a_builds_file_under_a_path_prefix() {
    let dir = std::env::temp_dir().join(format!("nixbuild-mock-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("builds.json");
    let builds: Vec<Build> = fixtures::generate(5, 1);
    std::fs::write(&file, serde_json::to_string(&builds).unwrap()).unwrap();
    let mock = Standalone::start(&["--builds", file.to_str().unwrap(), "--path-prefix", "/api/v1"]);
    assert!(mock.vars["NIXBUILD_API_URL"].ends_with("/api/v1"));
    assert_eq!(mock.client().builds().list().send().await.unwrap(), builds);
    assert!(mock.terminate().0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn accepts_tokens_of_a_given_root_key_and_can_run_without_auth() {
    let authority = Authority::generate();
    let key = authority.private_key().expose_secret().to_owned();
    let mock = Standalone::start(&["--root-key", &key]);
    let client = Client::builder()
        .token(authority.tokens().mint())
        .base_url(&mock.vars["NIXBUILD_API_URL"])
        .build()
        .unwrap();
    assert_eq!(client.builds().list().send().await.unwrap().len(), 2);
    assert!(mock.terminate().0);

    let open = Standalone::start(&["--no-auth"]);
    let anyone = Client::builder()
        .token("anything")
        .base_url(&open.vars["NIXBUILD_API_URL"])
        .build()
        .unwrap();
    assert_eq!(anyone.usage().send().await.unwrap().billable_build_count, 2);
    assert!(open.terminate().0);
}

#[test]
fn bad_files_keys_and_flags_are_clear_errors_not_panics() {
    let dir = std::env::temp_dir().join(format!("nixbuild-mock-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"[{"build_id": "one"}]"#).unwrap();
    let cases = [
        (
            vec!["--builds", "/nonexistent/builds.json"],
            "cannot read /nonexistent/builds.json",
        ),
        (
            vec!["--builds", bad.to_str().unwrap()],
            "is not a JSON array of builds",
        ),
        (vec!["--root-key", "ed25519-private/xyz"], "bad root key"),
        (
            vec!["--root-key-file", "/nonexistent/key"],
            "cannot read /nonexistent/key",
        ),
        (vec!["--port", "99999"], "invalid value '99999'"),
        (vec!["--frobnicate"], "unexpected argument '--frobnicate'"),
        (vec!["--host", "256.0.0.1"], "cannot listen on 256.0.0.1"),
        (
            vec!["--admin-token", "short"],
            "the admin token must be 16 to 256",
        ),
        (
            vec!["--admin-token", "0123456789abcdef$(reboot)"],
            "the admin token must be",
        ),
        (vec!["--empty", "--generate", "3"], "cannot be used with"),
    ];
    for (args, message) in cases {
        let (code, stderr) = refused(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_token_lifetime_past_any_date_is_no_panic() {
    let mock = Standalone::start(&["--token-ttl", "18446744073709551615"]);
    let builds = mock.client().builds().list().send().await.unwrap();
    assert_eq!(builds, fixtures::seed());
    let info = nixbuild::Token::new(mock.token()).inspect().unwrap();
    assert_eq!(info.expires_at, None, "a lifetime no date can hold never ends");
    assert!(mock.terminate().0);
}

#[tokio::test]
async fn prints_an_admin_token_that_opens_the_control_api_and_takes_one_from_the_environment() {
    let mock = Standalone::start(&["--empty"]);
    let admin = mock.vars["NIXBUILD_MOCK_ADMIN_TOKEN"].clone();
    assert!(admin.starts_with(nixbuild_mock::ADMIN_TOKEN_PREFIX) && admin.len() > 60);
    let root = mock.vars["NIXBUILD_MOCK_URL"].clone();
    let http = nixbuild::http_client_builder().unwrap().build().unwrap();
    let added = http
        .post(format!("{root}/_mock/builds"))
        .bearer_auth(&admin)
        .body(r#"[{"name": "hello-2.12", "status": "pending"}]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let builds = mock.client().builds().list().send().await.unwrap();
    assert_eq!(
        builds.len(),
        1,
        "--empty starts with none; the control API added one"
    );
    let (clean, log) = mock.terminate();
    assert!(clean, "{log}");
    assert!(!log.contains(&admin), "the admin token is never logged");
    assert!(
        !log.contains("/_mock"),
        "control requests are not logged as API requests: {log}"
    );

    let chosen = "nbmock-admin-chosen-by-the-test";
    let mock = Standalone::start_with_env(&["--empty"], &[("NIXBUILD_MOCK_ADMIN_TOKEN", chosen)]);
    assert_eq!(mock.vars["NIXBUILD_MOCK_ADMIN_TOKEN"], chosen);
    let health = http
        .get(format!("{}/_mock/requests", mock.vars["NIXBUILD_MOCK_URL"]))
        .bearer_auth(chosen)
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(mock.terminate().0);
}

/// A test runner that forked before it died leaves a child holding the mock's standard
/// input open: `--exit-with-parent` ends the mock all the same, once its parent is gone.
#[cfg(unix)]
#[test]
fn exits_when_its_parent_ends_though_a_forked_child_holds_its_stdin() {
    let dir = std::env::temp_dir().join(format!("nixbuild-mock-parent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pid_file = dir.join("pid");
    // The shell starts the mock reading a pipe that a `sleep` (the forked child) also holds,
    // prints the mock's pid, and exits; the sleep outlives it by far.
    let script = format!(
        "sleep 30 | {bin} --empty --port 0 --exit-with-stdin --exit-with-parent > /dev/null 2>&1 &
         echo $! > {pid}; sleep 1",
        bin = env!("CARGO_BIN_EXE_nixbuild-mock"),
        pid = pid_file.display(),
    );
    let status = Command::new("sh").arg("-c").arg(&script).status().unwrap();
    assert!(status.success());
    let pid = std::fs::read_to_string(&pid_file).unwrap().trim().to_owned();
    let alive = || {
        let probe = Command::new("kill")
            .args(["-0", &pid])
            .stderr(std::process::Stdio::null())
            .status();
        probe.unwrap().success()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let still_alive = alive();
    if still_alive {
        let _ = Command::new("kill").arg(&pid).status();
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!still_alive, "the mock outlived its parent by 20 s");
}

/// A token sent where no name says it is one (`?t=`, `?x=`, a tag's value, a request body, an
/// ordinary header) is kept out of the log and the journal all the same, by its shape.
#[tokio::test]
async fn a_token_under_an_ordinary_name_reaches_neither_the_log_nor_the_journal() {
    let mock = Standalone::start(&["--empty"]);
    let token = mock.token().to_owned();
    let admin = mock.vars["NIXBUILD_MOCK_ADMIN_TOKEN"].clone();
    let http = nixbuild::http_client_builder().unwrap().build().unwrap();
    let padded_away = token.trim_end_matches('=');
    for query in [
        format!("t={token}"),
        format!("x={}", token.replace('=', "%3D")),
        format!("tags=ci:{token}"),
        format!("status=built&q=token%3d{padded_away}"),
    ] {
        let answer = http
            .get(format!("{}/builds?{query}", mock.url()))
            .bearer_auth(&token)
            .header("x-forwarded-note", format!("sent by {token}"))
            .send()
            .await
            .unwrap();
        assert!(answer.status().as_u16() < 500);
    }
    let _ = http
        .post(format!("{}/processes", mock.url()))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!(r#"[{{"installable": "x", "note": "{token}"}}]"#))
        .send()
        .await
        .unwrap();
    let journal = http
        .get(format!("{}/_mock/requests", mock.vars["NIXBUILD_MOCK_URL"]))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (_, log) = mock.terminate();
    for (what, text) in [("journal", &journal), ("log", &log)] {
        assert!(
            !text.contains(padded_away),
            "the token reached the {what}: {text}"
        );
    }
    assert!(journal.contains("tags=ci:[redacted]"), "{journal}");
}
