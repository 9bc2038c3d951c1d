//! Tokens bound to a CI job's OIDC identity: attenuated with the SDK's
//! `Attenuation::oidc_claim`, accepted beside an ID token whose claim matches (sent as
//! `NIXBUILDNET-OIDC-ID-TOKEN`, as the official clients send it with `POST /processes`), and
//! refused, naming the failed check, without one or with another repository's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nixbuild::Token;
use nixbuild_mock::MockNixbuild;

/// An unsigned JWT with these claims: the mock reads a payload, it verifies no issuer.
fn id_token(claims: serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    format!(
        "{header}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

async fn send(
    mock: &MockNixbuild,
    method: &str,
    path: &str,
    token: &Token,
    id_token: Option<&str>,
) -> (u16, String) {
    let mut request = nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .request(method.parse().unwrap(), format!("{}{path}", mock.uri()))
        .bearer_auth(token.expose_secret());
    if let Some(id_token) = id_token {
        request = request.header("NIXBUILDNET-OIDC-ID-TOKEN", id_token);
    }
    if method == "POST" {
        request = request
            .header("content-type", "application/json")
            .body(r#"[{"installable": "/nix/store/a-hello.drv^*", "attributes": []}]"#);
    }
    let answer = request.send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn a_token_bound_to_a_repository_works_only_beside_that_repository_s_id_token() {
    let mock = MockNixbuild::start().await;
    let token = mock.tokens().rights(["build:read", "build:write"]).mint();
    let bound = token
        .attenuate()
        .oidc_claim("repository", "acme/web")
        .finish()
        .unwrap();
    let ours = id_token(serde_json::json!({"repository": "acme/web", "ref": "refs/heads/main"}));
    let theirs = id_token(serde_json::json!({"repository": "evil/fork"}));

    for (method, path) in [("GET", "/builds"), ("GET", "/usage"), ("POST", "/processes")] {
        let (status, body) = send(&mock, method, path, &bound, Some(&ours)).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path} with the matching ID token: {status} {body}"
        );
        for other in [None, Some(theirs.as_str())] {
            let (status, body) = send(&mock, method, path, &bound, other).await;
            assert_eq!(status, 403, "{method} {path} with {other:?}: {body}");
            assert!(
                body.contains(r#"check if jwt_claim(\"repository\", \"acme/web\")"#),
                "the failed check is named: {body}"
            );
        }
    }
    // The token unbound still works without an ID token, and the bound one's requirement reads.
    assert_eq!(send(&mock, "GET", "/builds", &token, None).await.0, 200);
    let info = bound.inspect().unwrap();
    assert_eq!(info.oidc_requirements.len(), 1);
    assert_eq!(
        (
            info.oidc_requirements[0].claim.as_str(),
            info.oidc_requirements[0].value.as_str()
        ),
        ("repository", "acme/web")
    );
    assert!(
        info.to_string()
            .contains("requires: an OIDC ID token whose \"repository\" is \"acme/web\" (block 1)"),
        "{info}"
    );
}

#[tokio::test]
async fn a_hostile_id_token_beside_any_request_gets_the_exchange_s_refusals() {
    let mock = MockNixbuild::start().await;
    let token = mock.tokens().rights(["build:read"]).mint();
    let huge = "a".repeat(64 * 1024);
    let (status, body) = send(&mock, "GET", "/builds", &token, Some(&huge)).await;
    assert_eq!(status, 431, "{body}");
    let many: serde_json::Map<String, serde_json::Value> =
        (0..100).map(|i| (format!("c{i}"), i.into())).collect();
    let (status, body) = send(&mock, "GET", "/builds", &token, Some(&id_token(many.into()))).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("claims"), "{body}");
    // Not a JWT at all: no claims, and an unbound token passes as it would without one.
    assert_eq!(
        send(&mock, "GET", "/builds", &token, Some("not-a-jwt")).await.0,
        200
    );
}
