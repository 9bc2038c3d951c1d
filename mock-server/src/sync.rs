//! Locking that outlives a panic: the bottom layer every other module of the mock may use.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a mutex, carrying on after a panic elsewhere poisoned it: the data stays usable
/// and a mock server must keep answering.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
