//! Helpers shared by the cross-crate tests.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nixbuild::{Client, Token};
use nixbuild_mock::{MockNixbuild, fixtures};

/// A mock serving the seed builds, auth on.
pub async fn mock() -> MockNixbuild {
    MockNixbuild::builder().builds(fixtures::seed()).start().await
}

/// A client of `mock` with `token`, sending each request once.
pub fn client(mock: &MockNixbuild, token: Token) -> Client {
    Client::builder()
        .token(token)
        .base_url(mock.uri())
        .no_retries()
        .build()
        .unwrap()
}

/// An unsigned JWT with these claims (the mock reads claims without verifying them).
pub fn jwt(claims: serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    format!("{header}.{}.c2ln", URL_SAFE_NO_PAD.encode(claims.to_string()))
}
