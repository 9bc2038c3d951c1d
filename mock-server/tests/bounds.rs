//! The mock's memory stays bounded whatever a client sends: large bodies are refused, long
//! paths and queries are cut in the journal, and it says so.

mod common;

use nixbuild_mock::MockNixbuild;
use nixbuild_mock::limits::{MAX_RECORDED_PATH_BYTES, MAX_RECORDED_QUERY_BYTES, MAX_REQUEST_BODY_BYTES};

#[tokio::test]
async fn a_body_over_the_cap_is_413_and_not_kept() {
    let mock = MockNixbuild::start().await;
    let token = mock.tokens().rights(["build:write"]).mint();
    let response = nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .post(format!("{}/processes", mock.uri()))
        .bearer_auth(token.expose_secret())
        .header("nixbuildnet-oidc-id-token", "a.b.c")
        .body(vec![b'['; MAX_REQUEST_BODY_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("at most 1048576"),
        "{body}"
    );
    assert!(mock.submitted_processes().is_empty());
    assert_eq!(mock.received_requests()[0].status, 413);
}

#[tokio::test]
async fn long_paths_and_queries_are_cut_in_the_journal() {
    let mock = MockNixbuild::builder().without_auth().start().await;
    let tag = "x".repeat(20_000);
    let answer = common::get(&mock.uri(), &format!("/builds?tags=a:{tag}"), None).await;
    assert_eq!(answer.status, 200);
    let answer = common::get(&mock.uri(), &format!("/{}", "p".repeat(5000)), None).await;
    assert_eq!(answer.status, 404);
    let seen = mock.received_requests();
    assert!(seen.iter().all(|r| r.truncated), "{seen:?}");
    assert!(seen[0].query.as_ref().unwrap().len() <= MAX_RECORDED_QUERY_BYTES);
    assert!(seen[1].path.len() <= MAX_RECORDED_PATH_BYTES);
    assert!(seen[1].line().contains("[truncated]"));
}
