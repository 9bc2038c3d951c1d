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
