//! Making the records of a bulk load: each build's record, its key and what the indexes
//! need of it, on two threads when there are many builds.

use std::sync::OnceLock;

use nixbuild::{Build, BuildStatus};

use super::super::{Interner, Key, Record, Stored, Sym, TagId};
use super::threads::{both, shared};
use crate::world::chunked::{CHUNK, Chunked};
use crate::world::interner::Renumbering;

/// What [`records`] makes of the builds of a bulk load.
pub(super) struct Made {
    /// A record of each build, the last build first (it takes slot 0).
    pub(super) slots: Chunked<Option<Stored>>,
    /// Each build's key, sorted.
    pub(super) keys: Vec<Key>,
    /// What the indexes need of each build, by slot.
    pub(super) facets: Facets,
}

/// What the indexes need of each build, by slot, kept apart from the records as they are
/// made: filling the indexes reads these few bytes of each build, where reading its record
/// streamed its 184 bytes through the cache, and its tags from an allocation of their own.
pub(super) struct Facets {
    /// Each build's derivation.
    derivations: Vec<Sym>,
    /// Each build's status: its place among [`BuildStatus::KNOWN`], or `UNKNOWN`.
    statuses: Vec<u8>,
    /// Where each build's tags start in `tags`, and where the last one's end (0 first).
    tag_starts: Vec<u32>,
    tags: Vec<TagId>,
}

impl Facets {
    /// The place of a status this crate does not know (read from the build's record).
    pub(super) const UNKNOWN: u8 = u8::MAX;

    /// Room for `builds` builds (and as many tags), so that a million are not moved as
    /// they grow.
    fn with_capacity(builds: usize) -> Facets {
        let mut tag_starts = Vec::with_capacity(builds + 1);
        tag_starts.push(0);
        Facets {
            derivations: Vec::with_capacity(builds),
            statuses: Vec::with_capacity(builds),
            tag_starts,
            tags: Vec::with_capacity(builds),
        }
    }

    fn push(&mut self, record: &Record, tags: &[TagId]) {
        self.derivations.push(record.derivation_path);
        let known = BuildStatus::KNOWN
            .iter()
            .position(|known| *known == record.status);
        self.statuses.push(
            known
                .and_then(|place| u8::try_from(place).ok())
                .unwrap_or(Self::UNKNOWN),
        );
        self.tags.extend_from_slice(tags);
        // Slots are numbered in 32 bits, and a build carries few tags: a million builds' are
        // far below 2³².
        self.tag_starts
            .push(u32::try_from(self.tags.len()).unwrap_or(u32::MAX));
    }

    /// The derivation of the build in `slot`.
    pub(super) fn derivation(&self, slot: u32) -> Option<Sym> {
        self.derivations.get(slot as usize).copied()
    }

    /// The status of the build in `slot`, as [`push`](Facets::push) placed it.
    pub(super) fn status(&self, slot: u32) -> Option<u8> {
        self.statuses.get(slot as usize).copied()
    }

    /// The tags of the build in `slot`.
    pub(super) fn tags(&self, slot: u32) -> &[TagId] {
        let slot = slot as usize;
        let (Some(&start), Some(&end)) = (self.tag_starts.get(slot), self.tag_starts.get(slot + 1)) else {
            return &[];
        };
        self.tags.get(start as usize..end as usize).unwrap_or_default()
    }

    /// Every build's tags, one build's after another's.
    pub(super) fn all_tags(&self) -> &[TagId] {
        &self.tags
    }

    /// Appends `other`'s builds after these.
    fn append(&mut self, other: Facets) {
        let base = self.tags.len() as u32;
        self.derivations.extend(other.derivations);
        self.statuses.extend(other.statuses);
        self.tags.extend(other.tags);
        // Its first start is 0, this one's last end.
        let ends = other.tag_starts.iter().skip(1);
        self.tag_starts.extend(ends.map(|end| base + end));
    }

    /// Made with another interner: its symbols and tag ids made this one's.
    fn renumber(&mut self, renumbering: &Renumbering) {
        self.derivations
            .iter_mut()
            .for_each(|derivation| *derivation = renumbering.sym(*derivation));
        self.tags.iter_mut().for_each(|tag| *tag = renumbering.tag(*tag));
    }
}

/// One thread's share of [`records`]: the records, keys and facets of a run of builds,
/// numbered from the slot of the last of them.
struct Share {
    slots: Chunked<Option<Stored>>,
    keys: Vec<Key>,
    facets: Facets,
}

/// How many builds' strings [`read_ahead`] reads before their records are made.
const READ_AHEAD: usize = 16;

/// The records of `builds`, the last first, numbered from slot `first_slot`, with their
/// strings and tags interned in `strings`.
///
/// Its keys and facets have room for `all` (the first share's, for the second's to be appended
/// without moving the first's).
fn share_of(builds: &[Build], strings: &mut Interner, first_slot: u32, all: usize) -> Share {
    let mut share = Share {
        slots: Chunked::default(),
        keys: Vec::with_capacity(all.max(builds.len())),
        facets: Facets::with_capacity(all.max(builds.len())),
    };
    let mut slot = first_slot;
    let mut tags = Vec::new();
    // The last build first: the last group, its builds from the last.
    for group in builds.rchunks(READ_AHEAD) {
        read_ahead(group);
        tags.clear();
        strings.intern_tags(
            group
                .iter()
                .rev()
                .flat_map(|build| build.tags.iter())
                .map(|(name, value)| (name.as_str(), value.as_str())),
            &mut tags,
        );
        let mut group_tags = tags.as_slice();
        for build in group.iter().rev() {
            let (own, rest) = group_tags.split_at(build.tags.len().min(group_tags.len()));
            group_tags = rest;
            let record = Record::with_tags(build, own, strings);
            share.keys.push(Key::new(build.create_time, build.build_id, slot));
            share.facets.push(&record, own);
            share.slots.push(Some(Stored {
                record,
                json: OnceLock::new(),
            }));
            slot = slot.wrapping_add(1);
        }
    }
    share
}

/// A record of each build, the last build first (it takes slot 0), the builds' keys,
/// sorted, and each build's facets.
///
/// Many builds are shared by two threads, each with an interner of its own, the second's
/// then renumbered into `strings`: most of a record's making is looking up its strings and
/// tags, which at a million builds mostly miss the cache, and two threads wait for two
/// misses at once. The first thread's share is whole chunks, so that the second's slots are
/// joined to them as they lie. The keys are sorted on one thread while `strings` takes in
/// the second's interner on the other; the second's records are then renumbered on both.
pub(super) fn records(builds: &[Build], strings: &mut Interner) -> Made {
    if !shared(builds.len()) {
        let Share {
            slots,
            mut keys,
            facets,
        } = share_of(builds, strings, 0, builds.len());
        keys.sort_unstable();
        return Made { slots, keys, facets };
    }
    // The older builds, at the end, take the first slots.
    let older_count = (builds.len() / 2) / CHUNK * CHUNK;
    let (newer, older) = builds.split_at(builds.len() - older_count);
    let ((own, mut newer), older) = both(
        || {
            let mut own = Interner::default();
            // Slots are numbered in 32 bits: the caller keeps no more builds than that.
            let newer = share_of(newer, &mut own, older_count as u32, 0);
            (own, newer)
        },
        || share_of(older, strings, 0, builds.len()),
    );
    let mut keys = older.keys;
    keys.extend_from_slice(&newer.keys);
    let (keys, renumbering) = both(
        move || {
            keys.sort_unstable();
            keys
        },
        || strings.absorb(&own),
    );
    let (first, second) = newer.slots.halves_mut();
    both(
        || first.for_each(|stored| renumber(stored, &renumbering)),
        || {
            second.for_each(|stored| renumber(stored, &renumbering));
            newer.facets.renumber(&renumbering);
        },
    );
    let Share {
        mut slots,
        mut facets,
        ..
    } = older;
    slots.append(newer.slots);
    facets.append(newer.facets);
    Made { slots, keys, facets }
}

fn renumber(stored: &mut Option<Stored>, renumbering: &Renumbering) {
    if let Some(stored) = stored {
        stored.record.renumber(renumbering);
    }
}

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
