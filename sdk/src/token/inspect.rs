//! Reading a token's contents without its root key.

use std::fmt;

use chrono::{DateTime, Utc};

use serde::Serialize;

use super::bearer::Token;
use super::block::BlockInfo;
use super::datalog::{Binary, Check, CheckKind, Op, Predicate, Rule, Term, Unary};
use super::decode::decode;
use super::error::TokenError;
use super::narrowing::{LEGACY_READ, Narrowing, narrowings};
use super::oidc::{OidcRequirement, requirements};

/// What a token holds, as [`Token::inspect`] reads it: read from the token's encoding, block
/// by block, without checking its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The account in the authority block's `owner(N)` fact (current tokens).
    pub owner: Option<i64>,
    /// The account in the authority block's `account(N)` fact (2022 tokens).
    pub account: Option<i64>,
    /// What the token grants: the authority block's `right({…})` set (current tokens), or
    /// the operations its `check if operation("…")` checks allow (2022 tokens: `read`).
    /// Facts of later blocks grant nothing, so they are not read here.
    pub rights: Vec<String>,
    /// What the token can still do: [`rights`](Self::rights), less what the attenuation
    /// blocks' checks leave out ([`narrowed_by`](Self::narrowed_by)). Read from the checks
    /// this crate can read (`check if operation(…)`, as [`Attenuation::only`] writes them);
    /// only the service decides.
    ///
    /// [`Attenuation::only`]: super::Attenuation::only
    pub effective_rights: Vec<String>,
    /// Each attenuation block's check that allows only some operations.
    pub narrowed_by: Vec<Narrowing>,
    /// Each attenuation block's check on an OIDC ID token's claim
    /// ([`Attenuation::oidc_claim`](super::Attenuation::oidc_claim)): the token works only
    /// beside an ID token that has them all.
    pub oidc_requirements: Vec<OidcRequirement>,
    /// The earliest instant after which some `check if` or `check all` on `time`, in any
    /// block, can no longer pass. `reject if` checks never set it.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the token is sealed (no block can be appended any more).
    pub sealed: bool,
    /// Every block: the authority block first, then one per attenuation.
    pub blocks: Vec<BlockInfo>,
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

    /// The authority block (every token has one).
    pub fn authority(&self) -> &BlockInfo {
        // `decode` never returns a token without its authority block.
        &self.blocks[0]
    }
}

impl fmt::Display for TokenInfo {
    /// A few lines for a person, the same figures as its JSON: account, the rights it acts
    /// with (and how attenuation narrowed them), expiry, and each block's Datalog.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let account = self.account_id().map_or("unknown".to_owned(), |a| a.to_string());
        writeln!(f, "account:  {account}")?;
        writeln!(f, "rights:   {}", rights_list(&self.effective_rights))?;
        if !self.narrowed_by.is_empty() {
            writeln!(f, "          block 0 grants {}", rights_list(&self.rights))?;
            for narrowing in &self.narrowed_by {
                writeln!(
                    f,
                    "          block {} allows only {}",
                    narrowing.block,
                    rights_list(&narrowing.allows)
                )?;
            }
        }
        let legacy = std::iter::once(&self.effective_rights)
            .chain(self.narrowed_by.iter().map(|narrowing| &narrowing.allows))
            .any(|rights| rights.iter().any(|right| right == LEGACY_READ));
        if legacy {
            writeln!(
                f,
                "          (\"{LEGACY_READ}\" is the 2022 tokens' name for \"build:read\")"
            )?;
        }
        for required in &self.oidc_requirements {
            writeln!(
                f,
                "requires: an OIDC ID token whose {} is {} (block {})",
                Term::Str(required.claim.clone()),
                Term::Str(required.value.clone()),
                required.block
            )?;
        }
        let expiry = self.expires_at.map_or("never".to_owned(), |t| t.to_rfc3339());
        let expired = if self.is_expired() { " (expired)" } else { "" };
        writeln!(f, "expires:  {expiry}{expired}")?;
        let sealed = if self.sealed { ", sealed" } else { "" };
        writeln!(f, "blocks:   {}{sealed}", self.blocks.len())?;
        for (i, block) in self.blocks.iter().enumerate() {
            write!(f, "block {i}")?;
            if let Some(key) = &block.third_party_key {
                write!(f, " (third party, {})", crate::printable::escape_controls(key))?;
            }
            writeln!(f, ", revocation id {}:", block.revocation_id)?;
            write!(f, "{block}")?;
        }
        Ok(())
    }
}

/// Rights as Datalog string literals (they are text from the token: escaped), or `none`.
fn rights_list(rights: &[String]) -> String {
    if rights.is_empty() {
        return "none".to_owned();
    }
    rights
        .iter()
        .map(|r| Term::Str(r.clone()).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Serialize for TokenInfo {
    /// The figures [`Display`](fmt::Display) shows, as JSON: `account`, `rights` (effective),
    /// `granted_rights`, `narrowed_by`, `oidc_requirements`, `expires_at`, `expired`,
    /// `sealed`, and `blocks`
    /// (each with its Datalog as text).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            account: Option<i64>,
            rights: &'a [String],
            granted_rights: &'a [String],
            narrowed_by: &'a [Narrowing],
            oidc_requirements: &'a [OidcRequirement],
            expires_at: Option<String>,
            expired: bool,
            sealed: bool,
            blocks: Vec<ShownBlock<'a>>,
        }
        #[derive(Serialize)]
        struct ShownBlock<'a> {
            third_party_key: Option<&'a str>,
            revocation_id: &'a str,
            datalog: String,
        }
        Shown {
            account: self.account_id(),
            rights: &self.effective_rights,
            granted_rights: &self.rights,
            narrowed_by: &self.narrowed_by,
            oidc_requirements: &self.oidc_requirements,
            expires_at: self.expires_at.map(|t| t.to_rfc3339()),
            expired: self.is_expired(),
            sealed: self.sealed,
            blocks: self
                .blocks
                .iter()
                .map(|block| ShownBlock {
                    third_party_key: block.third_party_key.as_deref(),
                    revocation_id: &block.revocation_id,
                    datalog: block.to_string(),
                })
                .collect(),
        }
        .serialize(serializer)
    }
}

impl Token {
    /// Reads what the token holds: account, rights, expiry, and each block's facts, rules and
    /// checks as data ([`datalog`](crate::token::datalog)).
    ///
    /// The token is decoded from its protobuf encoding, never from printed Datalog, so no
    /// string inside it can change what it reads as. A block that cannot be read fails the
    /// whole call with [`TokenError::Unreadable`] rather than being skipped.
    ///
    /// This does **not** check the signature (that needs nixbuild.net's root key, which only
    /// the service has): a forged token reads as well as a genuine one. Use it to show a
    /// user what a token says, or to avoid sending one that has expired; the service decides
    /// whether it is valid.
    ///
    /// ```
    /// let token = nixbuild::Token::new(include_str!("../../tests/tokens/legacy-read-only.txt"));
    /// let info = token.inspect()?;
    /// assert_eq!(info.account, Some(1));
    /// assert_eq!(info.rights, ["read"]);
    /// assert_eq!(info.authority().checks[0].to_string(), r#"check if operation("read")"#);
    /// # Ok::<(), nixbuild::TokenError>(())
    /// ```
    pub fn inspect(&self) -> Result<TokenInfo, TokenError> {
        read(self)
    }
}

fn read(token: &Token) -> Result<TokenInfo, TokenError> {
    let decoded = decode(token.expose_secret())?;
    let authority = decoded
        .blocks
        .first()
        .ok_or_else(|| TokenError::Unreadable("the token has no authority block".into()))?;
    let mut rights: Vec<String> = authority
        .facts
        .iter()
        .filter(|f| f.name == "right")
        .flat_map(strings_of)
        .collect();
    if rights.is_empty() {
        rights = authority.checks.iter().flat_map(checked_operations).collect();
    }
    let expires_at = decoded
        .blocks
        .iter()
        .flat_map(|block| block.checks.iter().filter_map(check_expiry))
        .min();
    let narrowed_by = narrowings(&decoded.blocks);
    let effective_rights = rights
        .iter()
        .filter(|right| narrowed_by.iter().all(|n| n.allows(right)))
        .cloned()
        .collect();
    Ok(TokenInfo {
        owner: authority.facts.iter().find_map(|f| integer_of(f, "owner")),
        account: authority.facts.iter().find_map(|f| integer_of(f, "account")),
        rights,
        effective_rights,
        narrowed_by,
        oidc_requirements: requirements(&decoded.blocks),
        expires_at,
        sealed: decoded.sealed,
        blocks: decoded.blocks,
    })
}

/// `name(N)` → N.
fn integer_of(fact: &Predicate, name: &str) -> Option<i64> {
    match fact.terms.as_slice() {
        [Term::Integer(n)] if fact.name == name => Some(*n),
        _ => None,
    }
}

/// `right("a")` or `right({"a", "b"})` → the strings.
fn strings_of(fact: &Predicate) -> Vec<String> {
    match fact.terms.as_slice() {
        [Term::Str(s)] => vec![s.clone()],
        [Term::Set(set)] => set
            .iter()
            .filter_map(|t| match t {
                Term::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The operations a `check if operation("…")` allows.
fn checked_operations(check: &Check) -> Vec<String> {
    if check.kind == CheckKind::Reject {
        return Vec::new();
    }
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

/// The instant after which `check` can no longer pass, if it is bounded by time. A check
/// passes when one of its queries does, so it is bounded by the latest of them, and not at
/// all if one query has no bound. `reject if` fails when its query matches: it never
/// makes a token expire.
fn check_expiry(check: &Check) -> Option<DateTime<Utc>> {
    if !matches!(check.kind, CheckKind::If | CheckKind::All) {
        return None;
    }
    let bounds = check
        .queries
        .iter()
        .map(query_expiry)
        .collect::<Option<Vec<_>>>()?;
    let latest = bounds.into_iter().max()?;
    DateTime::from_timestamp(i64::try_from(latest).ok()?, 0)
}

/// A query holds only while all its expressions do: it is bounded by the earliest bound
/// among them on a variable that `time($t)` binds.
fn query_expiry(rule: &Rule) -> Option<u64> {
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
        .filter_map(|e| parse(&e.ops).and_then(|node| node.time_bound(&time_variables)))
        .min()
}

/// The part of an expression's shape that can bound time.
enum Node {
    Variable(String),
    Date(u64),
    /// `left op right`, for a comparison.
    Compare(Binary, Box<Node>, Box<Node>),
    /// Both sides must hold (`&&`, `&&!`, or parentheses around one node).
    And(Box<Node>, Box<Node>),
    Other,
}

impl Node {
    /// The latest instant at which this can still hold, when it is a bound on `time`.
    fn time_bound(&self, time_variables: &[&str]) -> Option<u64> {
        let is_time = |v: &String| time_variables.contains(&v.as_str());
        match self {
            Node::Compare(Binary::LessThan | Binary::LessOrEqual, left, right) => match (&**left, &**right) {
                (Node::Variable(v), Node::Date(d)) if is_time(v) => Some(*d),
                _ => None,
            },
            Node::Compare(Binary::GreaterThan | Binary::GreaterOrEqual, left, right) => {
                match (&**left, &**right) {
                    (Node::Date(d), Node::Variable(v)) if is_time(v) => Some(*d),
                    _ => None,
                }
            }
            Node::And(a, b) => match (a.time_bound(time_variables), b.time_bound(time_variables)) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            },
            _ => None,
        }
    }
}

/// The expression's tree, or `None` when its operations are malformed.
fn parse(ops: &[Op]) -> Option<Node> {
    let mut stack: Vec<Node> = Vec::new();
    for op in ops {
        let node = match op {
            Op::Value(Term::Variable(v)) => Node::Variable(v.clone()),
            Op::Value(Term::Date(d)) => Node::Date(*d),
            Op::Value(_) => Node::Other,
            Op::Unary(Unary::Parens) => stack.pop()?,
            Op::Unary(_) => {
                stack.pop()?;
                Node::Other
            }
            Op::Closure { params, ops } if params.is_empty() => parse(ops)?,
            Op::Closure { .. } => Node::Other,
            Op::Binary(binary) => {
                let right = Box::new(stack.pop()?);
                let left = Box::new(stack.pop()?);
                match binary {
                    Binary::LessThan | Binary::LessOrEqual | Binary::GreaterThan | Binary::GreaterOrEqual => {
                        Node::Compare(binary.clone(), left, right)
                    }
                    Binary::And | Binary::LazyAnd => Node::And(left, right),
                    _ => Node::Other,
                }
            }
        };
        stack.push(node);
    }
    match <[Node; 1]>::try_from(stack) {
        Ok([node]) => Some(node),
        Err(_) => None,
    }
}
