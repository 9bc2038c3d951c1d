//! The API's semantics: filters, ordering, limit, summary, usage, errors.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::get;
use nixbuild::{Build, BuildId, BuildStatus};
use nixbuild_mock::{BuildFixture, MockNixbuild, fixtures};

fn at(hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, hour, minute, 0).unwrap()
}

/// Builds whose order and filters a test can reason about.
async fn mock_with_builds() -> MockNixbuild {
    let mock = MockNixbuild::start().await;
    mock.add_build(
        BuildFixture::built("hello-2.12")
            .id(1)
            .created_at(at(10, 0))
            .tag("GITHUB_REPOSITORY", "acme/web")
            .tag("GITHUB_RUN_ID", "42"),
    );
    mock.add_build(
        BuildFixture::failed("hello-2.12")
            .id(2)
            .created_at(at(10, 0))
            .tag("GITHUB_REPOSITORY", "acme/web")
            .tag("GITHUB_RUN_ID", "42"),
    );
    mock.add_build(
        BuildFixture::built("openssl-3.0")
            .id(3)
            .created_at(at(11, 0))
            .tag("GITHUB_REPOSITORY", "acme/web")
            .tag("GITHUB_RUN_ID", "43"),
    );
    mock.add_build(
        BuildFixture::running("firefox-125")
            .id(4)
            .created_at(at(12, 0))
            .tag("GITHUB_REPOSITORY", "acme/infra")
            .tag("url", "https://h:8080/x"),
    );
    mock.add_build(
        BuildFixture::pending("linux-6.8")
            .id(5)
            .created_at(Utc.with_ymd_and_hms(2024, 5, 2, 0, 0, 0).unwrap()),
    );
    mock
}

fn ids(builds: &[Build]) -> Vec<u64> {
    builds.iter().map(|b| b.build_id.0).collect()
}

#[tokio::test]
async fn the_seed_builds_are_served_as_the_real_response() {
    let mock = MockNixbuild::start().await;
    mock.add_builds(fixtures::seed());
    let answer = get(&mock.uri(), "/builds", Some(&mock.tokens().mint())).await;
    assert_eq!(answer.status, 200);
    let original: serde_json::Value = serde_json::from_str(nixbuild::examples::SEED_BUILDS_JSON).unwrap();
    assert_eq!(answer.json(), original);
    // The same text too, key order and number formatting included, once the file's
    // indentation is taken out.
    assert_eq!(answer.body, minified(nixbuild::examples::SEED_BUILDS_JSON));
}

/// JSON text without the white space between tokens.
fn minified(json: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in json.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            c if c.is_whitespace() && !in_string => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

#[tokio::test]
async fn builds_are_newest_first_then_highest_id_first() {
    let mock = mock_with_builds().await;
    let builds = mock.client().builds().list().send().await.unwrap();
    assert_eq!(ids(&builds), [5, 4, 3, 2, 1]);
}

#[tokio::test]
async fn every_filter_selects_what_the_contract_says() {
    let mock = mock_with_builds().await;
    let client = mock.client();
    let list = || client.builds().list();
    let drv = mock.build(BuildId(1)).unwrap().derivation_path;
    assert_eq!(ids(&list().derivation_path(drv).send().await.unwrap()), [2, 1]);
    assert_eq!(
        ids(&list().tag("GITHUB_REPOSITORY", "acme/web").send().await.unwrap()),
        [3, 2, 1]
    );
    assert_eq!(
        ids(&list()
            .tag("GITHUB_REPOSITORY", "acme/web")
            .tag("GITHUB_RUN_ID", "42")
            .send()
            .await
            .unwrap()),
        [2, 1],
        "tags AND"
    );
    assert_eq!(
        ids(&list()
            .tag("GITHUB_RUN_ID", "42")
            .tag("GITHUB_RUN_ID", "43")
            .send()
            .await
            .unwrap()),
        [] as [u64; 0]
    );
    assert_eq!(
        ids(&list().tag("url", "https://h:8080/x").send().await.unwrap()),
        [4]
    );
    assert_eq!(
        ids(&list()
            .status(BuildStatus::BuildFailed)
            .status(BuildStatus::Running)
            .send()
            .await
            .unwrap()),
        [4, 2],
        "statuses OR"
    );
    assert_eq!(
        ids(&list().created_from(at(11, 0)).send().await.unwrap()),
        [5, 4, 3],
        "from is inclusive"
    );
    assert_eq!(
        ids(&list().created_before(at(11, 0)).send().await.unwrap()),
        [2, 1],
        "to is exclusive"
    );
    let may_2 = NaiveDate::from_ymd_opt(2024, 5, 2).unwrap();
    assert_eq!(
        ids(&list().created_before(may_2).send().await.unwrap()),
        [4, 3, 2, 1],
        "a date is its midnight"
    );
    assert_eq!(ids(&list().created_from(may_2).send().await.unwrap()), [5]);
    assert_eq!(ids(&list().limit(2).send().await.unwrap()), [5, 4]);
    assert_eq!(
        ids(&list()
            .tag("GITHUB_REPOSITORY", "acme/web")
            .limit(1)
            .send()
            .await
            .unwrap()),
        [3]
    );
}

#[tokio::test]
async fn raw_unencoded_tag_values_and_unknown_parameters_are_accepted() {
    let mock = mock_with_builds().await;
    let token = mock.tokens().mint();
    for query in [
        "/builds?tags=GITHUB_REPOSITORY:acme/web,GITHUB_RUN_ID:42",
        "/builds?tags=GITHUB_REPOSITORY%3Aacme%2Fweb%2CGITHUB_RUN_ID%3A42",
        "/builds?tags=GITHUB_REPOSITORY:acme/web&tags=GITHUB_RUN_ID:42&page=3",
    ] {
        let answer = get(&mock.uri(), query, Some(&token)).await;
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        let builds: Vec<Build> = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(ids(&builds), [2, 1], "{query}");
    }
}

#[tokio::test]
async fn malformed_parameters_are_400_naming_the_parameter() {
    let mock = mock_with_builds().await;
    let token = mock.tokens().mint();
    for (query, parameter) in [
        ("/builds?limit=0", "limit"),
        ("/builds?limit=-1", "limit"),
        ("/builds?status=exploded", "status"),
        ("/builds/summary?tags=nocolon", "tags"),
        ("/builds?create_time_from=yesterday", "create_time_from"),
        ("/usage?create_time_to=2024-13-01", "create_time_to"),
    ] {
        let answer = get(&mock.uri(), query, Some(&token)).await;
        assert_eq!(answer.status, 400, "{query}");
        assert!(
            answer.error().contains(&format!("`{parameter}`")),
            "{query}: {}",
            answer.body
        );
    }
    // /usage takes only the time window: other parameters are unknown there, so ignored.
    assert_eq!(get(&mock.uri(), "/usage?limit=0", Some(&token)).await.status, 200);
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405_with_json_bodies() {
    let mock = mock_with_builds().await;
    let token = mock.tokens().mint();
    let answer = get(&mock.uri(), "/builds/805823", Some(&token)).await;
    assert_eq!(answer.status, 404);
    assert!(answer.error().contains("/builds/805823"));
    let answer = common::send(
        "DELETE",
        &mock.uri(),
        "/builds",
        Some(format!("Bearer {}", token.expose_secret())),
    )
    .await;
    assert_eq!(answer.status, 405);
    assert!(answer.error().contains("GET"));
}

#[tokio::test]
async fn the_summary_follows_the_contracts_definitions() {
    let mock = MockNixbuild::start().await;
    let built = mock.add_build(
        BuildFixture::built("a")
            .created_at(at(10, 0))
            .duration_seconds(100.0)
            .queue_seconds(1.0),
    );
    mock.add_build(
        BuildFixture::failed("b")
            .created_at(at(10, 1))
            .duration_seconds(50.0)
            .restarted_as(99),
    );
    mock.add_build(BuildFixture::new("c", BuildStatus::InternalError).created_at(at(10, 2)));
    mock.add_build(BuildFixture::new("d", BuildStatus::Timeout).created_at(at(10, 3)));
    mock.add_build(BuildFixture::running("e").created_at(at(10, 4)));
    mock.add_build(BuildFixture::new("f", BuildStatus::Unknown("quarantined".into())).created_at(at(10, 5)));
    let builds = mock.builds();
    let summary = mock.client().builds().summary().send().await.unwrap();
    assert_eq!(summary.build_count, 6);
    assert_eq!(summary.successful_build_count, 1);
    assert_eq!(summary.discarded_build_count, 1);
    assert_eq!(
        summary.failed_build_count, 3,
        "internal_error, timeout and the unknown status"
    );
    assert_eq!(summary.running_build_count, Some(1));
    let cpu = |name: &str| builds.iter().find(|b| b.name() == name).unwrap().cpu_seconds;
    assert_eq!(
        summary.billable_cpu_seconds,
        cpu("a") + cpu("d") + cpu("e") + cpu("f")
    );
    assert_eq!(
        summary.total_cpu_seconds,
        Some(builds.iter().map(|b| b.cpu_seconds).sum())
    );
    let nar: u64 = mock
        .build(built)
        .unwrap()
        .outputs
        .iter()
        .map(|o| o.nar_size_bytes)
        .sum();
    assert_eq!(summary.total_output_nar_size_kilobytes, nar.div_ceil(1024));
    let earliest = builds.iter().filter_map(|b| b.start_time).min().unwrap();
    let latest = builds.iter().filter_map(|b| b.finish_time()).max().unwrap();
    assert_eq!(
        summary.wall_time_seconds,
        Some((latest - earliest).as_seconds_f64())
    );

    let usage = mock.client().usage().send().await.unwrap();
    assert_eq!(usage.billable_build_count, 4);
    assert_eq!(usage.billable_cpu_seconds, summary.billable_cpu_seconds);
    let early = mock
        .client()
        .usage()
        .created_before(at(10, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (early.billable_build_count, early.billable_cpu_seconds),
        (1, cpu("a"))
    );
}

#[tokio::test]
async fn a_path_prefix_is_served_and_required() {
    let mock = MockNixbuild::builder()
        .path_prefix("/api/v1/")
        .builds(fixtures::seed())
        .start()
        .await;
    assert!(mock.uri().ends_with("/api/v1"));
    assert_eq!(mock.client().builds().list().send().await.unwrap().len(), 2);
    let root = mock.uri().trim_end_matches("/api/v1").to_owned();
    assert_eq!(
        get(&root, "/builds", Some(&mock.tokens().mint())).await.status,
        404
    );
}

#[tokio::test]
async fn builds_move_from_pending_to_running_to_built() {
    let mock = MockNixbuild::start().await;
    let id = mock.add_build(BuildFixture::pending("hello-2.12"));
    let client = mock.client();
    let status = || async { client.builds().list().send().await.unwrap()[0].status.clone() };
    assert_eq!(status().await, BuildStatus::Pending);
    mock.update_build(id, fixtures::mark_running).unwrap();
    assert_eq!(status().await, BuildStatus::Running);
    mock.update_build(id, |b| fixtures::mark_finished(b, BuildStatus::Built))
        .unwrap();
    let build = client
        .builds()
        .list()
        .status(BuildStatus::Built)
        .send()
        .await
        .unwrap()
        .remove(0);
    assert_eq!(build.outputs.len(), 1);
    assert!(mock.update_build(BuildId(1), |_| ()).is_err());
}

/// A fixture added without a creation time reached its status at the mock's now: a running
/// one started then (not a queue time later), a finished one ended then; each was created
/// as long before as it queued and ran. Moved on later, its duration is the clock's advance.
#[tokio::test]
async fn a_fixture_added_in_a_status_reached_it_at_the_mock_s_now() {
    let mock = MockNixbuild::start().await;
    mock.set_clock(at(12, 0)).unwrap(); // and frozen: "now" is one instant
    let now = mock.now();
    let running = mock
        .build(mock.add_build(BuildFixture::running("hello-2.12")))
        .unwrap();
    let start = running.start_time.expect("a running build has started");
    assert!(start <= now, "started at {start}, after the mock's now {now}");
    assert!(
        (now - start).num_milliseconds().abs() <= 1,
        "started now, not {start}"
    );
    let queued = running.queue_time_seconds.expect("it queued");
    assert!(queued > 0.0);
    let created_to_start = (start - running.create_time).as_seconds_f64();
    assert!(
        (created_to_start - queued).abs() < 1e-5,
        "queued {queued} s, created {created_to_start} s before"
    );

    mock.advance_clock(std::time::Duration::from_secs(460)).unwrap();
    let built = mock.set_status(running.build_id, BuildStatus::Built).unwrap();
    let duration = built.duration_seconds.expect("a finished build has a duration");
    assert!(
        (duration - 460.0).abs() < 0.01,
        "ran for the clock's 460 s, not {duration}"
    );

    let failed = mock
        .build(mock.add_build(BuildFixture::failed("zlib-1.3")))
        .unwrap();
    let end = failed.start_time.unwrap()
        + chrono::TimeDelta::microseconds((failed.duration_seconds.unwrap() * 1e6) as i64);
    assert!(
        (mock.now() - end).num_milliseconds().abs() <= 1,
        "finished at the mock's now"
    );
    let pending = mock
        .build(mock.add_build(BuildFixture::pending("jq-1.7")))
        .unwrap();
    assert!(
        (mock.now() - pending.create_time).num_milliseconds().abs() <= 1,
        "created now"
    );
}

#[tokio::test]
async fn limit_accepts_any_positive_integer_a_u64_holds() {
    let mock = mock_with_builds().await;
    let token = mock.tokens().mint();
    let all = mock.build_count();
    for limit in ["4294967296", "18446744073709551615"] {
        let answer = get(&mock.uri(), &format!("/builds?limit={limit}"), Some(&token)).await;
        assert_eq!(answer.status, 200, "{limit}: {}", answer.body);
        assert_eq!(answer.json().as_array().unwrap().len(), all, "{limit}");
    }
    let answer = get(&mock.uri(), "/builds?limit=18446744073709551616", Some(&token)).await;
    assert_eq!(answer.status, 400);
    assert!(answer.error().contains("larger than"), "{}", answer.body);
}
