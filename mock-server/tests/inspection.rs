//! What a test can see of the requests, and how custom mounts take precedence.

mod common;

use nixbuild_mock::{AuthStatus, MockNixbuild, fixtures};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn every_request_is_recorded_with_its_query_auth_and_answer() {
    let mock = MockNixbuild::builder().builds(fixtures::seed()).start().await;
    let client = mock.client();
    client
        .builds()
        .list()
        .tag("GITHUB_RUN_ID", "42")
        .limit(3)
        .send()
        .await
        .unwrap();
    client.builds().summary().send().await.unwrap();
    common::get(&mock.uri(), "/usage", None).await;
    let requests = mock.received_requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/builds");
    assert_eq!(
        requests[0].query.as_deref(),
        Some("tags=GITHUB_RUN_ID:42&limit=3")
    );
    assert_eq!(
        (requests[0].auth, requests[0].status),
        (AuthStatus::Passed, nixbuild::StatusCode::OK)
    );
    assert_eq!(requests[1].path, "/builds/summary");
    assert_eq!(
        (requests[2].auth, requests[2].status),
        (AuthStatus::Refused, nixbuild::StatusCode::UNAUTHORIZED)
    );
    assert_eq!(requests[2].line(), "GET /usage -> 401 (auth: refused)");
    assert_eq!(mock.request_count("/builds"), 1);
    assert_eq!(mock.request_count("/usage"), 1);
    mock.clear_requests();
    assert!(mock.received_requests().is_empty());
}

#[tokio::test]
async fn custom_mounts_on_the_server_take_precedence() {
    let mock = MockNixbuild::builder().builds(fixtures::seed()).start().await;
    Mock::given(method("GET"))
        .and(path("/usage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "billable_cpu_seconds": 316, "billable_build_count": 251
        })))
        .mount(mock.server())
        .await;
    let client = mock.client();
    assert_eq!(client.usage().send().await.unwrap().billable_build_count, 251);
    assert_eq!(
        client.builds().list().send().await.unwrap().len(),
        2,
        "the rest is still the mock's"
    );
}

#[tokio::test]
async fn the_journal_keeps_only_the_newest_requests_beyond_its_capacity() {
    let mock = MockNixbuild::builder()
        .journal_capacity(2)
        .without_auth()
        .start()
        .await;
    for path in ["/builds", "/usage", "/builds/summary"] {
        common::get(&mock.uri(), path, None).await;
    }
    let paths: Vec<String> = mock.received_requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/usage", "/builds/summary"]);
}

#[tokio::test]
async fn entries_say_their_operation_and_filter_with_paths_relative_to_the_apis_root() {
    use nixbuild::api::operation::OperationId;
    use nixbuild::{BuildFilter, BuildStatus, StatusCode};
    use nixbuild_mock::Expectation;

    let mock = MockNixbuild::builder()
        .without_auth()
        .path_prefix("/api/v1")
        .builds(fixtures::seed())
        .start()
        .await;
    let run_42 = BuildFilter::new().tag("GITHUB_RUN_ID", "42");
    mock.expect(
        Expectation::operation(OperationId::ListBuilds)
            .filter(run_42.clone())
            .times(1),
    );
    mock.expect(Expectation::path("/builds").times(3..));
    let client = mock.client();
    client
        .builds()
        .list()
        .tag("GITHUB_RUN_ID", "42")
        .status(BuildStatus::Built)
        .limit(3)
        .send()
        .await
        .unwrap();
    client
        .builds()
        .list()
        .tag("GITHUB_RUN_ID", "7")
        .send()
        .await
        .unwrap();
    client.usage().send().await.unwrap();
    let bad = common::get(&mock.uri(), "/builds?limit=zero", None).await;
    assert_eq!(bad.status, 400);

    // One convention everywhere: paths relative to the API's root, whatever the prefix.
    assert_eq!(mock.request_count("/builds"), 3);
    assert_eq!(mock.request_count("/usage"), 1);
    let seen = mock.received_requests();
    assert_eq!(seen[0].path, "/builds");
    assert_eq!(seen[0].method, nixbuild::reexports::reqwest::Method::GET);
    assert_eq!(seen[0].status, StatusCode::OK);
    assert_eq!(seen[0].operation(), Some(OperationId::ListBuilds));
    let filter = seen[0].filter().unwrap().unwrap();
    assert_eq!(filter.tags, run_42.tags);
    assert_eq!(filter.limit, Some(3));
    assert_eq!(seen[2].operation(), Some(OperationId::GetUsage));
    assert!(
        seen[3].filter().unwrap().is_err(),
        "colour is no parameter of listBuilds"
    );
    assert_eq!(seen[3].status, StatusCode::BAD_REQUEST);
    assert!(
        seen[0].line().ends_with("-> 200 (auth: disabled)"),
        "{}",
        seen[0].line()
    );
    mock.verify();

    // An expectation's filter that no request had is reported with it.
    mock.expect(Expectation::operation(OperationId::ListBuilds).filter(BuildFilter::new().tag("run", "9")));
    let unmet = mock.check_expectations().unwrap_err().to_string();
    assert!(
        unmet.contains("with tags=run%3A9") || unmet.contains("with tags=run:9"),
        "{unmet}"
    );
    client.builds().list().tag("run", "9").send().await.unwrap();
    mock.verify();
}
