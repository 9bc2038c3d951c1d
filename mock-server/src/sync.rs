//! Locking that outlives a panic: the bottom layer every other module of the mock may use.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a mutex, carrying on after a panic elsewhere poisoned it: the data stays usable
/// and a mock server must keep answering.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What can be empty.
pub(crate) trait Emptiable {
    fn is_empty(&self) -> bool;
}

impl<T> Emptiable for Vec<T> {
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

/// Items behind a mutex that every request asks about and that are nearly always none (the
/// faults queued, the expectations set): a flag says whether there are any, so that asking
/// when there are none takes no lock. In a debug build, where a test suite runs the mock,
/// locking and searching two empty lists cost 1,200 instructions a request (callgrind).
///
/// The flag is set under the lock after every change, so a request that comes after a
/// change (a test queues a fault, then sends the request) sees it.
pub(crate) struct MostlyEmpty<T> {
    items: Mutex<T>,
    any: AtomicBool,
}

impl<T: Emptiable> MostlyEmpty<T> {
    pub(crate) fn new(items: T) -> MostlyEmpty<T> {
        let any = !items.is_empty();
        MostlyEmpty {
            items: Mutex::new(items),
            any: AtomicBool::new(any),
        }
    }

    /// `change` made to the items, which may add some or take them away.
    pub(crate) fn update<R>(&self, change: impl FnOnce(&mut T) -> R) -> R {
        let mut items = lock(&self.items);
        let changed = change(&mut items);
        self.any.store(!items.is_empty(), Ordering::Release);
        changed
    }

    /// `change` made to the items if there are any; `None` without a lock if there are none.
    pub(crate) fn update_any<R>(&self, change: impl FnOnce(&mut T) -> R) -> Option<R> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        Some(self.update(change))
    }

    /// What `read` reads of the items.
    pub(crate) fn read<R>(&self, read: impl FnOnce(&T) -> R) -> R {
        read(&lock(&self.items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_seen_after_they_are_added_and_not_after_they_are_gone() {
        let items = MostlyEmpty::new(Vec::<u8>::new());
        assert_eq!(items.update_any(|v| v.len()), None, "none, no lock");
        items.update(|v| v.push(1));
        assert_eq!(items.update_any(|v| v.pop()), Some(Some(1)));
        assert_eq!(
            items.update_any(|v| v.len()),
            None,
            "taken away by the last change"
        );
        assert_eq!(MostlyEmpty::new(vec![7]).read(|v| v.clone()), vec![7]);
    }
}
