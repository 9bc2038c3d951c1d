//! [`BuildStore`]: the mock's builds, indexed so that a query's cost follows the size of its
//! answer, not of the store.
//!
//! Builds are kept in the API's order (newest `create_time` first, then highest `build_id`),
//! and each derivation path, tag and status has an index of the builds that carry it, in the
//! same order. A query walks the most selective index that applies, within the creation-time
//! window, and stops at `limit`.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
// hashbrown for its default hasher (foldhash: several times faster than SipHash on the
// derivation paths and tags every build is indexed by, and seeded per process) and for
// `entry_ref`, which clones a key only when it is new.
use hashbrown::HashMap;
use nixbuild::{Build, BuildFilter, BuildId, BuildStatus};

use super::key_set::{Key, KeySet};
use crate::limits::MAX_CACHED_JSON_BYTES;

fn key(build: &Build) -> Key {
    (Reverse(build.create_time), Reverse(build.build_id))
}

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
    builds: BTreeMap<Key, Stored>,
    /// Each build's creation time by id: with the id, its key.
    keys: HashMap<BuildId, DateTime<Utc>>,
    by_derivation: HashMap<String, KeySet>,
    /// By tag name, then value (nested, so that a lookup borrows both).
    by_tag: HashMap<String, HashMap<String, KeySet>>,
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
}

/// A generation no store has had yet.
fn next_generation() -> u64 {
    static GENERATIONS: AtomicU64 = AtomicU64::new(0);
    GENERATIONS.fetch_add(1, Ordering::Relaxed) + 1
}

/// A build, and its JSON once it has been served.
#[derive(Debug)]
struct Stored {
    /// Boxed: the trees hold small entries, which a walk reads faster and a bulk build moves
    /// once.
    build: Box<Build>,
    /// Encoded on first use; a changed build is a new `Stored`.
    json: OnceLock<Box<[u8]>>,
}

impl Stored {
    fn new(build: Box<Build>) -> Stored {
        Stored {
            build,
            json: OnceLock::new(),
        }
    }

    /// Its JSON: kept from an earlier time, or encoded now and kept if `budget` has room.
    fn json(&self, budget: &AtomicUsize) -> Cow<'_, [u8]> {
        if let Some(json) = self.json.get() {
            return Cow::Borrowed(json);
        }
        // A Build's fields are strings, numbers and maps with string keys: it always encodes.
        let json = serde_json::to_vec(&self.build).unwrap_or_else(|_| b"null".to_vec());
        let room = budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(json.len())
                    .filter(|total| *total <= MAX_CACHED_JSON_BYTES)
            })
            .is_ok();
        if !room {
            return Cow::Owned(json);
        }
        match self.json.set(json.into_boxed_slice()) {
            Ok(()) => self
                .json
                .get()
                .map_or(Cow::Borrowed(&[][..]), |json| Cow::Borrowed(json)),
            // Another request encoded it first: its bytes are kept, these were not.
            Err(json) => {
                budget.fetch_sub(json.len(), Ordering::Relaxed);
                Cow::Owned(json.into_vec())
            }
        }
    }
}

impl FromIterator<Build> for BuildStore {
    /// Builds the store in bulk: sorted once, every tree built from sorted keys (several
    /// times faster than inserting one by one, and denser). A later build replaces an
    /// earlier one with the same id, as [`insert`](BuildStore::insert) does.
    fn from_iter<I: IntoIterator<Item = Build>>(builds: I) -> BuildStore {
        let mut builds: Vec<Option<Box<Build>>> = builds.into_iter().map(|b| Some(Box::new(b))).collect();
        // The id map, built as the builds are read (the last with an id is the one kept).
        let mut keys: HashMap<BuildId, DateTime<Utc>> = HashMap::with_capacity(builds.len());
        // Sorted as small (key, place) pairs: a build is moved once, into its tree.
        let mut order: Vec<(Key, usize)> = builds
            .iter()
            .enumerate()
            .rev()
            .filter_map(|(i, build)| {
                let build = build.as_ref()?;
                match keys.entry(build.build_id) {
                    hashbrown::hash_map::Entry::Vacant(vacant) => {
                        vacant.insert(build.create_time);
                        Some((key(build), i))
                    }
                    hashbrown::hash_map::Entry::Occupied(_) => None,
                }
            })
            .collect();
        order.sort_unstable_by_key(|a| a.0);
        let keyed: Vec<(Key, Box<Build>)> = order
            .into_iter()
            .filter_map(|(key, i)| Some((key, builds.get_mut(i)?.take()?)))
            .collect();
        drop(builds);
        let by_derivation = derivation_index(&keyed);
        let by_tag = tag_index(&keyed);
        let by_status = status_index(&keyed);
        let highest = keys.keys().max().copied();
        BuildStore {
            generation: next_generation(),
            keys,
            by_derivation,
            by_tag,
            by_status,
            highest,
            builds: keyed
                .into_iter()
                .map(|(key, build)| (key, Stored::new(build)))
                .collect(),
            ..BuildStore::default()
        }
    }
}

fn derivation_index(keyed: &[(Key, Box<Build>)]) -> HashMap<String, KeySet> {
    let mut by_derivation: HashMap<String, Vec<Key>> = HashMap::new();
    for (key, build) in keyed {
        entry(&mut by_derivation, &build.derivation_path).push(*key);
    }
    settled(by_derivation)
}

fn tag_index(keyed: &[(Key, Box<Build>)]) -> HashMap<String, HashMap<String, KeySet>> {
    let mut by_tag: HashMap<String, HashMap<String, Vec<Key>>> = HashMap::new();
    for (key, build) in keyed {
        for (name, value) in &build.tags {
            entry(entry(&mut by_tag, name), value).push(*key);
        }
    }
    by_tag
        .into_iter()
        .map(|(name, values)| (name, settled(values)))
        .collect()
}

fn status_index(keyed: &[(Key, Box<Build>)]) -> HashMap<BuildStatus, KeySet> {
    let mut by_status: HashMap<BuildStatus, Vec<Key>> = HashMap::new();
    for (key, build) in keyed {
        by_status.entry_ref(&build.status).or_default().push(*key);
    }
    settled(by_status)
}

/// An index of keys gathered in order, each entry made a [`KeySet`] where it lies (the
/// table is not rebuilt).
fn settled<K: std::hash::Hash + Eq>(index: HashMap<K, Vec<Key>>) -> HashMap<K, KeySet> {
    // hashbrown's tables keep their layout through a map of the values.
    index
        .into_iter()
        .map(|(at, keys)| (at, KeySet::from_sorted(keys)))
        .collect()
}

/// The entry of `map` at `at`, made empty if need be (the key is cloned only then).
fn entry<'a, V: Default>(map: &'a mut HashMap<String, V>, at: &str) -> &'a mut V {
    map.entry_ref(at).or_default()
}

impl BuildStore {
    /// Adds `build`, replacing a build with the same id.
    pub fn insert(&mut self, build: Build) {
        self.remove(build.build_id);
        self.generation = next_generation();
        let key = key(&build);
        self.keys.insert(build.build_id, build.create_time);
        self.highest = self.highest.max(Some(build.build_id));
        entry(&mut self.by_derivation, &build.derivation_path).insert(key);
        for (name, value) in &build.tags {
            entry(entry(&mut self.by_tag, name), value).insert(key);
        }
        self.by_status.entry_ref(&build.status).or_default().insert(key);
        self.builds.insert(key, Stored::new(Box::new(build)));
    }

    /// Removes and returns the build with this id.
    pub fn remove(&mut self, id: BuildId) -> Option<Build> {
        let key = (Reverse(self.keys.remove(&id)?), Reverse(id));
        self.generation = next_generation();
        let stored = self.builds.remove(&key)?;
        if let Some(json) = stored.json.get() {
            self.cached_json_bytes.fetch_sub(json.len(), Ordering::Relaxed);
        }
        let build = *stored.build;
        unindex(&mut self.by_derivation, build.derivation_path.as_str(), &key);
        for (name, value) in &build.tags {
            if let Some(values) = self.by_tag.get_mut(name.as_str()) {
                unindex(values, value.as_str(), &key);
                if values.is_empty() {
                    self.by_tag.remove(name.as_str());
                }
            }
        }
        unindex(&mut self.by_status, &build.status, &key);
        if self.highest == Some(id) {
            // Only removing the highest id costs a scan.
            self.highest = self.keys.keys().max().copied();
        }
        Some(build)
    }

    /// Removes every build.
    pub fn clear(&mut self) {
        *self = BuildStore {
            generation: next_generation(),
            ..BuildStore::default()
        };
    }

    /// A number that changes whenever the builds do: what a cached answer is checked
    /// against.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The build with this id.
    pub fn get(&self, id: BuildId) -> Option<&Build> {
        let created = *self.keys.get(&id)?;
        self.builds
            .get(&(Reverse(created), Reverse(id)))
            .map(|stored| &*stored.build)
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
        self.builds.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.builds.is_empty()
    }

    /// The highest build id, if any.
    pub fn max_id(&self) -> Option<BuildId> {
        self.highest
    }

    /// Every build, newest first.
    pub fn all(&self) -> impl Iterator<Item = &Build> {
        self.builds.values().map(|stored| &*stored.build)
    }

    /// The builds `filter` selects, newest first, at most `filter.limit` of them.
    pub fn select(&self, filter: &BuildFilter) -> Vec<&Build> {
        self.selected(filter).map(|stored| &*stored.build).collect()
    }

    /// The JSON array of the builds `filter` selects, as `GET /builds` answers it: each
    /// build's JSON is encoded once, the first time it is served, and copied after that.
    pub fn select_json(&self, filter: &BuildFilter) -> Vec<u8> {
        // Each build's bytes first, then one buffer of the exact size: the answer is written
        // once, never moved by a growing buffer.
        let parts: Vec<Cow<'_, [u8]>> = self
            .selected(filter)
            .map(|stored| stored.json(&self.cached_json_bytes))
            .collect();
        let size = 2 + parts.iter().map(|part| part.len() + 1).sum::<usize>();
        let mut json = Vec::with_capacity(size);
        json.push(b'[');
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            json.extend_from_slice(part);
        }
        json.push(b']');
        json
    }

    /// The stored builds `filter` selects, newest first, walked lazily: the candidates come
    /// from the most selective index, in the API's order, within the creation-time window,
    /// and the walk stops at `limit`. A query's cost follows its answer, not the store.
    fn selected<'a: 'f, 'f>(&'a self, filter: &'f BuildFilter) -> impl Iterator<Item = &'a Stored> + 'f {
        let window = window(filter);
        let limit = filter
            .limit
            .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        let candidates: Box<dyn Iterator<Item = &'a Key> + 'f> = if window.is_empty() {
            Box::new(std::iter::empty())
        } else {
            match self.narrowest_index(filter) {
                Narrowest::Store => Box::new(self.builds.range(window).map(|(key, _)| key)),
                Narrowest::One(set) => Box::new(set.range(window)),
                Narrowest::Merged(sets) => {
                    Box::new(Newest::merge(sets.into_iter().map(|set| set.range(window))))
                }
            }
        };
        candidates
            .filter_map(|key| self.builds.get(key))
            .filter(move |stored| filter.matches(&stored.build))
            .take(limit)
    }

    /// The smallest index every selected build must be in (or the statuses' indexes, merged),
    /// or the whole store when no index narrows the search.
    fn narrowest_index<'a>(&'a self, filter: &BuildFilter) -> Narrowest<'a> {
        static EMPTY: KeySet = KeySet::EMPTY;
        let mut narrowest: Option<&KeySet> = None;
        let mut consider = |set: &'a KeySet| {
            if narrowest.is_none_or(|n| set.len() < n.len()) {
                narrowest = Some(set);
            }
        };
        if let Some(drv) = &filter.derivation_path {
            consider(self.by_derivation.get(drv).unwrap_or(&EMPTY));
        }
        for (name, value) in &filter.tags {
            let set = self
                .by_tag
                .get(name.as_str())
                .and_then(|values| values.get(value.as_str()));
            consider(set.unwrap_or(&EMPTY));
        }
        if filter.statuses.is_empty() {
            return narrowest.map_or(Narrowest::Store, Narrowest::One);
        }
        let status_sets: Vec<&KeySet> = filter
            .statuses
            .iter()
            .filter_map(|status| self.by_status.get(status))
            .collect();
        let status_total: usize = status_sets.iter().map(|set| set.len()).sum();
        match narrowest {
            Some(set) if set.len() <= status_total => Narrowest::One(set),
            _ => Narrowest::Merged(status_sets),
        }
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
    // Keys sort newest first, and `Reverse(BuildId(0))` is the last key of its instant: a
    // window "before `to`" starts after every key at `to`, and "from `from`" ends with every
    // key at `from`.
    let last_at = |t: DateTime<Utc>| (Reverse(t), Reverse(BuildId(0)));
    Window {
        start: filter
            .created_before
            .map_or(Bound::Unbounded, |to| Bound::Excluded(last_at(to.instant()))),
        end: filter
            .created_from
            .map_or(Bound::Unbounded, |from| Bound::Included(last_at(from.instant()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::generate;
    use chrono::TimeZone;
    use nixbuild::TimeBound;

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
        let builds = generate(3000, 11);
        let store = store(&builds);
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..400 {
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
            if rng.bool() {
                filter = filter.created_from(builds[rng.usize(..builds.len())].create_time);
            }
            if rng.bool() {
                filter = filter.created_before(builds[rng.usize(..builds.len())].create_time);
            }
            if rng.bool() {
                filter = filter.limit(rng.u64(1..50));
            }
            let expected: Vec<BuildId> = naive(&builds, &filter).iter().map(|b| b.build_id).collect();
            let actual: Vec<BuildId> = store.select(&filter).iter().map(|b| b.build_id).collect();
            assert_eq!(actual, expected, "{filter:?}");
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
