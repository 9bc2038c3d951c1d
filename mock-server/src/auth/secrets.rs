//! Unguessable strings (the admin token, the dashboard's login codes and sessions), and how
//! one presented is compared with one kept.

/// 32 random bytes from the operating system, in hex.
pub(crate) fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    // The OS's generator does not fail on the systems Rust supports; if it did, bytes from
    // a generator seeded by the clock and the address space are still unguessable enough
    // for a test server.
    if getrandom::fill(&mut bytes).is_err() {
        let mut fallback = fastrand::Rng::new();
        bytes.iter_mut().for_each(|b| *b = fallback.u8(..));
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether two secrets are equal, compared in time that does not depend on where they differ.
pub(crate) fn same_secret(presented: &str, expected: &str) -> bool {
    let expected = expected.as_bytes();
    let presented = presented.as_bytes();
    if presented.len() != expected.len() {
        return false;
    }
    presented
        .iter()
        .zip(expected)
        .fold(0u8, |diff, (a, b)| diff | (a ^ b))
        == 0
}
