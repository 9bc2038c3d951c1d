//! Building a [`BuildStore`] from many builds at once: a record of each, the keys sorted
//! once, and each index counted, then filled; shared by two threads when there are many.

use std::sync::OnceLock;

use hashbrown::HashMap;
use nixbuild::{Build, BuildStatus};

use super::release::{RELEASED_APART, release_apart};
use super::{BuildStore, Interner, Key, KeySet, Record, Stored, Sym, TagId};
use crate::world::chunked::{CHUNK, Chunked};
use crate::world::id_map::IdMap;

impl FromIterator<Build> for BuildStore {
    /// Builds the store in bulk: every build made a record, the keys sorted once, and every
    /// index counted, then filled in one pass over them, from sorted keys (several times
    /// faster than inserting one by one, and denser). A later build replaces an earlier one
    /// with the same id, as [`insert`](BuildStore::insert) does.
    fn from_iter<I: IntoIterator<Item = Build>>(builds: I) -> BuildStore {
        let builds: Vec<Build> = builds.into_iter().collect();
        let mut store = BuildStore::new_generation();
        // Slots are numbered in 32 bits: past that many builds (far past the mock's limits)
        // the earliest in the list are left out.
        let kept = &builds[builds.len().saturating_sub(u32::MAX as usize)..];
        let Made {
            slots,
            keys,
            builds_per_tag,
        } = records(kept, &mut store.strings);
        store.slots = slots;
        let ids_distinct = store.index(&keys, builds_per_tag);
        if !ids_distinct {
            // Rare: the builds are made again without the earlier builds of each id.
            return last_of_each_id(builds).into_iter().collect();
        }
        store.vocabulary_when_built = store.vocabulary();
        // A million builds are ten million small strings to free, as long as the rest of
        // the load: freed apart. Only now that the records are made: freed while they were
        // made, they left the allocator sorting millions of small free chunks at each large
        // allocation after.
        if builds.len() > RELEASED_APART {
            release_apart(builds);
        }
        store
    }
}

impl Extend<Build> for BuildStore {
    /// Adds `builds`, each replacing a build with the same id, as [`insert`](BuildStore::insert)
    /// does: one by one, or, when they are at least as many as the store holds (and many),
    /// by building the store again in bulk with them, which costs less.
    fn extend<I: IntoIterator<Item = Build>>(&mut self, builds: I) {
        let builds: Vec<Build> = builds.into_iter().collect();
        if builds.len() < BULK_FROM || builds.len() < self.len() {
            builds.into_iter().for_each(|build| self.insert(build));
            return;
        }
        let mut all: Vec<Build> = Vec::with_capacity(self.len() + builds.len());
        all.extend(self.all());
        // After the builds already stored: a later build with an id replaces an earlier one.
        all.extend(builds);
        *self = all.into_iter().collect();
    }
}

/// Below this many builds, [`BuildStore::extend`] inserts them one by one.
const BULK_FROM: usize = 1_000;

/// Below this many builds, a bulk load runs on the caller's thread alone: a thread of its
/// own costs more than it saves.
const SHARED_FROM: usize = 50_000;

/// Whether a bulk load of `builds` builds is shared with a second thread.
fn shared(builds: usize) -> bool {
    builds >= SHARED_FROM && std::thread::available_parallelism().is_ok_and(|threads| threads.get() > 1)
}

/// Runs `helper` on a thread of its own while `here` runs here, and returns what each
/// returned; if no thread can be made, `helper` runs here after. A panic in either is the
/// caller's.
fn both<H: Send, R>(helper: impl Fn() -> H + Sync, here: impl FnOnce() -> R) -> (H, R) {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("nixbuild-mock-load".into())
            .spawn_scoped(scope, &helper);
        let mine = here();
        let theirs = match spawned.map(|spawned| spawned.join()) {
            Ok(Ok(theirs)) => theirs,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => helper(),
        };
        (theirs, mine)
    })
}

/// What [`records`] makes of the builds of a bulk load.
struct Made {
    /// A record of each build, the last build first (it takes slot 0).
    slots: Chunked<Option<Stored>>,
    /// Each build's key, sorted.
    keys: Vec<Key>,
    /// How many builds carry each tag, by its id: counted as the records are made, when
    /// each record's tags are in the cache, rather than in a pass of their own over a
    /// million records, each a cache miss. In 32 bits, as slots are numbered: at a hundred
    /// thousand tags, half the bytes for the cache to hold.
    builds_per_tag: Vec<u32>,
}

/// A record of each build, the last build first (it takes slot 0), the builds' keys,
/// sorted, and how many carry each tag.
///
/// Many builds are shared by two threads, each with an interner of its own, the second's
/// then renumbered into `strings`: most of a record's making is looking up its strings and
/// tags, which at a million builds mostly miss the cache, and two threads wait for two
/// misses at once. The first thread's share is whole chunks, so that the second's slots are
/// joined to them as they lie. The keys, which need no record, are sorted on one thread
/// while the other renumbers.
fn records(builds: &[Build], strings: &mut Interner) -> Made {
    let made = |builds: &[Build], strings: &mut Interner| {
        let mut slots = Chunked::default();
        let mut builds_per_tag: Vec<u32> = Vec::new();
        // The last build first: the last group, its builds from the last.
        for group in builds.rchunks(READ_AHEAD) {
            read_ahead(group);
            for build in group.iter().rev() {
                let record = Record::new(build, strings);
                for tag in record.tags() {
                    add_to(&mut builds_per_tag, tag.raw() as usize, 1);
                }
                slots.push(Some(Stored {
                    record,
                    json: OnceLock::new(),
                }));
            }
        }
        (slots, builds_per_tag)
    };
    if !shared(builds.len()) {
        let (slots, builds_per_tag) = made(builds, strings);
        return Made {
            slots,
            keys: sorted_keys(builds),
            builds_per_tag,
        };
    }
    // The older builds, at the end, take the first slots.
    let older_count = (builds.len() / 2) / CHUNK * CHUNK;
    let (newer, older) = builds.split_at(builds.len() - older_count);
    let ((own, (mut newer_slots, newer_per_tag)), (mut slots, mut builds_per_tag)) = both(
        || {
            let mut own = Interner::default();
            let newer_made = made(newer, &mut own);
            (own, newer_made)
        },
        || made(older, strings),
    );
    let (keys, ()) = both(
        || sorted_keys(builds),
        || {
            let renumbering = strings.absorb(&own);
            for stored in newer_slots.iter_mut().flatten() {
                stored.record.renumber(&renumbering);
            }
            for (tag, &builds) in newer_per_tag.iter().enumerate() {
                let tag = renumbering.tag(TagId::from_raw(tag as u32));
                add_to(&mut builds_per_tag, tag.raw() as usize, builds);
            }
        },
    );
    slots.append(newer_slots);
    Made {
        slots,
        keys,
        builds_per_tag,
    }
}

/// Adds `n` to `counts[at]`, which is made long enough.
fn add_to(counts: &mut Vec<u32>, at: usize, n: u32) {
    if counts.len() <= at {
        counts.resize(at + 1, 0);
    }
    counts[at] += n;
}

/// The key of each build, in the API's order: its creation time, its id, and its slot as
/// [`records`] numbers them (the last build first).
fn sorted_keys(builds: &[Build]) -> Vec<Key> {
    let mut keys: Vec<Key> = (0u32..)
        .zip(builds.iter().rev())
        .map(|(slot, build)| Key::new(build.create_time, build.build_id, slot))
        .collect();
    keys.sort_unstable();
    keys
}

/// How many builds' strings [`read_ahead`] reads before their records are made.
const READ_AHEAD: usize = 16;

/// Reads the first byte of each string of `builds`, so that making their records finds
/// them in the cache.
///
/// A build's ten strings each lie in an allocation of their own, and at a million builds
/// most are a cache miss. Making a record reads them one after another, each behind the
/// hashing of the one before, so their misses came one at a time; here the reads depend on
/// nothing, and the processor has many in flight at once. Measured on 1M builds (the
/// loading bench's input), making the records took a median of 312 ms against 420 ms, and
/// the whole load 592–650 ms against 688–790 ms (medians of three runs of nine, alternated).
fn read_ahead(builds: &[Build]) {
    let first = |text: &str| text.as_bytes().first().copied().unwrap_or(0);
    let mut read = 0u8;
    for build in builds {
        read ^= first(&build.derivation_path) ^ first(&build.system);
        read ^= build.status_message.as_deref().map_or(0, first);
        for (name, value) in build.tags.iter() {
            read ^= first(name) ^ first(value);
        }
        for output in &build.outputs {
            read ^= first(&output.name) ^ first(&output.path) ^ first(&output.nar_hash);
        }
    }
    // Kept: without a use, the reads would be optimised away.
    std::hint::black_box(read);
}

impl BuildStore {
    /// Fills every index from `keys` (sorted, one per stored build) and `builds_per_tag`
    /// (how many carry each tag, by its id): the tags on a second thread when there are many
    /// builds, the rest here. False if two builds share an id: the indexes are then not the
    /// store's.
    fn index(&mut self, keys: &[Key], mut builds_per_tag: Vec<u32>) -> bool {
        let slots = &self.slots;
        builds_per_tag.resize(self.strings.tag_count(), 0);
        let string_count = self.strings.len();
        let tags = || -> Vec<KeySet> {
            filled(keys, slots, &builds_per_tag, |record, each| {
                record.tags().for_each(|tag| each(tag.raw() as usize));
            })
            .into_iter()
            .map(KeySet::from_sorted)
            .collect()
        };
        let rest = || {
            let (derivations, statuses) = by_derivation_and_status(keys, slots, string_count);
            let order = KeySet::from_sorted_slice(keys);
            (derivations, statuses, slots_by_id(keys), order)
        };
        let (by_tag, (by_derivation, by_status, slot_of, order)) = if shared(keys.len()) {
            both(tags, rest)
        } else {
            (tags(), rest())
        };
        if slot_of.len() < keys.len() {
            return false;
        }
        self.highest = slot_of.max_id();
        self.slot_of = slot_of;
        self.by_tag = by_tag;
        self.by_derivation = by_derivation;
        self.by_status = by_status;
        self.order = order;
        true
    }
}

/// The keys of each entry of an index numbered densely (below `counts.len()`; `numbers`
/// gives each of a record's to `each`), in the keys' order, each entry allocated once at its
/// count (`counts`, by number; a number past its end is left out).
fn filled(
    keys: &[Key],
    slots: &Chunked<Option<Stored>>,
    counts: &[u32],
    numbers: impl Fn(&Record, &mut dyn FnMut(usize)),
) -> Vec<Vec<Key>> {
    let mut gathered: Vec<Vec<Key>> = counts
        .iter()
        .map(|&count| Vec::with_capacity(count as usize))
        .collect();
    for key in keys {
        let Some(Some(stored)) = slots.get(key.slot as usize) else {
            continue;
        };
        numbers(&stored.record, &mut |number| {
            if let Some(keys) = gathered.get_mut(number) {
                keys.push(*key);
            }
        });
    }
    gathered
}

/// The derivation and status indexes, in one pass over the keys that reads each build's
/// record once (at a million builds each is a cache miss; a count pass and a fill pass for
/// each index read them four times), noting each key's places; each list is then made at its
/// size from the places, with no regrowth.
///
/// Places come from tables rather than a hash per build: a derivation's by its symbol (there
/// are `symbols`, numbered densely), a known status's by its place among
/// [`BuildStatus::KNOWN`]; only a status this crate does not know is hashed.
fn by_derivation_and_status(
    keys: &[Key],
    slots: &Chunked<Option<Stored>>,
    symbols: usize,
) -> (HashMap<Sym, KeySet>, HashMap<BuildStatus, KeySet>) {
    const NONE: u32 = u32::MAX;
    let mut derivation_place = vec![NONE; symbols];
    let mut derivations: Vec<(Sym, usize)> = Vec::new();
    let mut statuses: Vec<(BuildStatus, usize)> = BuildStatus::KNOWN
        .iter()
        .map(|status| (status.clone(), 0))
        .collect();
    let mut unknown_place: HashMap<&str, u32> = HashMap::new();
    // Each key's derivation's place and status's place (NONE where its slot is empty).
    let mut places: Vec<(u32, u32)> = Vec::with_capacity(keys.len());
    for key in keys {
        let Some(Some(stored)) = slots.get(key.slot as usize) else {
            places.push((NONE, NONE));
            continue;
        };
        let record = &stored.record;
        let derivation = match derivation_place.get_mut(record.derivation_path.raw() as usize) {
            Some(place) => {
                if *place == NONE {
                    *place = derivations.len() as u32;
                    derivations.push((record.derivation_path, 0));
                }
                derivations[*place as usize].1 += 1;
                *place
            }
            None => NONE,
        };
        let status = &record.status;
        let status = match BuildStatus::KNOWN.iter().position(|known| known == status) {
            Some(place) => place as u32,
            None => *unknown_place.entry(status.as_str()).or_insert_with(|| {
                statuses.push((status.clone(), 0));
                (statuses.len() - 1) as u32
            }),
        };
        statuses[status as usize].1 += 1;
        places.push((derivation, status));
    }
    let mut derivation_keys = lists_of(&derivations);
    let mut status_keys = lists_of(&statuses);
    for (key, &(derivation, status)) in keys.iter().zip(&places) {
        if let Some(keys) = derivation_keys.get_mut(derivation as usize) {
            keys.push(*key);
        }
        if let Some(keys) = status_keys.get_mut(status as usize) {
            keys.push(*key);
        }
    }
    (
        sets_of(derivations, derivation_keys),
        sets_of(statuses, status_keys),
    )
}

/// An empty list for each of `counted`, with room for its count.
fn lists_of<K>(counted: &[(K, usize)]) -> Vec<Vec<Key>> {
    counted
        .iter()
        .map(|&(_, count)| Vec::with_capacity(count))
        .collect()
}

/// The index of each of `counted` that has keys, its list (from `lists`, in the same order)
/// made a set.
fn sets_of<K: std::hash::Hash + Eq>(counted: Vec<(K, usize)>, lists: Vec<Vec<Key>>) -> HashMap<K, KeySet> {
    counted
        .into_iter()
        .zip(lists)
        .filter(|(_, keys)| !keys.is_empty())
        .map(|((at, _), keys)| (at, KeySet::from_sorted(keys)))
        .collect()
}

/// Each build's slot by its id (fewer than `keys` if ids repeat).
fn slots_by_id(keys: &[Key]) -> IdMap {
    IdMap::from_pairs(keys.iter().map(|key| (key.id(), key.slot)), keys.len())
}

/// `builds` without the earlier builds of each id, in their order.
fn last_of_each_id(builds: Vec<Build>) -> Vec<Build> {
    let mut seen = hashbrown::HashSet::with_capacity(builds.len());
    let mut kept: Vec<Build> = builds
        .into_iter()
        .rev()
        .filter(|build| seen.insert(build.build_id))
        .collect();
    kept.reverse();
    kept
}
