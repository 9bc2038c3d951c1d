//! [`KeySet`]: the builds of one index entry (a derivation, a tag's value, a status), in the
//! API's order: a sorted vector while small, [`Blocks`] of sorted vectors once large.
//!
//! Most entries are small (a CI run's builds, a derivation built a few times) and a few are
//! huge (a status, a repository's tag). A tree per entry made loading a million builds spend
//! most of its time allocating 125,000 tree nodes for as many CI runs; a sorted vector of a
//! few keys costs one allocation, is searched by bisection, and inserts by moving a few keys.

use std::cmp::Ordering;
use std::ops::RangeBounds;

use chrono::{DateTime, Utc};
use nixbuild::BuildId;

use super::sorted_blocks::{Blocks, BlocksRange, Spans, bounds_within};

/// A build's place in the API's order (sorting keys ascending lists builds newest first),
/// and where the store keeps it: a walk of an index reaches each build directly.
///
/// The creation time is kept as integers (seconds, then nanoseconds, which chrono's own order
/// agrees with, leap seconds included), so that ordering two keys compares three integers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    seconds: i64,
    id: u64,
    nanos: u32,
    /// The build's place in the store; not part of the order (a build has one place).
    pub(crate) slot: u32,
}

impl Key {
    pub(crate) fn new(created: DateTime<Utc>, id: BuildId, slot: u32) -> Key {
        Key {
            seconds: created.timestamp(),
            nanos: created.timestamp_subsec_nanos(),
            id: id.0,
            slot,
        }
    }

    /// The id of the key's build.
    pub(crate) fn id(&self) -> BuildId {
        BuildId(self.id)
    }

    /// The last key of instant `t` in the order: every build created at `t` sorts before
    /// it or is it (build id 0), every build created before `t` after it.
    pub(crate) fn last_at(t: DateTime<Utc>) -> Key {
        Key::new(t, BuildId(0), 0)
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        // Newest first, then highest id first. With comparison operators, each field looked
        // at once, rather than a tuple's `cmp`: a debug build, where a test suite runs the
        // mock, makes a call of each of the tuple's comparisons, and a query bisects its
        // window's ends with this.
        let (earlier, later) = (Ordering::Greater, Ordering::Less);
        if self.seconds != other.seconds {
            return if self.seconds > other.seconds {
                later
            } else {
                earlier
            };
        }
        if self.nanos != other.nanos {
            return if self.nanos > other.nanos { later } else { earlier };
        }
        if self.id != other.id {
            return if self.id > other.id { later } else { earlier };
        }
        Ordering::Equal
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key {}

/// The most keys kept in a sorted vector; one more and the set becomes [`Blocks`] (so that
/// an insert never moves more than this many keys, and a small set is one allocation).
const MAX_SMALL: usize = 64;

/// Keys in order, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeySet {
    /// At most [`MAX_SMALL`] keys, sorted.
    Small(Vec<Key>),
    /// More.
    Large(Blocks<Key>),
}

impl Default for KeySet {
    fn default() -> Self {
        KeySet::EMPTY
    }
}

impl KeySet {
    /// No keys.
    pub(crate) const EMPTY: KeySet = KeySet::Small(Vec::new());

    /// A set of `keys`, which are sorted and distinct.
    pub(crate) fn from_sorted(mut keys: Vec<Key>) -> KeySet {
        if keys.len() <= MAX_SMALL {
            keys.shrink_to_fit();
            KeySet::Small(keys)
        } else {
            KeySet::from_sorted_slice(&keys)
        }
    }

    /// A set of a copy of `keys`, which are sorted and distinct.
    pub(crate) fn from_sorted_slice(keys: &[Key]) -> KeySet {
        if keys.len() <= MAX_SMALL {
            KeySet::Small(keys.to_vec())
        } else {
            KeySet::Large(Blocks::from_sorted_slice(keys))
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            KeySet::Small(keys) => keys.len(),
            KeySet::Large(keys) => keys.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `key` (once).
    pub(crate) fn insert(&mut self, key: Key) {
        match self {
            KeySet::Small(keys) => {
                if let Err(at) = keys.binary_search(&key) {
                    keys.insert(at, key);
                }
                if keys.len() > MAX_SMALL {
                    *self = KeySet::Large(Blocks::from_sorted_slice(keys));
                }
            }
            KeySet::Large(keys) => {
                keys.insert(key);
            }
        }
    }

    /// Removes `key`, if it is there.
    pub(crate) fn remove(&mut self, key: &Key) {
        match self {
            KeySet::Small(keys) => {
                if let Ok(at) = keys.binary_search(key) {
                    keys.remove(at);
                }
            }
            KeySet::Large(keys) => {
                keys.remove(key);
            }
        }
    }

    /// The keys within `bounds`, in order.
    pub(crate) fn range(&self, bounds: impl RangeBounds<Key>) -> KeyRange<'_> {
        match self {
            KeySet::Small(keys) => {
                let (start, end) = bounds_within(keys, &bounds);
                KeyRange::Small(keys[start..end.max(start)].iter())
            }
            KeySet::Large(blocks) => KeyRange::Large(blocks.range(bounds)),
        }
    }

    /// The keys within `bounds`, block by block (a small set is one block): the same keys
    /// as [`range`](Self::range), with where each lies, for what is kept block by block.
    /// Blocks are numbered afresh by every change of the set.
    pub(crate) fn spans(&self, bounds: impl RangeBounds<Key>) -> Spans<'_, Key> {
        match self {
            KeySet::Small(keys) => Spans::of_one(keys, &bounds),
            KeySet::Large(blocks) => blocks.spans(bounds),
        }
    }
}

/// The keys of a [`KeySet`] within a range, in order.
pub(crate) enum KeyRange<'a> {
    Small(std::slice::Iter<'a, Key>),
    Large(BlocksRange<'a, Key>),
}

impl<'a> Iterator for KeyRange<'a> {
    type Item = &'a Key;

    fn next(&mut self) -> Option<&'a Key> {
        match self {
            KeyRange::Small(keys) => keys.next(),
            KeyRange::Large(keys) => keys.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::ops::Bound;

    use chrono::{TimeZone, Utc};
    use nixbuild::BuildId;

    use super::*;

    fn key(second: u32, id: u64) -> Key {
        Key::new(Utc.timestamp_opt(i64::from(second), 0).unwrap(), BuildId(id), 0)
    }

    #[test]
    fn keys_sort_as_chronos_times_do_newest_first() {
        let mut rng = fastrand::Rng::with_seed(3);
        let times: Vec<DateTime<Utc>> = (0..2000)
            .map(|i| {
                let seconds = rng.i64(-100_000_000_000..100_000_000_000) / rng.i64(1..1000);
                // Many share a second, some a nanosecond, and one in fifty sits in a leap
                // second (the 59th second, with more than 10⁹ nanoseconds).
                if i % 50 == 0 {
                    let minute_end = seconds - seconds.rem_euclid(60) + 59;
                    return DateTime::from_timestamp(minute_end, 1_000_000_000 + rng.u32(0..2)).unwrap();
                }
                let nanos = rng.u32(0..4) * 250_000_000 + rng.u32(0..2);
                DateTime::from_timestamp(seconds, nanos).unwrap()
            })
            .collect();
        for (i, a) in times.iter().enumerate() {
            let b = &times[(i * 7919) % times.len()];
            let ka = Key::new(*a, BuildId(i as u64 % 3), 1);
            let kb = Key::new(*b, BuildId(i as u64 % 5), 2);
            let expected = (std::cmp::Reverse(*a), std::cmp::Reverse(i as u64 % 3))
                .cmp(&(std::cmp::Reverse(*b), std::cmp::Reverse(i as u64 % 5)));
            assert_eq!(ka.cmp(&kb), expected, "{a:?} {b:?}");
        }
    }

    #[test]
    fn small_and_large_sets_answer_every_range_as_a_tree_does() {
        // Up to many blocks of the large form, so that blocks split as keys come and are
        // joined or dropped as most go.
        for size in [0, 1, 5, MAX_SMALL, MAX_SMALL + 1, 3 * MAX_SMALL, 1_000, 3_000] {
            let mut rng = fastrand::Rng::with_seed(size as u64);
            let mut set = KeySet::default();
            let mut tree = BTreeSet::new();
            // Inserted in no order, some twice; then some removed (most of a large set's),
            // some of them twice or never there.
            let mut numbers: Vec<u32> = (0..size as u32).chain(0..size as u32 / 2).collect();
            rng.shuffle(&mut numbers);
            for &i in &numbers {
                set.insert(key(i / 3, u64::from(i)));
                tree.insert(key(i / 3, u64::from(i)));
            }
            let removing = if size > 3 * MAX_SMALL { 4 } else { 1 };
            rng.shuffle(&mut numbers);
            for &i in numbers
                .iter()
                .filter(|&&i| i % 5 < removing)
                .chain(&[size as u32 + 9])
            {
                set.remove(&key(i / 3, u64::from(i)));
                tree.remove(&key(i / 3, u64::from(i)));
            }
            assert_eq!(set.len(), tree.len());
            if size > MAX_SMALL {
                assert!(matches!(set, KeySet::Large(_)), "large past {MAX_SMALL} keys");
            }
            let from_sorted = KeySet::from_sorted(tree.iter().copied().collect());
            // Keys there and not, before, among and after them.
            let last = size as u32 / 3 + 2;
            let probes: Vec<Key> = (0..=12)
                .map(|n| {
                    let second = last * n / 12;
                    key(second, u64::from(second * 3 + n % 3))
                })
                .chain([key(0, 0), key(last + 10, 1)])
                .collect();
            for (a, b) in probes.iter().flat_map(|a| probes.iter().map(move |b| (a, b))) {
                if a > b {
                    continue;
                }
                for bounds in [
                    (Bound::Included(*a), Bound::Included(*b)),
                    (Bound::Included(*a), Bound::Excluded(*b)),
                    (Bound::Excluded(*a), Bound::Included(*b)),
                    (Bound::Excluded(*a), Bound::Unbounded),
                    (Bound::Unbounded, Bound::Excluded(*b)),
                    (Bound::Unbounded, Bound::Unbounded),
                ] {
                    let expected: Vec<&Key> = tree.range(bounds).collect();
                    assert_eq!(
                        set.range(bounds).collect::<Vec<_>>(),
                        expected,
                        "{size}: {bounds:?}"
                    );
                    assert_eq!(from_sorted.range(bounds).collect::<Vec<_>>(), expected);
                }
            }
        }
    }
}
