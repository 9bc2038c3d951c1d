//! Real Biscuit auth: who gets 401, who gets 403 and why, who gets in.

mod common;

use std::time::{Duration, SystemTime};

use biscuit_auth::Biscuit;
use biscuit_auth::builder::BlockBuilder;
use common::{get, send};
use nixbuild::Token;
use nixbuild_mock::{AuthStatus, Authority, MockNixbuild, fixtures};

async fn mock() -> MockNixbuild {
    MockNixbuild::builder().builds(fixtures::seed()).start().await
}

/// `token` with one more block of Datalog, as a holder attenuates it offline.
fn attenuate(mock: &MockNixbuild, token: &Token, code: &str) -> Token {
    let biscuit = Biscuit::from_base64(token.expose_secret(), mock.authority().public_key()).unwrap();
    let block = BlockBuilder::new().code(code).unwrap();
    Token::new(biscuit.append(block).unwrap().to_base64().unwrap())
}

#[tokio::test]
async fn a_fresh_build_read_token_is_allowed_on_every_read_endpoint() {
    let mock = mock().await;
    let token = mock.tokens().rights(["build:read"]).mint();
    for path in ["/builds", "/builds/summary", "/usage"] {
        assert_eq!(get(&mock.uri(), path, Some(&token)).await.status, 200, "{path}");
    }
    assert!(
        mock.received_requests()
            .iter()
            .all(|r| r.auth == AuthStatus::Passed)
    );
}

#[tokio::test]
async fn unauthenticated_requests_are_401() {
    let mock = mock().await;
    let foreign = Authority::generate().tokens().mint();
    let genuine = mock.tokens().mint();
    let mut tampered = genuine.expose_secret().to_owned();
    let middle = tampered.len() / 2;
    let flipped = if &tampered[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(middle..=middle, flipped);
    let cases: [(Option<String>, &str); 6] = [
        (None, "missing bearer token"),
        (Some("Bearer".into()), "not `Bearer <token>`"),
        (
            Some(format!("Basic {}", genuine.expose_secret())),
            "not `Bearer <token>`",
        ),
        (
            Some("Bearer not-a-biscuit".into()),
            "not a readable Biscuit token",
        ),
        (
            Some(format!("Bearer {}", foreign.expose_secret())),
            "not signed by this service's root key",
        ),
        (Some(format!("Bearer {tampered}")), ""),
    ];
    for (header, message) in cases {
        let answer = send("GET", &mock.uri(), "/builds", header.clone()).await;
        assert_eq!(answer.status, 401, "{header:?}: {}", answer.body);
        assert!(answer.error().contains(message), "{header:?}: {}", answer.body);
        assert!(
            answer.error().matches("readable Biscuit").count() <= 1,
            "said once: {}",
            answer.body
        );
        assert!(
            !answer.body.contains(genuine.expose_secret()),
            "the token is never echoed"
        );
    }
}

#[tokio::test]
async fn authentic_tokens_that_do_not_allow_the_request_are_403_saying_why() {
    let mock = mock().await;
    let read = mock.tokens().rights(["build:read"]).mint();
    let cases = [
        (
            mock.tokens()
                .expires_at(SystemTime::now() - Duration::from_secs(60))
                .mint(),
            "expired",
        ),
        (
            mock.tokens().rights(["build:write", "store:read"]).mint(),
            "does not grant `build:read`",
        ),
        (
            attenuate(&mock, &read, r#"check if resource("build", 4565380);"#),
            r#"resource("build", 4565380)"#,
        ),
        (
            attenuate(&mock, &read, "check if time($t), $t < 2020-01-01T00:00:00Z;"),
            "expired",
        ),
        (
            attenuate(&mock, &read, r#"check if operation("build:write");"#),
            r#"operation("build:write")"#,
        ),
        (
            attenuate(
                &mock,
                &mock.tokens().rights(["store:read"]).mint(),
                r#"right({"build:read"});"#,
            ),
            "does not grant `build:read`",
        ),
    ];
    for (token, reason) in cases {
        let answer = get(&mock.uri(), "/builds", Some(&token)).await;
        assert_eq!(answer.status, 403, "{reason}: {}", answer.body);
        assert!(answer.error().contains(reason), "{reason}: {}", answer.body);
    }
}

#[tokio::test]
async fn attenuated_tokens_work_where_their_checks_allow() {
    let mock = mock().await;
    let read = mock.tokens().rights(["build:read", "build:write"]).mint();
    let in_an_hour = chrono::Utc::now() + chrono::TimeDelta::hours(1);
    let shorter = attenuate(
        &mock,
        &read,
        &format!("check if time($t), $t < {};", in_an_hour.to_rfc3339()),
    );
    let read_only = attenuate(
        &mock,
        &read,
        r#"check if operation($op), ["build:read", "read"].contains($op);"#,
    );
    for token in [shorter, read_only] {
        assert_eq!(get(&mock.uri(), "/builds", Some(&token)).await.status, 200);
    }
}

#[tokio::test]
async fn legacy_tokens_from_the_mocks_key_are_accepted_for_reading() {
    let mock = mock().await;
    let legacy = mock.tokens().owner(1).mint_legacy();
    assert_eq!(get(&mock.uri(), "/builds", Some(&legacy)).await.status, 200);
    let foreign = Authority::generate().tokens().mint_legacy();
    assert_eq!(get(&mock.uri(), "/builds", Some(&foreign)).await.status, 401);
}

#[tokio::test]
async fn the_sdk_client_sees_401_and_403_as_typed_errors() {
    let mock = mock().await;
    let expired = mock
        .tokens()
        .expires_at(SystemTime::now() - Duration::from_secs(1))
        .mint();
    // The SDK reads the expiry and refuses to send; told not to, it gets the service's 403.
    let client = nixbuild::Client::builder()
        .token(expired)
        .base_url(mock.uri())
        .check_token_expiry(false)
        .build()
        .unwrap();
    let err = client.builds().list().send().await.unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(err.to_string().contains("expired"), "{err}");
    let client = nixbuild::Client::builder()
        .token("garbage")
        .base_url(mock.uri())
        .build()
        .unwrap();
    assert!(client.usage().send().await.unwrap_err().is_unauthorized());
}

#[tokio::test]
async fn without_auth_no_token_is_needed() {
    let mock = MockNixbuild::builder()
        .without_auth()
        .builds(fixtures::seed())
        .start()
        .await;
    assert_eq!(get(&mock.uri(), "/builds", None).await.status, 200);
    assert_eq!(mock.received_requests()[0].auth, AuthStatus::Disabled);
}

#[tokio::test]
async fn a_mock_can_reuse_another_mocks_root_key() {
    let first = mock().await;
    let key = first.authority().private_key().expose_secret().to_owned();
    let second = MockNixbuild::builder()
        .authority(Authority::from_private_key(&key).unwrap())
        .start()
        .await;
    let token = first.tokens().mint();
    assert_eq!(get(&second.uri(), "/builds", Some(&token)).await.status, 200);
    assert!(Authority::from_private_key("ed25519-private/zz").is_err());
    assert!(
        Authority::from_private_key("nonsense")
            .unwrap_err()
            .to_string()
            .contains("not a Biscuit private key")
    );
}

#[tokio::test]
async fn dates_before_1970_do_not_panic() {
    let mock = mock().await;
    let before_1970 = SystemTime::UNIX_EPOCH - Duration::from_secs(86_400);
    let token = mock.tokens().expires_at(before_1970).mint();
    assert_eq!(get(&mock.uri(), "/builds", Some(&token)).await.status, 403);
    let outcome = mock.authority().authorize(
        Some(&format!(
            "Bearer {}",
            mock.tokens().never_expires().mint().expose_secret()
        )),
        nixbuild::api::operation::Permission::BuildRead,
        before_1970,
    );
    assert_eq!(outcome, nixbuild_mock::AuthOutcome::Allowed);
}

#[tokio::test]
async fn an_expired_costly_token_is_refused_for_its_cost_before_any_datalog() {
    let mock = mock().await;
    let set = |s: usize| {
        format!(
            "{{{}}}",
            (0..64)
                .map(|i| (s * 64 + i).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let sets: Vec<String> = (0..15).map(set).collect();
    let vars: Vec<String> = (0..15).map(|i| format!("$v{i}")).collect();
    let union = vars[1..]
        .iter()
        .fold(vars[0].clone(), |chain, v| format!("{chain}.union({v})"));
    let expired = mock.tokens().expires_in(Duration::ZERO).mint();
    let hostile = attenuate(
        &mock,
        &expired,
        &format!(
            "u({}); w(1); w(2); w(3); check if u({}), w($z), {union}.any($x -> {union}.any($y -> false));",
            sets.join(", "),
            vars.join(", ")
        ),
    );
    let seen = get(&mock.uri(), "/builds", Some(&hostile)).await;
    assert_eq!(seen.status, 401, "{}", seen.body);
    assert!(seen.body.contains("units of estimated work"), "{}", seen.body);
    // One union walked once is within the bound, and its real cost is what the bench measures.
    let single = attenuate(
        &mock,
        &mock.tokens().mint(),
        &format!(
            "u({}); check if u({}), {union}.any($x -> $x < 0);",
            sets.join(", "),
            vars.join(", ")
        ),
    );
    assert_eq!(get(&mock.uri(), "/builds", Some(&single)).await.status, 403);
}
