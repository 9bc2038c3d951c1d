//! From a token's bytes to its blocks as data ([`super::datalog`]), through biscuit-auth's
//! protobuf schema and its conversions: the token is read structurally, never from printed
//! Datalog, so no string inside it can change what it is read as.

use biscuit_auth::UnverifiedBiscuit;
use biscuit_auth::builder::{self as b, Convert};
use biscuit_auth::datalog::SymbolTable;
use biscuit_auth::format::convert::proto_block_to_token_block;
use biscuit_auth::format::schema;
use prost::Message;

use super::block::BlockInfo;
use super::datalog::{Binary, Check, CheckKind, Expression, MapKey, Op, Predicate, Rule, Scope, Term, Unary};
use super::error::TokenError;

/// A token's blocks, read without its root key.
pub(super) struct DecodedToken {
    pub(super) blocks: Vec<BlockInfo>,
    pub(super) sealed: bool,
}

/// Reads every block of a base64url token. A block that cannot be read fails the whole
/// token: a reader that skipped it could miss a restriction.
pub(super) fn decode(token: &str) -> Result<DecodedToken, TokenError> {
    let biscuit = UnverifiedBiscuit::from_base64(token).map_err(|e| TokenError::Unreadable(e.to_string()))?;
    let bytes = biscuit
        .to_vec()
        .map_err(|e| TokenError::Unreadable(e.to_string()))?;
    let proto = schema::Biscuit::decode(bytes.as_slice())
        .map_err(|e| TokenError::Unreadable(format!("not a Biscuit protobuf message: {e}")))?;
    let external_keys = biscuit.external_public_keys();
    let revocation_ids = biscuit.revocation_identifiers();
    let sealed = matches!(
        proto.proof.content,
        Some(schema::proof::Content::FinalSignature(_))
    );

    // First-party blocks share one symbol table, each adding its own symbols; a third-party
    // block has a table of its own.
    let mut symbols = SymbolTable::new();
    let signed_blocks = std::iter::once(&proto.authority).chain(&proto.blocks);
    let mut blocks = Vec::with_capacity(proto.blocks.len() + 1);
    for (index, signed) in signed_blocks.enumerate() {
        let unreadable = |why: String| TokenError::Unreadable(format!("block {index}: {why}"));
        let external_key = external_keys.get(index).cloned().flatten();
        let proto_block =
            schema::Block::decode(signed.block.as_slice()).map_err(|e| unreadable(e.to_string()))?;
        let block =
            proto_block_to_token_block(&proto_block, external_key).map_err(|e| unreadable(e.to_string()))?;
        let own_table;
        let table = if external_key.is_some() {
            own_table = block.symbols.clone();
            &own_table
        } else {
            symbols
                .extend(&block.symbols)
                .map_err(|e| unreadable(e.to_string()))?;
            &symbols
        };
        let convert = |e: biscuit_auth::error::Format| unreadable(e.to_string());
        let facts = block
            .facts
            .iter()
            .map(|f| b::Fact::convert_from(f, table).map(|f| predicate(f.predicate)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(convert)?;
        let rules = block
            .rules
            .iter()
            .map(|r| b::Rule::convert_from(r, table).map(rule))
            .collect::<Result<Vec<_>, _>>()
            .map_err(convert)?;
        let checks = block
            .checks
            .iter()
            .map(|c| b::Check::convert_from(c, table).map(check))
            .collect::<Result<Vec<_>, _>>()
            .map_err(convert)?;
        let scopes = block
            .scopes
            .iter()
            .map(|s| b::Scope::convert_from(s, table).map(scope))
            .collect::<Result<Vec<_>, _>>()
            .map_err(convert)?;
        blocks.push(BlockInfo {
            facts,
            rules,
            checks,
            scopes,
            third_party_key: external_key.map(|key| key.to_string()),
            revocation_id: revocation_ids.get(index).map(|id| hex(id)).unwrap_or_default(),
            context: block.context.clone(),
        });
    }
    Ok(DecodedToken { blocks, sealed })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn predicate(p: b::Predicate) -> Predicate {
    Predicate {
        name: p.name,
        terms: p.terms.into_iter().map(term).collect(),
    }
}

fn term(t: b::Term) -> Term {
    match t {
        b::Term::Variable(v) => Term::Variable(v),
        b::Term::Integer(n) => Term::Integer(n),
        b::Term::Str(s) => Term::Str(s),
        b::Term::Date(d) => Term::Date(d),
        b::Term::Bytes(bytes) => Term::Bytes(bytes),
        b::Term::Bool(v) => Term::Bool(v),
        b::Term::Set(set) => Term::Set(set.into_iter().map(term).collect()),
        b::Term::Null => Term::Null,
        b::Term::Array(items) => Term::Array(items.into_iter().map(term).collect()),
        b::Term::Map(map) => Term::Map(
            map.into_iter()
                .map(|(key, value)| (map_key(key), term(value)))
                .collect(),
        ),
        // Parameters exist only in Datalog being written; a decoded token has none, but
        // should one appear it reads as the variable it stands for.
        b::Term::Parameter(name) => Term::Variable(name),
    }
}

fn map_key(key: b::MapKey) -> MapKey {
    match key {
        b::MapKey::Integer(n) => MapKey::Integer(n),
        b::MapKey::Str(s) | b::MapKey::Parameter(s) => MapKey::Str(s),
    }
}

fn rule(r: b::Rule) -> Rule {
    Rule {
        head: predicate(r.head),
        body: r.body.into_iter().map(predicate).collect(),
        expressions: r
            .expressions
            .into_iter()
            .map(|e| Expression {
                ops: e.ops.into_iter().map(op).collect(),
            })
            .collect(),
        scopes: r.scopes.into_iter().map(scope).collect(),
    }
}

fn check(c: b::Check) -> Check {
    Check {
        kind: match c.kind {
            b::CheckKind::One => CheckKind::If,
            b::CheckKind::All => CheckKind::All,
            b::CheckKind::Reject => CheckKind::Reject,
        },
        queries: c.queries.into_iter().map(rule).collect(),
    }
}

fn scope(s: b::Scope) -> Scope {
    match s {
        b::Scope::Authority => Scope::Authority,
        b::Scope::Previous => Scope::Previous,
        b::Scope::PublicKey(key) => Scope::PublicKey(key.to_string()),
        b::Scope::Parameter(name) => Scope::PublicKey(format!("{{{name}}}")),
    }
}

fn op(o: b::Op) -> Op {
    match o {
        b::Op::Value(t) => Op::Value(term(t)),
        b::Op::Unary(u) => Op::Unary(match u {
            b::Unary::Negate => Unary::Negate,
            b::Unary::Parens => Unary::Parens,
            b::Unary::Length => Unary::Length,
            b::Unary::TypeOf => Unary::TypeOf,
            b::Unary::Ffi(name) => Unary::Extern(name),
        }),
        b::Op::Binary(x) => Op::Binary(binary(x)),
        b::Op::Closure(params, ops) => Op::Closure {
            params,
            ops: ops.into_iter().map(op).collect(),
        },
    }
}

fn binary(x: b::Binary) -> Binary {
    match x {
        b::Binary::LessThan => Binary::LessThan,
        b::Binary::GreaterThan => Binary::GreaterThan,
        b::Binary::LessOrEqual => Binary::LessOrEqual,
        b::Binary::GreaterOrEqual => Binary::GreaterOrEqual,
        b::Binary::Equal => Binary::Equal,
        b::Binary::NotEqual => Binary::NotEqual,
        b::Binary::HeterogeneousEqual => Binary::HeterogeneousEqual,
        b::Binary::HeterogeneousNotEqual => Binary::HeterogeneousNotEqual,
        b::Binary::Contains => Binary::Contains,
        b::Binary::Prefix => Binary::Prefix,
        b::Binary::Suffix => Binary::Suffix,
        b::Binary::Regex => Binary::Regex,
        b::Binary::Add => Binary::Add,
        b::Binary::Sub => Binary::Sub,
        b::Binary::Mul => Binary::Mul,
        b::Binary::Div => Binary::Div,
        b::Binary::And => Binary::And,
        b::Binary::Or => Binary::Or,
        b::Binary::LazyAnd => Binary::LazyAnd,
        b::Binary::LazyOr => Binary::LazyOr,
        b::Binary::Intersection => Binary::Intersection,
        b::Binary::Union => Binary::Union,
        b::Binary::BitwiseAnd => Binary::BitwiseAnd,
        b::Binary::BitwiseOr => Binary::BitwiseOr,
        b::Binary::BitwiseXor => Binary::BitwiseXor,
        b::Binary::All => Binary::All,
        b::Binary::Any => Binary::Any,
        b::Binary::Get => Binary::Get,
        b::Binary::TryOr => Binary::TryOr,
        b::Binary::Ffi(name) => Binary::Extern(name),
    }
}
