//! Reading a token's contents without its root key.

use std::fmt;

use biscuit_auth::UnverifiedBiscuit;
use biscuit_auth::builder::{Binary, BlockBuilder, Check, Fact, Op, Rule, Term};
use chrono::{DateTime, Utc};

use super::{Token, TokenError};

/// What a token holds, as [`Token::inspect`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The account in the authority block's `owner(N)` fact (current tokens).
    pub owner: Option<i64>,
    /// The account in the authority block's `account(N)` fact (2022 tokens).
    pub account: Option<i64>,
    /// What the token grants: the authority block's `right({…})` set (current tokens), or
    /// the operations its `check if operation("…")` checks allow (2022 tokens: `read`).
    pub rights: Vec<String>,
    /// The earliest expiry among every block's `check if time($t), $t < …` checks.
    pub expires_at: Option<DateTime<Utc>>,
    /// How many blocks: the authority block and one per attenuation.
    pub block_count: usize,
    /// Whether the token is sealed (no block can be appended any more).
    pub sealed: bool,
    /// The Datalog of each block, for display.
    pub blocks: Vec<String>,
}

impl TokenInfo {
    /// The account, whichever shape the token has.
    pub fn account_id(&self) -> Option<i64> {
        self.owner.or(self.account)
    }

    /// Whether the expiry has passed.
    pub fn is_expired(&self) -> bool {
        self.expires_at.is_some_and(|t| t <= Utc::now())
    }
}

impl fmt::Display for TokenInfo {
    /// A few lines for a person: account, rights, expiry, blocks and their Datalog.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let account = self.account_id().map_or("unknown".to_owned(), |a| a.to_string());
        writeln!(f, "account:  {account}")?;
        writeln!(
            f,
            "rights:   {}",
            if self.rights.is_empty() {
                "none".into()
            } else {
                self.rights.join(", ")
            }
        )?;
        let expiry = self.expires_at.map_or("never".to_owned(), |t| t.to_rfc3339());
        writeln!(
            f,
            "expires:  {expiry}{}",
            if self.is_expired() { " (expired)" } else { "" }
        )?;
        writeln!(
            f,
            "blocks:   {}{}",
            self.block_count,
            if self.sealed { ", sealed" } else { "" }
        )?;
        for (i, block) in self.blocks.iter().enumerate() {
            writeln!(f, "block {i}:")?;
            for line in block.lines().filter(|l| !l.trim().is_empty()) {
                writeln!(f, "    {}", line.trim())?;
            }
        }
        Ok(())
    }
}

pub(super) fn inspect(token: &Token) -> Result<TokenInfo, TokenError> {
    let biscuit = UnverifiedBiscuit::from_base64(token.expose_secret())
        .map_err(|e| TokenError::Unreadable(e.to_string()))?;
    let block_count = biscuit.block_count();
    let blocks = (0..block_count)
        .map(|i| {
            biscuit
                .print_block_source(i)
                .map_err(|e| TokenError::Unreadable(e.to_string()))
        })
        .collect::<Result<Vec<String>, _>>()?;
    // The library offers no structured view of an unverified token, so each block's printed
    // Datalog is parsed back. Its printer does not escape quotes inside strings: a block
    // holding such a string may not parse, and then only its text is reported.
    let parsed: Vec<Option<BlockBuilder>> = blocks
        .iter()
        .map(|source| BlockBuilder::new().code(source).ok())
        .collect();
    let empty = BlockBuilder::new();
    let authority = parsed.first().and_then(Option::as_ref).unwrap_or(&empty);
    let mut rights = authority
        .facts
        .iter()
        .flat_map(|f| strings_of(f, "right"))
        .collect::<Vec<_>>();
    if rights.is_empty() {
        rights = authority.checks.iter().flat_map(checked_operations).collect();
    }
    let expires_at = parsed
        .iter()
        .flatten()
        .flat_map(|block| block.checks.iter().filter_map(check_expiry))
        .min();
    // Appending to a sealed token is refused: that is the one way the library tells.
    let sealed = matches!(
        biscuit.append(BlockBuilder::new()),
        Err(biscuit_auth::error::Token::AlreadySealed | biscuit_auth::error::Token::AppendOnSealed)
    );
    Ok(TokenInfo {
        owner: authority.facts.iter().find_map(|f| integer_of(f, "owner")),
        account: authority.facts.iter().find_map(|f| integer_of(f, "account")),
        rights,
        expires_at,
        block_count,
        sealed,
        blocks,
    })
}

/// `name(N)` → N.
fn integer_of(fact: &Fact, name: &str) -> Option<i64> {
    match fact.predicate.terms.as_slice() {
        [Term::Integer(n)] if fact.predicate.name == name => Some(*n),
        _ => None,
    }
}

/// `name("a")` or `name({"a", "b"})` → the strings.
fn strings_of(fact: &Fact, name: &str) -> Vec<String> {
    if fact.predicate.name != name {
        return Vec::new();
    }
    match fact.predicate.terms.as_slice() {
        [Term::Str(s)] => vec![s.clone()],
        [Term::Set(set)] => set
            .iter()
            .filter_map(|t| {
                if let Term::Str(s) = t {
                    Some(s.clone())
                } else {
                    None
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The operations a `check if operation("…")` allows.
fn checked_operations(check: &Check) -> Vec<String> {
    check
        .queries
        .iter()
        .flat_map(|rule| &rule.body)
        .filter(|p| p.name == "operation")
        .filter_map(|p| match p.terms.as_slice() {
            [Term::Str(op)] => Some(op.clone()),
            _ => None,
        })
        .collect()
}

/// The instant after which `check` fails, if it is a time bound: `check if time($t), $t < D`
/// (or `<=`, or `D > $t`). A check of several alternatives is bounded by the latest of them,
/// and not at all if one alternative has no bound.
fn check_expiry(check: &Check) -> Option<DateTime<Utc>> {
    let bounds = check
        .queries
        .iter()
        .map(rule_expiry)
        .collect::<Option<Vec<_>>>()?;
    bounds.into_iter().max()
}

fn rule_expiry(rule: &Rule) -> Option<DateTime<Utc>> {
    let time_variables: Vec<&str> = rule
        .body
        .iter()
        .filter(|p| p.name == "time")
        .filter_map(|p| match p.terms.as_slice() {
            [Term::Variable(v)] => Some(v.as_str()),
            _ => None,
        })
        .collect();
    rule.expressions
        .iter()
        .filter_map(|expression| match expression.ops.as_slice() {
            [
                Op::Value(Term::Variable(v)),
                Op::Value(Term::Date(d)),
                Op::Binary(Binary::LessThan | Binary::LessOrEqual),
            ]
            | [
                Op::Value(Term::Date(d)),
                Op::Value(Term::Variable(v)),
                Op::Binary(Binary::GreaterThan | Binary::GreaterOrEqual),
            ] if time_variables.contains(&v.as_str()) => DateTime::from_timestamp(i64::try_from(*d).ok()?, 0),
            _ => None,
        })
        .min()
}
