//! What a wait waits for: a [`Condition`] on the builds one poll sees, composable in the
//! style of kube-runtime's `await_condition` (`and`, `or`, `not`, or any closure), and the
//! conditions a CI job asks most, in [`conditions`].

use crate::models::Build;

/// A condition on the builds a wait's filter selects at one poll: the wait is over when it
/// is met.
///
/// ```
/// use nixbuild::api::conditions::{all_finished, any_finished, latest_per_derivation};
/// use nixbuild::api::Condition;
///
/// // The default: every derivation's newest build has finished.
/// let every = latest_per_derivation(all_finished());
/// // Done as soon as one has finished, or when a build of `hello` appears at all.
/// let early = latest_per_derivation(any_finished())
///     .or(|builds: &[nixbuild::Build]| builds.iter().any(|b| b.name().starts_with("hello")));
/// assert!(!every.is_met(&[]) && !early.is_met(&[]));
/// ```
pub trait Condition: Send + Sync {
    /// Whether the wait is over for `builds`: every build the filter selects at one poll.
    fn is_met(&self, builds: &[Build]) -> bool;

    /// Met when both are.
    fn and<C: Condition>(self, other: C) -> And<Self, C>
    where
        Self: Sized,
    {
        And(self, other)
    }

    /// Met when either is.
    fn or<C: Condition>(self, other: C) -> Or<Self, C>
    where
        Self: Sized,
    {
        Or(self, other)
    }

    /// Met when this is not.
    fn not(self) -> Not<Self>
    where
        Self: Sized,
    {
        Not(self)
    }
}

impl<F> Condition for F
where
    F: Fn(&[Build]) -> bool + Send + Sync,
{
    fn is_met(&self, builds: &[Build]) -> bool {
        self(builds)
    }
}

/// Both conditions: from [`Condition::and`].
#[derive(Debug, Clone, Copy)]
pub struct And<A, B>(A, B);

impl<A: Condition, B: Condition> Condition for And<A, B> {
    fn is_met(&self, builds: &[Build]) -> bool {
        self.0.is_met(builds) && self.1.is_met(builds)
    }
}

/// Either condition: from [`Condition::or`].
#[derive(Debug, Clone, Copy)]
pub struct Or<A, B>(A, B);

impl<A: Condition, B: Condition> Condition for Or<A, B> {
    fn is_met(&self, builds: &[Build]) -> bool {
        self.0.is_met(builds) || self.1.is_met(builds)
    }
}

/// The opposite condition: from [`Condition::not`].
#[derive(Debug, Clone, Copy)]
pub struct Not<A>(A);

impl<A: Condition> Condition for Not<A> {
    fn is_met(&self, builds: &[Build]) -> bool {
        !self.0.is_met(builds)
    }
}

/// A condition that looks only at each derivation's newest build: from
/// [`conditions::latest_per_derivation`].
#[derive(Debug, Clone, Copy)]
pub struct LatestPerDerivation<C>(C);

impl<C: Condition> Condition for LatestPerDerivation<C> {
    fn is_met(&self, builds: &[Build]) -> bool {
        let latest: Vec<Build> = newest_per_derivation(builds).into_iter().cloned().collect();
        self.0.is_met(&latest)
    }
}

/// Whether `build` is final: finished, and not superseded by a restart (a build with
/// `restarted_as_build_id` was restarted, and its result discarded).
pub fn is_final(build: &Build) -> bool {
    build.status.is_finished() && !build.is_discarded()
}

/// For each derivation among `builds`, its newest build that was not restarted (by creation
/// time, then id): a failure rebuilt since is superseded by the rebuild, and a build
/// restarted as another by that one. A derivation whose every build was restarted, the
/// restart not yet seen, is represented by its newest build, which is not
/// [final](is_final): the wait goes on until the restart shows. Sorted by derivation path.
pub fn newest_per_derivation(builds: &[Build]) -> Vec<&Build> {
    let mut newest: std::collections::BTreeMap<&str, &Build> = std::collections::BTreeMap::new();
    for build in builds {
        let rank = |b: &Build| (!b.is_discarded(), b.create_time, b.build_id);
        newest
            .entry(build.derivation_path.as_str())
            .and_modify(|kept| {
                if rank(build) > rank(kept) {
                    *kept = build;
                }
            })
            .or_insert(build);
    }
    newest.into_values().collect()
}

/// The conditions a CI job asks most; combine them with [`Condition`]'s methods.
pub mod conditions {
    use super::{Condition, LatestPerDerivation, is_final};
    use crate::models::Build;

    /// At least one build, and every build [final](is_final): finished, and not restarted.
    pub fn all_finished() -> impl Condition + Copy {
        |builds: &[Build]| !builds.is_empty() && builds.iter().all(is_final)
    }

    /// At least one build [final](is_final).
    pub fn any_finished() -> impl Condition + Copy {
        |builds: &[Build]| builds.iter().any(is_final)
    }

    /// `inner`, judged on each derivation's newest build only
    /// ([`newest_per_derivation`](super::newest_per_derivation)): an attempt superseded by
    /// a rebuild or a restart no longer counts, whether it failed or succeeded.
    pub fn latest_per_derivation<C: Condition>(inner: C) -> LatestPerDerivation<C> {
        LatestPerDerivation(inner)
    }
}
