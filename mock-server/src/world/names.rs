//! [`Sym`] and [`TagId`]: the small numbers an [`Interner`](super::interner::Interner)
//! names its strings and tags by, which records and indexes keep in their place.

/// A string of an interner: its place in the interner's list.
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

/// A tag of an interner (a name with its value): its place in the interner's tag list.
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
