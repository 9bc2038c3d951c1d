//! [`AnswerCache`]: the bodies of recent answers to the read operations, by operation and raw
//! query, each valid for the store generation it was computed at. A test that polls the same
//! query (waiting for a build, paging a report) gets its answer for the cost of a copy, as
//! from a static server; any change to the builds makes every entry stale.
//!
//! An answer is kept the second time its query is asked, not the first: a client that polls
//! with a moving window (`create_time_from=<last poll>`) asks a new query every time, and
//! keeping each of those answers would cost a copy of every body and evict the answers that
//! are asked again.

// hashbrown for foldhash: SipHash cost more than the rest of a lookup, for every request.
use hashbrown::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use nixbuild::api::operation::OperationId;

/// The most answers kept; past it, the cache starts anew (tests ask a few queries often).
const MAX_ENTRIES: usize = 256;
/// The most bytes kept, all answers together.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// How many places the queries asked once are remembered in (128 KiB): a query's hash has
/// one place of this many, and a later query with the same place takes it (of a thousand
/// queries asked in turn, about 94% are still remembered).
const ASKED_ONCE_PLACES: usize = 16_384;

/// A body (shared: kept here and handed out without a copy) and the store generation it
/// was computed at.
type Kept = (u64, Arc<Vec<u8>>);

#[derive(Debug)]
pub(crate) struct AnswerCache {
    /// By operation, then raw query (nested, so that a lookup borrows the query).
    answers: HashMap<OperationId, HashMap<Box<str>, Kept>>,
    entries: usize,
    bytes: usize,
    /// Hashes of the queries asked once and not kept, each at the place its hash names (0:
    /// none). An array rather than a hash set: every first-time query is noted here, and in
    /// a debug build, where a test suite runs the mock, the set's insert and remove cost
    /// several times the rest of the note. A query whose place another took is asked "once"
    /// again, and kept the time after: what a full memory did before, at less cost.
    asked_once: Box<[u64]>,
    /// Random for each cache, so that no client can pick queries that share places.
    seed: u64,
}

impl Default for AnswerCache {
    fn default() -> AnswerCache {
        AnswerCache {
            answers: HashMap::default(),
            entries: 0,
            bytes: 0,
            asked_once: vec![0; ASKED_ONCE_PLACES].into_boxed_slice(),
            seed: hashbrown::DefaultHashBuilder::default().hash_one(ASKED_ONCE_PLACES),
        }
    }
}

impl AnswerCache {
    /// The answer to `query` of `operation` at store `generation`, if known.
    pub(crate) fn get(&self, operation: OperationId, query: &str, generation: u64) -> Option<Arc<Vec<u8>>> {
        let (at, body) = self.answers.get(&operation)?.get(query)?;
        (*at == generation).then(|| Arc::clone(body))
    }

    /// Whether an answer to `query` of `operation` is worth keeping: it was asked before.
    /// Notes that it is asked now.
    pub(crate) fn worth_keeping(&mut self, operation: OperationId, query: &str) -> bool {
        // Never 0, which marks an empty place.
        let hash = place_hash(self.seed, operation, query) | 1;
        let place = (hash >> 32) as usize % ASKED_ONCE_PLACES;
        let Some(noted) = self.asked_once.get_mut(place) else {
            return false;
        };
        if *noted == hash {
            *noted = 0;
            return true;
        }
        *noted = hash;
        false
    }

    /// Remembers `body` as the answer to `query` of `operation` at store `generation`.
    pub(crate) fn put(&mut self, operation: OperationId, query: &str, generation: u64, body: Arc<Vec<u8>>) {
        if body.len() > MAX_BYTES / 4 {
            return;
        }
        if self.entries >= MAX_ENTRIES || self.bytes + body.len() > MAX_BYTES {
            self.answers.clear();
            self.entries = 0;
            self.bytes = 0;
        }
        self.bytes += body.len();
        self.entries += 1;
        let answers = self.answers.entry(operation).or_default();
        if let Some((_, old)) = answers.insert(Box::from(query), (generation, body)) {
            self.bytes -= old.len();
            self.entries -= 1;
        }
    }
}

/// The hash that picks a query's place among the asked-once places: a multiply per eight
/// bytes (then per byte of the tail), in plain loops. Every first-time query is hashed here,
/// and in a debug build, where a test suite runs the mock, the map's hasher cost 2,400
/// instructions for a 50-byte query (callgrind), a multiply per byte 1,650, and this 1,100.
/// A place only decides what is kept, never an answer: two queries that share one cost a
/// cached answer at most.
fn place_hash(seed: u64, operation: OperationId, query: &str) -> u64 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let operation: u64 = match operation {
        OperationId::ListBuilds => 1,
        OperationId::GetBuildsSummary => 2,
        OperationId::GetUsage => 3,
        OperationId::ExchangeOidcToken => 4,
        OperationId::CreateProcesses => 5,
        // Outside the workspace the enum is open to new operations, which are never cached.
        #[allow(unreachable_patterns)]
        _ => 6,
    };
    let mut hash = (seed ^ operation).wrapping_mul(MULTIPLIER);
    let bytes = query.as_bytes();
    let mut at = 0;
    // Eight bytes a step, read by index: slice chunks and copies cost a debug build more
    // calls a word than a multiply per byte cost.
    while at + 8 <= bytes.len() {
        let word = [
            bytes[at],
            bytes[at + 1],
            bytes[at + 2],
            bytes[at + 3],
            bytes[at + 4],
            bytes[at + 5],
            bytes[at + 6],
            bytes[at + 7],
        ];
        hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(MULTIPLIER);
        at += 8;
    }
    while at < bytes.len() {
        hash = (hash ^ u64::from(bytes[at])).wrapping_mul(MULTIPLIER);
        at += 1;
    }
    // A multiply mixes each byte only into the bits above it: the finish of MurmurHash3
    // mixes every bit into every other, and so into the bits a place is read from.
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_worth_keeping_the_second_time_it_is_asked() {
        let mut cache = AnswerCache::default();
        assert!(!cache.worth_keeping(OperationId::ListBuilds, "limit=1"));
        assert!(
            !cache.worth_keeping(OperationId::GetUsage, "limit=1"),
            "another operation"
        );
        assert!(cache.worth_keeping(OperationId::ListBuilds, "limit=1"));
        assert!(
            !cache.worth_keeping(OperationId::ListBuilds, "limit=1"),
            "kept once asked twice; asked a third time, it is new again"
        );
        // A moving window: most of a thousand queries are remembered (a few share a place),
        // and the memory stays its size.
        let window = |i: usize| format!("create_time_from={i}");
        for i in 0..1000 {
            assert!(!cache.worth_keeping(OperationId::ListBuilds, &window(i)));
        }
        let remembered = (0..1000)
            .filter(|&i| cache.worth_keeping(OperationId::ListBuilds, &window(i)))
            .count();
        assert!(remembered > 900, "{remembered} of 1000 remembered");
        assert_eq!(cache.asked_once.len(), ASKED_ONCE_PLACES);
    }

    /// Every byte counts, in the eight-byte words and in the tail: a query changed at any
    /// one place hashes apart from itself.
    #[test]
    fn every_byte_of_a_query_moves_its_place_hash() {
        for length in 1..=20 {
            let query = "q".repeat(length);
            let hash = place_hash(7, OperationId::ListBuilds, &query);
            for at in 0..length {
                let mut changed = query.clone().into_bytes();
                changed[at] = b'r';
                let changed = String::from_utf8(changed).unwrap();
                assert_ne!(
                    place_hash(7, OperationId::ListBuilds, &changed),
                    hash,
                    "{changed}"
                );
            }
            assert_ne!(place_hash(8, OperationId::ListBuilds, &query), hash, "the seed");
        }
    }

    #[test]
    fn an_answer_holds_for_its_generation_only_and_the_cache_stays_bounded() {
        let mut cache = AnswerCache::default();
        cache.put(OperationId::ListBuilds, "limit=1", 7, Arc::new(b"[]".to_vec()));
        assert_eq!(
            cache
                .get(OperationId::ListBuilds, "limit=1", 7)
                .as_deref()
                .map(Vec::as_slice),
            Some(&b"[]"[..])
        );
        assert!(cache.get(OperationId::ListBuilds, "limit=1", 8).is_none());
        assert!(cache.get(OperationId::GetUsage, "limit=1", 7).is_none());
        assert!(cache.get(OperationId::ListBuilds, "limit=2", 7).is_none());
        for i in 0..1000 {
            cache.put(
                OperationId::ListBuilds,
                &i.to_string(),
                1,
                Arc::new(vec![0u8; 1024]),
            );
        }
        assert!(cache.entries <= MAX_ENTRIES && cache.bytes <= MAX_BYTES);
        cache.put(OperationId::ListBuilds, "huge", 1, Arc::new(vec![0u8; MAX_BYTES]));
        assert!(
            cache.get(OperationId::ListBuilds, "huge", 1).is_none(),
            "too large to keep"
        );
    }
}
