//! Any request, written as text (`METHOD TARGET`, headers, an empty line, a body), through
//! the mock's routing, faults, auth and handlers: never a panic, always a status the API
//! contract names.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(status) = nixbuild_mock::fuzzing::respond(data) {
        assert!(
            matches!(status, 200 | 400 | 401 | 403 | 404 | 405 | 413),
            "status {status} for {:?}",
            String::from_utf8_lossy(data)
        );
    }
});
