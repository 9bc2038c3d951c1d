//! [`Journal`]: what the mock received, every request, for a test to inspect.

use std::collections::VecDeque;
use std::sync::Arc;

use super::journaled::Journaled;
use crate::limits::MAX_JOURNAL_BYTES;

/// The requests, oldest first, up to a number and [`MAX_JOURNAL_BYTES`] (a long-running
/// standalone mock must not grow without end).
#[derive(Debug)]
pub(crate) struct Journal {
    /// Shared, so that a reader copies the entries it wants out of the lock in the time of a
    /// reference count each: a dashboard reading 2,500 new entries once held the journal
    /// (and every request waiting to be journaled) for milliseconds.
    requests: VecDeque<Arc<Journaled>>,
    capacity: usize,
    bytes: usize,
    /// The number the last request recorded was given.
    last_seq: u64,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Journal {
        Journal {
            requests: VecDeque::new(),
            capacity,
            bytes: 0,
            last_seq: 0,
        }
    }

    pub(crate) fn record(&mut self, mut request: Journaled) {
        self.last_seq += 1;
        request.set_seq(self.last_seq);
        self.bytes += request.size();
        self.requests.push_back(Arc::new(request));
        while self.requests.len() > self.capacity || self.bytes > MAX_JOURNAL_BYTES {
            match self.requests.pop_front() {
                Some(oldest) => self.bytes -= oldest.size(),
                None => break,
            }
        }
    }

    /// The entries, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Arc<Journaled>> {
        self.requests.iter()
    }

    /// The entries numbered after `seq`, oldest first: found by bisection (entries are in
    /// the order of their numbers), so a dashboard asking for the newest few of 10,000
    /// entries ten times a second does not walk them all each time.
    pub(crate) fn after(&self, seq: u64) -> impl Iterator<Item = &Arc<Journaled>> {
        let start = self.requests.partition_point(|request| request.seq() <= seq);
        self.requests.range(start..)
    }

    /// How many requests went to `path`, relative to the API's root.
    pub(crate) fn count(&self, path: &str) -> usize {
        self.requests.iter().filter(|r| r.path() == path).count()
    }

    /// The status of the newest request.
    #[cfg(fuzzing)]
    pub(crate) fn last_status(&self) -> Option<u16> {
        self.requests.back().map(|r| r.status())
    }

    pub(crate) fn clear(&mut self) {
        self.requests.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use nixbuild::reexports::reqwest::Method;

    use super::*;
    use crate::instruments::journaled::AsReceived;
    use crate::instruments::journaled::tests::{journaled, request, token};
    use crate::instruments::recorded_request::RecordedRequest;
    use crate::limits::MAX_RECORDED_QUERY_BYTES;

    fn entry(request: RecordedRequest) -> Journaled {
        Journaled::new(request, AsReceived::default())
    }

    #[test]
    fn the_journal_keeps_within_its_count_and_bytes() {
        let mut journal = Journal::new(usize::MAX);
        let query = "q".repeat(MAX_RECORDED_QUERY_BYTES);
        for _ in 0..(MAX_JOURNAL_BYTES / MAX_RECORDED_QUERY_BYTES + 100) {
            journal.record(entry(RecordedRequest::new(Method::GET, "/builds", Some(&query))));
        }
        assert!(journal.bytes <= MAX_JOURNAL_BYTES);
        assert!(journal.requests.len() < MAX_JOURNAL_BYTES / MAX_RECORDED_QUERY_BYTES);
        let mut small = Journal::new(3);
        for _ in 0..10 {
            small.record(entry(RecordedRequest::new(Method::GET, "/usage", None)));
        }
        assert_eq!(small.count("/usage"), 3);
    }

    #[test]
    fn the_journal_counts_an_entry_the_same_read_or_not() {
        let mut journal = Journal::new(2);
        let request = request(
            &format!("access_token={}", token()),
            &[("authorization", b"Bearer x")],
            b"{}",
        );
        for read in [true, false, true, true, false] {
            journal.record(journaled(&request));
            if read {
                let newest = journal.iter().last().unwrap();
                assert_eq!(newest.request().query.as_deref(), Some("access_token=[redacted]"));
            }
        }
        let held: usize = journal.iter().map(|entry| entry.size()).sum();
        assert_eq!(journal.bytes, held);
    }
}
