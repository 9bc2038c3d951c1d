//! Any bytes as a recording file (what `replay` and `check` read) and as an answer, a query
//! and a header through a recorder's redaction: never a panic, every recorded request
//! replayed, a JSON answer still JSON once redacted, a recorder's file always readable again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nixbuild_mock::fuzzing::recording(data);
});
