//! Sharing a bulk load with a second thread: when it pays, and how the two run.

use std::sync::{Mutex, PoisonError};

/// Below this many builds, a bulk load runs on the caller's thread alone: a thread of its
/// own costs more than it saves.
const SHARED_FROM: usize = 50_000;

/// Whether a bulk load of `builds` builds is shared with a second thread.
pub(super) fn shared(builds: usize) -> bool {
    builds >= SHARED_FROM && std::thread::available_parallelism().is_ok_and(|threads| threads.get() > 1)
}

/// Runs `helper` on a thread of its own while `here` runs here, and returns what each
/// returned; if no thread can be made, `helper` runs here after. A panic in either is the
/// caller's.
pub(super) fn both<H: Send, R>(helper: impl FnOnce() -> H + Send, here: impl FnOnce() -> R) -> (H, R) {
    // Held where either thread can take it: the new thread if it starts, else this one.
    let helper = Mutex::new(Some(helper));
    let run = || {
        let helper = helper.lock().unwrap_or_else(PoisonError::into_inner).take();
        helper.map(|helper| helper())
    };
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("nixbuild-mock-load".into())
            .spawn_scoped(scope, run);
        let mine = here();
        let theirs = match spawned.map(|spawned| spawned.join()) {
            Ok(Ok(Some(theirs))) => theirs,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // No thread was made (or, never, it found the helper taken): run here.
            Ok(Ok(None)) | Err(_) => run().expect("the helper runs once, here if not there"),
        };
        (theirs, mine)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_return_what_each_returned_and_the_helper_may_borrow_mutably() {
        let mut halves = [vec![1, 2], vec![3, 4]];
        let [first, second] = &mut halves;
        let (theirs, mine) = both(
            || {
                first.push(0);
                first.len()
            },
            || {
                second.clear();
                "here"
            },
        );
        assert_eq!((theirs, mine), (3, "here"));
        assert_eq!(halves, [vec![1, 2, 0], vec![]]);
    }
}
