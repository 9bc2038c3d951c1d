//! [`Tags`]: a build's tags, a small map from tag name to value.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The tags a client attached to a build (`GITHUB_REPOSITORY` → `acme/web`): a map from
/// name to value, ordered by name, as the API writes a JSON object.
///
/// A build carries a handful of tags, so they are kept as one sorted array of pairs rather
/// than a tree: a `BTreeMap<String, String>` of two tags takes a 536-byte node besides its
/// strings, these take 96 bytes. Lookups are binary searches; an insert moves the pairs
/// after it, which at a few tags costs less than a tree's allocation.
///
/// ```
/// use nixbuild::Tags;
///
/// let mut tags: Tags = [("GITHUB_RUN_ID", "42"), ("GITHUB_REPOSITORY", "acme/web")].into_iter().collect();
/// assert_eq!(tags.get("GITHUB_REPOSITORY"), Some("acme/web"));
/// tags.insert("GITHUB_RUN_ID", "43");
/// assert_eq!(tags.keys().collect::<Vec<_>>(), ["GITHUB_REPOSITORY", "GITHUB_RUN_ID"]);
/// assert_eq!(serde_json::to_string(&tags).unwrap(), r#"{"GITHUB_REPOSITORY":"acme/web","GITHUB_RUN_ID":"43"}"#);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tags {
    /// Sorted by name, each name once.
    pairs: Vec<(String, String)>,
}

impl Tags {
    /// No tags.
    pub const fn new() -> Tags {
        Tags { pairs: Vec::new() }
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.pairs.binary_search_by(|(have, _)| have.as_str().cmp(name))
    }

    /// The value of tag `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let at = self.position(name).ok()?;
        Some(self.pairs[at].1.as_str())
    }

    /// Whether there is a tag `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets tag `name` to `value`; the value it had, if any.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) -> Option<String> {
        let name = name.into();
        let value = value.into();
        match self.position(&name) {
            Ok(at) => Some(std::mem::replace(&mut self.pairs[at].1, value)),
            Err(at) => {
                self.pairs.insert(at, (name, value));
                None
            }
        }
    }

    /// Removes tag `name`; its value, if it had one.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let at = self.position(name).ok()?;
        Some(self.pairs.remove(at).1)
    }

    /// Keeps the tags for which `keep(name, value)` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &str) -> bool) {
        self.pairs.retain(|(name, value)| keep(name, value));
    }

    /// The tags, by name.
    pub fn iter(&self) -> TagsIter<'_> {
        TagsIter(self.pairs.iter())
    }

    /// The names, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.pairs.iter().map(|(name, _)| name.as_str())
    }

    /// The values, in the order of their names.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.pairs.iter().map(|(_, value)| value.as_str())
    }

    /// How many tags there are.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Sorts pairs gathered in any order by name, the last of equal names winning (as a
    /// JSON object's last duplicate key does), and frees what the gathering over-allocated.
    fn settle(mut pairs: Vec<(String, String)>) -> Tags {
        if !pairs.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable: among equal names the last stays last, and it replaces those before it.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut deduped: Vec<(String, String)> = Vec::with_capacity(pairs.len());
            for pair in pairs {
                match deduped.last_mut() {
                    Some(last) if last.0 == pair.0 => *last = pair,
                    _ => deduped.push(pair),
                }
            }
            pairs = deduped;
        }
        pairs.shrink_to_fit();
        Tags { pairs }
    }
}

impl fmt::Debug for Tags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The tags of a [`Tags`], by name: `(&String, &String)` pairs, as a map's iterator gives.
#[derive(Debug, Clone)]
pub struct TagsIter<'a>(std::slice::Iter<'a, (String, String)>);

impl<'a> Iterator for TagsIter<'a> {
    type Item = (&'a String, &'a String);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(name, value)| (name, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for TagsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(name, value)| (name, value))
    }
}

impl ExactSizeIterator for TagsIter<'_> {}

impl<'a> IntoIterator for &'a Tags {
    type Item = (&'a String, &'a String);
    type IntoIter = TagsIter<'a>;

    fn into_iter(self) -> TagsIter<'a> {
        self.iter()
    }
}

impl IntoIterator for Tags {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.pairs.into_iter()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Tags {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Tags {
        Tags::settle(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for Tags {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        for (name, value) in pairs {
            self.insert(name, value);
        }
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for Tags {
    fn from(pairs: [(K, V); N]) -> Tags {
        pairs.into_iter().collect()
    }
}

impl From<std::collections::BTreeMap<String, String>> for Tags {
    fn from(map: std::collections::BTreeMap<String, String>) -> Tags {
        // Already sorted, each name once.
        Tags {
            pairs: map.into_iter().collect(),
        }
    }
}

impl From<Tags> for std::collections::BTreeMap<String, String> {
    fn from(tags: Tags) -> Self {
        tags.pairs.into_iter().collect()
    }
}

impl std::ops::Index<&str> for Tags {
    type Output = str;

    /// The value of tag `name`.
    ///
    /// # Panics
    ///
    /// When there is no such tag, as a map's index does; [`get`](Tags::get) does not.
    fn index(&self, name: &str) -> &str {
        self.get(name).unwrap_or_else(|| panic!("no tag named {name:?}"))
    }
}

impl Serialize for Tags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.pairs.len()))?;
        for (name, value) in &self.pairs {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Tags, D::Error> {
        struct TagsVisitor;

        impl<'de> Visitor<'de> for TagsVisitor {
            type Value = Tags;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of tag names to string values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tags, A::Error> {
                // A build carries a few tags: room for two, grown if need be.
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(2).min(64));
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(Tags::settle(pairs))
            }
        }

        deserializer.deserialize_map(TagsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_sorted_the_last_duplicate_winning_and_encodes_as_an_object() {
        let tags: Tags = serde_json::from_str(r#"{"b":"2","a":"1","b":"3"}"#).unwrap();
        assert_eq!(
            tags.iter().collect::<Vec<_>>(),
            [
                (&"a".to_owned(), &"1".to_owned()),
                (&"b".to_owned(), &"3".to_owned())
            ]
        );
        assert_eq!(serde_json::to_string(&tags).unwrap(), r#"{"a":"1","b":"3"}"#);
        assert_eq!(serde_json::from_str::<Tags>("{}").unwrap(), Tags::new());
        for hostile in [r#"{"a":1}"#, r#"["a","b"]"#, r#"{"a":null}"#, "null"] {
            assert!(serde_json::from_str::<Tags>(hostile).is_err(), "{hostile}");
        }
    }

    #[test]
    fn behaves_as_the_map_it_replaces() {
        let mut tags = Tags::from([("x", "1")]);
        let mut map = std::collections::BTreeMap::from([("x".to_owned(), "1".to_owned())]);
        for (name, value) in [("b", "2"), ("a", "3"), ("x", "4"), ("c", "5"), ("a", "6")] {
            assert_eq!(tags.insert(name, value), map.insert(name.into(), value.into()));
        }
        assert_eq!(tags.remove("c"), map.remove("c"));
        assert_eq!(tags.remove("zz"), map.remove("zz"));
        tags.retain(|name, _| name != "b");
        map.retain(|name, _| name != "b");
        assert_eq!(std::collections::BTreeMap::from(tags.clone()), map);
        assert_eq!(Tags::from(map.clone()), tags);
        assert_eq!(&tags["a"], "6");
        assert!(tags.contains_key("x") && !tags.contains_key("b"));
        assert_eq!(format!("{tags:?}"), format!("{map:?}"));
        assert_eq!(tags.len(), map.len());
    }

    #[test]
    fn two_tags_take_two_pairs_of_room() {
        let tags: Tags =
            serde_json::from_str(r#"{"GITHUB_REPOSITORY":"acme/web","GITHUB_RUN_ID":"42"}"#).unwrap();
        assert_eq!(tags.pairs.capacity(), 2);
    }
}
