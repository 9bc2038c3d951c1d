//! Freeing what a large store leaves behind, on a thread of its own: the builds a bulk load
//! was given, once their records are made, and a store's records and indexes when it is
//! dropped. A million builds are millions of small allocations to free, as long as loading
//! them (a store of 1M generated builds took 550 ms to drop on the caller's thread).

/// Past this many builds, they are freed on a thread of their own.
pub(super) const RELEASED_APART: usize = 10_000;

/// Drops `value` on a thread of its own (here if no thread can be made), then frees a large
/// block of the caller's heap there.
///
/// That block has glibc merge the small chunks freed there and then, on that thread. glibc
/// keeps small chunks freed in fast bins, unmerged, until their arena next serves or frees a
/// large chunk: after a million builds, the caller's next large allocation or free waited
/// while ten million chunks were merged, unless small allocations had taken them back first.
/// Another allocator only sees a block come and go.
pub(super) fn release_apart<T: Send + 'static>(value: T) {
    // Allocated here, from the caller's arena, where the value was most likely allocated and
    // its chunks go back to; above glibc's 64 KiB merge threshold and below its 128 KiB mmap
    // threshold, and never touched.
    let large: Vec<u8> = Vec::with_capacity(MERGING_BLOCK);
    // If no thread can be made, the closure, and the value with it, is dropped here.
    let _ = std::thread::Builder::new()
        .name("nixbuild-mock-free".into())
        .spawn(move || {
            drop(value);
            drop(large);
        });
}

/// The size of the block [`release_apart`] frees to have glibc merge the chunks it freed.
const MERGING_BLOCK: usize = 96 * 1024;
