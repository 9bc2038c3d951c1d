//! The bounds on a token's cost, checked on its structure before its Datalog runs: see
//! [`crate::limits`] for what they are and why.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use crate::limits::{
    CANDIDATE_COST, MAX_BLOCKS, MAX_BODY_PREDICATES, MAX_CHECKS_PER_BLOCK, MAX_COLLECTION_LEN, MAX_COST,
    MAX_EXPRESSION_OPS, MAX_FACTS_PER_BLOCK, MAX_QUERIES_PER_CHECK, MAX_RULES_PER_BLOCK, MAX_STRING_BYTES,
};
use biscuit_auth::AuthorizerLimits;
use nixbuild::token::TokenInfo;
use nixbuild::token::datalog::{Binary, Op, Predicate, Rule, Term, Unary};

/// The facts the mock's authorizer may hold at most (what rules may derive).
pub(crate) const MAX_FACTS: u64 = 256;
/// The iterations of the Datalog engine the mock's authorizer allows.
pub(crate) const MAX_ITERATIONS: u64 = 8;

/// Biscuit's run limits for one request. The structural bounds above keep a token's work far
/// below them; these are the backstop.
pub(crate) const RUN_LIMITS: AuthorizerLimits = AuthorizerLimits {
    max_facts: MAX_FACTS,
    max_iterations: MAX_ITERATIONS,
    max_time: Duration::from_millis(50),
};

/// The facts the authorizer adds to a token's: `time(now)` and one or two `operation(…)`.
const AUTHORIZER_FACTS: [(&str, usize, u64); 2] = [("time", 1, 1), ("operation", 1, 2)];

/// A token over one of the limits: which, where, and by how much.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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

/// The extra work of one call of a closure, in units: the engine copies the closure's
/// operations and binds its parameter for every call.
const CLOSURE_CALL_COST: u64 = 8;

/// What building a set costs per item, in units: a union or an intersection allocates a new
/// tree, four to six times the work of reading or copying an item (`benches/auth.rs`: a
/// chain of unions ran at 27 ns an item-unit when counted at one).
const SET_BUILD_COST: u64 = 6;

/// What values can weigh at run time, in [`term_size`] units: a variable is bound to a term
/// at some position of some fact (the token's, the authorizer's scalars, or one derived by
/// a rule), and an item of a collection is an item of one of the token's collections.
#[derive(Debug)]
struct Sizes<'a> {
    /// The heaviest term at each position of each predicate: `(name, arity, position)`.
    at: HashMap<(&'a str, usize, usize), u64>,
    /// The heaviest term any fact or rule head holds: a derived fact's variables.
    any: u64,
    /// The heaviest item of any collection the token holds.
    item: u64,
}

impl<'a> Sizes<'a> {
    fn of(info: &'a TokenInfo) -> Sizes<'a> {
        let facts = info.blocks.iter().flat_map(|b| &b.facts);
        let heads = info.blocks.iter().flat_map(|b| b.rules.iter().map(|r| &r.head));
        let mut sizes = Sizes {
            at: HashMap::new(),
            any: 1,
            item: 1,
        };
        for term in facts.clone().chain(heads.clone()).flat_map(|p| &p.terms) {
            sizes.any = sizes.any.max(term_size(term));
            sizes.item = sizes.item.max(heaviest_item(term));
        }
        let any = sizes.any;
        for (predicate, derived) in facts.map(|p| (p, false)).chain(heads.map(|p| (p, true))) {
            for (position, term) in predicate.terms.iter().enumerate() {
                let size = match term {
                    Term::Variable(_) if derived => any,
                    term => term_size(term),
                };
                let key = (predicate.name.as_str(), predicate.terms.len(), position);
                let heaviest = sizes.at.entry(key).or_insert(1);
                *heaviest = (*heaviest).max(size);
            }
        }
        sizes
    }

    /// What each variable of `rule` can weigh: the lightest of the heaviest terms at the
    /// positions it holds in the rule's body (it equals all of them). The authorizer's
    /// facts are scalars; a variable no body binds is an error at its first use.
    fn variables(&self, rule: &'a Rule) -> HashMap<&'a str, u64> {
        let mut variables: HashMap<&str, u64> = HashMap::new();
        for predicate in &rule.body {
            for (position, term) in predicate.terms.iter().enumerate() {
                if let Term::Variable(name) = term {
                    let key = (predicate.name.as_str(), predicate.terms.len(), position);
                    let heaviest = self.at.get(&key).copied().unwrap_or(1);
                    variables
                        .entry(name.as_str())
                        .and_modify(|size| *size = (*size).min(heaviest))
                        .or_insert(heaviest);
                }
            }
        }
        variables
    }
}

/// What a term weighs: one unit, plus one per item of a collection (nested ones counted
/// whole) and per 64 bytes of a string. Copying, comparing or combining a value costs about
/// its weight, and an operation's result weighs at most what its operands do together.
fn term_size(term: &Term) -> u64 {
    match term {
        Term::Str(s) => 1 + s.len() as u64 / 64,
        Term::Bytes(b) => 1 + b.len() as u64 / 64,
        Term::Set(items) | Term::Array(items) => items.iter().map(term_size).fold(1, u64::saturating_add),
        Term::Map(entries) => entries
            .iter()
            .map(|(_, t)| 1 + term_size(t))
            .fold(1, u64::saturating_add),
        _ => 1,
    }
}

/// The heaviest item of `term`'s collections, nested ones included (1 for a scalar).
fn heaviest_item(term: &Term) -> u64 {
    match term {
        Term::Set(items) | Term::Array(items) => items
            .iter()
            .map(|t| term_size(t).max(heaviest_item(t)))
            .max()
            .unwrap_or(1),
        // `.all`/`.any` over a map bind `[key, value]`.
        Term::Map(entries) => entries
            .iter()
            .map(|(_, t)| (2 + term_size(t)).max(heaviest_item(t)))
            .max()
            .unwrap_or(1),
        _ => 1,
    }
}

/// A value on the evaluation stack as the estimate sees it.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// A value weighing at most `size`.
    Value { size: u64 },
    /// A closure: what one call costs, and what its result weighs at most.
    Closure { call: u64, size: u64 },
}

/// What evaluating `ops` once may cost, and what its result weighs at most, by running the
/// expression on the weights of its values rather than the values. Every operation costs
/// the weight of its operands (pushing a variable copies its value; a union builds a set
/// as large as both), so a union of unions is counted at the size it really reaches; a
/// closure given to `.all`/`.any` runs once per item of the collection it is given, with
/// that collection's real size, and nested closures multiply. An ill-formed expression,
/// which the engine refuses at its first step, costs what was counted until then.
fn evaluate(ops: &[Op], variables: &HashMap<&str, u64>, item: u64, items: &[&str]) -> (u64, u64) {
    let mut stack: Vec<Slot> = Vec::new();
    let mut cost: u64 = 0;
    let value_size = |slot: Slot| match slot {
        Slot::Value { size } | Slot::Closure { size, .. } => size,
    };
    for op in ops {
        let pushed = match op {
            // A closure's parameter is an item of a collection; other variables any term.
            Op::Value(Term::Variable(name)) if items.contains(&name.as_str()) => Slot::Value { size: item },
            Op::Value(Term::Variable(name)) => Slot::Value {
                size: variables.get(name.as_str()).copied().unwrap_or(1),
            },
            Op::Value(term) => Slot::Value {
                size: term_size(term),
            },
            Op::Unary(unary) => {
                let Some(operand) = stack.pop() else { break };
                let size = value_size(operand);
                cost = cost.saturating_add(size);
                match unary {
                    Unary::Parens => Slot::Value { size },
                    _ => Slot::Value { size: 1 },
                }
            }
            Op::Closure { params, ops } => {
                let mut bound = items.to_vec();
                bound.extend(params.iter().map(String::as_str));
                let (body, size) = evaluate(ops, variables, item, &bound);
                let call = body
                    .saturating_add(ops.len() as u64)
                    .saturating_add(CLOSURE_CALL_COST);
                Slot::Closure { call, size }
            }
            Op::Binary(binary) => {
                let (Some(right), Some(left)) = (stack.pop(), stack.pop()) else {
                    break;
                };
                match (left, right) {
                    (Slot::Value { size: collection }, Slot::Closure { call, .. })
                        if matches!(binary, Binary::All | Binary::Any) =>
                    {
                        cost = cost.saturating_add(collection.saturating_mul(call));
                        Slot::Value { size: 1 }
                    }
                    (Slot::Closure { call, size }, other) | (other, Slot::Closure { call, size }) => {
                        // `&&`, `||`, `.try_or`: the closure runs once.
                        cost = cost.saturating_add(call);
                        Slot::Value {
                            size: size.max(value_size(other)),
                        }
                    }
                    (Slot::Value { size: a }, Slot::Value { size: b }) => {
                        let work = a.saturating_add(b);
                        let work = match binary {
                            Binary::Union | Binary::Intersection => work.saturating_mul(SET_BUILD_COST),
                            _ => work,
                        };
                        cost = cost.saturating_add(work);
                        let size = match binary {
                            Binary::Union | Binary::Add => a.saturating_add(b),
                            Binary::Intersection => a.min(b),
                            Binary::Get => a,
                            _ => 1,
                        };
                        Slot::Value { size }
                    }
                }
            }
            // An operation this estimate does not know cannot be bounded: too costly.
            _ => return (u64::MAX, 1),
        };
        if let Slot::Value { size } = pushed
            && matches!(op, Op::Value(_))
        {
            cost = cost.saturating_add(size);
        }
        stack.push(pushed);
    }
    let size = stack.last().map_or(1, |&slot| value_size(slot));
    (cost, size)
}

/// What evaluating a rule's expressions once may cost: see [`evaluate`].
fn evaluation_cost(rule: &Rule, sizes: &Sizes) -> u64 {
    let variables = sizes.variables(rule);
    rule.expressions
        .iter()
        .map(|e| evaluate(&e.ops, &variables, sizes.item, &[]).0)
        .fold(0, u64::saturating_add)
}

/// The token's estimated work: see [`MAX_COST`]. It counts every fact of every block as a
/// candidate for every predicate of that name, whatever the scopes: an overestimate, never
/// an underestimate.
fn cost(info: &TokenInfo) -> u64 {
    let sizes = Sizes::of(info);
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
            .saturating_mul(CANDIDATE_COST.saturating_add(evaluation_cost(rule, &sizes)))
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
