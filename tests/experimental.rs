//! The experimental endpoints: OIDC token exchange and `POST /processes`, SDK against mock.

mod common;

use common::jwt;

use nixbuild::{Process, Token};
use nixbuild_mock::{MockNixbuild, fixtures};

#[tokio::test]
async fn the_exchange_hands_on_the_rights_with_the_jwt_claims_and_six_hours() {
    let mock = MockNixbuild::builder().builds(fixtures::seed()).start().await;
    let presented = mock
        .tokens()
        .owner(4)
        .rights(["build:read"])
        .expires_in(std::time::Duration::from_secs(24 * 3600))
        .mint();
    let client = nixbuild::Client::builder()
        .token(presented)
        .base_url(mock.uri())
        .build()
        .unwrap();
    let id_token = jwt(
        serde_json::json!({"repository": "acme/web", "run_id": 42, "sub": "repo:acme/web:ref:refs/heads/main"}),
    );

    let exchanged = client.auth().oidc_token_exchange(id_token).send().await.unwrap();

    let info = exchanged.inspect().unwrap();
    assert_eq!(info.owner, Some(4));
    assert_eq!(info.rights, ["build:read"]);
    let lifetime = info.expires_at.unwrap() - chrono::Utc::now();
    assert!(
        (lifetime - chrono::TimeDelta::hours(6)).num_seconds().abs() <= 5,
        "{lifetime}"
    );
    assert!(
        info.blocks[0]
            .to_string()
            .contains(r#"jwt_claim("repository", "acme/web")"#),
        "{info}"
    );
    assert!(
        info.blocks[0].to_string().contains(r#"jwt_claim("run_id", 42)"#),
        "{info}"
    );
    let with_new_token = nixbuild::Client::builder()
        .token(exchanged)
        .base_url(mock.uri())
        .build()
        .unwrap();
    assert_eq!(with_new_token.builds().list().send().await.unwrap().len(), 2);
    let request = &mock.received_requests()[0];
    assert_eq!(request.path, "/auth/oidc-token-exchange");
}

#[tokio::test]
async fn the_exchange_needs_the_id_token_header_and_a_genuine_token() {
    let mock = MockNixbuild::start().await;
    let client = mock.client();
    let err = client.auth().oidc_token_exchange("").send().await.unwrap_err();
    assert_eq!(err.status().unwrap(), 400);
    assert!(err.to_string().contains("NIXBUILDNET-OIDC-ID-TOKEN"), "{err}");
    let stranger = nixbuild::Client::builder()
        .token(Token::new("nope"))
        .base_url(mock.uri())
        .build()
        .unwrap();
    assert!(
        stranger
            .auth()
            .oidc_token_exchange("a.b.c")
            .send()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    let err = client
        .auth()
        .oidc_token_exchange("line\nbreak")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, nixbuild::Error::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn processes_are_recorded_and_answered_with_ids() {
    let mock = MockNixbuild::start().await;
    let processes = vec![
        Process::new("github:acme/web#checks.x86_64-linux.default").attribute("GITHUB_RUN_ID", "42"),
        Process::new("nixpkgs#hello"),
    ];
    let answer = mock
        .client()
        .processes()
        .create(processes.clone(), jwt(serde_json::json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(answer[0]["id"], 1);
    assert_eq!(answer[1]["installable"], "nixpkgs#hello");
    assert_eq!(mock.submitted_processes(), processes);
    let body = mock.received_requests();
    assert_eq!(
        (body[0].method.as_str(), body[0].path.as_str()),
        ("POST", "/processes")
    );
}

#[tokio::test]
async fn processes_need_build_write_and_are_never_retried() {
    let mock = MockNixbuild::start().await;
    let read_only = nixbuild::Client::builder()
        .token(mock.tokens().rights(["build:read"]).mint())
        .base_url(mock.uri())
        .build()
        .unwrap();
    let err = read_only
        .processes()
        .create([Process::new("x")], "a.b.c")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.is_forbidden() && err.to_string().contains("build:write"),
        "{err}"
    );

    mock.fail_next(503, 1);
    let err = mock
        .client()
        .processes()
        .create([Process::new("x")], "a.b.c")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap(), 503);
    assert_eq!(
        mock.request_count("/processes"),
        2,
        "one refused, one 503, no retry"
    );
    assert!(mock.submitted_processes().is_empty());
}
