//! Redirects are never followed: the headers the SDK adds carry secrets (the token, a CI
//! job's OIDC ID token) that must not reach whatever host a 3xx points at.

mod common;

use nixbuild::Error;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that records everything it receives and answers `[]`.
async fn elsewhere() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    server
}

/// A server whose every answer is `status` pointing at `target`.
async fn redirecting(status: u16, target: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).insert_header("location", target))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_redirect_is_an_error_that_names_the_location_and_nothing_follows_it() {
    let target = elsewhere().await;
    for status in [301, 302, 303, 307, 308] {
        let location = format!("{}/builds", target.uri());
        let server = redirecting(status, &location).await;
        let err = common::client(&server).builds().list().send().await.unwrap_err();
        let Error::Redirect {
            status: got,
            location: Some(named),
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(got.as_u16(), status);
        assert_eq!(named, &location);
        assert!(err.to_string().contains(&location), "{err}");
        assert!(!err.is_retryable());
    }
    assert!(target.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_location_with_control_characters_is_shown_escaped() {
    // A header cannot carry C0 controls, but UTF-8 can spell C1's CSI (U+009B), which
    // terminals read as ESC [.
    let server = redirecting(302, "http://x.example/\u{9b}2Jpath").await;
    let err = common::client(&server).builds().list().send().await.unwrap_err();
    assert!(!err.to_string().contains('\u{9b}'), "{err:?}");
    assert!(
        err.to_string().contains("http://x.example/\\u{9b}2Jpath"),
        "{err}"
    );
}

#[cfg(feature = "experimental")]
#[tokio::test]
async fn the_oidc_id_token_and_a_post_body_stay_with_the_api_host() {
    let target = elsewhere().await;
    let server = redirecting(307, &format!("{}/elsewhere", target.uri())).await;
    let client = common::client(&server);
    let exchange = client
        .auth()
        .oidc_token_exchange("the-oidc-id-token")
        .send()
        .await;
    assert!(matches!(exchange, Err(Error::Redirect { .. })), "{exchange:?}");
    let processes = client
        .processes()
        .create([nixbuild::Process::new("nixpkgs#hello")], "the-oidc-id-token")
        .send()
        .await;
    assert!(matches!(processes, Err(Error::Redirect { .. })), "{processes:?}");
    assert!(target.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_answer_from_another_origin_through_a_callers_client_is_refused() {
    let target = elsewhere().await;
    let server = redirecting(302, &format!("{}/builds", target.uri())).await;
    // A caller-supplied client with reqwest's default policy follows the redirect itself.
    let client = common::builder(&server)
        .http_client(nixbuild::http_client_builder().unwrap().build().unwrap())
        .build()
        .unwrap();
    let err = client.builds().list().send().await.unwrap_err();
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    // reqwest drops `Authorization` when it crosses origins: the token did not go along.
    let received = target.received_requests().await.unwrap();
    assert!(received.iter().all(|r| !r.headers.contains_key("authorization")));
}
