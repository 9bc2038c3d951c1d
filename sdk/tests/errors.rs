//! How failures reach the caller: statuses, messages, decode paths, timeouts, transport.

mod common;

use std::time::Duration;

use nixbuild::{Error, StatusCode};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/builds"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

async fn list_error(server: &MockServer) -> Error {
    common::client(server).builds().list().send().await.unwrap_err()
}

#[tokio::test]
async fn error_statuses_keep_the_status_and_the_servers_message() {
    let cases = [
        (
            401,
            r#"{"error":"token not signed by the service"}"#,
            "token not signed by the service",
        ),
        (
            403,
            r#"{"error":"check failed: time < 2024-01-01"}"#,
            "check failed: time < 2024-01-01",
        ),
        (404, r#"{"message":"no such path"}"#, "no such path"),
        (500, "upstream <b>exploded</b>\n", "upstream <b>exploded</b>"),
    ];
    for (status, body, message) in cases {
        let server = answering(ResponseTemplate::new(status).set_body_string(body)).await;
        let err = list_error(&server).await;
        assert_eq!(err.status(), Some(StatusCode::from_u16(status).unwrap()));
        let api = err.api().unwrap();
        assert_eq!(api.message(), message);
        assert_eq!(api.body(), body);
        assert_eq!(api.endpoint().path, "/builds");
        let line = err.to_string();
        assert!(line.starts_with(&format!("GET /builds: HTTP {status}")), "{line}");
        assert!(line.ends_with(message), "{line}");
        assert!(!line.contains(common::TOKEN) && !format!("{err:?}").contains(common::TOKEN));
        assert_eq!(err.is_unauthorized(), status == 401);
        assert_eq!(err.is_forbidden(), status == 403);
        assert_eq!(err.is_not_found(), status == 404);
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn a_wrong_type_deep_inside_names_its_json_path() {
    let mut builds: serde_json::Value = serde_json::from_str(&common::seed_json()).unwrap();
    let mut third = builds[0].clone();
    third["outputs"][0]["nar_size_bytes"] = serde_json::json!("256 MB");
    let list = builds.as_array_mut().unwrap();
    list.push(list[1].clone());
    list.push(third);
    let body = serde_json::to_string_pretty(&builds).unwrap();
    let server = answering(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let err = list_error(&server).await;
    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.path(), "[3].outputs[0].nar_size_bytes");
    assert!(
        decode.message().contains("invalid type: string \"256 MB\""),
        "{}",
        decode.message()
    );
    assert!(
        decode.snippet().contains("\"nar_size_bytes\": \"256 MB\""),
        "{}",
        decode.snippet()
    );
    assert!(
        err.to_string()
            .starts_with("GET /builds: cannot decode the response at `[3].outputs[0].nar_size_bytes`")
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_decode_error_with_a_snippet() {
    let server = answering(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>")).await;
    let err = list_error(&server).await;
    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.path(), ".");
    assert!(
        decode.snippet().contains("<html>maintenance"),
        "{}",
        decode.snippet()
    );
}

#[tokio::test]
async fn trailing_garbage_after_the_json_is_a_decode_error() {
    let server = answering(ResponseTemplate::new(200).set_body_string("[] []")).await;
    assert!(matches!(list_error(&server).await, Error::Decode(_)));
}

#[tokio::test]
async fn a_hung_server_gives_a_timeout_error() {
    let server = answering(
        ResponseTemplate::new(200)
            .set_body_string("[]")
            .set_delay(Duration::from_secs(30)),
    )
    .await;
    let client = common::builder(&server)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.builds().list().send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let server_address = server.address().to_string();
    assert_eq!(
        err.to_string(),
        format!("GET /builds: no complete response from {server_address} within 0.200s")
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "a timeout is not retried"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_retryable_transport_error() {
    // A port that was just free: nothing listens there once the listener is dropped.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = nixbuild::Client::builder()
        .token(common::TOKEN)
        .base_url(format!("http://{address}"))
        .retry(common::fast_retries().max_attempts(2))
        .build()
        .unwrap();
    let err = client.usage().send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    let line = err.to_string();
    assert!(
        line.starts_with(&format!("GET /usage: cannot connect to {address}: ")),
        "the server is named: {line}"
    );
}

#[tokio::test]
async fn an_error_keeps_the_answers_headers() {
    let server = answering(
        ResponseTemplate::new(429)
            .insert_header("x-request-id", "req-7")
            .insert_header("retry-after", "3")
            .set_body_string(r#"{"error":"slow down"}"#),
    )
    .await;
    let client = common::builder(&server).no_retries().build().unwrap();
    let err = client.builds().list().send().await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.headers()["x-request-id"], "req-7");
    assert_eq!(api.retry_after(), Some(Duration::from_secs(3)));
}

#[cfg(feature = "biscuit")]
#[test]
fn a_token_error_converts_into_the_crates_error() {
    fn inspect(token: &nixbuild::Token) -> nixbuild::Result<usize> {
        Ok(token.inspect()?.blocks.len())
    }
    let err = inspect(&nixbuild::Token::new("not a token")).unwrap_err();
    assert!(
        matches!(err, Error::Token(nixbuild::TokenError::Unreadable(_))),
        "{err:?}"
    );
}
