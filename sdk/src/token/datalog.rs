//! A token's Datalog as data: the facts, rules and checks of each block, read from the token's
//! protobuf encoding, never from printed text.
//!
//! Every type prints as Datalog (`Display`), with strings escaped the way Biscuit's parser
//! reads them back (`\"`, `\\`, `\n`). Other control characters, which a terminal would act
//! on, and the marks that reverse the direction of text print as `\u{…}`: the text stays
//! safe to show, and the data itself keeps them.

use std::fmt::{self, Write};

/// A Datalog value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Term {
    /// `$name`: a variable of a rule or check.
    Variable(String),
    /// A 64-bit integer.
    Integer(i64),
    /// A string, exactly as the token holds it.
    Str(String),
    /// A date, in seconds since the Unix epoch.
    Date(u64),
    /// Bytes (`hex:…`).
    Bytes(Vec<u8>),
    /// A boolean.
    Bool(bool),
    /// A set, in the token's order.
    Set(Vec<Term>),
    /// `null`.
    Null,
    /// An array.
    Array(Vec<Term>),
    /// A map, in the token's order.
    Map(Vec<(MapKey, Term)>),
}

/// The key of a [`Term::Map`] entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MapKey {
    /// An integer key.
    Integer(i64),
    /// A string key.
    Str(String),
}

/// `name(term, …)`: a fact, or one predicate of a rule's body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Predicate {
    /// The predicate's name.
    pub name: String,
    /// Its terms.
    pub terms: Vec<Term>,
}

impl Predicate {
    /// A predicate of these terms.
    pub fn new(name: impl Into<String>, terms: impl IntoIterator<Item = Term>) -> Predicate {
        Predicate {
            name: name.into(),
            terms: terms.into_iter().collect(),
        }
    }
}

/// An expression of a rule or check (`$time < 2026-01-01T00:00:00Z`), as the token stores it:
/// operations of a stack machine, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expression {
    /// The operations.
    pub ops: Vec<Op>,
}

/// One operation of an [`Expression`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Op {
    /// Pushes a value.
    Value(Term),
    /// Applies a unary operation to the top value.
    Unary(Unary),
    /// Applies a binary operation to the two top values.
    Binary(Binary),
    /// Pushes a closure (`$x -> …`) for the next binary operation (`.all`, `.any`, `&&`, …).
    Closure {
        /// The closure's parameters.
        params: Vec<String>,
        /// Its body.
        ops: Vec<Op>,
    },
}

/// A unary operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)] // Each variant is the Datalog operation it names.
pub enum Unary {
    Negate,
    Parens,
    Length,
    TypeOf,
    /// `.extern::name()`.
    Extern(String),
}

/// A binary operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)] // Each variant is the Datalog operation it names.
pub enum Binary {
    LessThan,
    GreaterThan,
    LessOrEqual,
    GreaterOrEqual,
    /// `===`
    Equal,
    /// `!==`
    NotEqual,
    /// `==`
    HeterogeneousEqual,
    /// `!=`
    HeterogeneousNotEqual,
    Contains,
    Prefix,
    Suffix,
    Regex,
    Add,
    Sub,
    Mul,
    Div,
    /// `&&!` (strict)
    And,
    /// `||!` (strict)
    Or,
    /// `&&`
    LazyAnd,
    /// `||`
    LazyOr,
    Intersection,
    Union,
    BitwiseAnd,
    BitwiseOr,
    BitwiseXor,
    All,
    Any,
    Get,
    TryOr,
    /// `.extern::name(…)`.
    Extern(String),
}

/// Which blocks a rule, a check or a whole block trusts for its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// The authority block (the default).
    Authority,
    /// Every block before this one.
    Previous,
    /// Blocks signed by this public key (`ed25519/…`).
    PublicKey(String),
}

/// `head <- body, expressions`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// What the rule derives.
    pub head: Predicate,
    /// The predicates that must all match.
    pub body: Vec<Predicate>,
    /// The expressions that must all hold.
    pub expressions: Vec<Expression>,
    /// The blocks it trusts, when not the default.
    pub scopes: Vec<Scope>,
}

/// How a [`Check`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckKind {
    /// `check if`: passes when some query matches.
    If,
    /// `check all`: passes when some query matches and every match satisfies it.
    All,
    /// `reject if`: fails when some query matches.
    Reject,
}

/// `check if q1 or q2`, `check all …` or `reject if …`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Check {
    /// How it decides.
    pub kind: CheckKind,
    /// The alternatives (`or`). Each is a [`Rule`] whose head is not used.
    pub queries: Vec<Rule>,
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Variable(name) => write!(f, "${}", printable(name)),
            Term::Integer(n) => write!(f, "{n}"),
            Term::Str(s) => write_string(f, s),
            Term::Date(seconds) => match i64::try_from(*seconds)
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            {
                Some(date) => write!(f, "{}", date.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
                None => write!(f, "<date {seconds} s after 1970>"),
            },
            Term::Bytes(bytes) => {
                f.write_str("hex:")?;
                bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
            Term::Bool(b) => write!(f, "{b}"),
            Term::Set(terms) if terms.is_empty() => f.write_str("{,}"),
            Term::Set(terms) => {
                f.write_char('{')?;
                write_list(f, terms)?;
                f.write_char('}')
            }
            Term::Null => f.write_str("null"),
            Term::Array(terms) => {
                f.write_char('[')?;
                write_list(f, terms)?;
                f.write_char(']')
            }
            Term::Map(entries) => {
                f.write_char('{')?;
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match key {
                        MapKey::Integer(n) => write!(f, "{n}")?,
                        MapKey::Str(s) => write_string(f, s)?,
                    }
                    write!(f, ": {value}")?;
                }
                f.write_char('}')
            }
        }
    }
}

/// A name from the token (of a predicate, a variable, a function): symbols as strings are,
/// so what a terminal would act on is escaped.
fn printable(name: &str) -> std::borrow::Cow<'_, str> {
    crate::printable::escape_controls(name)
}

/// A string as a Datalog literal that Biscuit's parser reads back as the same string.
fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_char('\t')?,
            c if crate::printable::is_unsafe(c) => write!(f, "\\u{{{:x}}}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

fn write_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", printable(&self.name))?;
        write_list(f, &self.terms)?;
        f.write_char(')')
    }
}

impl Expression {
    /// The expression as Datalog, or `None` when its operations do not form one expression
    /// (a hand-made token can hold such a thing; Biscuit then refuses to evaluate it).
    pub fn to_datalog(&self) -> Option<String> {
        print_ops(&self.ops)
    }
}

fn print_ops(ops: &[Op]) -> Option<String> {
    let mut stack: Vec<String> = Vec::new();
    for op in ops {
        let printed = match op {
            Op::Value(term) => term.to_string(),
            Op::Unary(unary) => {
                let value = stack.pop()?;
                match unary {
                    Unary::Negate => format!("!{value}"),
                    Unary::Parens => format!("({value})"),
                    Unary::Length => format!("{value}.length()"),
                    Unary::TypeOf => format!("{value}.type()"),
                    Unary::Extern(name) => format!("{value}.extern::{}()", printable(name)),
                }
            }
            Op::Binary(binary) => {
                let right = stack.pop()?;
                let left = stack.pop()?;
                binary.print(&left, &right)
            }
            Op::Closure { params, ops } => {
                let body = print_ops(ops)?;
                if params.is_empty() {
                    body
                } else {
                    let params: Vec<String> = params.iter().map(|p| format!("${}", printable(p))).collect();
                    format!("{} -> {body}", params.join(", "))
                }
            }
        };
        stack.push(printed);
    }
    match <[String; 1]>::try_from(stack) {
        Ok([one]) => Some(one),
        Err(_) => None,
    }
}

impl Binary {
    fn print(&self, l: &str, r: &str) -> String {
        let infix = |op: &str| format!("{l} {op} {r}");
        let method = |name: &str| format!("{l}.{name}({r})");
        match self {
            Binary::LessThan => infix("<"),
            Binary::GreaterThan => infix(">"),
            Binary::LessOrEqual => infix("<="),
            Binary::GreaterOrEqual => infix(">="),
            Binary::Equal => infix("==="),
            Binary::NotEqual => infix("!=="),
            Binary::HeterogeneousEqual => infix("=="),
            Binary::HeterogeneousNotEqual => infix("!="),
            Binary::Add => infix("+"),
            Binary::Sub => infix("-"),
            Binary::Mul => infix("*"),
            Binary::Div => infix("/"),
            Binary::And => infix("&&!"),
            Binary::Or => infix("||!"),
            Binary::LazyAnd => infix("&&"),
            Binary::LazyOr => infix("||"),
            Binary::BitwiseAnd => infix("&"),
            Binary::BitwiseOr => infix("|"),
            Binary::BitwiseXor => infix("^"),
            Binary::Contains => method("contains"),
            Binary::Prefix => method("starts_with"),
            Binary::Suffix => method("ends_with"),
            Binary::Regex => method("matches"),
            Binary::Intersection => method("intersection"),
            Binary::Union => method("union"),
            Binary::All => method("all"),
            Binary::Any => method("any"),
            Binary::Get => method("get"),
            Binary::TryOr => method("try_or"),
            Binary::Extern(name) => method(&format!("extern::{}", printable(name))),
        }
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_datalog() {
            Some(text) => f.write_str(&text),
            None => f.write_str("<malformed expression>"),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Authority => f.write_str("authority"),
            Scope::Previous => f.write_str("previous"),
            Scope::PublicKey(key) => f.write_str(&printable(key)),
        }
    }
}

/// The body of a rule or query: `p1, p2, e1 trusting s1`.
fn write_body(f: &mut fmt::Formatter<'_>, rule: &Rule) -> fmt::Result {
    write_list(f, &rule.body)?;
    if !rule.body.is_empty() && !rule.expressions.is_empty() {
        f.write_str(", ")?;
    }
    write_list(f, &rule.expressions)?;
    if !rule.scopes.is_empty() {
        f.write_str(" trusting ")?;
        write_list(f, &rule.scopes)?;
    }
    Ok(())
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <- ", self.head)?;
        write_body(f, self)
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            CheckKind::If => "check if ",
            CheckKind::All => "check all ",
            CheckKind::Reject => "reject if ",
        })?;
        for (i, query) in self.queries.iter().enumerate() {
            if i > 0 {
                f.write_str(" or ")?;
            }
            write_body(f, query)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_print_as_literals_biscuit_reads_back() {
        let term = Term::Str("a\"b\\c\nd é \u{1b}[31m\r".into());
        assert_eq!(term.to_string(), r#""a\"b\\c\nd é \u{1b}[31m\u{d}""#);
    }

    #[test]
    fn a_malformed_expression_prints_without_panicking() {
        let malformed = Expression {
            ops: vec![Op::Binary(Binary::Add)],
        };
        assert_eq!(malformed.to_datalog(), None);
        assert_eq!(malformed.to_string(), "<malformed expression>");
        let two_values = Expression {
            ops: vec![Op::Value(Term::Integer(1)), Op::Value(Term::Integer(2))],
        };
        assert_eq!(two_values.to_datalog(), None);
    }

    #[test]
    fn checks_print_as_datalog() {
        let check = Check {
            kind: CheckKind::Reject,
            queries: vec![Rule {
                head: Predicate::new("query", []),
                body: vec![Predicate::new("time", [Term::Variable("t".into())])],
                expressions: vec![Expression {
                    ops: vec![
                        Op::Value(Term::Variable("t".into())),
                        Op::Value(Term::Date(1_577_836_800)),
                        Op::Binary(Binary::LessThan),
                    ],
                }],
                scopes: vec![Scope::Previous],
            }],
        };
        assert_eq!(
            check.to_string(),
            "reject if time($t), $t < 2020-01-01T00:00:00Z trusting previous"
        );
        assert_eq!(Term::Set(vec![]).to_string(), "{,}");
        assert_eq!(Term::Bytes(vec![0xab, 1]).to_string(), "hex:ab01");
    }
}
