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

pub(crate) use super::names::{Sym, TagId};
use super::tag_table::TagTable;

/// A string as an [`Interner`] keeps it: quoted, inline up to 22 bytes, with its JSON
/// where that is more than the string quoted.
#[derive(Debug)]
struct Text {
    /// The string between two quotes: its JSON when it has nothing to escape, written
    /// with one copy (a debug build, where a test suite serves its builds, pays for each
    /// call), and the string itself without the first and last byte.
    quoted: CompactString,
    /// The string as JSON (quoted, escaped as `serde_json` escapes it), kept only when it
    /// has a byte to escape: most (paths, names, a CI run's id) do not, and a copy of each
    /// cost a bulk load an allocation for each new tag value.
    escaped: Option<Box<[u8]>>,
}

impl Text {
    fn new(text: &str) -> Text {
        let mut quoted = CompactString::with_capacity(text.len() + 2);
        quoted.push('"');
        quoted.push_str(text);
        quoted.push('"');
        // serde_json escapes a quote, a backslash and the control characters below 0x20.
        let plain = text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
        Text {
            quoted,
            // A string always encodes.
            escaped: (!plain).then(|| serde_json::to_vec(text).unwrap_or_default().into_boxed_slice()),
        }
    }

    fn as_str(&self) -> &str {
        // Made between two one-byte quotes.
        self.quoted.get(1..self.quoted.len() - 1).unwrap_or("")
    }

    fn write_json(&self, out: &mut Vec<u8>) {
        match &self.escaped {
            Some(json) => out.extend_from_slice(json),
            None => out.extend_from_slice(self.quoted.as_bytes()),
        }
    }
}

/// How many tags [`Interner::intern_tags`] reads ahead at once: as many entries as the
/// cache keeps until their lookups come (a bulk load's group of builds carries about 30).
const TAGS_AT_ONCE: usize = 64;

/// Distinct strings, each kept once and named by a [`Sym`], and distinct tags, named by a
/// [`TagId`].
///
/// The tables keep their strings inline up to 24 bytes (`CompactString`): a lookup reads
/// the table's slot and no string elsewhere. At a million builds a tag's value is mostly a CI
/// run's id, rare and short; each string behind a pointer was one more cache miss, and
/// interning tags was most of a bulk load. A tag keeps its value itself, not as a symbol:
/// a new tag is then one insertion, where interning its value made it two, each a cache
/// miss at a hundred thousand CI runs.
///
/// Strings are never taken out: a store that is cleared starts a new interner, and until
/// then a string stays as long as the store (its builds are bounded, and so are their
/// strings).
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// Each string, by symbol.
    strings: Vec<Text>,
    /// The symbol of each string.
    symbols: HashMap<CompactString, Sym>,
    /// Each tag's name and value, by id.
    tags: Vec<(Sym, Text)>,
    /// The id of each tag, by its name's symbol and its value.
    tag_ids: TagTable,
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
        let sym = Sym::from_raw(u32::try_from(self.strings.len()).expect("fewer than 2^32 distinct strings"));
        self.strings.push(Text::new(text));
        self.symbols.insert(CompactString::from(text), sym);
        sym
    }

    /// The symbol of `text`, if it has been interned.
    pub(crate) fn get(&self, text: &str) -> Option<Sym> {
        self.symbols.get(text).copied()
    }

    /// The id of tag `name` = `value`, which is added if it is new.
    #[cfg(test)]
    pub(crate) fn intern_tag(&mut self, name: &str, value: &str) -> TagId {
        let mut id = Vec::with_capacity(1);
        self.intern_tags([(name, value)], &mut id);
        id[0]
    }

    /// The id of each tag of `tags` (a name with its value), in order, appended to `ids`;
    /// each is added if it is new.
    ///
    /// Many at once cost less than one by one: each lookup's hash is found first, then the
    /// entry it starts from is read for all of them in a tight loop, and the processor has
    /// their cache misses in flight together (a bulk load of a million builds waited for a
    /// hundred thousand CI runs' tags one miss at a time).
    pub(crate) fn intern_tags<'a>(
        &mut self,
        tags: impl IntoIterator<Item = (&'a str, &'a str)>,
        ids: &mut Vec<TagId>,
    ) {
        let mut tags = tags.into_iter().peekable();
        let mut asked: Vec<(u64, Sym, &str)> = Vec::new();
        while tags.peek().is_some() {
            asked.clear();
            for (name, value) in tags.by_ref().take(TAGS_AT_ONCE) {
                let name = self.intern(name);
                asked.push((self.tag_ids.hash(name, value), name, value));
            }
            let read = asked
                .iter()
                .fold(0, |read, &(hash, ..)| read ^ self.tag_ids.read_ahead(hash));
            // Kept: without a use, the reads would be optimised away.
            std::hint::black_box(read);
            for &(hash, name, value) in &asked {
                let id = match self.tag_ids.get(hash, name, value) {
                    Some(id) => id,
                    None => {
                        let id = TagId::from_raw(
                            u32::try_from(self.tags.len()).expect("fewer than 2^32 distinct tags"),
                        );
                        self.tags.push((name, Text::new(value)));
                        self.tag_ids.insert(hash, name, value, id);
                        id
                    }
                };
                ids.push(id);
            }
        }
    }

    /// The id of tag `name` = `value`, if it has been interned.
    pub(crate) fn tag(&self, name: &str, value: &str) -> Option<TagId> {
        let name = self.get(name)?;
        self.tag_ids.get(self.tag_ids.hash(name, value), name, value)
    }

    /// The name and value of tag `id`.
    pub(crate) fn tag_parts(&self, id: TagId) -> (&str, &str) {
        // Every TagId comes from this interner, which never removes a tag; one past the end
        // reads as two empty strings.
        self.tags
            .get(id.raw() as usize)
            .map_or(("", ""), |(name, value)| (self.text(*name), value.as_str()))
    }

    /// Appends tag `id` as a JSON object's member: its name, quoted, a colon, its value.
    pub(crate) fn write_tag_json(&self, id: TagId, out: &mut Vec<u8>) {
        match self.tags.get(id.raw() as usize) {
            Some((name, value)) => {
                self.write_json(*name, out);
                out.push(b':');
                value.write_json(out);
            }
            // Every TagId comes from this interner, which never removes a tag.
            None => out.extend_from_slice(b"\"\":\"\""),
        }
    }

    /// How many distinct tags it keeps (each tag's id is below).
    pub(crate) fn tag_count(&self) -> usize {
        self.tags.len()
    }

    /// The string of `sym`.
    pub(crate) fn text(&self, sym: Sym) -> &str {
        // Every Sym comes from this interner, which never removes a string.
        self.strings.get(sym.raw() as usize).map_or("", Text::as_str)
    }

    /// Appends the string of `sym` as JSON: quoted, and escaped as `serde_json` escapes it.
    pub(crate) fn write_json(&self, sym: Sym, out: &mut Vec<u8>) {
        match self.strings.get(sym.raw() as usize) {
            Some(text) => text.write_json(out),
            None => out.extend_from_slice(b"\"\""),
        }
    }

    /// How many distinct strings it keeps.
    pub(crate) fn len(&self) -> usize {
        self.strings.len()
    }

    /// Takes in every string and tag of `other`: what each of its symbols and tag ids is
    /// here. Records made with `other` are then made this interner's by [`Renumbering`].
    pub(crate) fn absorb(&mut self, other: &Interner) -> Renumbering {
        let syms: Vec<Sym> = other
            .strings
            .iter()
            .map(|text| self.intern(text.as_str()))
            .collect();
        let mut tags = Vec::with_capacity(other.tags.len());
        self.intern_tags(
            other
                .tags
                .iter()
                .map(|(name, value)| (other.text(*name), value.as_str())),
            &mut tags,
        );
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
        self.syms
            .get(sym.raw() as usize)
            .copied()
            .unwrap_or(Sym::from_raw(u32::MAX))
    }

    /// The tag id here of the other's `tag`.
    pub(crate) fn tag(&self, tag: TagId) -> TagId {
        self.tags
            .get(tag.raw() as usize)
            .copied()
            .unwrap_or(TagId::from_raw(u32::MAX))
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
        for sym in [a, odd] {
            let mut json = Vec::new();
            interner.write_json(sym, &mut json);
            assert_eq!(json, serde_json::to_vec(interner.text(sym)).unwrap());
        }
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
        // hello, GITHUB_REPOSITORY, new, GITHUB_RUN_ID (a tag keeps its value itself).
        assert_eq!(mine.len(), 4);
    }
}
