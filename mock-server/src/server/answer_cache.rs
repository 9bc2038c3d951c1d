//! [`AnswerCache`]: the bodies of recent answers to the read operations, by operation and raw
//! query, each valid for the store generation it was computed at. A test that polls the same
//! query (waiting for a build, paging a report) gets its answer for the cost of a copy, as
//! from a static server; any change to the builds makes every entry stale.

use std::collections::HashMap;
use std::sync::Arc;

use nixbuild::api::operation::OperationId;

/// The most answers kept; past it, the cache starts anew (tests ask a few queries often).
const MAX_ENTRIES: usize = 256;
/// The most bytes kept, all answers together.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// A body and the store generation it was computed at.
type Kept = (u64, Arc<[u8]>);

#[derive(Debug, Default)]
pub(crate) struct AnswerCache {
    /// By operation, then raw query (nested, so that a lookup borrows the query).
    answers: HashMap<OperationId, HashMap<Box<str>, Kept>>,
    entries: usize,
    bytes: usize,
}

impl AnswerCache {
    /// The answer to `query` of `operation` at store `generation`, if known.
    pub(crate) fn get(&self, operation: OperationId, query: &str, generation: u64) -> Option<Arc<[u8]>> {
        let (at, body) = self.answers.get(&operation)?.get(query)?;
        (*at == generation).then(|| Arc::clone(body))
    }

    /// Remembers `body` as the answer to `query` of `operation` at store `generation`.
    pub(crate) fn put(&mut self, operation: OperationId, query: &str, generation: u64, body: Arc<[u8]>) {
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
    fn an_answer_holds_for_its_generation_only_and_the_cache_stays_bounded() {
        let mut cache = AnswerCache::default();
        cache.put(OperationId::ListBuilds, "limit=1", 7, Arc::from(&b"[]"[..]));
        assert_eq!(
            cache.get(OperationId::ListBuilds, "limit=1", 7).as_deref(),
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
                Arc::from(vec![0u8; 1024]),
            );
        }
        assert!(cache.entries <= MAX_ENTRIES && cache.bytes <= MAX_BYTES);
        cache.put(
            OperationId::ListBuilds,
            "huge",
            1,
            Arc::from(vec![0u8; MAX_BYTES]),
        );
        assert!(
            cache.get(OperationId::ListBuilds, "huge", 1).is_none(),
            "too large to keep"
        );
    }
}
