//! What the examples share: a client for the real API when `NIXBUILD_TOKEN` is set, else
//! for the in-process mock server, filled by the example.

// Each example uses part of this module.
#![allow(dead_code)]

use nixbuild::Client;
use nixbuild_mock::MockNixbuild;

/// Where an example's requests go.
pub struct Service {
    /// The client to use.
    pub client: Client,
    /// The mock, when there is no token; it stops when dropped, so keep this alive.
    pub mock: Option<MockNixbuild>,
}

/// The real API (`NIXBUILD_TOKEN`, optional `NIXBUILD_API_URL`) or, without a token, a mock
/// that `fill` gives builds to.
pub async fn connect(fill: impl FnOnce(&MockNixbuild)) -> Result<Service, nixbuild::Error> {
    if std::env::var_os(nixbuild::TOKEN_ENV).is_some() {
        return Ok(Service {
            client: Client::from_env()?,
            mock: None,
        });
    }
    let mock = MockNixbuild::start().await;
    fill(&mock);
    eprintln!(
        "NIXBUILD_TOKEN is not set: using the mock server at {}",
        mock.uri()
    );
    Ok(Service {
        client: mock.client(),
        mock: Some(mock),
    })
}
