//! Any text as a query string: the parser never panics, and what it accepts is written back
//! to a query that parses to the same filter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nixbuild::BuildFilter;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(filter) = BuildFilter::from_query(query) {
        if let Ok(written) = filter.to_query_string() {
            let again = BuildFilter::from_query(&written).expect("a written filter parses");
            assert_eq!(again, filter, "{query:?} -> {written:?}");
        }
    }
});
