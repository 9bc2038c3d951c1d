//! The pattern to copy: test your own nixbuild.net code against `nixbuild-mock`.
//!
//! `failed_builds_report` below stands for code in your project. The tests start a mock,
//! give it the builds the scenario needs, hand your code the mock's client, and assert on
//! what your code returns and on what it asked the service.

use nixbuild::{BuildStatus, Client};
use nixbuild_mock::{BuildFixture, MockNixbuild};

/// Your code: one line per failed build of a CI run, or the service's error.
async fn failed_builds_report(client: &Client, run_id: &str) -> nixbuild::Result<Vec<String>> {
    let failed = client
        .builds()
        .list()
        .tag("GITHUB_RUN_ID", run_id)
        .statuses([BuildStatus::BuildFailed, BuildStatus::Timeout])
        .send()
        .await?;
    Ok(failed
        .iter()
        .map(|b| format!("{} on {}: {}", b.name(), b.system, b.status))
        .collect())
}

#[tokio::test]
async fn reports_the_failed_builds_of_one_run() {
    let mock = MockNixbuild::start().await;
    mock.add_build(
        BuildFixture::failed("hello-2.12")
            .system("aarch64-linux")
            .tag("GITHUB_RUN_ID", "42"),
    );
    mock.add_build(BuildFixture::built("openssl-3.0.13").tag("GITHUB_RUN_ID", "42"));
    mock.add_build(BuildFixture::failed("unrelated-1.0").tag("GITHUB_RUN_ID", "41"));

    let report = failed_builds_report(&mock.client(), "42").await.unwrap();

    assert_eq!(report, ["hello-2.12 on aarch64-linux: build_failed"]);
    assert_eq!(mock.request_count("/builds"), 1);
}

#[tokio::test]
async fn survives_a_brief_outage_and_reports_a_lasting_one() {
    let mock = MockNixbuild::start().await;
    mock.add_build(BuildFixture::failed("hello-2.12").tag("GITHUB_RUN_ID", "42"));

    mock.fail_next(503, 1);
    assert_eq!(failed_builds_report(&mock.client(), "42").await.unwrap().len(), 1);

    mock.fail_next(500, 10);
    let err = failed_builds_report(&mock.client(), "42").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn reports_an_expired_token_clearly() {
    let mock = MockNixbuild::start().await;
    let expired = mock.tokens().expires_at(std::time::SystemTime::UNIX_EPOCH).mint();
    let client = Client::builder()
        .token(expired)
        .base_url(mock.uri())
        .build()
        .unwrap();

    let err = failed_builds_report(&client, "42").await.unwrap_err();

    // The SDK reads the token's expiry and does not send a request bound to fail.
    assert!(matches!(err, nixbuild::Error::TokenExpired { .. }), "{err}");
    assert!(err.to_string().contains("expired"), "{err}");
    assert_eq!(mock.request_count("/builds"), 0);
}
