//! What the client sends: paths, queries, headers.

mod common;

use chrono::NaiveDate;
use nixbuild::{Build, BuildStatus, Client};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn seed() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(common::seed_json(), "application/json")
}

#[tokio::test]
async fn list_sends_the_token_user_agent_and_decodes_the_seed_builds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/builds"))
        .and(header(
            "authorization",
            format!("Bearer {}", common::TOKEN).as_str(),
        ))
        .and(header(
            "user-agent",
            concat!("nixbuild-rs/", env!("CARGO_PKG_VERSION")),
        ))
        .and(header("accept", "application/json"))
        .respond_with(seed())
        .expect(1)
        .mount(&server)
        .await;
    let builds = common::client(&server).builds().list().send().await.unwrap();
    let expected: Vec<Build> = serde_json::from_str(&common::seed_json()).unwrap();
    assert_eq!(builds, expected);
}

#[tokio::test]
async fn a_custom_user_agent_comes_before_the_crates_own() {
    let server = MockServer::start().await;
    let expected = concat!("ci-bot/1.0 nixbuild-rs/", env!("CARGO_PKG_VERSION"));
    Mock::given(header("user-agent", expected))
        .respond_with(seed())
        .expect(1)
        .mount(&server)
        .await;
    common::builder(&server)
        .user_agent("ci-bot/1.0")
        .build()
        .unwrap()
        .builds()
        .list()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/builds/summary"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "build_count": 2, "successful_build_count": 1, "failed_build_count": 1,
            "discarded_build_count": 0, "billable_cpu_seconds": 1934,
            "total_output_nar_size_kilobytes": 250878
        })))
        .expect(2)
        .mount(&server)
        .await;
    for base in [
        format!("{}/api/v1", server.uri()),
        format!("{}/api/v1/", server.uri()),
    ] {
        let client = Client::builder()
            .token(common::TOKEN)
            .base_url(base)
            .build()
            .unwrap();
        let summary = client.builds().summary().send().await.unwrap();
        assert_eq!(summary.billable_cpu_seconds, 1934);
    }
}

#[tokio::test]
async fn filters_reach_the_server_as_the_exact_query_string() {
    let server = MockServer::start().await;
    Mock::given(path("/builds"))
        .respond_with(seed())
        .mount(&server)
        .await;
    let may = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    common::client(&server)
        .builds()
        .list()
        .derivation_path("/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv")
        .tag("GITHUB_REPOSITORY", "owner/repo")
        .tag("GITHUB_RUN_ID", "42")
        .status(BuildStatus::Built)
        .status(BuildStatus::BuildFailed)
        .created_from(may)
        .limit(10)
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.query(),
        Some(
            "derivation_path=/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv\
             &tags=GITHUB_REPOSITORY:owner/repo,GITHUB_RUN_ID:42&status=built,build_failed\
             &create_time_from=2024-05-01&limit=10"
        )
    );
}

#[tokio::test]
async fn summary_and_usage_take_their_paths_and_windows() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/usage"))
        .and(query_param("create_time_from", "2024-05-01"))
        .and(query_param("create_time_to", "2024-06-01"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "billable_cpu_seconds": 316, "billable_build_count": 251
        })))
        .expect(1)
        .mount(&server)
        .await;
    let usage = common::client(&server)
        .usage()
        .created_from(NaiveDate::from_ymd_opt(2024, 5, 1).unwrap())
        .created_before(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(usage.billable_build_count, 251);
}

#[tokio::test]
async fn an_invalid_filter_fails_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(path("/builds"))
        .respond_with(seed())
        .expect(0)
        .mount(&server)
        .await;
    let err = common::client(&server)
        .builds()
        .list()
        .tag("a", "x,y")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, nixbuild::Error::Filter(_)), "{err:?}");
    assert!(err.to_string().contains("invalid `tags` parameter"), "{err}");
}

#[test]
fn the_client_is_cheap_to_share_between_tasks() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Client>();
    assert_send_sync_clone::<nixbuild::api::ListBuilds>();
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<nixbuild::Error>();
}
