//! Real data from nixbuild.net, for documentation, examples and tests: the crates of this
//! workspace (the mock serves it, the OpenAPI document shows it) and tests of your own.

use crate::models::Build;

/// The `GET /builds` response of nixbuild.net's launch announcement, as it was sent: two
/// builds of `snix-qemu-6.1.0`, one `client_disconnect`, one `built`.
pub const SEED_BUILDS_JSON: &str = include_str!("seed-builds.json");

/// The builds of [`SEED_BUILDS_JSON`].
///
/// ```
/// let seed = nixbuild::examples::seed_builds();
/// assert_eq!(seed.len(), 2);
/// assert_eq!(seed[0].build_id, 805823); // newest first
/// ```
pub fn seed_builds() -> Vec<Build> {
    // The text is this crate's own and decoding it is tested: it cannot fail at run time.
    serde_json::from_str(SEED_BUILDS_JSON).expect("the seed response decodes")
}
