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
use hashbrown::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::Arc;

use nixbuild::api::operation::OperationId;

/// The most answers kept; past it, the cache starts anew (tests ask a few queries often).
const MAX_ENTRIES: usize = 256;
/// The most bytes kept, all answers together.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// The most queries remembered as asked once; past it, that memory starts anew.
const MAX_ASKED_ONCE: usize = 4096;

/// A body (shared: kept here and handed out without a copy) and the store generation it
/// was computed at.
type Kept = (u64, Arc<Vec<u8>>);

#[derive(Debug, Default)]
pub(crate) struct AnswerCache {
    /// By operation, then raw query (nested, so that a lookup borrows the query).
    answers: HashMap<OperationId, HashMap<Box<str>, Kept>>,
    entries: usize,
    bytes: usize,
    /// Hashes of the queries asked once and not kept.
    asked_once: HashSet<u64>,
    hasher: hashbrown::DefaultHashBuilder,
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
        let hash = self.hasher.hash_one((operation, query));
        if self.asked_once.remove(&hash) {
            return true;
        }
        if self.asked_once.len() >= MAX_ASKED_ONCE {
            self.asked_once.clear();
        }
        self.asked_once.insert(hash);
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
        for i in 0..(2 * MAX_ASKED_ONCE) {
            cache.worth_keeping(OperationId::ListBuilds, &format!("create_time_from={i}"));
        }
        assert!(
            cache.asked_once.len() <= MAX_ASKED_ONCE,
            "a moving window stays bounded"
        );
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
