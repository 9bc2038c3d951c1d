//! Helpers shared by the SDK's integration tests.
#![allow(dead_code)]

use std::time::Duration;

use nixbuild::{Client, ClientBuilder, RetryPolicy};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const TOKEN: &str = "EpABCiYKB2FjY291bnQYAyIJCgcIgAgSAhABMg4KDAoCCBsSBggDEgIYABIkCAA-secret";

/// The real `GET /builds` response from the launch announcement.
pub fn seed_json() -> String {
    nixbuild::examples::SEED_BUILDS_JSON.to_owned()
}

/// A builder pointed at `server`, with the test token and fast retries.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .retry(fast_retries())
}

pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("a valid test configuration")
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

/// A server whose `/builds` answers `failure` `failures` times, then `200 []`.
pub async fn failing_then_ok(failures: u64, failure: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/builds"))
        .respond_with(failure)
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/builds"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    server
}
