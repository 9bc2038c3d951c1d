//! [`Interner`]: each distinct string of the store kept once, named by a small number.
//!
//! A million builds name a few hundred derivations, systems and tag names, and a few tens of
//! thousands of tag values: kept once each, a build holds four bytes where it held a string
//! (24 bytes and its own copy on the heap), and its indexes are keyed by integers, which hash
//! and compare faster than the strings.

use std::sync::Arc;

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

/// Distinct strings, each kept once and named by a [`Sym`].
///
/// Strings are never taken out: a store that is cleared starts a new interner, and until
/// then a string stays as long as the store (its builds are bounded, and so are their
/// strings).
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// Each string, by symbol, sharing its bytes with the key of `symbols`.
    strings: Vec<Arc<str>>,
    /// The symbol of each string: found by hash with the string beside it (no second hop
    /// through `strings`, which cost a cache miss a lookup at a million builds).
    symbols: HashMap<Arc<str>, Sym>,
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
        let shared: Arc<str> = Arc::from(text);
        self.strings.push(Arc::clone(&shared));
        self.symbols.insert(shared, sym);
        sym
    }

    /// The symbol of `text`, if it has been interned.
    pub(crate) fn get(&self, text: &str) -> Option<Sym> {
        self.symbols.get(text).copied()
    }

    /// The string of `sym`.
    pub(crate) fn text(&self, sym: Sym) -> &str {
        // Every Sym comes from this interner, which never removes a string.
        self.strings.get(sym.0 as usize).map_or("", |text| text)
    }

    /// How many distinct strings it keeps.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.strings.len()
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
        assert_eq!(interner.get("acme/infra"), Some(b));
        assert_eq!(interner.get("nobody/nothing"), None);
        assert_eq!(interner.len(), 2);
        for i in 0..10_000 {
            interner.intern(&i.to_string());
        }
        assert_eq!(interner.text(interner.get("9999").unwrap()), "9999");
        assert_eq!(interner.get("acme/web"), Some(a), "kept through growth");
    }
}
