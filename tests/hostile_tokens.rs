//! Tokens built by an attacker, against the SDK and the mock together: nothing a token
//! holder writes can widen a token, lengthen it, escape revocation or stall the server.

mod common;

use common::{client, jwt, mock};

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use biscuit_auth::builder::{BlockBuilder, int};
use biscuit_auth::{Biscuit, KeyPair};
use chrono::{TimeDelta, Utc};
use nixbuild::{Process, Token};
use nixbuild_mock::MockNixbuild;

/// `token` exchanged for a CI job's token, with a JWT of no claims.
async fn exchange(mock: &MockNixbuild, token: Token) -> nixbuild::Result<Token> {
    client(mock, token)
        .auth()
        .oidc_token_exchange(jwt(serde_json::json!({})))
        .send()
        .await
}

/// `token` with one more block of Datalog, with its values bound as parameters.
fn append(token: &Token, code: &str, params: HashMap<String, biscuit_auth::builder::Term>) -> Token {
    let block = BlockBuilder::new()
        .code_with_params(code, params, HashMap::new())
        .unwrap();
    let appended = biscuit_auth::UnverifiedBiscuit::from_base64(token.expose_secret())
        .unwrap()
        .append(block)
        .unwrap();
    Token::new(appended.to_base64().unwrap())
}

#[tokio::test]
async fn a_quote_in_a_jwt_claim_forges_no_right_however_often_it_is_exchanged() {
    let mock = mock().await;
    let read_only = mock
        .tokens()
        .rights(["build:read"])
        .expires_in(Duration::from_secs(24 * 3600))
        .mint();
    let forged_claim = jwt(serde_json::json!({
        "sub": r#"x"); right({"build:write"}); jwt_claim("z", "y"#,
    }));
    let mut token = read_only;
    for round in 0..3 {
        token = client(&mock, token)
            .auth()
            .oidc_token_exchange(forged_claim.clone())
            .send()
            .await
            .unwrap();
        let info = token.inspect().unwrap();
        assert_eq!(info.rights, ["build:read"], "round {round}: {info}");
    }
    let err = client(&mock, token)
        .processes()
        .create([Process::new("nixpkgs#hello")], "a.b.c")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(mock.submitted_processes().is_empty());
}

#[tokio::test]
async fn an_exchanged_token_lives_no_longer_than_the_one_presented() {
    let mock = mock().await;
    let short = mock.tokens().expires_in(Duration::from_secs(600)).mint();
    let presented_expiry = short.inspect().unwrap().expires_at.unwrap();
    let exchanged = exchange(&mock, short).await.unwrap();
    assert_eq!(exchanged.inspect().unwrap().expires_at, Some(presented_expiry));
    let again = exchange(&mock, exchanged).await.unwrap();
    assert_eq!(again.inspect().unwrap().expires_at, Some(presented_expiry));

    let long = mock.tokens().never_expires().mint();
    let capped = exchange(&mock, long).await.unwrap();
    let lifetime = capped.inspect().unwrap().expires_at.unwrap() - Utc::now();
    assert!(
        (lifetime - TimeDelta::hours(6)).num_seconds().abs() <= 5,
        "{lifetime}"
    );
}

#[tokio::test]
async fn an_attenuated_token_is_refused_by_the_exchange_rather_than_widened() {
    let mock = mock().await;
    let two_seconds = mock
        .tokens()
        .expires_in(Duration::from_secs(24 * 3600))
        .mint()
        .attenuate()
        .expires_in(Duration::from_secs(2))
        .finish()
        .unwrap();
    let err = exchange(&mock, two_seconds).await.unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(err.to_string().contains("attenuation blocks"), "{err}");
}

#[tokio::test]
async fn a_token_restricted_in_its_authority_block_is_refused_by_the_exchange() {
    let mock = mock().await;
    let root = mock.authority().private_key().expose_secret().to_owned();
    let key = KeyPair::from(&root.parse::<biscuit_auth::PrivateKey>().unwrap());
    for restriction in [
        r#"check if resource("build", 5);"#,
        "check if time($t), $t < 2099-01-01T00:00:00Z, operation(\"build:read\");",
        "check if time($t), $t < 2099-01-01T00:00:00Z or operation(\"x\");",
        "reject if operation(\"build:write\");",
        "derived($x) <- owner($x);",
    ] {
        let pinned = Biscuit::builder()
            .code(format!("owner(1); right({{\"build:read\"}}); {restriction}"))
            .unwrap()
            .build(&key)
            .unwrap();
        let err = exchange(&mock, Token::new(pinned.to_base64().unwrap()))
            .await
            .unwrap_err();
        // Refused either by the token's own check or because it could not be carried over.
        assert!(err.is_forbidden(), "{restriction}: {err}");
        let message = err.to_string();
        assert!(
            message.contains("could not be carried") || message.contains("failed check"),
            "{restriction}: {err}"
        );
    }
}

#[tokio::test]
async fn with_auth_off_the_exchange_signs_nothing() {
    let mock = MockNixbuild::builder().without_auth().start().await;
    let err = exchange(&mock, Token::new("anything at all")).await.unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(err.to_string().contains("auth off"), "{err}");
}

#[tokio::test]
async fn reject_if_is_no_expiry_and_the_token_is_sent() {
    let mock = mock().await;
    let not_before_2020 = append(
        &mock.tokens().mint(),
        "reject if time($t), $t < 2020-01-01T00:00:00Z;",
        HashMap::new(),
    );
    assert_eq!(
        not_before_2020
            .inspect()
            .unwrap()
            .expires_at
            .map(|t| t < Utc::now()),
        Some(false)
    );
    let builds = client(&mock, not_before_2020)
        .builds()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(builds.len(), 2);
}

#[tokio::test]
async fn an_unreadable_block_leaves_the_decision_to_the_service() {
    let mock = mock().await;
    // A token of this mock's shape from another root key, whose second block cannot be
    // read: inspect fails, so the client does not guess an expiry and sends it.
    let foreign = Biscuit::builder()
        .code("owner(1); right({\"build:read\"}); check if time($t), $t < 2000-01-01T00:00:00Z;")
        .unwrap()
        .build(&KeyPair::new())
        .unwrap();
    let mut proto = {
        use prost::Message;
        let bytes = foreign
            .append(BlockBuilder::new().code("check if true;").unwrap())
            .unwrap();
        biscuit_auth::format::schema::Biscuit::decode(bytes.to_vec().unwrap().as_slice()).unwrap()
    };
    proto.blocks[0].block = vec![0xff, 0xff, 0xff];
    let token =
        Token::new(base64::engine::general_purpose::URL_SAFE.encode(prost::Message::encode_to_vec(&proto)));
    assert!(token.inspect().is_err());
    let err = client(&mock, token).builds().list().send().await.unwrap_err();
    assert!(err.is_unauthorized(), "sent, and refused by the service: {err}");
    assert_eq!(mock.request_count("/builds"), 1);
}

#[tokio::test]
async fn costly_tokens_are_refused_before_their_datalog_runs() {
    let mock = mock().await;
    let honest = mock.client();
    // Sixty facts joined four ways: 13 million candidates.
    let facts: String = (0..60).map(|i| format!("f({i});")).collect();
    let join = append(
        &mock.tokens().mint(),
        &format!("{facts} check if f($a), f($b), f($c), f($d), $a + $b + $c + $d < 0;"),
        HashMap::new(),
    );
    // A rule over 150 facts: 3.4 million derived facts.
    let many = (0..150).map(|i| format!("f({i});")).collect::<String>();
    let derive = append(
        &mock.tokens().mint(),
        &format!("{many} g($a, $b, $c) <- f($a), f($b), f($c);"),
        HashMap::new(),
    );
    // Within the per-block counts, beyond the estimated work.
    let facts: String = (0..40).map(|i| format!("f({i});")).collect();
    let wide = append(
        &mock.tokens().mint(),
        &format!("{facts} check if f($a), f($b), f($c), $a + $b + $c >= {{zero}};"),
        HashMap::from([("zero".to_owned(), int(0))]),
    );
    // A regular expression is compiled anew at each evaluation.
    let regex = append(
        &mock.tokens().mint(),
        "check if operation($op), $op.matches(\"^(a+)+$\");",
        HashMap::new(),
    );
    // Closures nested over collections multiply.
    let set = (0..64).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    let nested = append(
        &mock.tokens().mint(),
        &format!(
            "s({{{set}}}); check if s($x), $x.all($a -> $x.all($b -> $x.all($c -> $a + $b + $c >= 0)));"
        ),
        HashMap::new(),
    );
    // Sets built at run time: fifteen 64-item sets united into 960 items, walked item by
    // item, and united again inside each call (2 s a request when the estimate counted a
    // closure as 64 items). An expired one is refused the same way (nixbuild-mock's
    // tests/auth.rs): cost is checked before any Datalog, the expiry check included.
    let sets: Vec<String> = (0..15)
        .map(|s| {
            format!(
                "{{{}}}",
                (0..64)
                    .map(|i| (s * 64 + i).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let vars: Vec<String> = (0..15).map(|i| format!("$v{i}")).collect();
    let union = vars[1..]
        .iter()
        .fold(vars[0].clone(), |chain, v| format!("{chain}.union({v})"));
    let unions = append(
        &mock.tokens().mint(),
        &format!(
            "u({}); w(1); w(2); w(3); check if u({}), w($z), {union}.any($x -> {union}.any($y -> false));",
            sets.join(", "),
            vars.join(", ")
        ),
        HashMap::new(),
    );
    for (name, token, limit) in [
        ("unions", unions, "units of estimated work"),
        ("regex", regex, "regular expressions"),
        ("nested", nested, "units of estimated work"),
        ("join", join, "units of estimated work"),
        ("derive", derive, "facts in block 1"),
        ("wide", wide, "units of estimated work"),
    ] {
        let hostile = client(&mock, token);
        let (refused, served) = tokio::join!(hostile.builds().list().send(), honest.builds().list().send());
        let err = refused.unwrap_err();
        assert!(err.is_unauthorized(), "{name}: {err}");
        assert!(err.to_string().contains(limit), "{name}: {err}");
        assert_eq!(served.unwrap().len(), 2, "{name}: the honest request is served");
    }
}

#[tokio::test]
async fn an_oversized_authorization_header_is_refused_unread() {
    let mock = mock().await;
    let huge = Token::new("A".repeat(64 * 1024));
    let err = client(&mock, huge).builds().list().send().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert!(err.to_string().contains("at most 8192"), "{err}");
}

#[tokio::test]
async fn a_revoked_token_and_every_token_attenuated_from_it_are_refused() {
    let mock = mock().await;
    let parent = mock.tokens().mint();
    let token = parent.attenuate().only(["build:read"]).finish().unwrap();
    let child = token
        .attenuate()
        .expires_in(Duration::from_secs(60))
        .finish()
        .unwrap();
    let sealed = token.attenuate().seal().finish().unwrap();
    for t in [&parent, &token, &child, &sealed] {
        assert!(client(&mock, t.clone()).builds().list().send().await.is_ok());
    }

    mock.revoke(&token).unwrap();

    for (name, t) in [("token", &token), ("child", &child), ("sealed", &sealed)] {
        let err = client(&mock, t.clone()).builds().list().send().await.unwrap_err();
        assert!(
            err.is_unauthorized() && err.to_string().contains("revoked"),
            "{name}: {err}"
        );
    }
    let parent_still = client(&mock, parent).builds().list().send().await;
    assert!(
        parent_still.is_ok(),
        "the parent was not revoked: {parent_still:?}"
    );
    assert!(mock.revoke(&Token::new("not a token")).is_err());
}

#[tokio::test]
async fn an_id_token_past_the_exchanges_caps_is_refused_naming_the_cap() {
    let mock = mock().await;
    let token = || mock.tokens().expires_in(Duration::from_secs(3600)).mint();
    let refused = |result: nixbuild::Result<Token>| {
        let err = result.unwrap_err();
        (err.status().map(|s| s.as_u16()), err.to_string())
    };
    // 5,000 claims took 34.6 s under the lock when each was a line of Datalog to parse; the
    // header is past the cap long before.
    let claims: serde_json::Map<String, serde_json::Value> =
        (0..5000).map(|i| (format!("claim_{i}"), "x".into())).collect();
    let huge = jwt(claims.into());
    let (status, message) = refused(
        client(&mock, token())
            .auth()
            .oidc_token_exchange(huge)
            .send()
            .await,
    );
    assert_eq!(status, Some(431), "{message}");
    assert!(message.contains("at most 8192"), "{message}");
    // Within the header's cap, past the count.
    let claims: serde_json::Map<String, serde_json::Value> =
        (0..49).map(|i| (format!("c{i}"), i.into())).collect();
    let (status, message) = refused(
        client(&mock, token())
            .auth()
            .oidc_token_exchange(jwt(claims.into()))
            .send()
            .await,
    );
    assert_eq!(status, Some(400), "{message}");
    assert!(message.contains("at most 48"), "{message}");
    // A GitHub job's thirty-odd claims are exchanged, each a fact.
    let claims: serde_json::Map<String, serde_json::Value> = (0..30)
        .map(|i| (format!("claim_{i}"), format!("value {i}").into()))
        .collect();
    let exchanged = client(&mock, token())
        .auth()
        .oidc_token_exchange(jwt(claims.into()))
        .send()
        .await
        .unwrap();
    let info = exchanged.inspect().unwrap();
    let facts = &info.authority().facts;
    assert_eq!(facts.iter().filter(|f| f.name == "jwt_claim").count(), 30);
    // Claims that fit every cap, in an ID token as close to its cap as it gets (distinct
    // values: a token holds each string once), make a token longer than the mock reads.
    let mut claims: serde_json::Map<String, serde_json::Value> = (0..6)
        .map(|i| (format!("c{i}"), format!("{i}{}", "v".repeat(999)).into()))
        .collect();
    let mut last = 0;
    while jwt(claims.clone().into()).len() <= 8192 {
        last += 1;
        claims.insert("c6".into(), "w".repeat(last).into());
    }
    claims.insert("c6".into(), "w".repeat(last - 1).into());
    let (status, message) = refused(
        client(&mock, token())
            .auth()
            .oidc_token_exchange(jwt(claims.into()))
            .send()
            .await,
    );
    assert_eq!(status, Some(400), "{message}");
    assert!(
        message.contains("more than the 8192 this mock reads in an Authorization header"),
        "{message}"
    );
}
