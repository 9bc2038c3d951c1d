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
    let requests = mock.received_requests().await;
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/builds");
    assert_eq!(
        requests[0].query.as_deref(),
        Some("tags=GITHUB_RUN_ID:42&limit=3")
    );
    assert_eq!((requests[0].auth, requests[0].status), (AuthStatus::Passed, 200));
    assert_eq!(requests[1].path, "/builds/summary");
    assert_eq!((requests[2].auth, requests[2].status), (AuthStatus::Refused, 401));
    assert_eq!(requests[2].line(), "GET /usage -> 401 (auth: Refused)");
    assert_eq!(mock.request_count("/builds"), 1);
    assert_eq!(mock.request_count("/usage"), 1);
    mock.clear_requests();
    assert!(mock.received_requests().await.is_empty());
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
    let paths: Vec<String> = mock
        .received_requests()
        .await
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(paths, ["/usage", "/builds/summary"]);
}
