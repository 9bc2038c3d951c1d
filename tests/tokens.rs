//! Biscuit tokens in the SDK: inspected, attenuated, refused when expired; the mock honours
//! every attenuation.

mod common;

use common::{client, mock};

use std::time::{Duration, SystemTime};

use chrono::{DateTime, TimeDelta, Utc};
use nixbuild::token::DatalogValue;
use nixbuild::{Client, Error, Process, Token, TokenError};

/// A public token minted by nixbuild.net itself (its API docs, 2022).
const REAL_LEGACY_TOKEN: &str = include_str!("../sdk/tests/tokens/legacy-read-only.txt");

fn whole_seconds(t: SystemTime) -> DateTime<Utc> {
    DateTime::from_timestamp(DateTime::<Utc>::from(t).timestamp(), 0).unwrap()
}

#[test]
fn a_token_minted_by_nixbuild_net_is_read_without_its_root_key() {
    let info = Token::new(REAL_LEGACY_TOKEN).inspect().unwrap();
    assert_eq!((info.account, info.owner), (Some(1), None));
    assert_eq!(info.account_id(), Some(1));
    assert_eq!(info.rights, ["read"]);
    assert_eq!(info.expires_at, None);
    assert_eq!(info.blocks.len(), 1);
    assert!(!info.sealed);
    assert!(
        info.blocks[0].to_string().contains("account(1)"),
        "{}",
        info.blocks[0]
    );
    assert!(
        info.blocks[0]
            .to_string()
            .contains(r#"check if operation("read")"#),
        "{}",
        info.blocks[0]
    );
}

#[tokio::test]
async fn tokens_minted_here_in_both_shapes_are_read() {
    let mock = mock().await;
    let expiry = SystemTime::now() + Duration::from_secs(3600);
    let info = mock
        .tokens()
        .owner(4)
        .rights(["build:read", "store:read"])
        .expires_at(expiry)
        .mint()
        .inspect()
        .unwrap();
    assert_eq!(info.owner, Some(4));
    assert_eq!(info.rights, ["build:read", "store:read"]);
    assert_eq!(info.expires_at, Some(whole_seconds(expiry)));
    assert!(!info.is_expired());
    let legacy = mock.tokens().owner(9).mint_legacy().inspect().unwrap();
    assert_eq!(
        (legacy.account, legacy.rights.as_slice()),
        (Some(9), ["read".to_owned()].as_slice())
    );
}

#[test]
fn the_secret_never_shows() {
    let token = Token::new(REAL_LEGACY_TOKEN);
    let secret = &REAL_LEGACY_TOKEN.trim()[..20];
    for shown in [
        format!("{token:?}"),
        token.to_string(),
        format!("{:?}", token.attenuate()),
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let err = Token::new("not a biscuit at all").inspect().unwrap_err();
    assert!(matches!(err, TokenError::Unreadable(_)));
    assert!(!err.to_string().contains("not a biscuit at all"));
}

#[tokio::test]
async fn the_earliest_expiry_of_any_block_is_the_tokens() {
    let mock = mock().await;
    let token = mock.tokens().expires_in(Duration::from_secs(24 * 3600)).mint();
    let sooner = token
        .attenuate()
        .expires_in(Duration::from_secs(3600))
        .finish()
        .unwrap();
    let info = sooner.inspect().unwrap();
    assert_eq!(info.blocks.len(), 2);
    let in_an_hour = Utc::now() + TimeDelta::hours(1);
    assert!(
        (info.expires_at.unwrap() - in_an_hour).num_seconds().abs() <= 2,
        "{info}"
    );
    let later = sooner
        .attenuate()
        .expires_in(Duration::from_secs(48 * 3600))
        .finish()
        .unwrap();
    assert_eq!(
        later.inspect().unwrap().expires_at,
        info.expires_at,
        "a later bound does not extend it"
    );
    assert_eq!(
        client(&mock, sooner).builds().list().send().await.unwrap().len(),
        2
    );
}

#[tokio::test]
async fn only_restricts_the_operations_and_the_mock_names_the_failing_check() {
    let mock = mock().await;
    let token = mock.tokens().rights(["build:read", "build:write"]).mint();
    let read_only = token.attenuate().only(["build:read"]).finish().unwrap();
    let client = client(&mock, read_only);
    assert_eq!(client.builds().list().send().await.unwrap().len(), 2);
    let err = client
        .processes()
        .create([Process::new("nixpkgs#hello")], "a.b.c")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(err.to_string().contains("operation($op)"), "{err}");
    assert!(mock.submitted_processes().is_empty());
}

#[tokio::test]
async fn a_token_pinned_to_one_build_cannot_list_builds() {
    let mock = mock().await;
    let pinned = mock
        .tokens()
        .mint()
        .attenuate()
        .only_build(805823)
        .finish()
        .unwrap();
    let err = client(&mock, pinned).builds().list().send().await.unwrap_err();
    assert!(err.is_forbidden());
    assert!(err.to_string().contains(r#"resource("build", 805823)"#), "{err}");
}

#[tokio::test]
async fn datalog_parameters_are_bound_not_spliced() {
    let mock = mock().await;
    let token = mock.tokens().mint();
    // A value that would break out of a string literal if it were spliced into the text.
    let hostile = r#"x"); check if true; right({"build:write"}"#;
    let attenuated = token
        .attenuate()
        .datalog(
            "check if operation($op), $op != {forbidden};",
            [("forbidden", DatalogValue::from(hostile))],
        )
        .finish()
        .unwrap();
    let info = attenuated.inspect().unwrap();
    assert_eq!(info.blocks.len(), 2);
    let check = &info.blocks[1].checks[0];
    assert!(
        check.queries[0].expressions[0]
            .ops
            .contains(&nixbuild::token::datalog::Op::Value(
                nixbuild::token::datalog::Term::Str(hostile.into())
            )),
        "the value is one string in the block: {check}"
    );
    assert!(info.blocks[1].facts.is_empty(), "{info}");
    assert_eq!(info.rights, ["build:read"], "and grants nothing");
    assert_eq!(
        client(&mock, attenuated)
            .builds()
            .list()
            .send()
            .await
            .unwrap()
            .len(),
        2
    );
    let err = token
        .attenuate()
        .datalog("check if (((", Vec::<(&str, DatalogValue)>::new())
        .finish()
        .unwrap_err();
    assert!(matches!(err, TokenError::Datalog(_)), "{err}");
}

#[tokio::test]
async fn rights_added_in_a_later_block_grant_nothing() {
    let mock = mock().await;
    let store_only = mock.tokens().rights(["store:read"]).mint();
    let escalated = store_only
        .attenuate()
        .datalog(r#"right({"build:read"});"#, Vec::<(&str, DatalogValue)>::new())
        .finish()
        .unwrap();
    assert_eq!(
        escalated.inspect().unwrap().rights,
        ["store:read"],
        "inspect reads rights from the authority block only"
    );
    let err = client(&mock, escalated).builds().list().send().await.unwrap_err();
    assert!(err.is_forbidden(), "{err}");
}

#[tokio::test]
async fn a_sealed_token_works_but_takes_no_more_blocks() {
    let mock = mock().await;
    let sealed = mock
        .tokens()
        .mint()
        .attenuate()
        .expires_in(Duration::from_secs(600))
        .seal()
        .finish()
        .unwrap();
    assert!(sealed.inspect().unwrap().sealed);
    assert_eq!(
        client(&mock, sealed.clone())
            .builds()
            .list()
            .send()
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        sealed.attenuate().only(["build:read"]).finish().unwrap_err(),
        TokenError::Sealed
    );
}

#[tokio::test]
async fn an_expired_token_is_refused_locally_unless_told_otherwise() {
    let mock = mock().await;
    let expired = mock
        .tokens()
        .mint()
        .attenuate()
        .expires_at(Utc::now() - TimeDelta::minutes(5))
        .finish()
        .unwrap();
    let err = client(&mock, expired.clone())
        .builds()
        .list()
        .send()
        .await
        .unwrap_err();
    let Error::TokenExpired { expired_at, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(*expired_at < Utc::now());
    assert!(
        err.to_string().contains("not sent: the token expired at"),
        "{err}"
    );
    assert_eq!(mock.request_count("/builds"), 0, "nothing was sent");

    let unchecked = Client::builder()
        .token(expired)
        .base_url(mock.uri())
        .check_token_expiry(false)
        .build()
        .unwrap();
    let err = unchecked.builds().list().send().await.unwrap_err();
    assert!(err.is_forbidden() && err.to_string().contains("expired"), "{err}");
    assert_eq!(mock.request_count("/builds"), 1);
}

#[tokio::test]
async fn an_unreadable_token_is_sent_as_an_opaque_bearer_string() {
    let mock = mock().await;
    let err = client(&mock, Token::new("opaque-token-from-elsewhere"))
        .builds()
        .list()
        .send()
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(mock.request_count("/builds"), 1);
}
