//! [`Blocks`]: many keys in order, as a run of short sorted vectors.
//!
//! It replaced a `BTreeSet` for an index's large entries (the whole store's order, a
//! status, a repository's tag): walking a range of the tree was its navigation per key,
//! which a user's debug build compiles without optimisation, about a seventh of the mock's own
//! time per first-time query there (`perf`). A walk here is a slice's iterator, block after
//! block.
//!
//! Finding a key's block bisects the blocks' first keys, which lie together; loading copies
//! the sorted keys block by block where the tree allocated a node per eleven keys.

use std::cmp::Ordering;
use std::ops::{Bound, RangeBounds};

/// The most keys a block holds; one more and it is split in two. An insert moves at most
/// this many keys (6 KiB of the store's 24-byte keys), and a million keys take 4,000 blocks
/// when full.
const MAX_BLOCK: usize = 256;

/// A block this small after a removal is joined to a neighbour that has room, so that
/// removals do not leave many near-empty blocks.
const MIN_BLOCK: usize = MAX_BLOCK / 4;

/// Keys in their order, each once (the store's are an index's keys): blocks of at most
/// [`MAX_BLOCK`] keys, none empty, each sorted and each before the next; `firsts` holds each
/// block's first key.
#[derive(Debug, Clone)]
pub(crate) struct Blocks<K> {
    blocks: Vec<Vec<K>>,
    firsts: Vec<K>,
    len: usize,
}

impl<K> Default for Blocks<K> {
    fn default() -> Self {
        Blocks {
            blocks: Vec::new(),
            firsts: Vec::new(),
            len: 0,
        }
    }
}

/// Where `bounds` fall among `keys` (sorted): the place of the first key within the start
/// bound, and of the first past the end bound (which may come before the start).
pub(crate) fn bounds_within<K: Ord>(keys: &[K], bounds: &impl RangeBounds<K>) -> (usize, usize) {
    (start_within(keys, bounds), end_within(keys, bounds))
}

/// The place among `keys` (sorted) of the first key within `bounds`' start.
fn start_within<K: Ord>(keys: &[K], bounds: &impl RangeBounds<K>) -> usize {
    match bounds.start_bound() {
        Bound::Included(start) => count_before(keys, start, false),
        Bound::Excluded(start) => count_before(keys, start, true),
        Bound::Unbounded => 0,
    }
}

/// The place among `keys` (sorted) of the first key past `bounds`' end.
fn end_within<K: Ord>(keys: &[K], bounds: &impl RangeBounds<K>) -> usize {
    match bounds.end_bound() {
        Bound::Included(end) => count_before(keys, end, true),
        Bound::Excluded(end) => count_before(keys, end, false),
        Bound::Unbounded => keys.len(),
    }
}

/// How many of `keys` (sorted) come before `key`, and those equal to it too when
/// `and_equal`. A plain bisection: `partition_point` made a debug build, where a test suite
/// runs the mock, call through a closure and `PartialOrd` at every step, and every window
/// query bisects its end's block and that block's keys.
fn count_before<K: Ord>(keys: &[K], key: &K, and_equal: bool) -> usize {
    let (mut low, mut high) = (0, keys.len());
    while low < high {
        let middle = low + (high - low) / 2;
        let before = match keys[middle].cmp(key) {
            Ordering::Less => true,
            Ordering::Equal => and_equal,
            Ordering::Greater => false,
        };
        if before {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
}

/// The key a range's bound is set at, if it has one.
fn bound_key<K>(bound: Bound<&K>) -> Option<&K> {
    match bound {
        Bound::Included(key) | Bound::Excluded(key) => Some(key),
        Bound::Unbounded => None,
    }
}

impl<K: Ord + Copy> Blocks<K> {
    /// The blocks of `keys`, which are sorted and distinct: full blocks, in one pass.
    pub(crate) fn from_sorted_slice(keys: &[K]) -> Self {
        let blocks: Vec<Vec<K>> = keys.chunks(MAX_BLOCK).map(<[K]>::to_vec).collect();
        let firsts = keys.iter().step_by(MAX_BLOCK).copied().collect();
        Blocks {
            blocks,
            firsts,
            len: keys.len(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The block `key` belongs in: the last whose first key is not after it (the first block
    /// when every block's first key is).
    fn block_of(&self, key: &K) -> usize {
        count_before(&self.firsts, key, true).saturating_sub(1)
    }

    /// Adds `key` (once).
    pub(crate) fn insert(&mut self, key: K) {
        if self.blocks.is_empty() {
            self.blocks.push(vec![key]);
            self.firsts.push(key);
            self.len = 1;
            return;
        }
        let at_block = self.block_of(&key);
        let block = &mut self.blocks[at_block];
        let Err(at) = block.binary_search(&key) else {
            return;
        };
        block.insert(at, key);
        self.len += 1;
        if at == 0 {
            self.firsts[at_block] = key;
        }
        if block.len() > MAX_BLOCK {
            let second_half = block.split_off(block.len() / 2);
            self.firsts.insert(at_block + 1, second_half[0]);
            self.blocks.insert(at_block + 1, second_half);
        }
    }

    /// Removes `key`, if it is there.
    pub(crate) fn remove(&mut self, key: &K) {
        if self.blocks.is_empty() {
            return;
        }
        let at_block = self.block_of(key);
        let block = &mut self.blocks[at_block];
        let Ok(at) = block.binary_search(key) else {
            return;
        };
        block.remove(at);
        self.len -= 1;
        match block.first() {
            None => {
                self.blocks.remove(at_block);
                self.firsts.remove(at_block);
                return;
            }
            Some(&first) => self.firsts[at_block] = first,
        }
        if block.len() < MIN_BLOCK {
            self.join_with_a_neighbour(at_block);
        }
    }

    /// Joins block `at` to the block after it, or else to the one before, if the two fit in
    /// one.
    fn join_with_a_neighbour(&mut self, at: usize) {
        let fits = |blocks: &[Vec<K>], a: usize| {
            blocks
                .get(a + 1)
                .is_some_and(|next| blocks[a].len() + next.len() <= MAX_BLOCK)
        };
        let first = if fits(&self.blocks, at) {
            at
        } else if at > 0 && fits(&self.blocks, at - 1) {
            at - 1
        } else {
            return;
        };
        let second = self.blocks.remove(first + 1);
        self.firsts.remove(first + 1);
        self.blocks[first].extend(second);
    }

    /// The keys within `bounds`, in order.
    pub(crate) fn range(&self, bounds: impl RangeBounds<K>) -> BlocksRange<'_, K> {
        let Some(((start_block, start_at), (end_block, end_at))) = self.ends(&bounds) else {
            return BlocksRange::default();
        };
        if start_block == end_block {
            return BlocksRange {
                current: self.blocks[start_block][start_at..end_at].iter(),
                ..BlocksRange::default()
            };
        }
        BlocksRange {
            current: self.blocks[start_block][start_at..].iter(),
            middle: self.blocks[start_block + 1..end_block].iter(),
            last: &self.blocks[end_block][..end_at],
        }
    }

    /// The keys within `bounds`, block by block: each block they touch, numbered, with the
    /// part of it they take.
    pub(crate) fn spans(&self, bounds: impl RangeBounds<K>) -> Spans<'_, K> {
        match self.ends(&bounds) {
            Some((start, end)) => Spans {
                blocks: &self.blocks,
                next: start.0,
                start,
                end,
            },
            None => Spans::default(),
        }
    }

    /// Where the keys within `bounds` start and end: a block's index and a place within that
    /// block (its length when the place is past its last key), for the first key and for the
    /// place past the last; `None` when no key is within.
    fn ends(&self, bounds: &impl RangeBounds<K>) -> Option<((usize, usize), (usize, usize))> {
        let last_block = self.blocks.len().checked_sub(1)?;
        // Each end is in the block its bound's key belongs in; each searched for alone (a
        // window query asks this, and a debug build pays for each key compared).
        let start = match bound_key(bounds.start_bound()) {
            Some(key) => {
                let at_block = self.block_of(key);
                (at_block, start_within(&self.blocks[at_block], bounds))
            }
            None => (0, 0),
        };
        let end = match bound_key(bounds.end_bound()) {
            Some(key) => {
                let at_block = self.block_of(key);
                (at_block, end_within(&self.blocks[at_block], bounds))
            }
            None => (last_block, self.blocks[last_block].len()),
        };
        (start < end).then_some((start, end))
    }

    /// Every key, in order.
    fn iter(&self) -> BlocksRange<'_, K> {
        self.range(..)
    }
}

impl<K: Ord + Copy> PartialEq for Blocks<K> {
    /// The same keys, however they are split into blocks.
    fn eq(&self, other: &Blocks<K>) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<K: Ord + Copy> Eq for Blocks<K> {}

/// The keys of [`Blocks`] within a range, in order: what is left of the block being read,
/// the whole blocks after it, and the start of the last.
pub(crate) struct BlocksRange<'a, K> {
    current: std::slice::Iter<'a, K>,
    middle: std::slice::Iter<'a, Vec<K>>,
    last: &'a [K],
}

impl<K> Default for BlocksRange<'_, K> {
    fn default() -> Self {
        BlocksRange {
            current: [].iter(),
            middle: [].iter(),
            last: &[],
        }
    }
}

impl<'a, K> Iterator for BlocksRange<'a, K> {
    type Item = &'a K;

    fn next(&mut self) -> Option<&'a K> {
        loop {
            if let Some(key) = self.current.next() {
                return Some(key);
            }
            if let Some(block) = self.middle.next() {
                self.current = block.iter();
            } else if !self.last.is_empty() {
                self.current = std::mem::take(&mut self.last).iter();
            } else {
                return None;
            }
        }
    }
}

/// The keys of [`Blocks`] (or of one sorted slice) within a range, block by block (see
/// [`Blocks::spans`]).
pub(crate) struct Spans<'a, K> {
    blocks: &'a [Vec<K>],
    /// The next block to show.
    next: usize,
    /// The first block, and the place of the first key in it.
    start: (usize, usize),
    /// The last block, and the place past the last key in it.
    end: (usize, usize),
}

impl<K> Default for Spans<'_, K> {
    fn default() -> Self {
        // No blocks: the first is not there.
        Spans {
            blocks: &[],
            next: 0,
            start: (0, 0),
            end: (0, 0),
        }
    }
}

impl<'a, K> Spans<'a, K> {
    /// The keys of `keys` (sorted) within `bounds`, as a single block numbered 0.
    pub(crate) fn of_one(keys: &'a Vec<K>, bounds: &impl RangeBounds<K>) -> Self
    where
        K: Ord,
    {
        let (start, end) = bounds_within(keys, bounds);
        if start >= end {
            return Spans::default();
        }
        Spans {
            blocks: std::slice::from_ref(keys),
            next: 0,
            start: (0, start),
            end: (0, end),
        }
    }
}

/// A block's part of a range: the block's number and all its keys, and the part within the
/// range, `keys[from..to]`.
pub(crate) struct Span<'a, K> {
    pub(crate) block: usize,
    pub(crate) keys: &'a [K],
    pub(crate) from: usize,
    pub(crate) to: usize,
}

impl<'a, K> Iterator for Spans<'a, K> {
    type Item = Span<'a, K>;

    fn next(&mut self) -> Option<Span<'a, K>> {
        loop {
            let block = self.next;
            if block > self.end.0 {
                return None;
            }
            let keys = self.blocks.get(block)?;
            self.next += 1;
            let from = if block == self.start.0 { self.start.1 } else { 0 };
            let to = if block == self.end.0 {
                self.end.1
            } else {
                keys.len()
            };
            // A range can start past the last key of its first block.
            if from < to {
                return Some(Span {
                    block,
                    keys,
                    from,
                    to,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every block within its bounds and not empty, in order, with its first key beside.
    fn assert_well_formed(blocks: &Blocks<u32>) {
        assert_eq!(blocks.blocks.len(), blocks.firsts.len());
        assert_eq!(blocks.blocks.iter().map(Vec::len).sum::<usize>(), blocks.len());
        for (block, first) in blocks.blocks.iter().zip(&blocks.firsts) {
            assert!(
                !block.is_empty() && block.len() <= MAX_BLOCK,
                "{} keys",
                block.len()
            );
            assert_eq!(&block[0], first);
            assert!(block.windows(2).all(|pair| pair[0] < pair[1]));
        }
        assert!(
            blocks
                .blocks
                .windows(2)
                .all(|pair| pair[0][pair[0].len() - 1] < pair[1][0])
        );
    }

    #[test]
    fn blocks_split_as_keys_come_and_join_as_they_go() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut numbers: Vec<u32> = (0..5_000).collect();
        rng.shuffle(&mut numbers);
        let mut blocks = Blocks::default();
        for &n in &numbers {
            blocks.insert(n);
        }
        assert_well_formed(&blocks);
        assert!(
            blocks.blocks.len() >= 5_000 / MAX_BLOCK,
            "{} blocks",
            blocks.blocks.len()
        );
        // The same keys loaded whole are split otherwise, and equal.
        let sorted: Vec<u32> = blocks.iter().copied().collect();
        assert_eq!(sorted.len(), 5_000);
        assert_eq!(Blocks::from_sorted_slice(&sorted), blocks);
        rng.shuffle(&mut numbers);
        for &n in &numbers[..4_900] {
            blocks.remove(&n);
            blocks.remove(&n);
        }
        assert_well_formed(&blocks);
        // A hundred keys left: the blocks emptied were dropped and most of the rest joined.
        assert_eq!(blocks.len(), 100);
        assert!(
            blocks.blocks.len() <= 100 / MIN_BLOCK + 2,
            "{} blocks",
            blocks.blocks.len()
        );
        assert_ne!(Blocks::from_sorted_slice(&sorted), blocks);
        for &n in &numbers[4_900..] {
            blocks.remove(&n);
        }
        assert_eq!((blocks.len(), blocks.blocks.len()), (0, 0));
        assert_eq!(blocks.range(..).count(), 0);
    }

    #[test]
    fn a_bisection_counts_what_partition_point_counts() {
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..2_000 {
            let mut keys: Vec<u8> = (0..rng.usize(..40)).map(|_| rng.u8(..20)).collect();
            keys.sort_unstable();
            let key = rng.u8(..22);
            assert_eq!(
                count_before(&keys, &key, false),
                keys.partition_point(|k| *k < key)
            );
            assert_eq!(
                count_before(&keys, &key, true),
                keys.partition_point(|k| *k <= key)
            );
        }
    }

    #[test]
    fn spans_are_the_range_block_by_block() {
        use std::ops::Bound::{Excluded, Included, Unbounded};
        let mut rng = fastrand::Rng::with_seed(11);
        let mut blocks = Blocks::default();
        for _ in 0..3_000 {
            blocks.insert(rng.u32(..10_000));
        }
        let one_block: Vec<u32> = (0..50).map(|n| n * 3).collect();
        let bound = |rng: &mut fastrand::Rng| match rng.u8(..3) {
            0 => Unbounded,
            1 => Included(rng.u32(..10_100)),
            _ => Excluded(rng.u32(..10_100)),
        };
        for _ in 0..2_000 {
            let bounds = (bound(&mut rng), bound(&mut rng));
            let mut spanned = Vec::new();
            let mut last_block = None;
            for span in blocks.spans(bounds) {
                assert!(span.from < span.to && span.to <= span.keys.len());
                assert_eq!(span.keys, &blocks.blocks[span.block][..]);
                assert!(last_block < Some(span.block), "each block once, in order");
                last_block = Some(span.block);
                spanned.extend_from_slice(&span.keys[span.from..span.to]);
            }
            let ranged: Vec<u32> = blocks.range(bounds).copied().collect();
            assert_eq!(spanned, ranged, "{bounds:?}");
            let spanned: Vec<u32> = Spans::of_one(&one_block, &bounds)
                .flat_map(|span| {
                    assert_eq!(span.block, 0);
                    span.keys[span.from..span.to].to_vec()
                })
                .collect();
            let ranged: Vec<u32> = one_block.iter().copied().filter(|n| bounds.contains(n)).collect();
            assert_eq!(spanned, ranged, "one block, {bounds:?}");
        }
    }
}
