//! Building a [`BuildStore`] from many builds at once: a record of each, the keys sorted
//! once, and each index counted, then filled; shared by two threads when there are many.

mod records;
mod threads;

use hashbrown::HashMap;
use nixbuild::{Build, BuildStatus};

use self::records::{Facets, Made, records};
use self::threads::{both, shared};
use super::release::{RELEASED_APART, release_apart};
use super::{BuildStore, Key, KeySet, Stored, Sym};
use crate::world::chunked::Chunked;
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
        let Made { slots, keys, facets } = records(kept, &mut store.strings);
        store.slots = slots;
        let ids_distinct = store.index(&keys, &facets);
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

impl BuildStore {
    /// Fills every index from `keys` (sorted, one per stored build) and `facets` (what the
    /// indexes need of each build): the tags on a second thread when there are many builds,
    /// the rest here. False if two builds share an id: the indexes are then not the store's.
    fn index(&mut self, keys: &[Key], facets: &Facets) -> bool {
        let slots = &self.slots;
        let (tag_count, string_count) = (self.strings.tag_count(), self.strings.len());
        let tags = || -> Vec<KeySet> {
            by_tag(keys, facets, tag_count)
                .into_iter()
                .map(KeySet::from_sorted)
                .collect()
        };
        let rest = || {
            let (derivations, statuses) = by_derivation_and_status(keys, facets, slots, string_count);
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

/// The keys of each of `tags` tags (by its id; a tag past them is left out), in the keys'
/// order, each list allocated once at its count: counted first from the facets' tags, a few
/// bytes a build read in order.
fn by_tag(keys: &[Key], facets: &Facets, tags: usize) -> Vec<Vec<Key>> {
    let mut counts = vec![0u32; tags];
    for tag in facets.all_tags() {
        if let Some(count) = counts.get_mut(tag.raw() as usize) {
            *count += 1;
        }
    }
    let mut gathered: Vec<Vec<Key>> = counts
        .iter()
        .map(|&count| Vec::with_capacity(count as usize))
        .collect();
    for key in keys {
        for tag in facets.tags(key.slot) {
            if let Some(keys) = gathered.get_mut(tag.raw() as usize) {
                keys.push(*key);
            }
        }
    }
    gathered
}

/// The derivation and status indexes, in one pass over the keys that reads each build's
/// facets once, noting each key's places; each list is then made at its size from the
/// places, with no regrowth.
///
/// Places come from tables rather than a hash per build: a derivation's by its symbol (there
/// are `symbols`, numbered densely), a known status's by its place among
/// [`BuildStatus::KNOWN`]; only a status this crate does not know is read from the build's
/// record (in `slots`) and hashed.
fn by_derivation_and_status(
    keys: &[Key],
    facets: &Facets,
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
        let derivation = match facets
            .derivation(key.slot)
            .and_then(|derivation| Some((derivation, derivation_place.get_mut(derivation.raw() as usize)?)))
        {
            Some((derivation, place)) => {
                if *place == NONE {
                    *place = derivations.len() as u32;
                    derivations.push((derivation, 0));
                }
                derivations[*place as usize].1 += 1;
                *place
            }
            None => NONE,
        };
        let status = match facets.status(key.slot) {
            Some(Facets::UNKNOWN) => match slots.get(key.slot as usize) {
                Some(Some(stored)) => {
                    let status = &stored.record.status;
                    *unknown_place.entry(status.as_str()).or_insert_with(|| {
                        statuses.push((status.clone(), 0));
                        (statuses.len() - 1) as u32
                    })
                }
                _ => NONE,
            },
            Some(known) => u32::from(known),
            None => NONE,
        };
        if let Some((_, count)) = statuses.get_mut(status as usize) {
            *count += 1;
        }
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
