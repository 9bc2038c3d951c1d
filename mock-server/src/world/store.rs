//! [`BuildStore`]: the mock's builds, indexed so that a query's cost follows the size of its
//! answer, not of the store.
//!
//! Builds are kept as compact [`Record`]s in slots, their repeated strings interned. Every
//! build, and each derivation path, tag and status, has an index of [`Key`]s in the API's
//! order (newest `create_time` first, then highest `build_id`); a key names its build's slot,
//! so a walk reaches each build directly. A query walks the most selective index that
//! applies, within the creation-time window, and stops at `limit`.

use std::ops::Bound;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

// hashbrown for its default hasher (foldhash: several times faster than SipHash, and seeded
// per process) and for `entry_ref`, which clones a key only when it is new.
use hashbrown::HashMap;
use nixbuild::{Build, BuildFilter, BuildId, BuildStatus};

use super::chunked::Chunked;
use super::id_map::IdMap;
use super::interner::{Interner, Sym, TagId};
use super::json_runs::{JsonRuns, Run};
use super::key_set::{Key, KeySet};
use super::record::Record;
use crate::limits::MAX_CACHED_JSON_BYTES;

mod bulk;
mod release;

/// Builds kept in the API's order and indexed by derivation, tag and status: the store
/// behind [`MockNixbuild`](crate::MockNixbuild), usable on its own.
///
/// ```
/// use nixbuild::BuildFilter;
/// use nixbuild_mock::{BuildStore, fixtures};
///
/// let mut store = BuildStore::default();
/// fixtures::generate(100, 1).into_iter().for_each(|b| store.insert(b));
/// let newest = store.select(&BuildFilter::new().tag("GITHUB_REPOSITORY", "acme/web").limit(3));
/// assert!(newest.len() <= 3);
/// ```
#[derive(Debug, Default)]
pub struct BuildStore {
    /// The builds by slot; a removed build's slot is empty until the next insert takes it.
    slots: Chunked<Option<Stored>>,
    /// Empty slots.
    free: Vec<u32>,
    /// The derivation paths, systems, tag names and values, status messages and output
    /// names of the builds, each kept once.
    strings: Interner,
    /// Every build, in the API's order.
    order: KeySet,
    /// Each build's slot by id.
    slot_of: IdMap,
    by_derivation: HashMap<Sym, KeySet>,
    /// By tag, at the tag's id (a tag no build has any more keeps an empty set).
    by_tag: Vec<KeySet>,
    by_status: HashMap<BuildStatus, KeySet>,
    /// The highest id stored, kept as builds come and go so that a mock's next free id is
    /// found without a scan.
    highest: Option<BuildId>,
    /// Changes with every change of the builds: an answer computed at one generation holds
    /// until the next. Numbers come from one process-wide counter, so that no two states of
    /// any store share one (0 is only ever an empty store never changed).
    generation: u64,
    /// Bytes of JSON the builds keep encoded, within [`MAX_CACHED_JSON_BYTES`].
    cached_json_bytes: AtomicUsize,
    /// The builds' JSON in the order's blocks, for queries of a time window alone; dropped
    /// at every change.
    json_runs: JsonRuns,
    /// How many strings and tags the interner held when the store was last built whole: the
    /// interner never forgets one, so past twice as many the store is built again from its
    /// builds (see [`BuildStore::compact_if_sparse`]).
    vocabulary_when_built: usize,
}

impl Drop for BuildStore {
    /// Frees a large store's records and indexes on a thread of its own (more than 10,000
    /// builds'; see `store/release.rs`): a test that drops a mock of a million builds, or a
    /// store built again in bulk in place of the old one, does not wait for it.
    fn drop(&mut self) {
        if self.slots.len() <= release::RELEASED_APART {
            return;
        }
        let contents = (
            std::mem::take(&mut self.slots),
            std::mem::take(&mut self.free),
            std::mem::take(&mut self.strings),
            std::mem::take(&mut self.order),
            std::mem::take(&mut self.slot_of),
            std::mem::take(&mut self.by_derivation),
            std::mem::take(&mut self.by_tag),
            std::mem::take(&mut self.by_status),
            std::mem::take(&mut self.json_runs),
        );
        release::release_apart(contents);
    }
}

/// A generation no store has had yet.
fn next_generation() -> u64 {
    static GENERATIONS: AtomicU64 = AtomicU64::new(0);
    GENERATIONS.fetch_add(1, Ordering::Relaxed) + 1
}

/// A build, and its JSON once it has been served.
#[derive(Debug)]
struct Stored {
    record: Record,
    /// Kept the first time it is served, if the budget has room; a changed build is a new
    /// `Stored`.
    json: OnceLock<Box<[u8]>>,
}

impl Stored {
    /// Appends its JSON to `out`: the bytes kept from an earlier time, or written now (and
    /// kept if `budget` has room).
    fn write_json(&self, strings: &Interner, budget: &AtomicUsize, out: &mut Vec<u8>) {
        if let Some(json) = self.json.get() {
            out.extend_from_slice(json);
            return;
        }
        let start = out.len();
        self.record.write_json(strings, out);
        let written = &out[start..];
        let room = budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(written.len())
                    .filter(|total| *total <= MAX_CACHED_JSON_BYTES)
            })
            .is_ok();
        if room && self.json.set(written.into()).is_err() {
            // Another request kept it first: these bytes were not kept.
            budget.fetch_sub(written.len(), Ordering::Relaxed);
        }
    }
}

impl BuildStore {
    fn record(&self, slot: u32) -> Option<&Record> {
        let stored = self.slots.get(slot as usize)?.as_ref()?;
        Some(&stored.record)
    }

    fn stored(&self, key: &Key) -> Option<&Stored> {
        self.slots.get(key.slot as usize)?.as_ref()
    }

    /// Strings and tags the interner keeps.
    fn vocabulary(&self) -> usize {
        self.strings.len() + self.strings.tag_count()
    }

    /// Builds the store again from its builds when it keeps far more than they need: strings
    /// and tags no build names any more (a mock sent ever new tags, each build removed after),
    /// or slots left empty by removals. Memory then follows the builds stored, as the mock's
    /// limits promise, not every build ever sent. Amortised: it takes as many new strings, or
    /// removals, as the store already holds to make it sparse again.
    fn compact_if_sparse(&mut self) {
        const SLACK: usize = 4096;
        let live = self.len();
        let sparse_strings = self.vocabulary() > 2 * self.vocabulary_when_built + SLACK;
        let sparse_slots = self.slots.len() > 2 * live + SLACK;
        if sparse_strings || sparse_slots {
            let builds: Vec<Build> = self.all().collect();
            *self = builds.into_iter().collect();
        }
    }

    /// Adds `build`, replacing a build with the same id.
    pub fn insert(&mut self, build: Build) {
        self.remove(build.build_id);
        self.generation = next_generation();
        self.json_runs.clear();
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => match u32::try_from(self.slots.len()) {
                Ok(slot) => {
                    self.slots.push(None);
                    slot
                }
                // 2³² builds are far past what the mock's limits let in.
                Err(_) => return,
            },
        };
        let key = Key::new(build.create_time, build.build_id, slot);
        let record = Record::new(&build, &mut self.strings);
        self.slot_of.insert(build.build_id, slot);
        self.highest = self.highest.max(Some(build.build_id));
        self.order.insert(key);
        self.by_derivation
            .entry(record.derivation_path)
            .or_default()
            .insert(key);
        self.by_tag.resize_with(self.strings.tag_count(), KeySet::default);
        for tag in record.tags() {
            if let Some(set) = self.by_tag.get_mut(tag.raw() as usize) {
                set.insert(key);
            }
        }
        self.by_status.entry_ref(&record.status).or_default().insert(key);
        if let Some(empty) = self.slots.get_mut(slot as usize) {
            *empty = Some(Stored {
                record,
                json: OnceLock::new(),
            });
        }
    }

    /// Removes and returns the build with this id.
    pub fn remove(&mut self, id: BuildId) -> Option<Build> {
        let slot = self.slot_of.remove(id)?;
        self.generation = next_generation();
        self.json_runs.clear();
        let stored = self.slots.get_mut(slot as usize)?.take()?;
        self.free.push(slot);
        if let Some(json) = stored.json.get() {
            self.cached_json_bytes.fetch_sub(json.len(), Ordering::Relaxed);
        }
        let record = stored.record;
        let key = Key::new(record.create_time, id, slot);
        self.order.remove(&key);
        unindex(&mut self.by_derivation, &record.derivation_path, &key);
        for tag in record.tags() {
            if let Some(set) = self.by_tag.get_mut(tag.raw() as usize) {
                set.remove(&key);
            }
        }
        unindex(&mut self.by_status, &record.status, &key);
        if self.highest == Some(id) {
            // Only removing the highest id costs a scan.
            self.highest = self.slot_of.max_id();
        }
        let build = record.build(&self.strings);
        self.compact_if_sparse();
        Some(build)
    }

    /// Removes every build.
    pub fn clear(&mut self) {
        *self = BuildStore::new_generation();
    }

    /// An empty store at a generation no store has had.
    fn new_generation() -> BuildStore {
        let mut store = BuildStore::default();
        store.generation = next_generation();
        store
    }

    /// A number that changes whenever the builds do: what a cached answer is checked
    /// against.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The build with this id.
    pub fn get(&self, id: BuildId) -> Option<Build> {
        let slot = self.slot_of.get(id)?;
        Some(self.record(slot)?.build(&self.strings))
    }

    /// Changes the build with this id (its indexes follow); `None` when there is none.
    pub fn update<R>(&mut self, id: BuildId, change: impl FnOnce(&mut Build) -> R) -> Option<R> {
        let mut build = self.remove(id)?;
        let result = change(&mut build);
        // The change may have given the build another id: it is stored under the new one.
        self.insert(build);
        Some(result)
    }

    /// How many builds there are.
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.slot_of.is_empty()
    }

    /// The highest build id, if any.
    pub fn max_id(&self) -> Option<BuildId> {
        self.highest
    }

    /// Every build, newest first (each made from its record as the walk reaches it).
    pub fn all(&self) -> impl Iterator<Item = Build> + '_ {
        self.order
            .range(..)
            .filter_map(|key| self.record(key.slot))
            .map(|record| record.build(&self.strings))
    }

    /// The builds `filter` selects, newest first, at most `filter.limit` of them.
    pub fn select(&self, filter: &BuildFilter) -> Vec<Build> {
        let mut builds = Vec::new();
        self.visit_selected(filter, |stored| builds.push(stored.record.build(&self.strings)));
        builds
    }

    /// The JSON array of the builds `filter` selects, as `GET /builds` answers it, written
    /// once into one buffer: each build's JSON is written from its record the first time it
    /// is served (and kept, within a budget), and copied after that. A query of a time window
    /// alone, asked again, copies its answer whole from the builds' JSON kept in the store's
    /// order (within [`MAX_JSON_RUN_BYTES`](crate::limits::MAX_JSON_RUN_BYTES)).
    pub fn select_json(&self, filter: &BuildFilter) -> Vec<u8> {
        /// A build's JSON is about 700 bytes; a guess too small only grows the buffer.
        const GUESS: usize = 1024;
        /// Room made for this many builds at first when the limit is larger, or none.
        const FIRST_ROOM: u64 = 64;
        let room = filter.limit.unwrap_or(FIRST_ROOM).min(FIRST_ROOM) as usize;
        let mut json = Vec::with_capacity(2 + room * GUESS);
        json.push(b'[');
        // Each build is written followed by a comma (as runs keep them); the last comma
        // becomes the closing bracket. One pass, no list of the builds between.
        match self.query(filter) {
            Some(query) if query.wanted.is_everything() => self.write_window(query, &mut json),
            Some(query) => self.visit_query(query, |stored| {
                stored.write_json(&self.strings, &self.cached_json_bytes, &mut json);
                json.push(b',');
            }),
            None => {}
        }
        match json.last_mut() {
            Some(last) if *last == b',' => *last = b']',
            _ => json.push(b']'),
        }
        json
    }

    /// Writes the JSON of the builds of `query`, which asks for a time window alone, each
    /// followed by a comma: a block's builds copied from its run where one is kept, else
    /// build by build.
    fn write_window(&self, query: Query<'_>, json: &mut Vec<u8>) {
        let mut left = query.limit;
        let mut runs = self.json_runs.lock();
        for span in self.order.spans(query.window) {
            let to = span.to.min(span.from.saturating_add(left));
            match runs.run(span.block, || self.run_of(span.keys)) {
                Some(run) => json.extend_from_slice(run.between(span.from, to)),
                None => {
                    for key in &span.keys[span.from..to] {
                        if let Some(stored) = self.stored(key) {
                            stored.write_json(&self.strings, &self.cached_json_bytes, json);
                            json.push(b',');
                        }
                    }
                }
            }
            left -= to - span.from;
            if left == 0 {
                break;
            }
        }
    }

    /// The run of a block of the store's order: its builds' JSON, each followed by a comma;
    /// `None` if a key has no build (never: the order holds the stored builds' keys).
    fn run_of(&self, keys: &[Key]) -> Option<Run> {
        /// A build's JSON is about 700 bytes; a guess too small only grows the run.
        const GUESS: usize = 768;
        let mut run = Run::with_capacity(keys.len(), keys.len() * GUESS);
        for key in keys {
            let stored = self.stored(key)?;
            run.push(|out| stored.write_json(&self.strings, &self.cached_json_bytes, out))?;
        }
        Some(run)
    }

    /// Shows `visit` the stored builds `filter` selects, newest first (see
    /// [`visit_query`](Self::visit_query)).
    fn visit_selected<'a>(&'a self, filter: &BuildFilter, visit: impl FnMut(&'a Stored)) {
        if let Some(query) = self.query(filter) {
            self.visit_query(query, visit);
        }
    }

    /// What `filter` asks of the store; `None` when no build can match (a derivation or tag
    /// no build has, a window that ends before it starts, a limit of 0).
    fn query<'f>(&self, filter: &'f BuildFilter) -> Option<Query<'f>> {
        let window = window(filter);
        let limit = filter
            .limit
            .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        let wanted = Wanted::of(filter, &self.strings)?;
        (!window.is_empty() && limit > 0).then_some(Query {
            window,
            limit,
            wanted,
        })
    }

    /// Shows `visit` the stored builds `query` selects, newest first: the candidates come
    /// from the most selective index, in the API's order, within the creation-time window,
    /// and the walk stops at `limit`. A query's cost follows its answer, not the store.
    ///
    /// A plain loop over the index rather than a chain of iterator adapters: in a debug
    /// build, where a test suite runs the mock, each adapter was a call per candidate.
    fn visit_query<'a>(&'a self, query: Query<'_>, mut visit: impl FnMut(&'a Stored)) {
        let Query {
            window,
            limit: mut left,
            wanted,
        } = query;
        // Whether the walk goes on after `key`.
        let mut take = |key: &Key| {
            if let Some(stored) = self.stored(key)
                && wanted.matches(&stored.record)
            {
                visit(stored);
                left -= 1;
            }
            left > 0
        };
        match self.narrowest_index(&wanted) {
            Narrowest::Store => walk(self.order.range(window), &mut take),
            Narrowest::One(set) => walk(set.range(window), &mut take),
            Narrowest::Merged(sets) => walk(
                Newest::merge(sets.into_iter().map(|set| set.range(window))),
                &mut take,
            ),
        }
    }

    /// The smallest index every selected build must be in (or the statuses' indexes, merged),
    /// or the whole store when no index narrows the search.
    fn narrowest_index<'a>(&'a self, wanted: &Wanted<'_>) -> Narrowest<'a> {
        static EMPTY: KeySet = KeySet::EMPTY;
        let mut narrowest: Option<&KeySet> = None;
        let mut consider = |set: &'a KeySet| {
            if narrowest.is_none_or(|n| set.len() < n.len()) {
                narrowest = Some(set);
            }
        };
        if let Some(drv) = &wanted.derivation_path {
            consider(self.by_derivation.get(drv).unwrap_or(&EMPTY));
        }
        for tag in &wanted.tags {
            consider(self.by_tag.get(tag.raw() as usize).unwrap_or(&EMPTY));
        }
        if wanted.statuses.is_empty() {
            return narrowest.map_or(Narrowest::Store, Narrowest::One);
        }
        let mut status_sets: Vec<&KeySet> = Vec::new();
        for set in wanted
            .statuses
            .iter()
            .filter_map(|status| self.by_status.get(status))
        {
            // A status asked for twice is merged once, so that each of its builds is
            // answered once.
            if !status_sets.iter().any(|have| std::ptr::eq(*have, set)) {
                status_sets.push(set);
            }
        }
        let status_total: usize = status_sets.iter().map(|set| set.len()).sum();
        match narrowest {
            Some(set) if set.len() <= status_total => Narrowest::One(set),
            _ => Narrowest::Merged(status_sets),
        }
    }
}

/// What a filter asks of the store: a window, a limit, and what the builds must have.
struct Query<'f> {
    window: Window,
    /// At least 1.
    limit: usize,
    wanted: Wanted<'f>,
}

/// What a filter asks of a build's fields, with its strings as the store's symbols: a
/// candidate is matched by comparing integers.
struct Wanted<'f> {
    derivation_path: Option<Sym>,
    tags: Vec<TagId>,
    statuses: &'f [BuildStatus],
}

impl<'f> Wanted<'f> {
    /// `None` when the filter names a string no build has, which no build can match.
    fn of(filter: &'f BuildFilter, strings: &Interner) -> Option<Wanted<'f>> {
        let derivation_path = match &filter.derivation_path {
            Some(drv) => Some(strings.get(drv)?),
            None => None,
        };
        // Most queries name no tag: collecting none through `Option`'s `FromIterator` still
        // cost a debug build 400 instructions (callgrind).
        let tags = if filter.tags.is_empty() {
            Vec::new()
        } else {
            filter
                .tags
                .iter()
                .map(|(name, value)| strings.tag(name, value))
                .collect::<Option<Vec<_>>>()?
        };
        Some(Wanted {
            derivation_path,
            tags,
            statuses: &filter.statuses,
        })
    }

    /// Whether every build has what is asked (nothing is).
    fn is_everything(&self) -> bool {
        self.derivation_path.is_none() && self.tags.is_empty() && self.statuses.is_empty()
    }

    /// Whether `record` has the derivation, tags and status asked for (the time window is
    /// the walk's).
    fn matches(&self, record: &Record) -> bool {
        self.derivation_path
            .is_none_or(|drv| drv == record.derivation_path)
            && self.tags.iter().all(|&tag| record.has_tag(tag))
            && (self.statuses.is_empty() || self.statuses.contains(&record.status))
    }
}

/// Where a query's candidates come from.
enum Narrowest<'a> {
    /// Every build.
    Store,
    /// One index.
    One(&'a KeySet),
    /// Several disjoint indexes (one per status), merged in order.
    Merged(Vec<&'a KeySet>),
}

/// Keys from several ordered iterators, in order: a merge that takes the smallest head each
/// step (a query names a few statuses at most, so a scan of the heads beats a heap).
struct Newest<'a, I: Iterator<Item = &'a Key>> {
    heads: Vec<std::iter::Peekable<I>>,
}

impl<'a, I: Iterator<Item = &'a Key>> Newest<'a, I> {
    fn merge(iterators: impl IntoIterator<Item = I>) -> Self {
        Newest {
            heads: iterators.into_iter().map(Iterator::peekable).collect(),
        }
    }
}

impl<'a, I: Iterator<Item = &'a Key>> Iterator for Newest<'a, I> {
    type Item = &'a Key;

    fn next(&mut self) -> Option<&'a Key> {
        let mut smallest: Option<(usize, &'a Key)> = None;
        for (i, head) in self.heads.iter_mut().enumerate() {
            if let Some(&key) = head.peek()
                && smallest.is_none_or(|(_, best)| key < best)
            {
                smallest = Some((i, key));
            }
        }
        let (i, _) = smallest?;
        self.heads[i].next()
    }
}

/// Hands `take` each key in turn until it says to stop.
fn walk<'k>(keys: impl Iterator<Item = &'k Key>, take: &mut impl FnMut(&Key) -> bool) {
    for key in keys {
        if !take(key) {
            break;
        }
    }
}

fn unindex<K, Q>(index: &mut HashMap<K, KeySet>, at: &Q, key: &Key)
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    if let Some(set) = index.get_mut(at) {
        set.remove(key);
        if set.is_empty() {
            index.remove(at);
        }
    }
}

/// The key range of the filter's creation-time window.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Bound<Key>,
    end: Bound<Key>,
}

impl Window {
    /// Whether no key fits: a window that ends before it starts (`BTreeMap::range` would
    /// panic on it, and a request can ask for it).
    fn is_empty(&self) -> bool {
        match (&self.start, &self.end) {
            (Bound::Excluded(start), Bound::Included(end)) => start > end,
            _ => false,
        }
    }
}

impl std::ops::RangeBounds<Key> for Window {
    fn start_bound(&self) -> Bound<&Key> {
        self.start.as_ref()
    }

    fn end_bound(&self) -> Bound<&Key> {
        self.end.as_ref()
    }
}

fn window(filter: &BuildFilter) -> Window {
    // Keys sort newest first, and build id 0 is the last key of its instant: a window
    // "before `to`" starts after every key at `to`, and "from `from`" ends with every key
    // at `from`.
    Window {
        start: filter
            .created_before
            .map_or(Bound::Unbounded, |to| Bound::Excluded(Key::last_at(to.instant()))),
        end: filter.created_from.map_or(Bound::Unbounded, |from| {
            Bound::Included(Key::last_at(from.instant()))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::generate;
    use chrono::{TimeZone, Utc};
    use nixbuild::{Tags, TimeBound};

    fn store(builds: &[Build]) -> BuildStore {
        let mut store = BuildStore::default();
        builds.iter().cloned().for_each(|b| store.insert(b));
        store
    }

    /// What the API promises, without indexes: filter everything, sort, cut.
    fn naive<'a>(builds: &'a [Build], filter: &BuildFilter) -> Vec<&'a Build> {
        let mut selected: Vec<&Build> = builds.iter().filter(|b| filter.matches(b)).collect();
        selected.sort_by_key(|b| std::cmp::Reverse((b.create_time, b.build_id)));
        selected.truncate(
            filter
                .limit
                .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX)),
        );
        selected
    }

    #[test]
    fn the_json_answer_is_the_selection_encoded_and_follows_changes() {
        let mut store = store(&generate(500, 4));
        for filter in [
            BuildFilter::new(),
            BuildFilter::new().limit(7),
            BuildFilter::new().status(BuildStatus::Built).limit(30),
            BuildFilter::new()
                .tag("GITHUB_REPOSITORY", "acme/web")
                .status(BuildStatus::Running),
            BuildFilter::new().limit(0),
        ] {
            let expected = serde_json::to_vec(&store.select(&filter)).unwrap();
            assert_eq!(store.select_json(&filter), expected, "{filter:?}");
            assert_eq!(
                store.select_json(&filter),
                expected,
                "served again, from the cache"
            );
        }
        let newest = store.select(&BuildFilter::new().limit(1))[0].build_id;
        store.update(newest, |b| b.system = "riscv64-linux".into());
        let served = store.select_json(&BuildFilter::new().limit(1));
        assert!(
            String::from_utf8(served).unwrap().contains("riscv64-linux"),
            "a changed build is encoded anew"
        );
    }

    #[test]
    fn a_window_query_answers_the_same_from_runs_as_build_by_build_through_changes() {
        let mut rng = fastrand::Rng::with_seed(9);
        // A small set (one block), and several blocks loaded whole or split by inserts.
        for (builds, bulk) in [(40, false), (1_500, true), (1_500, false)] {
            let builds = generate(builds, 8);
            let mut store = if bulk {
                builds.iter().cloned().collect()
            } else {
                store(&builds)
            };
            for round in 0..40 {
                let mut filter = BuildFilter::new();
                let time = |rng: &mut fastrand::Rng| builds[rng.usize(..builds.len())].create_time;
                if rng.bool() {
                    filter = filter.created_before(time(&mut rng));
                }
                if rng.u8(..4) == 0 {
                    filter = filter.created_from(time(&mut rng));
                }
                if rng.u8(..5) != 0 {
                    filter = filter.limit(rng.u64(1..600));
                }
                let expected = serde_json::to_vec(&store.select(&filter)).unwrap();
                // Unread, read once (the run is made), then copied from the run.
                for read in 0..3 {
                    assert_eq!(store.select_json(&filter), expected, "{filter:?}, read {read}");
                }
                // A change drops the runs: the answers follow it.
                if round % 4 == 3 {
                    let id = builds[rng.usize(..builds.len())].build_id;
                    if rng.bool() {
                        store.update(id, |b| b.system = format!("changed-{round}"));
                    } else {
                        store.remove(id);
                    }
                    let expected = serde_json::to_vec(&store.select(&filter)).unwrap();
                    assert_eq!(store.select_json(&filter), expected, "{filter:?}, changed");
                }
            }
        }
    }

    #[test]
    fn no_two_states_of_any_store_share_a_generation() {
        let a: BuildStore = generate(10, 1).into_iter().collect();
        let mut b: BuildStore = generate(10, 2).into_iter().collect();
        let mut seen = std::collections::HashSet::from([a.generation(), b.generation()]);
        assert_eq!(seen.len(), 2);
        b.insert(crate::BuildFixture::built("x").id(1).build());
        assert!(seen.insert(b.generation()));
        b.remove(BuildId(1));
        assert!(seen.insert(b.generation()));
        b.clear();
        assert!(seen.insert(b.generation()));
        let replaced: BuildStore = generate(10, 1).into_iter().collect();
        assert!(
            seen.insert(replaced.generation()),
            "a store built anew never reuses one"
        );
    }

    #[test]
    fn the_highest_id_is_kept_as_builds_come_and_go() {
        let mut store = BuildStore::default();
        assert_eq!(store.max_id(), None);
        for id in [5, 9, 7] {
            store.insert(crate::BuildFixture::built("x").id(id).build());
        }
        assert_eq!(store.max_id(), Some(BuildId(9)));
        store.remove(BuildId(7));
        assert_eq!(store.max_id(), Some(BuildId(9)));
        store.remove(BuildId(9));
        assert_eq!(store.max_id(), Some(BuildId(5)));
        store.clear();
        assert_eq!(store.max_id(), None);
    }

    #[test]
    fn indexed_selection_equals_the_naive_one_for_many_filters() {
        let mut builds = generate(3000, 11);
        // Statuses this crate does not know, which a bulk load indexes apart from the known.
        for (i, build) in builds
            .iter_mut()
            .enumerate()
            .filter(|(i, _)| i % 13 == 0 || i % 29 == 0)
        {
            let status = if i % 13 == 0 { "quarantined" } else { "held" };
            build.status = BuildStatus::Unknown(status.into());
        }
        // Built one by one, and in bulk (its indexes counted, then filled from sorted keys).
        let one_by_one = store(&builds);
        let in_bulk: BuildStore = builds.iter().cloned().collect();
        selections_agree_with_the_naive_one(&builds, &[&one_by_one, &in_bulk], 400);
    }

    #[test]
    fn a_bulk_load_shared_by_two_threads_keeps_every_build_and_the_last_of_each_id() {
        // Past bulk::threads::SHARED_FROM: the records are made by two threads, each with an
        // interner of its own, and the indexes filled by two; some statuses this crate does
        // not know, in both threads' shares.
        let mut builds = generate(60_000, 12);
        for build in builds.iter_mut().step_by(7919) {
            build.status = BuildStatus::Unknown("quarantined".into());
        }
        let in_bulk: BuildStore = builds.iter().cloned().collect();
        assert_eq!(in_bulk.len(), builds.len());
        assert_eq!(in_bulk.max_id(), builds.iter().map(|b| b.build_id).max());
        for build in builds.iter().step_by(997) {
            assert_eq!(in_bulk.get(build.build_id).as_ref(), Some(build));
        }
        let quarantined =
            in_bulk.select(&BuildFilter::new().status(BuildStatus::Unknown("quarantined".into())));
        let expected: Vec<&Build> = builds.iter().step_by(7919).collect();
        assert_eq!(quarantined.iter().collect::<Vec<_>>(), expected);
        selections_agree_with_the_naive_one(&builds, &[&in_bulk], 60);
        // Later builds with the ids of earlier ones replace them, as inserts do.
        let mut with_repeats = builds.clone();
        let replaced: Vec<Build> = builds
            .iter()
            .step_by(1000)
            .map(|build| {
                let mut later = build.clone();
                later.status = BuildStatus::Cancelled;
                later.tags = Tags::from_iter([("REPLACED", "yes")]);
                later
            })
            .collect();
        with_repeats.extend(replaced.iter().cloned());
        let in_bulk: BuildStore = with_repeats.into_iter().collect();
        assert_eq!(in_bulk.len(), builds.len());
        for build in &replaced {
            assert_eq!(in_bulk.get(build.build_id).as_ref(), Some(build));
        }
        let tagged = in_bulk.select(&BuildFilter::new().tag("REPLACED", "yes"));
        assert_eq!(tagged.len(), replaced.len());
    }

    #[test]
    fn extending_in_bulk_or_one_by_one_is_inserting_each_build() {
        let builds = generate(4000, 13);
        let (first, rest) = builds.split_at(1000);
        // The larger batch replaces some of the builds already stored.
        let mut batch: Vec<Build> = rest.to_vec();
        batch.extend(first.iter().step_by(7).map(|build| {
            let mut later = build.clone();
            later.status = BuildStatus::Timeout;
            later
        }));
        let mut inserted = store(first);
        batch.iter().cloned().for_each(|build| inserted.insert(build));
        // A batch as large as the store: built again in bulk; a small one: inserted.
        let mut extended = store(first);
        extended.extend(batch.iter().cloned());
        extended.extend(generate(10, 14));
        inserted.extend(generate(10, 14));
        let mut expected: Vec<Build> = inserted.all().collect();
        expected.sort_by_key(|b| b.build_id);
        let mut actual: Vec<Build> = extended.all().collect();
        actual.sort_by_key(|b| b.build_id);
        assert_eq!(actual, expected);
        selections_agree_with_the_naive_one(&expected, &[&extended, &inserted], 100);
    }

    /// Random filters (derivations, tags, statuses, windows, limits) select from each of
    /// `stores` what the naive filter selects from `builds`.
    fn selections_agree_with_the_naive_one(builds: &[Build], stores: &[&BuildStore], filters: usize) {
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..filters {
            let mut filter = BuildFilter::new();
            let pick = &builds[rng.usize(..builds.len())];
            if rng.bool() {
                filter = filter.derivation_path(pick.derivation_path.clone());
            }
            for (name, value) in pick.tags.iter().filter(|_| rng.bool()) {
                filter = filter.tag(name.clone(), value.clone());
            }
            if rng.u8(..4) == 0 {
                filter = filter.tag("GITHUB_REPOSITORY", "nobody/nothing");
            }
            for status in BuildStatus::KNOWN.iter().filter(|_| rng.u8(..4) == 0) {
                filter = filter.status(status.clone());
            }
            if rng.u8(..4) == 0 {
                filter = filter.status(pick.status.clone());
            }
            if rng.bool() {
                filter = filter.created_from(builds[rng.usize(..builds.len())].create_time);
            }
            if rng.bool() {
                filter = filter.created_before(builds[rng.usize(..builds.len())].create_time);
            }
            if rng.bool() {
                filter = filter.limit(rng.u64(1..50));
            }
            let expected: Vec<BuildId> = naive(builds, &filter).iter().map(|b| b.build_id).collect();
            for store in stores {
                let actual: Vec<BuildId> = store.select(&filter).iter().map(|b| b.build_id).collect();
                assert_eq!(actual, expected, "{filter:?}");
            }
        }
    }

    #[test]
    fn a_status_asked_for_twice_answers_each_build_once() {
        let builds = generate(500, 6);
        let once = BuildFilter::new()
            .status(BuildStatus::Built)
            .status(BuildStatus::Running);
        let twice = once.clone().status(BuildStatus::Built);
        for store in [store(&builds), builds.iter().cloned().collect()] {
            let expected = store.select(&once);
            assert!(expected.len() > 100, "{} builds", expected.len());
            assert_eq!(store.select(&twice), expected);
        }
    }

    #[test]
    fn an_inverted_or_empty_time_window_selects_nothing() {
        let builds = generate(50, 2);
        let store = store(&builds);
        let t = builds[10].create_time;
        assert!(
            store
                .select(&BuildFilter::new().created_from(t).created_before(t))
                .is_empty()
        );
        let later = t + chrono::TimeDelta::days(1);
        assert!(
            store
                .select(&BuildFilter::new().created_from(later).created_before(t))
                .is_empty()
        );
        let day = TimeBound::Date(Utc.with_ymd_and_hms(2024, 1, 10, 0, 0, 0).unwrap().date_naive());
        let on_the_day: Vec<_> = store
            .select(&BuildFilter::new().created_from(day))
            .into_iter()
            .collect();
        assert!(on_the_day.iter().all(|b| b.create_time >= day.instant()));
    }

    #[test]
    fn memory_follows_the_builds_stored_not_every_build_ever_sent() {
        let mut store = BuildStore::default();
        // Ever new tags, each build removed after: the interner would keep them all.
        for i in 0..50_000u64 {
            store.insert(
                crate::BuildFixture::built("churn")
                    .id(i)
                    .tag("run", i.to_string())
                    .build(),
            );
            store.remove(BuildId(i));
        }
        assert!(store.vocabulary() < 10_000, "{} strings kept", store.vocabulary());
        // Many builds, then most removed: the empty slots go too.
        let kept: Vec<Build> = generate(20_000, 5);
        kept.iter().cloned().for_each(|b| store.insert(b));
        for build in &kept[100..] {
            store.remove(build.build_id);
        }
        assert!(store.slots.len() < 10_000, "{} slots kept", store.slots.len());
        let left: Vec<BuildId> = store.all().map(|b| b.build_id).collect();
        let mut expected: Vec<&Build> = kept[..100].iter().collect();
        expected.sort_by_key(|b| std::cmp::Reverse((b.create_time, b.build_id)));
        assert_eq!(left, expected.iter().map(|b| b.build_id).collect::<Vec<_>>());
        assert_eq!(
            store
                .select(&BuildFilter::new().tag("GITHUB_REPOSITORY", "acme/web"))
                .len(),
            naive(
                &kept[..100],
                &BuildFilter::new().tag("GITHUB_REPOSITORY", "acme/web")
            )
            .len(),
            "the indexes are built again with the store"
        );
    }

    #[test]
    fn updates_and_removals_keep_the_indexes_true() {
        let builds = generate(100, 3);
        let mut store = store(&builds);
        let id = builds[0].build_id;
        store.update(id, |b| {
            b.status = BuildStatus::Unknown("quarantined".into());
            b.tags.insert("moved", "yes");
        });
        let by_tag = store.select(&BuildFilter::new().tag("moved", "yes"));
        assert_eq!(by_tag.iter().map(|b| b.build_id).collect::<Vec<_>>(), vec![id]);
        let by_old_status = store.select(&BuildFilter::new().status(builds[0].status.clone()));
        assert!(by_old_status.iter().all(|b| b.build_id != id));
        assert!(store.remove(id).is_some());
        assert!(store.select(&BuildFilter::new().tag("moved", "yes")).is_empty());
        assert_eq!(store.len(), 99);
    }
}
