//! [`JsonRuns`]: the store's builds as JSON in the API's order, one run of bytes per block of
//! the store's order, so that a query that asks for a time window alone (and a limit), the
//! way a tool pages through history, copies its answer in one piece or two rather than build
//! by build.
//!
//! Copying a build's JSON is cheap, but in a debug build, where a test suite runs the mock,
//! each copy went through a dozen calls and checks: about 740 instructions a build, and a
//! quarter of the mock's own time for a first-time `GET /builds?limit=50` (callgrind).
//!
//! A block's run is made the second time a query reads that block in one state of the store,
//! so that a store changed between any two queries (a test adding a build, then asking) never
//! makes a run it would not read again. Every change of the store drops them all, and they
//! hold at most [`MAX_JSON_RUN_BYTES`] together: past that, a block is copied build by build.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::limits::MAX_JSON_RUN_BYTES;

/// The runs made in the store's present state (see the module's documentation).
pub(crate) struct JsonRuns {
    runs: Mutex<Runs>,
}

impl Default for JsonRuns {
    fn default() -> Self {
        JsonRuns::with_budget(MAX_JSON_RUN_BYTES)
    }
}

impl std::fmt::Debug for JsonRuns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("JsonRuns")
            .field("blocks", &runs.blocks.len())
            .field("bytes", &runs.bytes)
            .finish()
    }
}

impl JsonRuns {
    /// Runs that hold at most `budget` bytes together.
    pub(crate) fn with_budget(budget: usize) -> JsonRuns {
        JsonRuns {
            runs: Mutex::new(Runs {
                blocks: Vec::new(),
                bytes: 0,
                budget,
            }),
        }
    }

    /// Forgets every run: the store has changed.
    pub(crate) fn clear(&mut self) {
        let runs = self.runs.get_mut().unwrap_or_else(PoisonError::into_inner);
        runs.blocks = Vec::new();
        runs.bytes = 0;
    }

    /// The runs, for one query.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Runs> {
        self.runs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The runs, by block.
pub(crate) struct Runs {
    blocks: Vec<Block>,
    /// Bytes the runs hold together.
    bytes: usize,
    budget: usize,
}

/// What is known of a block in the store's present state.
#[derive(Default)]
enum Block {
    /// No query has read it.
    #[default]
    Unread,
    /// One query has read it.
    ReadOnce,
    /// Its run.
    Made(Run),
    /// Its run could not be kept (the budget was spent, or a build was missing).
    NotKept,
}

impl Runs {
    /// The run of block `block`, made by `make` if this is its second read since the store
    /// last changed; `None` when it is not kept (then the caller copies build by build).
    pub(crate) fn run(&mut self, block: usize, make: impl FnOnce() -> Option<Run>) -> Option<&Run> {
        if self.blocks.len() <= block {
            self.blocks.resize_with(block + 1, Block::default);
        }
        let state = &mut self.blocks[block];
        match state {
            Block::Unread => {
                *state = Block::ReadOnce;
                return None;
            }
            // A spent budget makes no run only to drop it (a store of millions paged
            // through would make one for every block read twice).
            Block::ReadOnce if self.bytes >= self.budget => *state = Block::NotKept,
            Block::ReadOnce => {
                *state = match make() {
                    Some(run) if self.bytes + run.bytes.len() <= self.budget => {
                        self.bytes += run.bytes.len();
                        Block::Made(run)
                    }
                    _ => Block::NotKept,
                };
            }
            Block::Made(_) | Block::NotKept => {}
        }
        match state {
            Block::Made(run) => Some(run),
            _ => None,
        }
    }
}

/// The JSON of a block's builds, in order, each followed by a comma.
pub(crate) struct Run {
    bytes: Vec<u8>,
    /// Where each build's JSON starts, and the end.
    starts: Vec<u32>,
}

impl Run {
    /// An empty run, with room for `builds` builds in `bytes` bytes, to [`push`](Run::push)
    /// each to.
    pub(crate) fn with_capacity(builds: usize, bytes: usize) -> Run {
        let mut starts = Vec::with_capacity(builds + 1);
        starts.push(0);
        Run {
            bytes: Vec::with_capacity(bytes),
            starts,
        }
    }

    /// Adds the next build, whose JSON `write` appends; `None` if the run grew past 4 GiB.
    pub(crate) fn push(&mut self, write: impl FnOnce(&mut Vec<u8>)) -> Option<()> {
        write(&mut self.bytes);
        self.bytes.push(b',');
        self.starts.push(u32::try_from(self.bytes.len()).ok()?);
        Some(())
    }

    /// The JSON of builds `from..to` of the block, each followed by a comma (empty past the
    /// block's end).
    pub(crate) fn between(&self, from: usize, to: usize) -> &[u8] {
        let at = |i: usize| self.starts.get(i).map_or(0, |&offset| offset as usize);
        self.bytes.get(at(from)..at(to)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_of(parts: &[&str]) -> Run {
        let mut run = Run::with_capacity(parts.len(), 0);
        for part in parts {
            run.push(|out| out.extend_from_slice(part.as_bytes())).unwrap();
        }
        run
    }

    #[test]
    fn a_run_is_each_builds_json_followed_by_a_comma() {
        let run = run_of(&["{\"a\":1}", "{}", "[2]"]);
        assert_eq!(run.between(0, 3), b"{\"a\":1},{},[2],");
        assert_eq!(run.between(1, 2), b"{},");
        assert_eq!(run.between(2, 2), b"");
        assert_eq!(run.between(2, 9), b"", "past the end: nothing, no panic");
    }

    #[test]
    fn a_block_is_made_on_its_second_read_and_kept_within_the_budget() {
        let mut runs = JsonRuns::with_budget(20);
        let made = std::cell::Cell::new(0);
        let make = |text: &'static str| {
            made.set(made.get() + 1);
            Some(run_of(&[text]))
        };
        {
            let mut locked = runs.lock();
            assert!(locked.run(3, || make("first")).is_none(), "first read");
            assert_eq!(made.get(), 0);
            let run = locked.run(3, || make("{\"twelve\":1}")).expect("second read");
            assert_eq!(run.between(0, 1), b"{\"twelve\":1},");
            assert!(locked.run(3, || make("again")).is_some());
            assert_eq!(made.get(), 1, "made once");
            // Another block: 13 bytes more than the 20 would hold.
            assert!(locked.run(0, || make("{\"twelve\":2}")).is_none());
            assert!(
                locked.run(0, || make("{\"twelve\":2}")).is_none(),
                "past the budget"
            );
            assert!(locked.run(0, || make("x")).is_none(), "not tried again");
            assert_eq!(made.get(), 2);
            // A run that cannot be made is not tried again either.
            assert!(locked.run(1, || None).is_none());
            assert!(locked.run(1, || None).is_none());
            assert!(locked.run(1, || make("x")).is_none());
            assert_eq!(made.get(), 2);
        }
        // Once the budget is spent, no run is made only to be dropped.
        let full = JsonRuns::with_budget(13);
        let mut locked = full.lock();
        assert!(locked.run(0, || make("{\"twelve\":3}")).is_none());
        assert!(
            locked.run(0, || make("{\"twelve\":3}")).is_some(),
            "13 bytes of 13"
        );
        let before = made.get();
        assert!(locked.run(1, || make("{}")).is_none());
        assert!(locked.run(1, || make("{}")).is_none());
        assert_eq!(made.get(), before, "not made");
        drop(locked);
        runs.clear();
        let mut locked = runs.lock();
        assert!(
            locked.run(0, || make("{}")).is_none(),
            "the store changed: read once"
        );
        assert_eq!(
            locked.run(0, || make("{}")).map(|run| run.between(0, 1)),
            Some(&b"{},"[..])
        );
    }
}
