//! The `nixbuild` binary, run as a user runs it, against nixbuild-mock: each command's
//! output (golden files for the table and the Markdown), its exit codes, and hostile input.
//!
//! `UPDATE_GOLDEN=1 cargo test -p nixbuild-cli` rewrites the golden files.

use std::path::PathBuf;
use std::time::Duration;

mod common;

use assert_cmd::Command;
use common::nixbuild;
use nixbuild::reexports::chrono;
use nixbuild::report::{self, Scope};
use nixbuild::{Build, BuildFilter, BuildId, BuildStatus};
use nixbuild_mock::{BuildFixture, MockNixbuild, fixtures};

/// Compares `actual` with `tests/golden/NAME`, or writes it there with UPDATE_GOLDEN=1.
fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)"
    );
}

async fn seeded() -> MockNixbuild {
    MockNixbuild::builder().builds(fixtures::seed()).start().await
}

#[tokio::test(flavor = "multi_thread")]
async fn builds_prints_a_table_json_and_ndjson() {
    let mock = seeded().await;
    let table = nixbuild(Some(&mock), None, &["builds"], "").await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    golden("builds.txt", &table.stdout);
    let json = nixbuild(Some(&mock), None, &["builds", "--format", "json"], "").await;
    let listed: Vec<Build> = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(listed, fixtures::seed());
    let ndjson = nixbuild(Some(&mock), None, &["builds", "--format", "ndjson"], "").await;
    let lines: Vec<Build> = ndjson
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, fixtures::seed());
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_agree_with_the_api() {
    let mock = MockNixbuild::builder()
        .builds(fixtures::generate(800, 17))
        .start()
        .await;
    let client = mock.client();
    let drv = mock.builds()[10].derivation_path.clone();
    let cases: Vec<(Vec<&str>, BuildFilter)> = vec![
        (
            vec!["--tag", "GITHUB_REPOSITORY=octo org/säge"],
            BuildFilter::new().tag("GITHUB_REPOSITORY", "octo org/säge"),
        ),
        (
            vec!["--status", "build_failed", "--status", "timeout", "--limit", "7"],
            BuildFilter::new()
                .status(BuildStatus::BuildFailed)
                .status(BuildStatus::Timeout)
                .limit(7),
        ),
        (
            vec!["--drv", drv.as_str()],
            BuildFilter::new().derivation_path(&drv),
        ),
        (
            vec!["--since", "2024-01-10", "--until", "2024-01-12T06:00:00Z"],
            BuildFilter::new()
                .created_from("2024-01-10".parse::<nixbuild::TimeBound>().unwrap())
                .created_before("2024-01-12T06:00:00Z".parse::<nixbuild::TimeBound>().unwrap()),
        ),
    ];
    for (args, filter) in cases {
        let expected = client.builds().list().filter(filter).send().await.unwrap();
        assert!(!expected.is_empty(), "{args:?} selects something");
        let mut all = vec!["builds", "--format", "json"];
        all.extend(&args);
        let run = nixbuild(Some(&mock), None, &all, "").await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let listed: Vec<Build> = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(listed, expected, "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ndjson_all_streams_thousands_of_builds_page_by_page() {
    let mock = MockNixbuild::builder()
        .without_auth()
        .builds(fixtures::generate(4500, 3))
        .start()
        .await;
    let run = nixbuild(
        Some(&mock),
        Some("any"),
        &["builds", "--all", "--format", "ndjson"],
        "",
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let streamed: Vec<Build> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(streamed, mock.client().builds().list().send().await.unwrap());
    // Written page by page (of 1000), never the whole list at once: what keeps memory constant.
    let pages = mock
        .received_requests()
        .iter()
        .filter(|r| r.query.as_deref().is_some_and(|q| q.contains("limit=1001")))
        .count();
    assert!(pages >= 5, "{pages} page requests");
}

#[tokio::test(flavor = "multi_thread")]
async fn summary_is_the_actions_markdown_or_a_table_or_json() {
    let mock = seeded().await;
    let client = mock.client();
    let summary = client.builds().summary().send().await.unwrap();
    let builds = client.builds().list().send().await.unwrap();
    let markdown = nixbuild(Some(&mock), None, &["summary", "--format", "markdown"], "").await;
    assert_eq!(
        markdown.stdout,
        report::markdown(&summary, &builds, Scope::Workflow)
    );
    golden("summary.md", &markdown.stdout);
    let job = nixbuild(
        Some(&mock),
        None,
        &["summary", "--format", "markdown", "--job"],
        "",
    )
    .await;
    assert_eq!(job.stdout, report::markdown(&summary, &builds, Scope::Job));
    let text = nixbuild(Some(&mock), None, &["summary"], "").await;
    golden("summary.txt", &text.stdout);
    let json = nixbuild(Some(&mock), None, &["summary", "--format", "json"], "").await;
    assert_eq!(
        serde_json::from_str::<nixbuild::BuildsSummary>(&json.stdout).unwrap(),
        summary
    );
    let none = nixbuild(
        Some(&mock),
        None,
        &["summary", "--format", "markdown", "--tag", "GITHUB_RUN_ID=none"],
        "",
    )
    .await;
    assert_eq!(none.code, 0);
    assert!(none.stdout.contains("summary for workflow"), "{}", none.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_prints_the_billed_figures() {
    let mock = seeded().await;
    let usage = mock.client().usage().send().await.unwrap();
    let json = nixbuild(Some(&mock), None, &["usage", "--format", "json"], "").await;
    assert_eq!(
        serde_json::from_str::<nixbuild::Usage>(&json.stdout).unwrap(),
        usage
    );
    let text = nixbuild(Some(&mock), None, &["usage", "--since", "2022-08-01"], "").await;
    assert!(text.stdout.contains("billable builds:   2"), "{}", text.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_exits_0_when_built_3_when_failed_4_on_timeout() {
    let mock = MockNixbuild::start().await;
    let ok = mock.add_build(BuildFixture::pending("hello-2.12").tag("CI_JOB_ID", "1"));
    let bad = mock.add_build(BuildFixture::running("openssl-3.0").tag("CI_JOB_ID", "2"));
    mock.add_build(BuildFixture::pending("stuck-1.0").tag("CI_JOB_ID", "3"));
    let finish = |id, status| {
        let mock_state = mock.set_status(id, status);
        assert!(mock_state.is_ok());
    };
    let waiting = nixbuild(
        Some(&mock),
        None,
        &["wait", "--tag", "CI_JOB_ID=1", "--timeout", "60s"],
        "",
    );
    let ending = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        finish(ok, BuildStatus::Built);
    };
    let (built, ()) = tokio::join!(waiting, ending);
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert!(
        built.stderr.contains("hello-2.12: pending -> built") || built.stderr.contains("1 built"),
        "{}",
        built.stderr
    );

    finish(bad, BuildStatus::BuildFailed);
    let failed = nixbuild(Some(&mock), None, &["wait", "--tag", "CI_JOB_ID=2"], "").await;
    assert_eq!(failed.code, 3, "{}", failed.stderr);
    assert!(failed.stderr.contains("failed: "), "{}", failed.stderr);

    let stuck = nixbuild(
        Some(&mock),
        None,
        &["wait", "--tag", "CI_JOB_ID=3", "--timeout", "1s"],
        "",
    )
    .await;
    assert_eq!(stuck.code, 4, "{}", stuck.stderr);
    assert!(stuck.stderr.contains("gave up waiting"), "{}", stuck.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_read_from_the_environment_a_file_or_stdin_and_never_printed() {
    let mock = seeded().await;
    let token = mock
        .tokens()
        .owner(7)
        .rights(["build:read", "build:write"])
        .mint();
    let secret = token.expose_secret();
    let inspected = nixbuild(Some(&mock), Some(secret), &["token", "inspect"], "").await;
    assert_eq!(inspected.code, 0, "{}", inspected.stderr);
    assert!(
        inspected.stdout.contains("does not verify its signature"),
        "{}",
        inspected.stdout
    );
    assert!(inspected.stdout.contains("owner(7)"), "{}", inspected.stdout);
    assert!(!inspected.stdout.contains(secret));
    let from_stdin = nixbuild(None, None, &["token", "inspect", "-", "--format", "json"], secret).await;
    let json: serde_json::Value = serde_json::from_str(&from_stdin.stdout).unwrap();
    assert_eq!(
        (json["account"].as_i64(), json["signature_verified"].as_bool()),
        (Some(7), Some(false))
    );

    let narrowed = nixbuild(
        Some(&mock),
        Some(secret),
        &["token", "attenuate", "--ttl", "10m", "--only", "build:read"],
        "",
    )
    .await;
    assert_eq!(narrowed.code, 0, "{}", narrowed.stderr);
    let narrow = narrowed.stdout.trim();
    assert_ne!(narrow, secret);
    let info = nixbuild::Token::new(narrow).inspect().unwrap();
    assert_eq!(info.blocks.len(), 2);
    let works = nixbuild(Some(&mock), Some(narrow), &["builds", "--format", "json"], "").await;
    assert_eq!(works.code, 0, "{}", works.stderr);

    mock.revoke(&token).unwrap();
    let revoked = nixbuild(Some(&mock), Some(narrow), &["builds"], "").await;
    assert_eq!(revoked.code, 1);
    assert!(
        revoked.stderr.contains("401") && revoked.stderr.contains("revoked"),
        "{}",
        revoked.stderr
    );
    assert_eq!(revoked.stderr.lines().count(), 1, "one line: {}", revoked.stderr);
    assert!(!revoked.stderr.contains(narrow) && !revoked.stderr.contains(secret));

    let expired = mock
        .tokens()
        .expires_at(std::time::SystemTime::now() - Duration::from_secs(60))
        .mint();
    let refused = nixbuild(Some(&mock), Some(expired.expose_secret()), &["usage"], "").await;
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("expired"), "{}", refused.stderr);
    assert!(!refused.stderr.contains(expired.expose_secret()));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_arguments_are_usage_errors_and_bad_input_never_panics() {
    let mock = seeded().await;
    for args in [
        vec!["builds", "--frobnicate"],
        vec!["builds", "--status", "Built!"],
        vec!["builds", "--tag", "novalue"],
        vec!["builds", "--since", "yesterday"],
        vec!["builds", "--limit", "-1"],
        vec!["builds", "--format", "yaml"],
        vec!["wait"],
        vec!["wait", "x.drv", "--timeout", "forever"],
        vec!["token", "attenuate"],
        vec!["summary", "--job"],
        vec!["builds", "--tag", "a=x,y"],
    ] {
        let run = nixbuild(Some(&mock), None, &args, "").await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    }
    let no_token = nixbuild(None, None, &["builds"], "").await;
    assert_eq!(no_token.code, 1);
    assert!(no_token.stderr.contains("NIXBUILD_TOKEN"), "{}", no_token.stderr);
    let garbage = nixbuild(None, None, &["token", "inspect", "-"], "\u{1b}[2Jnot a token").await;
    assert_eq!(garbage.code, 1);
    assert!(!garbage.stderr.contains('\u{1b}'), "{}", garbage.stderr);
    let huge = "A".repeat(200_000);
    let too_big = nixbuild(None, None, &["token", "inspect", "-"], &huge).await;
    assert_eq!(too_big.code, 1, "{}", too_big.stderr);
    let nowhere = nixbuild(None, Some("x"), &["--api-url", "http://127.0.0.1:9", "usage"], "").await;
    assert_eq!(nowhere.code, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_server_text_never_reaches_the_terminal_raw() {
    let mock = MockNixbuild::start().await;
    mock.add_build(
        BuildFixture::failed("evil-1.0")
            .system("x86_64-linux\u{1b}[2J")
            .status_message("\u{1b}]0;pwned\u{7}"),
    );
    let table = nixbuild(Some(&mock), None, &["builds"], "").await;
    assert_eq!(table.code, 0);
    assert!(!table.stdout.contains('\u{1b}'), "{}", table.stdout);
    let text = nixbuild(Some(&mock), None, &["summary"], "").await;
    assert!(!text.stdout.contains('\u{1b}'), "{}", text.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_and_the_demo_need_no_account() {
    let bash = nixbuild(None, None, &["completions", "bash"], "").await;
    assert_eq!(bash.code, 0);
    assert!(bash.stdout.contains("nixbuild"));
    for args in [
        vec!["--demo", "builds"],
        vec!["--demo", "summary", "--format", "markdown"],
        vec!["--demo", "usage"],
    ] {
        let run = nixbuild(None, None, &args, "").await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(!run.stdout.is_empty());
    }
    let demo_wait = nixbuild(
        None,
        None,
        &["--demo", "wait", "--tag", "none=none", "--timeout", "1s"],
        "",
    )
    .await;
    assert_eq!(demo_wait.code, 4);
}

/// The demo shows what the README does: a CI run of today with the README's tags, and a
/// build whose `wait` ends (the path the demo prints) within seconds, built.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_shows_the_readme_s_examples_and_a_wait_that_ends() {
    let failed = nixbuild(
        None,
        None,
        &[
            "--demo",
            "builds",
            "--tag",
            "GITHUB_REPOSITORY=acme/web",
            "--status",
            "build_failed",
            "--since",
            "7d",
        ],
        "",
    )
    .await;
    assert_eq!(failed.code, 0, "{}", failed.stderr);
    assert!(failed.stdout.contains("gtk+3-3.24.41"), "{}", failed.stdout);
    let run = nixbuild(
        None,
        None,
        &["--demo", "summary", "--tag", "GITHUB_RUN_ID=4242"],
        "",
    )
    .await;
    assert!(
        run.stdout.starts_with("nixbuild.net summary: 8 builds\n"),
        "{}",
        run.stdout
    );

    let suggested = failed
        .stderr
        .lines()
        .find_map(|line| {
            line.split_once("nixbuild --demo wait ")
                .map(|(_, path)| path.to_owned())
        })
        .expect("the demo names a derivation to wait for");
    let waited = nixbuild(
        None,
        None,
        &["--demo", "wait", &suggested, "--timeout", "60s"],
        "",
    )
    .await;
    // Exit 0 (not 4, the timeout's): it ended when the demo finished the build.
    assert_eq!(waited.code, 0, "{}", waited.stderr);
    assert!(waited.stderr.contains("built: "), "{}", waited.stderr);
}

/// A mock of 1500 builds whose second page (the first with a cursor) fails with a 500.
async fn second_page_fails() -> MockNixbuild {
    let mock = MockNixbuild::builder()
        .without_auth()
        .builds(fixtures::generate(1500, 5))
        .start()
        .await;
    wiremock::Mock::given(|request: &wiremock::Request| {
        request.url.query().is_some_and(|q| q.contains("create_time_to"))
    })
    .respond_with(wiremock::ResponseTemplate::new(500).set_body_json(serde_json::json!({"error": "boom"})))
    .mount(mock.server())
    .await;
    mock
}

#[tokio::test(flavor = "multi_thread")]
async fn all_prints_each_page_as_it_arrives_in_every_format() {
    let mock = second_page_fails().await;
    // The first page is out before the second fails: nothing waits for the whole list.
    let table = nixbuild(Some(&mock), Some("any"), &["builds", "--all"], "").await;
    assert_eq!(table.code, 1, "{}", table.stderr);
    assert!(table.stderr.contains("500"), "{}", table.stderr);
    assert_eq!(
        table.stdout.lines().count(),
        1 + 1000,
        "the heading and the first page"
    );
    let json = nixbuild(
        Some(&mock),
        Some("any"),
        &["builds", "--all", "--format", "json"],
        "",
    )
    .await;
    assert_eq!(json.code, 1, "{}", json.stderr);
    assert!(json.stdout.starts_with("[{"));
    assert!(
        !json.stdout.trim_end().ends_with(']'),
        "an unfinished list is not closed as if whole"
    );
    assert_eq!(json.stdout.matches("\"build_id\"").count(), 1000);
}

#[tokio::test(flavor = "multi_thread")]
async fn all_as_one_json_array_is_the_array_send_gives() {
    let mock = MockNixbuild::builder()
        .without_auth()
        .builds(fixtures::generate(2500, 9))
        .start()
        .await;
    let run = nixbuild(
        Some(&mock),
        Some("any"),
        &["builds", "--all", "--format", "json"],
        "",
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let streamed: Vec<Build> = serde_json::from_str(&run.stdout).unwrap();
    let every = mock.client().builds().list().limit(5000).send().await.unwrap();
    assert_eq!(streamed, every);
}

#[tokio::test(flavor = "multi_thread")]
async fn invisible_and_control_characters_from_the_server_are_escaped_in_every_format() {
    let mock = MockNixbuild::builder().without_auth().start().await;
    let hostile = "x86_64-linux\u{2028}FAKE: all builds passed\u{200b}\u{9b}2J\u{7f}\u{202e}\u{ad}";
    mock.add_build(BuildFixture::failed("hello-2.12").system(hostile));
    let unsafe_char = nixbuild::printable::is_unsafe;
    for format in [
        &["builds"][..],
        &["builds", "--format", "json"],
        &["builds", "--format", "ndjson"],
        &["builds", "--all"],
    ] {
        let run = nixbuild(Some(&mock), Some("any"), format, "").await;
        assert_eq!(run.code, 0, "{format:?}: {}", run.stderr);
        let outside_line_ends: String = run.stdout.chars().filter(|c| *c != '\n').collect();
        assert!(
            !outside_line_ends.chars().any(unsafe_char),
            "{format:?}: {:?}",
            run.stdout
        );
    }
    let json = nixbuild(Some(&mock), Some("any"), &["builds", "--format", "json"], "").await;
    let builds: Vec<Build> = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        builds[0].system, hostile,
        "escaped, not altered: JSON reads it back whole"
    );
}

/// A blank NIXBUILD_API_URL means the real API, as the SDK's `Client::from_env` reads it (the
/// command once took white space for a URL and refused it).
#[test]
fn a_blank_api_url_in_the_environment_means_the_real_api() {
    for blank in ["", "   ", "\t"] {
        let output = Command::cargo_bin("nixbuild")
            .unwrap()
            .env_clear()
            .env("NIXBUILD_TOKEN", "t0k")
            .env("NIXBUILD_API_URL", blank)
            .args(["usage"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("configuration"), "{blank:?}: {stderr}");
        assert!(
            stderr.contains("/usage"),
            "{blank:?}: the request was sent: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_in_the_api_url_is_never_printed_and_no_url_drives_the_terminal() {
    for url in [
        "https://ci-bot:s3cr3t-pass@api.example/v1?x=1",
        "https://ci-bot:s3cr3t-pass@[::1:99999",
        "https://ci-bot:s3cr3t-pass@api.example:99999",
    ] {
        let mut command = Command::cargo_bin("nixbuild").unwrap();
        command
            .env_clear()
            .env("NIXBUILD_TOKEN", "t0k")
            .env("NIXBUILD_API_URL", url)
            .args(["usage"]);
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_ne!(output.status.code(), Some(0), "{url}");
        assert!(!stderr.contains("s3cr3t"), "{url}: {stderr}");
    }
    let mut command = Command::cargo_bin("nixbuild").unwrap();
    command.env_clear().env("NIXBUILD_TOKEN", "t0k").args([
        "--api-url",
        "ftp://h/\u{1b}]0;owned\u{7}\u{1b}[2J",
        "usage",
    ]);
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("http or https"), "{stderr}");
    assert!(
        !stderr.trim_end().chars().any(nixbuild::printable::is_unsafe),
        "{stderr:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_answers_per_derivation_following_rebuilds_and_restarts_within_since() {
    let mock = MockNixbuild::start().await;
    let hours_ago = |h| chrono::Utc::now() - chrono::TimeDelta::hours(h);
    // The seed's case: an attempt that failed, then a rebuild that built.
    mock.add_build(
        BuildFixture::new("qemu-6.1.0", BuildStatus::ClientDisconnect)
            .created_at(hours_ago(2))
            .tag("run", "1"),
    );
    mock.add_build(
        BuildFixture::built("qemu-6.1.0")
            .created_at(hours_ago(1))
            .tag("run", "1"),
    );
    // A build restarted as another that built.
    let restart = BuildId(7_000_001);
    let first = mock.add_build(
        BuildFixture::new("gcc-13", BuildStatus::InternalError)
            .restarted_as(restart)
            .created_at(hours_ago(2))
            .tag("run", "1"),
    );
    mock.add_build(
        BuildFixture::built("gcc-13")
            .id(restart)
            .restart_of(first)
            .created_at(hours_ago(1))
            .tag("run", "1"),
    );
    let run = nixbuild(Some(&mock), None, &["wait", "--tag", "run=1"], "").await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("built: /nix/store/").count(),
        2,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("(build {restart}, ")),
        "{}",
        run.stderr
    );

    // A failure with its message, named per derivation.
    mock.add_build(
        BuildFixture::failed("openssl-3.0")
            .status_message("builder for openssl failed with exit code 2")
            .tag("run", "2"),
    );
    let failed = nixbuild(Some(&mock), None, &["wait", "--tag", "run=2"], "").await;
    assert_eq!(failed.code, 3, "{}", failed.stderr);
    assert!(
        failed.stderr.contains("failed: /nix/store/")
            && failed
                .stderr
                .contains("(build_failed): builder for openssl failed with exit code 2"),
        "{}",
        failed.stderr
    );

    // Last week's success is outside the default --since: the wait goes on, saying so on
    // every poll, until --since reaches back to it.
    mock.add_build(
        BuildFixture::built("old-1.0")
            .created_at(chrono::Utc::now() - chrono::TimeDelta::days(7))
            .tag("run", "3"),
    );
    let recent = nixbuild(
        Some(&mock),
        None,
        &["wait", "--tag", "run=3", "--timeout", "5s"],
        "",
    )
    .await;
    assert_eq!(recent.code, 4, "{}", recent.stderr);
    assert!(
        recent.stderr.matches("no matching build yet").count() >= 2,
        "{}",
        recent.stderr
    );
    assert!(
        recent.stderr.contains("no build matched yet"),
        "{}",
        recent.stderr
    );
    let all_time = nixbuild(
        Some(&mock),
        None,
        &["wait", "--tag", "run=3", "--since", "30d"],
        "",
    )
    .await;
    assert_eq!(all_time.code, 0, "{}", all_time.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_format_option_colour_by_choice_and_global_options_under_their_own_heading() {
    let mock = seeded().await;
    let run = |args: Vec<&'static str>, env: Vec<(&'static str, &'static str)>| {
        let mut command = Command::cargo_bin("nixbuild").unwrap();
        command
            .env_clear()
            .env("NIXBUILD_API_URL", mock.uri())
            .env(
                "NIXBUILD_TOKEN",
                mock.tokens()
                    .expires_in(Duration::from_secs(600))
                    .mint()
                    .expose_secret(),
            )
            .envs(env)
            .args(args);
        command.output().unwrap()
    };
    let coloured =
        |output: &std::process::Output| String::from_utf8_lossy(&output.stdout).contains("\u{1b}[");
    // Piped: no colour unless asked; `always` and CLICOLOR_FORCE colour; NO_COLOR loses to `always`.
    assert!(!coloured(&run(vec!["builds"], vec![])));
    assert!(coloured(&run(
        vec!["builds", "--color", "always"],
        vec![("NO_COLOR", "1")]
    )));
    assert!(coloured(&run(vec!["builds"], vec![("CLICOLOR_FORCE", "1")])));
    assert!(!coloured(&run(
        vec!["builds", "--color", "never"],
        vec![("CLICOLOR_FORCE", "1")]
    )));
    let bad = run(vec!["builds", "--format", "yaml"], vec![]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("table") && stderr.contains("ndjson"), "{stderr}");
    let job = run(vec!["summary", "--job"], vec![]);
    assert_eq!(job.status.code(), Some(2));

    for command in ["builds", "summary", "usage", "wait"] {
        let help = run(vec![command, "--help"], vec![]);
        let help = String::from_utf8_lossy(&help.stdout).into_owned();
        let (own, global) = help
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{help}"));
        assert!(
            !own.contains("--api-url") && global.contains("--api-url") && global.contains("--color"),
            "{help}"
        );
        assert!(help.contains("Examples:\n  nixbuild"), "{command}: {help}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_covers_tokens_and_refuses_an_api_or_token_of_its_own() {
    let inspected = nixbuild(None, None, &["--demo", "token", "inspect"], "").await;
    assert_eq!(inspected.code, 0, "{}", inspected.stderr);
    assert!(inspected.stdout.contains("account:  1\n"), "{}", inspected.stdout);
    let narrowed = nixbuild(
        None,
        None,
        &["--demo", "token", "attenuate", "--only", "build:read"],
        "",
    )
    .await;
    assert_eq!(narrowed.code, 0, "{}", narrowed.stderr);
    let shown = nixbuild(None, None, &["token", "inspect", "-"], &narrowed.stdout).await;
    assert!(
        shown.stdout.contains("rights:   \"build:read\"\n")
            && shown
                .stdout
                .contains("block 0 grants \"build:read\", \"build:write\"")
            && shown
                .stdout
                .contains("block 1 allows only \"build:read\", \"read\"\n")
            && shown
                .stdout
                .contains("(\"read\" is the 2022 tokens' name for \"build:read\")"),
        "the rights it acts with, each narrowing, and what \"read\" is: {}",
        shown.stdout
    );
    let json = nixbuild(
        None,
        None,
        &["token", "inspect", "-", "--format", "json"],
        &narrowed.stdout,
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        (json["account"].clone(), json["rights"].clone()),
        (1.into(), serde_json::json!(["build:read"]))
    );

    let token_file = std::env::temp_dir().join(format!("nixbuild-demo-{}", std::process::id()));
    std::fs::write(&token_file, "x").unwrap();
    let file = token_file.to_str().unwrap();
    for args in [
        vec!["--demo", "--api-url", "http://127.0.0.1:9", "builds"],
        vec!["--demo", "--token-file", file, "usage"],
        vec!["--demo", "token", "inspect", file],
    ] {
        let run = nixbuild(None, None, &args, "").await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("--demo"), "{args:?}: {}", run.stderr);
    }
    std::fs::remove_file(token_file).unwrap();
    // What the environment sets for every command does not stop a demo.
    let mut with_environment = Command::cargo_bin("nixbuild").unwrap();
    let output = with_environment
        .env_clear()
        .env("NIXBUILD_API_URL", "http://127.0.0.1:9")
        .env("NIXBUILD_TOKEN", "garbage")
        .args(["--demo", "usage"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn arguments_are_checked_before_any_request_naming_the_valid_values() {
    let mock = seeded().await;
    let cases: [(Vec<&str>, &[&str]); 6] = [
        (
            vec!["builds", "--status", "failed"],
            &["build_failed", "--other-status"],
        ),
        (vec!["summary", "--status", "biult"], &["'built'"]),
        (
            vec!["builds", "--drv", "hello"],
            &["/nix/store/<hash>-<name>.drv", "drvPath"],
        ),
        (vec!["wait", "hello.drv"], &["/nix/store/<hash>-<name>.drv"]),
        (
            vec!["--demo", "token", "attenuate", "--only", "build:raed"],
            &["'build:read'", "store:write"],
        ),
        (vec!["builds", "--other-status", "built"], &["--status"]),
    ];
    for (args, expected) in cases {
        let run = nixbuild(Some(&mock), None, &args, "").await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        for needle in expected {
            assert!(
                run.stderr.contains(needle),
                "{args:?} names {needle}: {}",
                run.stderr
            );
        }
    }
    assert_eq!(mock.received_requests().len(), 0, "no request was sent");

    // A status newer than this release is sent as written (this mock, as old as the
    // command, refuses it: a newer server would not).
    let newer = nixbuild(
        Some(&mock),
        None,
        &["builds", "--other-status", "quarantined"],
        "",
    )
    .await;
    assert_eq!(newer.code, 1, "{}", newer.stderr);
    let sent = mock.received_requests();
    assert_eq!(sent[0].query.as_deref(), Some("status=quarantined"));

    let help = nixbuild(None, None, &["builds", "--help"], "").await;
    assert!(
        help.stdout
            .contains("possible values: pending, running, built, build_failed"),
        "{}",
        help.stdout
    );
    let bash = nixbuild(None, None, &["completions", "bash"], "").await;
    assert!(bash.stdout.contains("build_failed") && bash.stdout.contains("build:write"));
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_name_what_to_fix_once_and_usage_lines_show_what_is_required() {
    let mut command = Command::cargo_bin("nixbuild").unwrap();
    let output = command
        .env_clear()
        .env("NIXBUILD_API_URL", "http://127.0.0.1:9")
        .args(["wait"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("Usage: nixbuild wait <DRV>") && !stderr.contains("--api-url"),
        "{stderr}"
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    drop(listener);
    let output = Command::cargo_bin("nixbuild")
        .unwrap()
        .env_clear()
        .env("NIXBUILD_TOKEN", "x")
        .args(["--api-url", &format!("http://{address}"), "usage"])
        .output()
        .unwrap();
    let refused = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        refused.contains(&format!("GET /usage: cannot connect to {address}: ")),
        "{refused}"
    );
    let garbage = nixbuild(None, None, &["token", "inspect", "-"], "garbage").await;
    assert_eq!(
        garbage.stderr.matches("readable Biscuit").count(),
        1,
        "{}",
        garbage.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn figures_read_the_same_in_builds_summary_usage_and_wait() {
    let mock = seeded().await;
    let seed = &fixtures::seed()[0];
    let summary = mock.client().builds().summary().send().await.unwrap();
    let hours = report::human::cpu_hours(summary.billable_cpu_seconds);
    let usage = nixbuild(Some(&mock), None, &["usage", "--since", "2022-08-01"], "").await;
    let text = nixbuild(Some(&mock), None, &["summary"], "").await;
    assert!(usage.stdout.contains(&hours), "{hours}: {}", usage.stdout);
    assert!(text.stdout.contains(&hours), "{hours}: {}", text.stdout);
    let took = report::human::duration(seed.duration_seconds.unwrap());
    let builds = nixbuild(Some(&mock), None, &["builds"], "").await;
    let wait = nixbuild(
        Some(&mock),
        None,
        &["wait", &seed.derivation_path, "--since", "2022-08-01"],
        "",
    )
    .await;
    for shown in [&builds.stdout, &text.stdout, &wait.stderr] {
        assert!(shown.contains(&took), "{took}: {shown}");
    }
}

/// Runs `nixbuild ARGS` under a pseudo-terminal (util-linux's `script`), as a person at a
/// terminal sees it: stdout and stderr as one stream, with every escape sequence.
async fn at_a_terminal(mock: &MockNixbuild, args: &[&str]) -> (i32, String) {
    let binary = assert_cmd::cargo::cargo_bin("nixbuild");
    let quoted: Vec<String> = std::iter::once(binary.to_str().unwrap())
        .chain(args.iter().copied())
        .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
        .collect();
    let token = mock.tokens().expires_in(Duration::from_secs(600)).mint();
    let mut command = std::process::Command::new("script");
    command
        .args(["--quiet", "--return", "--command", &quoted.join(" "), "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .env("NIXBUILD_API_URL", mock.uri())
        .env("NIXBUILD_TOKEN", token.expose_secret())
        .stdin(std::process::Stdio::null());
    let output = tokio::task::spawn_blocking(move || command.output().expect("util-linux's script runs"))
        .await
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn at_a_terminal_the_wait_spins_then_clears_its_line_and_reports_in_colour() {
    let mock = MockNixbuild::start().await;
    let id = mock.add_build(BuildFixture::pending("hello-2.12").tag("CI_JOB_ID", "7"));
    let waiting = at_a_terminal(&mock, &["wait", "--tag", "CI_JOB_ID=7", "--timeout", "60s"]);
    let finishing = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        mock.set_status(id, BuildStatus::Built).unwrap();
    };
    let ((code, seen), ()) = tokio::join!(waiting, finishing);
    assert_eq!(code, 0, "{seen:?}");
    // The spinner redraws one line in place: a frame, the counts by status, the line cleared.
    let frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
        .chars()
        .filter(|frame| seen.contains(&format!("\r\u{1b}[2K{frame} waiting: 1 pending")))
        .count();
    assert!(frames >= 2, "it spins: {seen:?}");
    let last_frame = seen.rfind("waiting:").unwrap();
    let report = seen.find("\u{1b}[32mbuilt").expect("the report");
    assert!(
        last_frame < report,
        "the report comes after the last frame: {seen:?}"
    );
    assert!(
        seen[last_frame..report].contains("\r\u{1b}[2K"),
        "the line is cleared: {seen:?}"
    );
    assert!(
        seen.contains("\u{1b}[32mbuilt\u{1b}[0m: /nix/store/"),
        "in colour: {seen:?}"
    );
    assert!(
        !seen.contains("pending -> built"),
        "changes are for logs, not the terminal: {seen:?}"
    );

    // Nothing matching: it says so on the spinner's line, then gives up.
    let (code, seen) = at_a_terminal(&mock, &["wait", "--tag", "CI_JOB_ID=none", "--timeout", "1s"]).await;
    assert_eq!(code, 4, "{seen:?}");
    assert!(seen.contains("waiting: no matching build yet"), "{seen:?}");
}

/// `--demo --dashboard`: after the command, the embedded fake keeps running with a one-time
/// dashboard URL on stderr, which opens a session once; without --demo the flag is refused.
#[cfg(feature = "demo")]
#[test]
fn the_demo_s_dashboard_stays_open_after_the_command() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nixbuild"))
        .env_clear()
        .args(["--demo", "--dashboard", "builds"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split_once("(one use, ten minutes): ")
                .map(|(_, url)| url.to_owned())
        })
        .expect("a dashboard URL");
    let opened = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use nixbuild::reexports::reqwest;
        let browser = nixbuild::http_client_builder()
            .unwrap()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap();
        let first = browser.get(&url).send().await.unwrap().status().as_u16();
        let again = browser.get(&url).send().await.unwrap().status().as_u16();
        (first, again)
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(opened, (303, 401), "{url}");

    let refused = Command::cargo_bin("nixbuild")
        .unwrap()
        .env_clear()
        .args(["--dashboard", "usage"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "--dashboard goes with --demo");
}

/// What a person at a terminal reads differs from what a script gets: JSON indented there
/// and one line when piped; a table with no build says so (on stderr, stdout stays empty);
/// the summary's table marks an unfinished build `…`, not `✔`, where the Markdown keeps the
/// Action's `✔`.
#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_gets_indented_json_an_empty_table_said_and_unfinished_builds_unticked() {
    let mock = MockNixbuild::start().await;
    mock.add_build(BuildFixture::running("hello-2.12").tag("CI_JOB_ID", "1"));

    let (code, seen) = at_a_terminal(&mock, &["builds", "--format", "json"]).await;
    assert_eq!(code, 0, "{seen:?}");
    assert!(
        seen.starts_with("[\r\n  {\r\n    \"build_id\": "),
        "indented: {seen:?}"
    );
    let piped = nixbuild(Some(&mock), None, &["builds", "--format", "json"], "").await;
    assert_eq!(
        piped.stdout.lines().count(),
        1,
        "one line when piped: {}",
        piped.stdout
    );
    let as_read: serde_json::Value = serde_json::from_str(&seen.replace("\r\n", "\n")).unwrap();
    assert_eq!(
        as_read,
        serde_json::from_str::<serde_json::Value>(&piped.stdout).unwrap()
    );
    let (_, usage) = at_a_terminal(&mock, &["usage", "--format", "json"]).await;
    assert!(usage.starts_with("{\r\n  \""), "{usage:?}");

    let (code, seen) = at_a_terminal(&mock, &["builds", "--status", "timeout"]).await;
    assert_eq!(code, 0, "{seen:?}");
    assert_eq!(seen.trim(), "nixbuild: no build matched", "no lone heading");
    let piped = nixbuild(Some(&mock), None, &["builds", "--status", "timeout"], "").await;
    assert_eq!(
        (piped.stdout.as_str(), piped.stderr.trim()),
        ("", "nixbuild: no build matched")
    );

    let (_, table) = at_a_terminal(&mock, &["summary", "--tag", "CI_JOB_ID=1"]).await;
    assert!(table.contains("nixbuild.net summary: 1 build\r\n"), "{table:?}");
    assert!(
        table.contains("…  hello-2.12") && !table.contains('✔'),
        "{table:?}"
    );
    let markdown = nixbuild(
        Some(&mock),
        None,
        &["summary", "--tag", "CI_JOB_ID=1", "--format", "markdown"],
        "",
    )
    .await;
    assert!(
        markdown.stdout.contains("&#x2714;</span>"),
        "as the Action: {}",
        markdown.stdout
    );
}

#[test]
fn completions_say_where_their_script_goes() {
    let help = Command::cargo_bin("nixbuild")
        .unwrap()
        .args(["completions", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for place in [
        "~/.local/share/bash-completion/completions/nixbuild",
        "~/.zfunc/_nixbuild",
        "~/.config/fish/completions/nixbuild.fish",
    ] {
        assert!(help.contains(place), "{place}: {help}");
    }
    let top = Command::cargo_bin("nixbuild")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        String::from_utf8(top.stdout)
            .unwrap()
            .contains("`completions --help` says where it goes"),
        "the top-level help points at it"
    );
}

/// A relative time is sent rounded down to the minute, so that the same command within a
/// minute sends the same query (and a recording of it replays).
#[tokio::test(flavor = "multi_thread")]
async fn a_relative_time_is_sent_to_the_minute() {
    let mock = MockNixbuild::start().await;
    for args in [
        vec!["builds", "--since", "7d"],
        vec!["usage", "--since", "30d"],
        vec!["wait", "--tag", "CI_JOB_ID=none", "--timeout", "1s"],
    ] {
        nixbuild(Some(&mock), None, &args, "").await;
    }
    let sent: Vec<String> = mock
        .received_requests()
        .iter()
        .filter_map(|r| r.query.clone())
        .collect();
    assert!(sent.len() >= 3, "{sent:?}");
    for query in &sent {
        let from = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("create_time_from="))
            .unwrap_or_else(|| panic!("a window: {query}"))
            .replace("%3A", ":");
        assert!(from.ends_with(":00Z"), "to the minute: {from}");
    }
}

/// `token attenuate --oidc-claim NAME=VALUE`: the token works against the mock only beside
/// a matching ID token, `token inspect` shows the requirement, and a malformed claim is a
/// usage error naming the form.
#[tokio::test(flavor = "multi_thread")]
async fn a_token_bound_to_a_repository_by_oidc_claim() {
    let mock = MockNixbuild::start().await;
    let token = mock.tokens().rights(["build:read"]).mint();
    let bound = nixbuild(
        Some(&mock),
        Some(token.expose_secret()),
        &["token", "attenuate", "--oidc-claim", "repository=acme/web"],
        "",
    )
    .await;
    assert_eq!(bound.code, 0, "{}", bound.stderr);
    let inspected = nixbuild(None, None, &["token", "inspect", "-"], &bound.stdout).await;
    assert!(
        inspected
            .stdout
            .contains("requires: an OIDC ID token whose \"repository\" is \"acme/web\" (block 1)"),
        "{}",
        inspected.stdout
    );
    let json = nixbuild(
        None,
        None,
        &["token", "inspect", "-", "--format", "json"],
        &bound.stdout,
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        json["oidc_requirements"],
        serde_json::json!([{"block": 1, "claim": "repository", "value": "acme/web"}])
    );
    // Without an ID token the mock refuses it (the CLI sends none): 403, exit 1.
    let refused = nixbuild(Some(&mock), Some(bound.stdout.trim()), &["builds"], "").await;
    assert_ne!(refused.code, 0, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("403") || refused.stderr.contains("forbidden"),
        "{}",
        refused.stderr
    );

    for hostile in ["repository", "=acme/web", "repository=", ""] {
        let run = nixbuild(
            Some(&mock),
            Some(token.expose_secret()),
            &["token", "attenuate", "--oidc-claim", hostile],
            "",
        )
        .await;
        assert_eq!(run.code, 2, "{hostile:?}: {}", run.stderr);
        assert!(run.stderr.contains("NAME=VALUE"), "{}", run.stderr);
    }
}
