//! [`Interner`]: each distinct string of the store, and each distinct tag (a name with its
//! value), kept once and named by a small number.
//!
//! A million builds name a few hundred derivations, systems and tag names, and a few tens of
//! thousands of tag values: kept once each, a build holds four bytes where it held a string
//! (24 bytes and its own copy on the heap), and its indexes are keyed by integers, which hash
//! and compare faster than the strings. A tag is one lookup of its (name, value) pair, and its
//! number places it in the tag index directly: at a million builds, each lookup of a rare
//! string (a CI run's id) is a cache miss, and a tag took three of them.

// compact_str: strings up to 24 bytes kept inline, so that a table's lookup reads no string
// elsewhere (see `Interner`).
use compact_str::CompactString;
use hashbrown::HashMap;

/// A string of an [`Interner`]: its place in the interner's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Sym(u32);

impl Sym {
    /// Its number, for a record to keep among its bytes.
    pub(crate) fn raw(self) -> u32 {
        self.0
    }

    /// The symbol of a number [`raw`](Sym::raw) gave.
    pub(crate) fn from_raw(n: u32) -> Sym {
        Sym(n)
    }
}

/// A tag of an [`Interner`] (a name with its value): its place in the interner's tag list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TagId(u32);

impl TagId {
    /// Its number, for a record to keep among its bytes, and for a tag index's place.
    pub(crate) fn raw(self) -> u32 {
        self.0
    }

    /// The tag of a number [`raw`](TagId::raw) gave.
    pub(crate) fn from_raw(n: u32) -> TagId {
        TagId(n)
    }
}

/// A tag as asked for: found in the tag table without making its value's string.
#[derive(Hash)]
struct TagRef<'a>(Sym, &'a str);

impl hashbrown::Equivalent<(Sym, CompactString)> for TagRef<'_> {
    fn equivalent(&self, key: &(Sym, CompactString)) -> bool {
        key.0 == self.0 && key.1 == self.1
    }
}

/// Distinct strings, each kept once and named by a [`Sym`], and distinct tags, named by a
/// [`TagId`].
///
/// The tables keep their strings inline up to 24 bytes (`CompactString`): a lookup reads
/// the table's slot and no string elsewhere. At a million builds a tag's value is mostly a CI
/// run's id, rare and short; each string behind a pointer was one more cache miss, and
/// interning tags was most of a bulk load.
///
/// Strings are never taken out: a store that is cleared starts a new interner, and until
/// then a string stays as long as the store (its builds are bounded, and so are their
/// strings).
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// Each string, by symbol.
    strings: Vec<CompactString>,
    /// Each string as JSON (quoted, escaped), by symbol: a build's JSON copies these bytes,
    /// escaped once per distinct string rather than once per build written.
    json: Vec<Box<[u8]>>,
    /// The symbol of each string.
    symbols: HashMap<CompactString, Sym>,
    /// Each tag's name and value, by id.
    tags: Vec<(Sym, Sym)>,
    /// The id of each tag, by its name's symbol and its value (its key hashes as the
    /// `TagRef` that finds it).
    tag_ids: HashMap<(Sym, CompactString), TagId>,
}

impl Interner {
    /// The symbol of `text`, which is added if it is new.
    ///
    /// # Panics
    /// Never for a store of builds: it would take 2³² distinct strings, more than a store
    /// can hold within the mock's limits.
    pub(crate) fn intern(&mut self, text: &str) -> Sym {
        if let Some(&sym) = self.symbols.get(text) {
            return sym;
        }
        let sym = Sym(u32::try_from(self.strings.len()).expect("fewer than 2^32 distinct strings"));
        self.strings.push(CompactString::from(text));
        // A string always encodes.
        let json = serde_json::to_vec(text).unwrap_or_else(|_| b"\"\"".to_vec());
        self.json.push(json.into_boxed_slice());
        self.symbols.insert(CompactString::from(text), sym);
        sym
    }

    /// The symbol of `text`, if it has been interned.
    pub(crate) fn get(&self, text: &str) -> Option<Sym> {
        self.symbols.get(text).copied()
    }

    /// The id of tag `name` = `value`, which is added if it is new.
    pub(crate) fn intern_tag(&mut self, name: &str, value: &str) -> TagId {
        let name = self.intern(name);
        if let Some(&id) = self.tag_ids.get(&TagRef(name, value)) {
            return id;
        }
        let id = TagId(u32::try_from(self.tags.len()).expect("fewer than 2^32 distinct tags"));
        let value_sym = self.intern(value);
        self.tags.push((name, value_sym));
        self.tag_ids.insert((name, CompactString::from(value)), id);
        id
    }

    /// The id of tag `name` = `value`, if it has been interned.
    pub(crate) fn tag(&self, name: &str, value: &str) -> Option<TagId> {
        self.tag_ids.get(&TagRef(self.get(name)?, value)).copied()
    }

    /// The symbols of the name and value of tag `id`.
    pub(crate) fn tag_syms(&self, id: TagId) -> (Sym, Sym) {
        // Every TagId comes from this interner, which never removes a tag; a symbol past the
        // end reads as the empty string.
        self.tags
            .get(id.0 as usize)
            .copied()
            .unwrap_or((Sym(u32::MAX), Sym(u32::MAX)))
    }

    /// The name and value of tag `id`.
    pub(crate) fn tag_parts(&self, id: TagId) -> (&str, &str) {
        let (name, value) = self.tag_syms(id);
        (self.text(name), self.text(value))
    }

    /// How many distinct tags it keeps (each tag's id is below).
    pub(crate) fn tag_count(&self) -> usize {
        self.tags.len()
    }

    /// The string of `sym`.
    pub(crate) fn text(&self, sym: Sym) -> &str {
        // Every Sym comes from this interner, which never removes a string.
        self.strings.get(sym.0 as usize).map_or("", CompactString::as_str)
    }

    /// The string of `sym` as JSON: quoted, and escaped as `serde_json` escapes it.
    pub(crate) fn json(&self, sym: Sym) -> &[u8] {
        self.json.get(sym.0 as usize).map_or(b"\"\"", |json| json)
    }

    /// How many distinct strings it keeps.
    pub(crate) fn len(&self) -> usize {
        self.strings.len()
    }

    /// Takes in every string and tag of `other`: what each of its symbols and tag ids is
    /// here. Records made with `other` are then made this interner's by [`Renumbering`].
    pub(crate) fn absorb(&mut self, other: &Interner) -> Renumbering {
        let syms: Vec<Sym> = other.strings.iter().map(|text| self.intern(text)).collect();
        let tags = other
            .tags
            .iter()
            .map(|&(name, value)| self.intern_tag(other.text(name), other.text(value)))
            .collect();
        Renumbering { syms, tags }
    }
}

/// What another interner's symbols and tag ids are in this one (see [`Interner::absorb`]).
pub(crate) struct Renumbering {
    syms: Vec<Sym>,
    tags: Vec<TagId>,
}

impl Renumbering {
    /// The symbol here of the other's `sym`.
    pub(crate) fn sym(&self, sym: Sym) -> Sym {
        // Every symbol renumbered comes from the absorbed interner, which has it.
        self.syms.get(sym.0 as usize).copied().unwrap_or(Sym(u32::MAX))
    }

    /// The tag id here of the other's `tag`.
    pub(crate) fn tag(&self, tag: TagId) -> TagId {
        self.tags.get(tag.0 as usize).copied().unwrap_or(TagId(u32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_interned_twice_is_one_symbol_and_reads_back() {
        let mut interner = Interner::default();
        let a = interner.intern("acme/web");
        let b = interner.intern("acme/infra");
        assert_ne!(a, b);
        assert_eq!(interner.intern("acme/web"), a);
        assert_eq!(interner.text(a), "acme/web");
        assert_eq!(interner.text(b), "acme/infra");
        let odd = interner.intern("quote\"back\\slash\u{7}\nü");
        assert_eq!(
            interner.json(odd),
            serde_json::to_vec(interner.text(odd)).unwrap()
        );
        assert_eq!(interner.get("acme/infra"), Some(b));
        assert_eq!(interner.get("nobody/nothing"), None);
        assert_eq!(interner.len(), 3);
        for i in 0..10_000 {
            interner.intern(&i.to_string());
        }
        assert_eq!(interner.text(interner.get("9999").unwrap()), "9999");
        assert_eq!(interner.get("acme/web"), Some(a), "kept through growth");
    }

    #[test]
    fn a_tag_is_its_name_and_value_together() {
        let mut interner = Interner::default();
        let run = interner.intern_tag("GITHUB_RUN_ID", "42");
        let other = interner.intern_tag("GITHUB_RUN_ID", "43");
        // The same two strings, split elsewhere, are another tag.
        let split = interner.intern_tag("GITHUB_RUN_ID4", "2");
        assert_ne!(run, other);
        assert_ne!(run, split);
        assert_eq!(interner.intern_tag("GITHUB_RUN_ID", "42"), run);
        assert_eq!(interner.tag("GITHUB_RUN_ID", "43"), Some(other));
        assert_eq!(interner.tag("GITHUB_RUN_ID", "44"), None);
        assert_eq!(interner.tag_parts(split), ("GITHUB_RUN_ID4", "2"));
        assert_eq!(interner.tag_count(), 3);
        assert_eq!(
            interner.get("GITHUB_RUN_ID"),
            Some(interner.intern("GITHUB_RUN_ID"))
        );
    }

    #[test]
    fn an_absorbed_interner_is_renumbered_into_this_one() {
        let mut mine = Interner::default();
        let web = mine.intern_tag("GITHUB_REPOSITORY", "acme/web");
        let hello = mine.intern("hello");
        let mut other = Interner::default();
        // Shared strings and tags at other numbers, and new ones.
        let other_new = other.intern("new");
        let other_hello = other.intern("hello");
        let other_run = other.intern_tag("GITHUB_RUN_ID", "7");
        let other_web = other.intern_tag("GITHUB_REPOSITORY", "acme/web");
        let renumbering = mine.absorb(&other);
        assert_eq!(renumbering.sym(other_hello), hello);
        assert_eq!(mine.text(renumbering.sym(other_new)), "new");
        assert_eq!(renumbering.tag(other_web), web);
        assert_eq!(mine.tag_parts(renumbering.tag(other_run)), ("GITHUB_RUN_ID", "7"));
        assert_eq!(mine.tag_count(), 2);
        // hello, GITHUB_REPOSITORY, acme/web, new, GITHUB_RUN_ID, 7.
        assert_eq!(mine.len(), 6);
    }
}
