//! Which rights a token's attenuation blocks leave it: a block's `check if operation(…)`
//! passes only for the operations it names, so it narrows what the authority block grants.

use std::collections::BTreeSet;

use serde::Serialize;

use super::block::BlockInfo;
use super::datalog::{Binary, Check, CheckKind, Op, Rule, Term};

/// The 2022 tokens' name for `build:read`, which a narrowing to `build:read` also admits so
/// that it narrows both kinds of token alike.
pub(crate) const LEGACY_READ: &str = "read";

/// A check of an attenuation block that allows only some operations, such as the one
/// [`Attenuation::only`](super::Attenuation::only) appends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Narrowing {
    /// The block that holds the check (1 for the first attenuation).
    pub block: usize,
    /// The operations the check allows, sorted (`read` is the 2022 tokens' name for
    /// `build:read`).
    pub allows: Vec<String>,
}

impl Narrowing {
    /// Whether the check lets a request that needs `right` through.
    pub fn allows(&self, right: &str) -> bool {
        self.allows.iter().any(|allowed| allowed == right)
    }
}

/// The checks of every block after the authority's that allow only some operations, in
/// block order.
pub(super) fn narrowings(blocks: &[BlockInfo]) -> Vec<Narrowing> {
    blocks
        .iter()
        .enumerate()
        .skip(1)
        .flat_map(|(block, info)| {
            info.checks
                .iter()
                .filter_map(allowed_operations)
                .map(move |allowed| Narrowing {
                    block,
                    allows: allowed.into_iter().collect(),
                })
        })
        .collect()
}

/// The operations a check lets through, when every one of its queries names them; `None`
/// when some query passes whatever the operation (that check narrows other things, such as
/// time or the build). A `reject if` never narrows rights this way.
fn allowed_operations(check: &Check) -> Option<BTreeSet<String>> {
    if check.kind == CheckKind::Reject {
        return None;
    }
    // A check passes when any of its queries does: it allows the union of theirs.
    check
        .queries
        .iter()
        .map(query_operations)
        .try_fold(BTreeSet::new(), |mut union, allowed| {
            union.extend(allowed?);
            Some(union)
        })
}

/// The operations a query matches, when it binds `operation`: `operation("x")`, or
/// `operation($op)` with `{…}.contains($op)` or `$op == "x"` among its expressions. Several
/// such constraints must all hold: their intersection.
fn query_operations(rule: &Rule) -> Option<BTreeSet<String>> {
    let mut allowed: Option<BTreeSet<String>> = None;
    let mut narrow = |set: BTreeSet<String>| {
        allowed = Some(match allowed.take() {
            Some(before) => before.intersection(&set).cloned().collect(),
            None => set,
        });
    };
    for predicate in rule.body.iter().filter(|p| p.name == "operation") {
        match predicate.terms.as_slice() {
            [Term::Str(operation)] => narrow(BTreeSet::from([operation.clone()])),
            [Term::Variable(variable)] => {
                for expression in &rule.expressions {
                    if let Some(set) = constrained(&expression.ops, variable) {
                        narrow(set);
                    }
                }
            }
            _ => {}
        }
    }
    allowed
}

/// The strings an expression lets `variable` be, for the two shapes attenuation tools write.
fn constrained(ops: &[Op], variable: &str) -> Option<BTreeSet<String>> {
    let is_variable = |term: &Term| matches!(term, Term::Variable(v) if v == variable);
    match ops {
        [
            Op::Value(Term::Set(items)),
            Op::Value(var),
            Op::Binary(Binary::Contains),
        ] if is_variable(var) => Some(
            items
                .iter()
                .filter_map(|item| match item {
                    Term::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
        ),
        [
            Op::Value(a),
            Op::Value(b),
            Op::Binary(Binary::Equal | Binary::HeterogeneousEqual),
        ] => match (a, b) {
            (var, Term::Str(s)) | (Term::Str(s), var) if is_variable(var) => {
                Some(BTreeSet::from([s.clone()]))
            }
            _ => None,
        },
        _ => None,
    }
}
