//! Any request, written as text (`METHOD TARGET`, headers, an empty line, a body), through
//! the mock's routing, faults, auth and handlers: never a panic, always a status the API
//! contract names. Then the same request as HTTP/1.1 bytes (a chunked body when its headers
//! say so) through the standalone server's front to a mock behind it: never a panic, and
//! an answer, when there is one, with a status the front or the contract names.
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
    if let Some(status) = nixbuild_mock::fuzzing::respond_through_front(data) {
        // Beside the API's: what the control API and its faults answer (201, 204, 409,
        // 429, 500, 502, 503, 504 through an injected fault), and the front's own (408,
        // 431, and hyper's 400 and 505 for what HTTP/1.1 cannot read).
        assert!(
            matches!(status, 200 | 201 | 204 | 400..=405 | 408 | 409 | 413 | 429 | 431 | 500..=505),
            "status {status} through the front for {:?}",
            String::from_utf8_lossy(data)
        );
    }
});
