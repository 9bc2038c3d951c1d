//! [`TagTable`]: the id of each distinct tag (a name's symbol with a value), in a table
//! whose place for a tag can be read ahead of its lookup.
//!
//! At a million builds most tags are a CI run's id, one of a hundred thousand, and each
//! lookup was two cache misses, one after the other (a `hashbrown` table reads its control
//! bytes, then the entry they point to): interning tags was two fifths of making the
//! records. Here a tag's entry is found from its hash alone (open addressing, linear
//! probing), so [`TagTable::read_ahead`] reads it many lookups early, as a bulk load reads a
//! build's strings ahead, and the lookup finds it in the cache.

use std::hash::BuildHasher;

use compact_str::CompactString;
use hashbrown::DefaultHashBuilder;

use super::names::{Sym, TagId};

/// An entry: a tag's name, its id (`EMPTY` where there is no tag), and its value, inline up
/// to 24 bytes, so that a lookup reads one entry and no string elsewhere. 32 bytes: two to a
/// cache line.
#[derive(Debug, Clone)]
struct Entry {
    name: Sym,
    id: u32,
    value: CompactString,
}

/// The id of an empty entry.
const EMPTY: u32 = u32::MAX;

/// The fewest entries of a table that has any.
const MIN_ENTRIES: usize = 64;

/// Tags by name and value: see the module's documentation.
#[derive(Debug, Default)]
pub(crate) struct TagTable {
    /// A power of two in length (or empty), at most half full.
    entries: Vec<Entry>,
    /// Entries in use.
    len: usize,
    /// Seeded per table: a hostile set of tag values cannot aim at one place.
    hasher: DefaultHashBuilder,
}

impl TagTable {
    /// The hash a lookup of tag `name` = `value` starts from.
    pub(crate) fn hash(&self, name: Sym, value: &str) -> u64 {
        self.hasher.hash_one((name, value))
    }

    /// The id of tag `name` = `value` (whose [`hash`](TagTable::hash) is `hash`), if it is
    /// in the table.
    pub(crate) fn get(&self, hash: u64, name: Sym, value: &str) -> Option<TagId> {
        let found = &self.entries[self.place_of(hash, name, value)?];
        (found.id != EMPTY).then(|| TagId::from_raw(found.id))
    }

    /// Adds tag `name` = `value` (whose hash is `hash`) as `id`; the caller has found it
    /// absent.
    pub(crate) fn insert(&mut self, hash: u64, name: Sym, value: &str, id: TagId) {
        if (self.len + 1) * 2 > self.entries.len() {
            self.grow();
        }
        // The table has room: a place is found.
        if let Some(place) = self.place_of(hash, name, value) {
            self.entries[place] = Entry {
                name,
                id: id.raw(),
                value: CompactString::from(value),
            };
            self.len += 1;
        }
    }

    /// Reads the entry where a lookup of `hash` starts, and returns a byte of it: nothing
    /// depends on the read, so the processor has many in flight at once, and the lookup
    /// that follows finds the entry in the cache.
    pub(crate) fn read_ahead(&self, hash: u64) -> u32 {
        match self.entries.len().checked_sub(1) {
            Some(mask) => self.entries[hash as usize & mask].id,
            None => 0,
        }
    }

    /// The place of tag `name` = `value`, or the empty place where it would go (none when
    /// the table is empty).
    fn place_of(&self, hash: u64, name: Sym, value: &str) -> Option<usize> {
        let mask = self.entries.len().checked_sub(1)?;
        let mut place = hash as usize & mask;
        // At most half full: an empty entry comes before the probe wraps around.
        loop {
            let entry = &self.entries[place];
            if entry.id == EMPTY || (entry.name == name && entry.value == value) {
                return Some(place);
            }
            place = (place + 1) & mask;
        }
    }

    /// Doubles the entries, each put again in its place.
    fn grow(&mut self) {
        let size = (self.entries.len() * 2).max(MIN_ENTRIES);
        let empty = Entry {
            name: Sym::from_raw(0),
            id: EMPTY,
            value: CompactString::const_new(""),
        };
        let old = std::mem::replace(&mut self.entries, vec![empty; size]);
        let mask = size - 1;
        for entry in old.into_iter().filter(|entry| entry.id != EMPTY) {
            let mut place = self.hash(entry.name, &entry.value) as usize & mask;
            while self.entries[place].id != EMPTY {
                place = (place + 1) & mask;
            }
            self.entries[place] = entry;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(table: &TagTable, name: u32, value: &str) -> Option<TagId> {
        table.get(table.hash(Sym::from_raw(name), value), Sym::from_raw(name), value)
    }

    #[test]
    fn a_tag_is_found_by_its_name_and_value_through_growth() {
        let mut table = TagTable::default();
        assert_eq!(id(&table, 0, "x"), None, "an empty table finds nothing");
        assert_eq!(table.read_ahead(12345), 0);
        // Far past the first size: every growth puts each tag in its place again.
        for n in 0..10_000u32 {
            let (name, value) = (Sym::from_raw(n % 3), n.to_string());
            assert_eq!(id(&table, n % 3, &value), None);
            table.insert(table.hash(name, &value), name, &value, TagId::from_raw(n));
        }
        for n in 0..10_000u32 {
            assert_eq!(id(&table, n % 3, &n.to_string()), Some(TagId::from_raw(n)));
            // The same value under another name is another tag.
            assert_eq!(id(&table, (n + 1) % 3, &n.to_string()), None);
        }
        // Long values (past the inline 24 bytes) and the empty value.
        for (n, value) in ["", &"v".repeat(100)].into_iter().enumerate() {
            let tag = TagId::from_raw(20_000 + n as u32);
            table.insert(table.hash(Sym::from_raw(7), value), Sym::from_raw(7), value, tag);
            assert_eq!(id(&table, 7, value), Some(tag));
        }
        assert!(table.entries.len() >= 2 * table.len, "at most half full");
    }
}
