//! Verification the wiremock way: `expect` on an operation or a path, checked on drop.

use nixbuild::api::operation::OperationId;
use nixbuild_mock::{Expectation, MockNixbuild, fixtures};

#[tokio::test]
async fn met_expectations_pass_quietly_on_drop() {
    let mock = MockNixbuild::builder().builds(fixtures::seed()).start().await;
    mock.expect(Expectation::operation(OperationId::ListBuilds).times(2));
    mock.expect(Expectation::path("/builds/summary").times(1..=3));
    mock.expect(Expectation::path("/usage").times(0));
    mock.expect(Expectation::operation(OperationId::GetBuildsSummary).times(..2));
    let client = mock.client();
    client.builds().list().send().await.unwrap();
    client.builds().list().limit(1).send().await.unwrap();
    client.builds().summary().send().await.unwrap();
    mock.verify();
}

#[tokio::test]
async fn requests_count_whatever_they_were_answered_and_only_after_expect() {
    let mock = MockNixbuild::builder().path_prefix("/api/v1").start().await;
    let client = mock.client();
    client.builds().list().send().await.unwrap();
    mock.expect(Expectation::operation(OperationId::ListBuilds).times(2));
    mock.fail_next(503, 1);
    let _ = client.builds().list().send().await; // 503, then the retry
    // Even a request refused for its size (413) arrived.
    mock.expect(Expectation::path("/processes").times(1));
    let too_big = nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .post(format!("{}/processes", mock.uri()))
        .body(vec![b' '; nixbuild_mock::limits::MAX_REQUEST_BODY_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), 413);
    mock.verify();
}

#[tokio::test]
async fn unmet_expectations_name_what_was_expected_and_what_arrived() {
    let mock = MockNixbuild::builder().builds(fixtures::seed()).start().await;
    mock.expect(
        Expectation::operation(OperationId::ListBuilds)
            .times(3)
            .named("the CI job pages through builds"),
    );
    mock.expect(Expectation::path("/usage").times(1..));
    mock.client().builds().list().limit(1).send().await.unwrap();
    let unmet = mock.check_expectations().unwrap_err();
    assert_eq!(unmet.unmet.len(), 2);
    let message = unmet.to_string();
    assert!(
        message.contains(
            "`the CI job pages through builds`: exactly 3 request(s) for listBuilds (GET /builds); received 1"
        ),
        "{message}"
    );
    assert!(
        message.contains("at least 1 request(s) to /usage; received 0"),
        "{message}"
    );
    assert!(message.contains("GET /builds?limit=1 -> 200"), "{message}");
    // A test that checked and failed is done with this mock; dropping it must not panic again
    // in a test that goes on, so meet the expectations before it is dropped.
    mock.client().builds().list().send().await.unwrap();
    mock.client().builds().list().send().await.unwrap();
    mock.client().usage().send().await.unwrap();
    mock.verify();
}

#[tokio::test]
#[should_panic(expected = "exactly 1 request(s) for getUsage (GET /usage); received 0")]
async fn dropping_a_mock_with_an_unmet_expectation_fails_the_test() {
    let mock = MockNixbuild::start().await;
    mock.expect(Expectation::operation(OperationId::GetUsage).times(1));
}

#[tokio::test]
async fn a_failed_verify_reports_once_and_the_drop_does_not_fail_again() {
    let mock = MockNixbuild::start().await;
    mock.expect(Expectation::operation(OperationId::GetUsage).times(1));
    mock.expect(Expectation::path("/builds").times(0));
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| mock.verify()));
    let message = *first.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("getUsage"), "{message}");
    // What it reported is gone; what was met stays and still counts.
    assert!(mock.check_expectations().is_ok());
    mock.client().builds().list().send().await.unwrap();
    let unmet = mock.check_expectations().unwrap_err();
    assert_eq!(unmet.unmet.len(), 1, "{unmet}");
    assert!(unmet.to_string().contains("/builds"), "{unmet}");
    let second = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| mock.verify()));
    assert!(second.is_err());
    drop(mock); // would panic, outside any unwinding, if it checked them again
}
