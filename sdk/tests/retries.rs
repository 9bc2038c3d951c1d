//! Which failures are retried, how often, and after how long.

mod common;

use std::time::{Duration, Instant};

use wiremock::{MockServer, ResponseTemplate};

async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn two_503s_then_200_succeeds_in_exactly_three_requests() {
    let server = common::failing_then_ok(2, ResponseTemplate::new(503)).await;
    let builds = common::client(&server).builds().list().send().await.unwrap();
    assert!(builds.is_empty());
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn every_retryable_status_is_retried() {
    for status in [429, 502, 503, 504] {
        let server = common::failing_then_ok(1, ResponseTemplate::new(status)).await;
        common::client(&server).builds().list().send().await.unwrap();
        assert_eq!(request_count(&server).await, 2, "{status}");
    }
}

#[tokio::test]
async fn other_4xx_and_500_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 500] {
        let server = common::failing_then_ok(1, ResponseTemplate::new(status)).await;
        let err = common::client(&server).builds().list().send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(request_count(&server).await, 1, "{status}");
    }
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_is_returned() {
    let server = common::failing_then_ok(100, ResponseTemplate::new(503).set_body_string("overloaded")).await;
    let client = common::builder(&server)
        .retry(common::fast_retries().max_attempts(3))
        .build()
        .unwrap();
    let err = client.builds().list().send().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /builds: HTTP 503 Service Unavailable: overloaded"
    );
    assert!(err.is_retryable());
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn retries_can_be_disabled() {
    let server = common::failing_then_ok(1, ResponseTemplate::new(503)).await;
    let client = common::builder(&server).no_retries().build().unwrap();
    assert_eq!(
        client.builds().list().send().await.unwrap_err().status().unwrap(),
        503
    );
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn retry_after_in_seconds_is_waited_for() {
    let server =
        common::failing_then_ok(1, ResponseTemplate::new(429).insert_header("retry-after", "1")).await;
    let started = Instant::now();
    common::client(&server).builds().list().send().await.unwrap();
    // The fast test policy alone would wait at most 5 ms: only Retry-After explains a second.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_waited_for() {
    let in_two_seconds = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let server = common::failing_then_ok(
        1,
        ResponseTemplate::new(503).insert_header("retry-after", in_two_seconds.as_str()),
    )
    .await;
    let started = Instant::now();
    common::client(&server).builds().list().send().await.unwrap();
    // HTTP dates have whole seconds: two seconds ahead is at least one second away.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_returned_not_waited_for() {
    let server =
        common::failing_then_ok(1, ResponseTemplate::new(429).insert_header("retry-after", "3600")).await;
    let err = common::client(&server).builds().list().send().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(request_count(&server).await, 1);
}
