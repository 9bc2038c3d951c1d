//! `Token::inspect` reads tokens as data: what a block holds is what it reports, whatever
//! its strings contain; expiry follows the checks' meaning; an unreadable block is an error.
#![cfg(feature = "biscuit")]

use std::collections::HashMap;

use biscuit_auth::builder::{Term as B, date, string};
use biscuit_auth::format::schema;
use biscuit_auth::{Biscuit, KeyPair};
use chrono::{DateTime, Utc};
use nixbuild::token::datalog::{CheckKind, Predicate, Term};
use nixbuild::{Token, TokenError};
use proptest::prelude::*;
use prost::Message;

/// A token signed by a fresh root key, from this Datalog and parameters.
fn token(code: &str, params: HashMap<String, B>) -> Token {
    let biscuit = Biscuit::builder()
        .code_with_params(code, params, HashMap::new())
        .unwrap()
        .build(&KeyPair::new())
        .unwrap();
    Token::new(biscuit.to_base64().unwrap())
}

fn no_params() -> HashMap<String, B> {
    HashMap::new()
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().unwrap()
}

#[test]
fn a_string_that_looks_like_datalog_stays_one_string() {
    // The attack on printed-and-reparsed Datalog: a quote inside a claim.
    let forged = r#"x"); right({"build:write"}); jwt_claim("z", "y"#;
    let token = token(
        "owner(4); right({\"build:read\"}); jwt_claim(\"sub\", {claim});",
        HashMap::from([("claim".to_owned(), string(forged))]),
    );
    let info = token.inspect().unwrap();
    assert_eq!(info.rights, ["build:read"]);
    assert_eq!(info.owner, Some(4));
    assert_eq!(info.authority().facts.len(), 3, "{info}");
    assert_eq!(
        info.authority().facts[2],
        Predicate::new("jwt_claim", [Term::Str("sub".into()), Term::Str(forged.into())])
    );
    // What inspect shows parses back, with Biscuit's own parser, to the very same fact.
    let shown = info.authority().facts[2].to_string();
    let reparsed = biscuit_auth::builder::Fact::try_from(shown.as_str()).unwrap();
    assert_eq!(reparsed.predicate.terms[1], string(forged), "{shown}");
}

#[test]
fn reject_if_never_reads_as_an_expiry() {
    let not_before_2020 = token(
        "owner(1); right({\"build:read\"}); reject if time($t), $t < 2020-01-01T00:00:00Z;",
        no_params(),
    );
    let info = not_before_2020.inspect().unwrap();
    assert_eq!(info.expires_at, None, "{info}");
    assert!(!info.is_expired());
    assert_eq!(info.authority().checks[0].kind, CheckKind::Reject);
}

#[test]
fn expiry_follows_what_each_check_means() {
    let cases = [
        (
            "check if time($t), $t < 2030-01-01T00:00:00Z;",
            Some("2030-01-01T00:00:00Z"),
        ),
        (
            "check if time($t), $t <= 2030-01-01T00:00:00Z;",
            Some("2030-01-01T00:00:00Z"),
        ),
        (
            "check if time($t), 2030-01-01T00:00:00Z > $t;",
            Some("2030-01-01T00:00:00Z"),
        ),
        (
            "check all time($t), $t < 2030-01-01T00:00:00Z;",
            Some("2030-01-01T00:00:00Z"),
        ),
        (
            "check if time($t), $t > 2020-01-01T00:00:00Z && $t < 2030-01-01T00:00:00Z;",
            Some("2030-01-01T00:00:00Z"),
        ),
        (
            "check if time($t), ($t < 2030-01-01T00:00:00Z);",
            Some("2030-01-01T00:00:00Z"),
        ),
        // Either alternative may pass: the later one bounds the check.
        (
            "check if time($t), $t < 2030-01-01T00:00:00Z or time($t), $t < 2031-01-01T00:00:00Z;",
            Some("2031-01-01T00:00:00Z"),
        ),
        // An alternative without a bound: the check never expires.
        (
            "check if time($t), $t < 2030-01-01T00:00:00Z or operation(\"read\");",
            None,
        ),
        // `||` may pass without the bound.
        ("check if time($t), $t < 2030-01-01T00:00:00Z || true;", None),
        // A bound on something other than time.
        ("check if now($t), $t < 2030-01-01T00:00:00Z;", None),
        ("check if time($t), $t > 2030-01-01T00:00:00Z;", None),
        ("reject if time($t), $t > 2030-01-01T00:00:00Z;", None),
    ];
    for (check, expected) in cases {
        let info = token(&format!("owner(1); {check}"), no_params())
            .inspect()
            .unwrap();
        assert_eq!(info.expires_at, expected.map(at), "{check}");
    }
    let two_blocks = token(
        "owner(1); check if time($t), $t < 2031-01-01T00:00:00Z;",
        no_params(),
    )
    .attenuate()
    .expires_at(at("2030-06-01T00:00:00Z"))
    .finish()
    .unwrap();
    assert_eq!(
        two_blocks.inspect().unwrap().expires_at,
        Some(at("2030-06-01T00:00:00Z"))
    );
}

#[test]
fn a_block_that_cannot_be_read_fails_the_whole_token() {
    let good = token("owner(1);", no_params())
        .attenuate()
        .expires_at(at("2020-01-01T00:00:00Z"))
        .finish()
        .unwrap();
    // Point the second block's check at a symbol no table holds.
    let bytes = base64_decode(good.expose_secret());
    let mut proto = schema::Biscuit::decode(bytes.as_slice()).unwrap();
    let mut block = schema::Block::decode(proto.blocks[0].block.as_slice()).unwrap();
    block.checks[0].queries[0].body[0].name = 5_000;
    proto.blocks[0].block = block.encode_to_vec();
    let broken = Token::new(base64_encode(&proto.encode_to_vec()));

    let err = broken.inspect().unwrap_err();
    assert!(
        matches!(&err, TokenError::Unreadable(why) if why.contains("block 1")),
        "{err}"
    );
}

#[test]
fn each_block_reports_its_revocation_id_and_origin() {
    let token = token("owner(1);", no_params());
    let attenuated = token.attenuate().only(["build:read"]).finish().unwrap();
    let (one, two) = (token.inspect().unwrap(), attenuated.inspect().unwrap());
    assert_eq!(one.blocks[0].revocation_id, two.blocks[0].revocation_id);
    assert_eq!(
        two.blocks[1].revocation_id.len(),
        128,
        "an ed25519 signature in hex"
    );
    assert_ne!(two.blocks[0].revocation_id, two.blocks[1].revocation_id);
    assert!(two.blocks.iter().all(|b| b.third_party_key.is_none()));
}

#[test]
fn the_display_escapes_control_characters() {
    let info = token(
        "owner(1); note({s});",
        HashMap::from([("s".to_owned(), string("\u{1b}[2J\r bell\u{7}"))]),
    )
    .inspect()
    .unwrap();
    let shown = info.to_string();
    assert!(!shown.chars().any(|c| c.is_control() && c != '\n'), "{shown:?}");
    assert!(shown.contains(r#"note("\u{1b}[2J\u{d} bell\u{7}")"#), "{shown}");
}

#[test]
fn dates_before_1970_and_far_future_do_not_panic() {
    let info = token(
        "owner(1); check if time($t), $t < {d};",
        HashMap::from([("d".to_owned(), B::Date(u64::MAX))]),
    )
    .inspect()
    .unwrap();
    assert_eq!(
        info.expires_at, None,
        "beyond any representable instant: no expiry"
    );
    assert!(info.to_string().contains("<date"), "{info}");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE.decode(text).unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
}

/// Characters `inspect` shows as `\u{…}` (so that its text is safe on a terminal), which
/// Biscuit's parser does not read back.
fn prints_escaped(c: char) -> bool {
    nixbuild::printable::is_unsafe(c) && c != '\n' && c != '\t'
}

/// Strings with everything Datalog text could trip on: quotes, backslashes, newlines,
/// non-ASCII and other control characters.
fn hostile_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('"'),
            Just('\\'),
            Just('\n'),
            Just('\t'),
            Just('\u{1b}'),
            Just('é'),
            Just('🦀'),
            Just('\u{202e}'),
            Just(';'),
            Just(')'),
            any::<char>(),
        ],
        0..24,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn inspect_reports_exactly_the_facts_and_checks_a_token_was_built_with(
        values in proptest::collection::vec(hostile_string(), 1..6),
        bound in 0u64..4_000_000_000,
    ) {
        let mut code = String::new();
        let mut params = HashMap::new();
        for (i, value) in values.iter().enumerate() {
            code.push_str(&format!("fact{i}({{v{i}}}, {i});\n"));
            params.insert(format!("v{i}"), string(value));
        }
        code.push_str("check if claim({c}), time($t), $t < {d};\n");
        params.insert("c".to_owned(), string(&values[0]));
        params.insert("d".to_owned(), date(&(std::time::UNIX_EPOCH + std::time::Duration::from_secs(bound))));
        let info = token(&code, params).inspect().unwrap();

        let facts = &info.authority().facts;
        prop_assert_eq!(facts.len(), values.len());
        for (i, value) in values.iter().enumerate() {
            prop_assert_eq!(
                &facts[i],
                &Predicate::new(format!("fact{i}"), [Term::Str(value.clone()), Term::Integer(i as i64)])
            );
            // Shown text reads back as the same fact, with Biscuit's own parser.
            let shown = facts[i].to_string();
            if !value.chars().any(prints_escaped) {
                let reparsed = biscuit_auth::builder::Fact::try_from(shown.as_str()).unwrap();
                prop_assert_eq!(&reparsed.predicate.terms[0], &string(value));
            }
        }
        let check = &info.authority().checks[0];
        prop_assert_eq!(check.kind, CheckKind::If);
        prop_assert_eq!(
            &check.queries[0].body[0],
            &Predicate::new("claim", [Term::Str(values[0].clone())])
        );
        prop_assert_eq!(info.expires_at, DateTime::from_timestamp(bound as i64, 0));
    }
}

#[test]
fn an_endless_lifetime_is_an_error_not_a_panic() {
    let token = token("owner(1);", no_params());
    for lifetime in [
        std::time::Duration::MAX,
        std::time::Duration::from_secs(i64::MAX as u64),
    ] {
        let err = token.attenuate().expires_in(lifetime).finish().unwrap_err();
        assert!(
            matches!(err, TokenError::Datalog(ref why) if why.contains("lifetime")),
            "{err}"
        );
    }
    let before_1970 = token
        .attenuate()
        .expires_at(at("1960-01-01T00:00:00Z"))
        .finish()
        .unwrap();
    assert!(before_1970.inspect().unwrap().is_expired());
}

/// Found by the `token` fuzz target: names (of predicates, variables, functions) come from
/// the token's symbol table as strings do, and must print as safely.
#[test]
fn control_characters_in_names_are_escaped_too() {
    let bytes = include_bytes!("tokens/fuzz-control-in-a-name.bin");
    let token = Token::new(base64_encode(bytes));
    let info = token.inspect().unwrap();
    let shown = info.to_string();
    assert!(!shown.chars().any(|c| c.is_control() && c != '\n'), "{shown:?}");
    assert!(shown.contains(r"aS\u{0}\u{0}\u{0}nt(1);"), "{shown}");
    assert!(
        info.authority().facts[0].name.contains('\0'),
        "the data keeps the name as it is"
    );
}

#[test]
fn effective_rights_are_the_authoritys_narrowed_by_each_blocks_checks() {
    let token = token(
        r#"owner(1); right({"build:read", "build:write", "store:read"});"#,
        no_params(),
    );
    let whole = token.inspect().unwrap();
    assert_eq!(whole.effective_rights, whole.rights);
    assert!(whole.narrowed_by.is_empty());

    let reading = token
        .attenuate()
        .only(["build:read", "store:read"])
        .finish()
        .unwrap();
    let narrowed = reading
        .attenuate()
        .datalog(
            r#"check if operation($op), $op == "build:read" or operation("store:write");"#,
            [] as [(&str, _); 0],
        )
        .expires_in(std::time::Duration::from_secs(600))
        .finish()
        .unwrap();
    let info = narrowed.inspect().unwrap();
    assert_eq!(info.rights, ["build:read", "build:write", "store:read"]);
    assert_eq!(info.effective_rights, ["build:read"]);
    let blocks: Vec<(usize, Vec<&str>)> = info
        .narrowed_by
        .iter()
        .map(|n| (n.block, n.allows.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        blocks,
        [
            (1, vec!["build:read", "read", "store:read"]),
            (2, vec!["build:read", "store:write"]),
        ],
        "the expiry check narrows no right"
    );

    // Text and JSON come from one model and agree.
    let text = info.to_string();
    assert!(text.contains("rights:   \"build:read\"\n"), "{text}");
    assert!(
        text.contains("block 0 grants \"build:read\", \"build:write\", \"store:read\""),
        "{text}"
    );
    assert!(
        text.contains("block 2 allows only \"build:read\", \"store:write\""),
        "{text}"
    );
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["account"], 1);
    assert_eq!(json["rights"], serde_json::json!(["build:read"]));
    assert_eq!(json["granted_rights"].as_array().unwrap().len(), 3);
    assert_eq!(json["narrowed_by"][1]["block"], 2);
    assert_eq!(json["blocks"].as_array().unwrap().len(), 3);
    assert!(text.contains(json["expires_at"].as_str().unwrap()), "{text}");
}

#[test]
fn a_2022_tokens_account_shows_the_same_in_text_and_json() {
    let info = token(r#"account(7); check if operation("read");"#, no_params())
        .inspect()
        .unwrap();
    assert!(
        info.to_string().starts_with("account:  7\nrights:   \"read\"\n"),
        "{info}"
    );
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(
        (json["account"].clone(), json["rights"].clone()),
        (7.into(), serde_json::json!(["read"]))
    );
}
