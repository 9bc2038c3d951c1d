//! The bounds on a token's cost, checked on its structure before its Datalog runs: see
//! [`crate::limits`] for what they are and why.

use std::collections::{HashMap, HashSet};
use std::fmt;

use nixbuild::token::TokenInfo;
use nixbuild::token::datalog::{Binary, Op, Predicate, Rule, Term};

/// The largest `Authorization` header the mock reads, in bytes.
pub const MAX_AUTHORIZATION_BYTES: usize = 8 * 1024;
/// The most blocks a token may have: its authority block and attenuations.
pub const MAX_BLOCKS: usize = 8;
/// The most facts in one block.
pub const MAX_FACTS_PER_BLOCK: usize = 64;
/// The most rules in one block.
pub const MAX_RULES_PER_BLOCK: usize = 8;
/// The most checks in one block.
pub const MAX_CHECKS_PER_BLOCK: usize = 16;
/// The most alternatives (`or`) in one check.
pub const MAX_QUERIES_PER_CHECK: usize = 4;
/// The most predicates in the body of one rule or query.
pub const MAX_BODY_PREDICATES: usize = 4;
/// The most expression operations in one rule or query.
pub const MAX_EXPRESSION_OPS: usize = 64;
/// The most items in one set, array or map.
pub const MAX_COLLECTION_LEN: usize = 64;
/// The longest string, in bytes.
pub const MAX_STRING_BYTES: usize = 1024;
/// The most estimated work for the whole token: for each rule and query, the product of how
/// many facts each body predicate could match, times one plus what evaluating its
/// expressions may cost; rules count once per iteration of the engine.
pub const MAX_COST: u64 = 20_000;

/// The facts the mock's authorizer may hold at most (what rules may derive).
pub(crate) const MAX_FACTS: u64 = 256;
/// The iterations of the Datalog engine the mock's authorizer allows.
pub(crate) const MAX_ITERATIONS: u64 = 8;

/// The facts the authorizer adds to a token's: `time(now)` and one or two `operation(…)`.
const AUTHORIZER_FACTS: [(&str, usize, u64); 2] = [("time", 1, 1), ("operation", 1, 2)];

/// A token over one of the limits: which, where, and by how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitExceeded {
    /// What was counted, such as `facts in block 1`.
    pub what: String,
    /// How many there were.
    pub found: u64,
    /// The most the mock accepts.
    pub limit: u64,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the token is too costly to evaluate: {} {} (this mock accepts at most {})",
            self.found, self.what, self.limit
        )
    }
}

impl std::error::Error for LimitExceeded {}

fn at_most(found: usize, limit: usize, what: impl FnOnce() -> String) -> Result<(), LimitExceeded> {
    if found > limit {
        return Err(LimitExceeded {
            what: what(),
            found: found as u64,
            limit: limit as u64,
        });
    }
    Ok(())
}

/// Checks every bound but the header's size on a token's structure.
pub(crate) fn check(info: &TokenInfo) -> Result<(), LimitExceeded> {
    at_most(info.blocks.len(), MAX_BLOCKS, || "blocks".into())?;
    for (i, block) in info.blocks.iter().enumerate() {
        at_most(block.facts.len(), MAX_FACTS_PER_BLOCK, || {
            format!("facts in block {i}")
        })?;
        at_most(block.rules.len(), MAX_RULES_PER_BLOCK, || {
            format!("rules in block {i}")
        })?;
        at_most(block.checks.len(), MAX_CHECKS_PER_BLOCK, || {
            format!("checks in block {i}")
        })?;
        for check in &block.checks {
            at_most(check.queries.len(), MAX_QUERIES_PER_CHECK, || {
                format!("alternatives in a check of block {i}")
            })?;
        }
        let queries = block
            .rules
            .iter()
            .chain(block.checks.iter().flat_map(|c| &c.queries));
        for rule in queries {
            at_most(rule.body.len(), MAX_BODY_PREDICATES, || {
                format!("predicates in a rule or check of block {i}")
            })?;
            let ops = rule.expressions.iter().map(|e| count_ops(&e.ops)).sum();
            at_most(ops, MAX_EXPRESSION_OPS, || {
                format!("expression operations in a rule or check of block {i}")
            })?;
            let regexes = rule.expressions.iter().map(|e| count_regexes(&e.ops)).sum();
            at_most(regexes, 0, || {
                format!("regular expressions (`.matches`) in a rule or check of block {i}")
            })?;
        }
        let terms = block
            .facts
            .iter()
            .chain(block.rules.iter().flat_map(predicates))
            .chain(block.checks.iter().flat_map(|c| &c.queries).flat_map(predicates))
            .flat_map(|p| &p.terms)
            .chain(
                block
                    .rules
                    .iter()
                    .chain(block.checks.iter().flat_map(|c| &c.queries))
                    .flat_map(|r| &r.expressions)
                    .flat_map(|e| values(&e.ops)),
            );
        for term in terms {
            check_term(term, i)?;
        }
    }
    let cost = cost(info);
    if cost > MAX_COST {
        return Err(LimitExceeded {
            what: "units of estimated work".into(),
            found: cost,
            limit: MAX_COST,
        });
    }
    Ok(())
}

fn predicates(rule: &Rule) -> impl Iterator<Item = &Predicate> {
    std::iter::once(&rule.head).chain(&rule.body)
}

/// The values an expression's operations push, closures included.
fn values(ops: &[Op]) -> Vec<&Term> {
    ops.iter()
        .flat_map(|op| match op {
            Op::Value(term) => vec![term],
            Op::Closure { ops, .. } => values(ops),
            _ => Vec::new(),
        })
        .collect()
}

fn check_term(term: &Term, block: usize) -> Result<(), LimitExceeded> {
    match term {
        Term::Str(s) => at_most(s.len(), MAX_STRING_BYTES, || {
            format!("bytes in a string of block {block}")
        }),
        Term::Set(items) | Term::Array(items) => {
            at_most(items.len(), MAX_COLLECTION_LEN, || {
                format!("items in a collection of block {block}")
            })?;
            items.iter().try_for_each(|t| check_term(t, block))
        }
        Term::Map(entries) => {
            at_most(entries.len(), MAX_COLLECTION_LEN, || {
                format!("items in a map of block {block}")
            })?;
            entries.iter().try_for_each(|(_, t)| check_term(t, block))
        }
        _ => Ok(()),
    }
}

/// Operations, closures' included.
fn count_ops(ops: &[Op]) -> usize {
    ops.iter()
        .map(|op| match op {
            Op::Closure { ops, .. } => 1 + count_ops(ops),
            _ => 1,
        })
        .sum()
}

fn count_regexes(ops: &[Op]) -> usize {
    ops.iter()
        .map(|op| match op {
            Op::Binary(Binary::Regex) => 1,
            Op::Closure { ops, .. } => count_regexes(ops),
            _ => 0,
        })
        .sum()
}

/// What evaluating a rule's expressions once may cost, in operations: a closure with
/// parameters runs once per item of a collection (`.all`, `.any`), so it counts
/// [`MAX_COLLECTION_LEN`] times, and closures inside it multiply again.
fn evaluation_cost(rule: &Rule) -> u64 {
    fn cost(ops: &[Op]) -> u64 {
        ops.iter()
            .map(|op| match op {
                Op::Closure { params, ops } if !params.is_empty() => {
                    1u64.saturating_add(cost(ops).saturating_mul(MAX_COLLECTION_LEN as u64))
                }
                Op::Closure { ops, .. } => 1u64.saturating_add(cost(ops)),
                _ => 1,
            })
            .fold(0, u64::saturating_add)
    }
    rule.expressions
        .iter()
        .map(|e| cost(&e.ops))
        .fold(0, u64::saturating_add)
}

/// The token's estimated work: see [`MAX_COST`]. It counts every fact of every block as a
/// candidate for every predicate of that name, whatever the scopes: an overestimate, never
/// an underestimate.
fn cost(info: &TokenInfo) -> u64 {
    let mut facts: HashMap<(&str, usize), u64> = HashMap::new();
    for fact in info.blocks.iter().flat_map(|b| &b.facts) {
        *facts.entry((fact.name.as_str(), fact.terms.len())).or_default() += 1;
    }
    for (name, arity, count) in AUTHORIZER_FACTS {
        *facts.entry((name, arity)).or_default() += count;
    }
    let derived: HashSet<(&str, usize)> = info
        .blocks
        .iter()
        .flat_map(|b| &b.rules)
        .map(|r| (r.head.name.as_str(), r.head.terms.len()))
        .collect();
    let candidates = |p: &Predicate| {
        let key = (p.name.as_str(), p.terms.len());
        let known = facts.get(&key).copied().unwrap_or(0);
        if derived.contains(&key) {
            known.saturating_add(MAX_FACTS)
        } else {
            known
        }
    };
    let query_cost = |rule: &Rule| {
        rule.body
            .iter()
            .map(candidates)
            .fold(1u64, u64::saturating_mul)
            .saturating_mul(1 + evaluation_cost(rule))
    };
    let rules = info
        .blocks
        .iter()
        .flat_map(|b| &b.rules)
        .map(query_cost)
        .fold(0u64, u64::saturating_add)
        .saturating_mul(MAX_ITERATIONS);
    let checks = info
        .blocks
        .iter()
        .flat_map(|b| &b.checks)
        .flat_map(|c| &c.queries)
        .map(query_cost)
        .fold(0u64, u64::saturating_add);
    rules.saturating_add(checks)
}
