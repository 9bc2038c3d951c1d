//! The `name=value` pairs of a query string, found in one pass over its bytes.
//!
//! The mock reads every request's query with
//! [`BuildFilter::from_query_params`](crate::BuildFilter::from_query_params), in the debug build a test suite runs it in, where
//! `split('&')`, `split_once('=')` and two searches for `%` and `+` a name and a value were
//! each a dozen calls: 5,000 of the 10,500 instructions the filter of a first-time
//! `GET /builds?limit=50&create_time_to=…` cost (callgrind). One loop over the bytes notes
//! the `=` and whether anything needs decoding as it goes.

/// One pair of a query string, undecoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawPair<'q> {
    pub(crate) name: &'q str,
    pub(crate) value: &'q str,
    /// Whether `name` holds a `%` or a `+`, and so must be decoded.
    pub(crate) name_encoded: bool,
    /// Whether `value` holds a `%` or a `+`.
    pub(crate) value_encoded: bool,
}

/// The non-empty pairs of a query string (without its leading `?`), in order; a pair with no
/// `=` has an empty value.
pub(crate) struct QueryPairs<'q> {
    query: &'q str,
    /// Where the next pair starts.
    at: usize,
}

impl<'q> QueryPairs<'q> {
    pub(crate) fn new(query: &'q str) -> QueryPairs<'q> {
        QueryPairs { query, at: 0 }
    }
}

impl<'q> Iterator for QueryPairs<'q> {
    type Item = RawPair<'q>;

    fn next(&mut self) -> Option<RawPair<'q>> {
        let bytes = self.query.as_bytes();
        loop {
            if self.at >= bytes.len() {
                return None;
            }
            let start = self.at;
            let mut end = start;
            // No `=` yet while `equals` is past the end (a plain integer: an `Option`'s
            // `is_none` is a call of its own in a debug build, at every byte).
            let mut equals = usize::MAX;
            let (mut name_encoded, mut value_encoded) = (false, false);
            while end < bytes.len() {
                let byte = bytes[end];
                if byte == b'&' {
                    break;
                }
                if byte == b'=' && equals == usize::MAX {
                    equals = end;
                } else if byte == b'%' || byte == b'+' {
                    if equals == usize::MAX {
                        name_encoded = true;
                    } else {
                        value_encoded = true;
                    }
                }
                end += 1;
            }
            self.at = end + 1;
            if end == start {
                continue;
            }
            // Every cut is at an ASCII byte (`&`, `=`, or an end), so on a char boundary.
            let (name, value) = if equals == usize::MAX {
                (&self.query[start..end], "")
            } else {
                (&self.query[start..equals], &self.query[equals + 1..end])
            };
            return Some(RawPair {
                name,
                value,
                name_encoded,
                value_encoded,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(&str, &str, bool, bool)> {
        QueryPairs::new(query)
            .map(|p| (p.name, p.value, p.name_encoded, p.value_encoded))
            .collect()
    }

    #[test]
    fn pairs_are_cut_at_ampersands_and_the_first_equals_sign_noting_what_to_decode() {
        type Expected = &'static [(&'static str, &'static str, bool, bool)];
        let cases: [(&str, Expected); 8] = [
            ("", &[]),
            ("&&", &[]),
            ("a=1&b", &[("a", "1", false, false), ("b", "", false, false)]),
            ("a==1&=2&", &[("a", "=1", false, false), ("", "2", false, false)]),
            (
                "é=ü&x=%C3",
                &[("é", "ü", false, false), ("x", "%C3", false, true)],
            ),
            ("a%20b=c+d", &[("a%20b", "c+d", true, true)]),
            ("a+=b&c=d", &[("a+", "b", true, false), ("c", "d", false, false)]),
            ("a=b%&c", &[("a", "b%", false, true), ("c", "", false, false)]),
        ];
        for (query, expected) in cases {
            assert_eq!(pairs(query), expected, "{query:?}");
        }
    }

    #[test]
    fn the_pairs_are_the_standard_split_of_any_query() {
        // The reference: the chain of adapters this loop replaced.
        let reference = |query: &str| -> Vec<(String, String)> {
            query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect()
        };
        let alphabet = ["a", "=", "&", "%", "+", "é", ""];
        // Every query of up to four symbols of the alphabet.
        let mut queries = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = queries
                .iter()
                .flat_map(|q| alphabet.iter().map(move |s| format!("{q}{s}")))
                .collect();
            queries.extend(longer);
            queries.sort();
            queries.dedup();
        }
        for query in &queries {
            let found: Vec<RawPair<'_>> = QueryPairs::new(query).collect();
            let plain: Vec<(String, String)> = found
                .iter()
                .map(|p| (p.name.to_owned(), p.value.to_owned()))
                .collect();
            assert_eq!(plain, reference(query), "{query:?}");
            for pair in found {
                let encoded = |s: &str| s.contains(['%', '+']);
                assert_eq!(pair.name_encoded, encoded(pair.name), "{query:?}");
                assert_eq!(pair.value_encoded, encoded(pair.value), "{query:?}");
            }
        }
    }
}
