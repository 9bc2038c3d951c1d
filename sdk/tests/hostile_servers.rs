//! Servers that misbehave: bodies too large or endless, listings that ignore their window,
//! duplicate builds, control characters and bytes that are not UTF-8. The client stays
//! bounded, ends, and prints nothing a terminal would act on.

mod common;

use futures::StreamExt;
use nixbuild::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{any, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server on a raw socket that answers every connection with `head` and then writes
/// `chunk` in chunked encoding until the client goes away (or 1 GiB, whichever comes first).
async fn endless_server(head: &'static str, chunk: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
                for _ in 0..(1usize << 30) / chunk.len() {
                    if socket.write_all(&frame).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_body_larger_than_the_limit_is_refused_from_its_content_length() {
    let server = MockServer::start().await;
    Mock::given(path("/builds"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!("[{}]", " ".repeat(10_000))))
        .mount(&server)
        .await;
    let client = common::builder(&server).max_response_bytes(4096).build().unwrap();
    let err = client.builds().list().send().await.unwrap_err();
    let Error::ResponseTooLarge { limit, endpoint } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*limit, endpoint.path.as_str()), (4096, "/builds"));
    assert!(err.to_string().contains("larger than 4096 bytes"), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn an_endless_body_is_cut_at_the_limit() {
    let url = endless_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        &[b' '; 16 * 1024],
    )
    .await;
    let client = nixbuild::Client::builder()
        .token(common::TOKEN)
        .base_url(url)
        .max_response_bytes(1024 * 1024)
        .no_retries()
        .build()
        .unwrap();
    let err = client.builds().list().send().await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1_048_576, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_endless_error_body_is_kept_to_its_first_64_kib() {
    let url = endless_server(
        "HTTP/1.1 500 Internal Server Error\r\ntransfer-encoding: chunked\r\n\r\n",
        b"\xff\xfe not utf-8 \x1b[31m",
    )
    .await;
    let client = nixbuild::Client::builder()
        .token(common::TOKEN)
        .base_url(url)
        .no_retries()
        .build()
        .unwrap();
    let err = client.builds().list().send().await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.body_bytes().len(), 64 * 1024);
    assert!(
        api.body_bytes().starts_with(b"\xff\xfe not utf-8 \x1b[31m"),
        "the raw bytes are kept"
    );
    assert!(api.body().starts_with("\u{fffd}\u{fffd} not utf-8"));
    for shown in [err.to_string(), api.message().to_owned()] {
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }
}

#[tokio::test]
async fn control_characters_from_the_server_never_reach_display() {
    let server = MockServer::start().await;
    Mock::given(path("/builds"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_string("{\"error\":\"no\\u001b[2J\\r\\u009b31m\\u202e way\"}"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/usage"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"billable_cpu_seconds\":\"\u{1b}[2J\"}"))
        .mount(&server)
        .await;
    let client = common::client(&server);
    let denied = client.builds().list().send().await.unwrap_err();
    assert_eq!(
        denied.to_string(),
        "GET /builds: HTTP 403 Forbidden: no\\u{1b}[2J \\u{9b}31m\\u{202e} way"
    );
    let undecodable = client.usage().send().await.unwrap_err();
    let shown = undecodable.to_string();
    assert!(matches!(undecodable, Error::Decode(_)), "{undecodable:?}");
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.contains("\\u{1b}[2J"), "{shown}");
}

/// A seed build with another id and creation time.
fn build_json(id: u64, created: &str) -> serde_json::Value {
    let mut build: serde_json::Value = serde_json::from_str::<Vec<serde_json::Value>>(&common::seed_json())
        .unwrap()
        .remove(0);
    build["build_id"] = id.into();
    build["create_time"] = created.into();
    build
}

#[tokio::test]
async fn a_server_that_ignores_the_window_ends_the_stream_with_an_error() {
    let server = MockServer::start().await;
    // The same newest page (of 3, and the one more the stream asks for), whatever
    // create_time_to says.
    let page: Vec<_> = (0..4)
        .map(|i| build_json(100 - i, &format!("2024-01-01T00:00:0{}Z", 3 - i)))
        .collect();
    Mock::given(path("/builds"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&page))
        .mount(&server)
        .await;
    let client = common::client(&server);
    let items: Vec<_> = client.builds().list().page_size(3).stream().collect().await;
    let requests = server.received_requests().await.unwrap().len();
    assert!(requests <= 4, "it stopped after {requests} requests");
    let (ok, errors): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
    let ids: Vec<u64> = ok.into_iter().map(|b| b.unwrap().build_id.0).collect();
    assert_eq!(ids, [100, 99, 98, 97], "each build once");
    let [Err(err)] = errors.as_slice() else {
        panic!("one error ends it: {errors:?}")
    };
    assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
    assert!(err.to_string().contains("GET /builds"), "{err}");
}

#[tokio::test]
async fn duplicates_within_a_page_and_its_ties_are_yielded_once() {
    let server = MockServer::start().await;
    let t = "2024-01-01T00:00:05Z";
    let page = vec![
        build_json(7, t),
        build_json(7, t),
        build_json(6, t),
        build_json(6, t),
    ];
    Mock::given(path("/builds"))
        .and(query_param("limit", "4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&page))
        .with_priority(1)
        .mount(&server)
        .await;
    // The tie query (no limit) and the next page answer with the same builds again.
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(vec![build_json(7, t), build_json(5, t)]))
        .mount(&server)
        .await;
    let client = common::client(&server);
    let items: Vec<_> = client.builds().list().page_size(3).stream().collect().await;
    let ids: Vec<u64> = items
        .into_iter()
        .filter_map(Result::ok)
        .map(|b| b.build_id.0)
        .collect();
    assert_eq!(ids, [7, 6, 5]);
}

#[test]
fn a_finish_time_past_the_calendar_is_none_not_a_panic() {
    let mut build: nixbuild::Build = serde_json::from_value(build_json(1, "2024-01-01T00:00:00Z")).unwrap();
    build.start_time = Some(chrono::DateTime::<chrono::Utc>::MAX_UTC - chrono::TimeDelta::seconds(1));
    build.duration_seconds = Some(1e9);
    assert_eq!(build.finish_time(), None);
    build.duration_seconds = Some(f64::NAN);
    assert_eq!(build.finish_time(), None);
}
