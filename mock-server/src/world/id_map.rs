//! [`IdMap`]: each build's slot by its id, in a dense table where ids run in order.
//!
//! The mock gives ids in order (from 10,000,000), and a generated or recorded run of builds
//! often has consecutive ids: a table indexed by the id's distance from the first takes four
//! bytes an id and no hashing, where a hash table took 32 bytes an id at a million. Ids out
//! of that run (a recording's, spread over the service's whole history) go to a hash table.

// hashbrown for its default hasher, as the store's other tables.
use hashbrown::HashMap;
use nixbuild::BuildId;

/// A place of the dense table no build has.
const NONE: u32 = u32::MAX;

/// How many ids past the dense table's end an id may be and still extend it (the ids
/// between kept empty): a run with small gaps stays dense, and the table never holds more
/// empty places than this per id it holds.
const MAX_GAP: u64 = 8;

/// Slots by build id: see the module's documentation.
#[derive(Debug, Default)]
pub(crate) struct IdMap {
    /// The id of `dense[0]`.
    base: u64,
    /// The slot of id `base + i` at `i`, or [`NONE`].
    dense: Vec<u32>,
    /// How many places of `dense` hold a slot.
    in_dense: usize,
    /// The ids outside the dense table.
    sparse: HashMap<BuildId, u32>,
}

impl IdMap {
    /// A map of `pairs` (ids with their slots, `count` of them): dense over the ids' range
    /// when it is at most twice as long as there are ids. Where an id repeats, the last
    /// pair's slot is kept.
    pub(crate) fn from_pairs(pairs: impl Iterator<Item = (BuildId, u32)> + Clone, count: usize) -> IdMap {
        let range =
            pairs
                .clone()
                .map(|(id, _)| id.0)
                .fold(None, |range: Option<(u64, u64)>, id| match range {
                    None => Some((id, id)),
                    Some((low, high)) => Some((low.min(id), high.max(id))),
                });
        let mut map = IdMap::default();
        if let Some((low, high)) = range {
            let span = high - low;
            if span < u64::try_from(count.saturating_mul(2)).unwrap_or(u64::MAX) {
                map.base = low;
                // The span is below twice the count of ids given: it fits in memory.
                map.dense = vec![NONE; usize::try_from(span).map_or(0, |span| span + 1)];
            } else {
                map.sparse.reserve(count);
            }
        }
        for (id, slot) in pairs {
            map.insert(id, slot);
        }
        map
    }

    /// The place of `id` in the dense table, if it is within it.
    fn place(&self, id: BuildId) -> Option<usize> {
        let distance = id.0.checked_sub(self.base)?;
        usize::try_from(distance).ok().filter(|at| *at < self.dense.len())
    }

    pub(crate) fn get(&self, id: BuildId) -> Option<u32> {
        match self.place(id) {
            Some(at) => self.dense.get(at).copied().filter(|slot| *slot != NONE),
            None => self.sparse.get(&id).copied(),
        }
    }

    /// Gives `id` `slot`; returns the slot it had.
    pub(crate) fn insert(&mut self, id: BuildId, slot: u32) -> Option<u32> {
        if self.place(id).is_none() && self.sparse.is_empty() && self.dense.is_empty() {
            self.base = id.0;
        }
        if self.place(id).is_none() {
            // Just past the end (within a small gap): the dense table grows to hold it.
            let end = self.base.saturating_add(self.dense.len() as u64);
            if id.0 >= end && id.0 - end <= MAX_GAP {
                let gap = (id.0 - end) as usize;
                self.dense.extend(std::iter::repeat_n(NONE, gap + 1));
                // Ids of the new places that were kept apart move in.
                for (at, moved) in (end..=id.0).enumerate() {
                    if let Some(slot) = self.sparse.remove(&BuildId(moved)) {
                        let place = self.dense.len() - (gap + 1) + at;
                        self.dense[place] = slot;
                        self.in_dense += 1;
                    }
                }
            }
        }
        let Some(at) = self.place(id) else {
            return self.sparse.insert(id, slot);
        };
        let old = std::mem::replace(&mut self.dense[at], slot);
        if old == NONE {
            self.in_dense += 1;
            None
        } else {
            Some(old)
        }
    }

    /// Takes `id` out; returns the slot it had.
    pub(crate) fn remove(&mut self, id: BuildId) -> Option<u32> {
        let Some(at) = self.place(id) else {
            return self.sparse.remove(&id);
        };
        let old = std::mem::replace(&mut self.dense[at], NONE);
        if old == NONE {
            return None;
        }
        self.in_dense -= 1;
        Some(old)
    }

    pub(crate) fn len(&self) -> usize {
        self.in_dense + self.sparse.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The highest id it holds (a scan: the store asks only when the highest is removed).
    pub(crate) fn max_id(&self) -> Option<BuildId> {
        let dense = self
            .dense
            .iter()
            .rposition(|slot| *slot != NONE)
            .map(|at| BuildId(self.base + at as u64));
        dense.max(self.sparse.keys().max().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation on the map agrees with a plain hash map, for ids in runs, with gaps,
    /// spread out, at the ends of the range, and repeated.
    #[test]
    fn the_map_agrees_with_a_hash_map_whatever_the_ids() {
        let mut rng = fastrand::Rng::with_seed(3);
        // The id of the `i`th build, from a generator.
        type Shape<'a> = &'a dyn Fn(&mut fastrand::Rng, u64) -> u64;
        let shapes: [Shape; 6] = [
            &|_, i| 10_000_000 + i,
            // A run with ids now and then ahead of it, which it reaches later.
            &|rng, i| 10_000 + i + if rng.u8(..8) == 0 { rng.u64(9..30) } else { 0 },
            &|rng, i| 10_000_000 + 3 * i + rng.u64(0..3),
            &|rng, _| rng.u64(..),
            &|rng, i| {
                if i % 2 == 0 {
                    rng.u64(..4)
                } else {
                    u64::MAX - rng.u64(..4)
                }
            },
            &|rng, _| 500 + rng.u64(..40),
        ];
        for shape in shapes {
            let ids: Vec<BuildId> = (0..2000).map(|i| BuildId(shape(&mut rng, i))).collect();
            let pairs = ids.iter().enumerate().map(|(slot, id)| (*id, slot as u32));
            let mut map = IdMap::from_pairs(pairs.clone().take(1000), 1000);
            let mut plain: HashMap<BuildId, u32> = pairs.clone().take(1000).collect();
            for (id, slot) in pairs.skip(1000) {
                match rng.u8(..3) {
                    0 => assert_eq!(map.remove(id), plain.remove(&id)),
                    _ => assert_eq!(map.insert(id, slot), plain.insert(id, slot)),
                }
                assert_eq!(map.len(), plain.len());
            }
            for id in ids
                .iter()
                .chain(&[BuildId(0), BuildId(u64::MAX), BuildId(9_999_999)])
            {
                assert_eq!(map.get(*id), plain.get(id).copied(), "{id:?}");
            }
            assert_eq!(map.max_id(), plain.keys().max().copied());
            assert_eq!(map.is_empty(), plain.is_empty());
        }
    }

    #[test]
    fn ids_in_a_run_are_kept_dense_and_spread_ones_are_not() {
        let run = IdMap::from_pairs(
            (0..1000u32).map(|i| (BuildId(10_000_000 + 2 * u64::from(i)), i)),
            1000,
        );
        assert!(run.sparse.is_empty());
        assert_eq!(run.dense.len(), 1999);
        let spread = IdMap::from_pairs((0..1000u32).map(|i| (BuildId(u64::from(i) << 40), i)), 1000);
        // (The first id starts a dense table, which the next, far off, does not extend.)
        assert!(spread.dense.len() <= 1 && spread.sparse.len() >= 999);
        assert_eq!(spread.len(), 1000);
        // An id far ahead of the run is kept apart until the run reaches it.
        let mut reached = IdMap::default();
        reached.insert(BuildId(100), 0);
        reached.insert(BuildId(120), 1);
        (101..=119).chain([121]).for_each(|id| {
            reached.insert(BuildId(id), 2);
        });
        assert_eq!(reached.get(BuildId(120)), Some(1));
        assert_eq!(reached.remove(BuildId(120)), Some(1));
        assert_eq!(reached.len(), 21);
        // Inserting one by one from empty, in order with small gaps: dense too.
        let mut grown = IdMap::default();
        for i in 0..1000u32 {
            grown.insert(BuildId(7 + 5 * u64::from(i)), i);
        }
        assert!(grown.sparse.is_empty());
        assert_eq!(grown.get(BuildId(7 + 5 * 999)), Some(999));
    }
}
