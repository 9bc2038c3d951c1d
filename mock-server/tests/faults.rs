//! Faults on demand, then normal service again.

mod common;

use std::time::Duration;

use common::get;
use nixbuild::Error;
use nixbuild_mock::{Fault, MockNixbuild, fixtures};

async fn mock() -> MockNixbuild {
    MockNixbuild::builder().builds(fixtures::seed()).start().await
}

#[tokio::test]
async fn fail_next_answers_the_status_without_retry_after_then_resumes() {
    let mock = mock().await;
    let token = mock.tokens().mint();
    mock.fail_next(503, 2);
    for _ in 0..2 {
        let answer = get(&mock.uri(), "/builds", Some(&token)).await;
        assert_eq!((answer.status, answer.retry_after.as_deref()), (503, None));
        assert!(answer.error().contains("503"));
    }
    assert_eq!(get(&mock.uri(), "/builds", Some(&token)).await.status, 200);
}

#[tokio::test]
async fn retry_after_is_sent_when_asked_for_with_any_status() {
    let mock = mock().await;
    let token = mock.tokens().mint();
    mock.inject_fault(Fault::status(500).retry_after(Duration::from_secs(2)));
    let answer = get(&mock.uri(), "/builds", Some(&token)).await;
    assert_eq!((answer.status, answer.retry_after.as_deref()), (500, Some("2")));
}

#[tokio::test]
async fn the_sdk_retries_through_injected_503s() {
    let mock = mock().await;
    mock.inject_fault(Fault::status(503).times(2));
    let builds = mock.client().builds().list().send().await.unwrap();
    assert_eq!(builds.len(), 2);
    assert_eq!(mock.request_count("/builds"), 3);
}

#[tokio::test]
async fn a_fault_can_target_one_path() {
    let mock = mock().await;
    let token = mock.tokens().mint();
    mock.inject_fault(
        Fault::status(429)
            .retry_after(Duration::from_secs(7))
            .on_path("/usage"),
    );
    assert_eq!(get(&mock.uri(), "/builds", Some(&token)).await.status, 200);
    let answer = get(&mock.uri(), "/usage", Some(&token)).await;
    assert_eq!((answer.status, answer.retry_after.as_deref()), (429, Some("7")));
    assert_eq!(get(&mock.uri(), "/usage", Some(&token)).await.status, 200);
}

#[tokio::test]
async fn a_delay_makes_a_short_timeout_expire() {
    let mock = mock().await;
    mock.inject_fault(Fault::delay(Duration::from_secs(5)));
    let client = mock
        .client_builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client.builds().list().send().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(client.builds().list().send().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error() {
    let mock = mock().await;
    mock.inject_fault(Fault::malformed_body());
    let err = mock.client().builds().list().send().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(mock.client().builds().list().send().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let mock = mock().await;
    mock.inject_fault(Fault::drop_connection());
    let err = mock.client().builds().list().send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(mock.client().builds().list().send().await.unwrap().len(), 2);
}

#[tokio::test]
async fn faults_can_be_cleared() {
    let mock = mock().await;
    mock.fail_next(500, 5);
    mock.clear_faults();
    assert_eq!(mock.client().builds().list().send().await.unwrap().len(), 2);
}

/// One fault path for every way of serving: the next API request uses the fault whatever
/// its path, whether the mock serves its store or replays a recording (under replay, a
/// request to an unknown path used one up before; serving, it did not).
#[tokio::test]
async fn a_fault_befalls_the_same_request_whether_the_mock_serves_or_replays() {
    use nixbuild_mock::recording::{Interaction, Recording};
    let mut recording = Recording::new(false);
    recording.interactions.push(Interaction::new(
        "GET",
        "/builds",
        "",
        200,
        [("content-type".to_owned(), "application/json".to_owned())].into(),
        b"[]",
    ));
    let serving = MockNixbuild::builder().without_auth().start().await;
    let replaying = MockNixbuild::builder().replay(recording).start().await;
    for mock in [&serving, &replaying] {
        mock.inject_fault(Fault::status(503));
        assert_eq!(mock.faults().len(), 1, "listed until used");
        let unknown = get(&mock.uri(), "/no-such-path", None).await;
        assert_eq!(unknown.status, 503, "a request to any path uses the fault");
        assert!(mock.faults().is_empty());
        assert_eq!(get(&mock.uri(), "/builds", None).await.status, 200);
        let statuses: Vec<u16> = mock
            .received_requests()
            .iter()
            .map(|r| r.status.as_u16())
            .collect();
        assert_eq!(statuses, [503, 200], "the journal says what was answered");
    }
}

/// A path means one thing at every entry point: relative to the API's root, and one written
/// with the mock's prefix is read without it (a fault's, a count's, a filter's).
#[tokio::test]
async fn paths_with_the_prefix_mean_the_same_in_faults_counts_and_the_journal() {
    let mock = MockNixbuild::builder()
        .without_auth()
        .path_prefix("/api/v1")
        .start()
        .await;
    mock.inject_fault(Fault::status(502).on_path("/api/v1/builds"));
    mock.expect(nixbuild_mock::Expectation::path("/api/v1/builds").times(1));
    assert_eq!(get(&mock.uri(), "/usage", None).await.status, 200);
    assert_eq!(get(&mock.uri(), "/builds", None).await.status, 502);
    for path in ["/builds", "/api/v1/builds"] {
        assert_eq!(mock.request_count(path), 1, "{path}");
        assert_eq!(mock.received_requests_to(path, Some("get")).len(), 1, "{path}");
    }
    assert!(mock.received_requests_to("/builds", Some("POST")).is_empty());
    mock.verify();
}
