//! [`State`]: everything a mock knows, shared between its handle and its responder.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

use crate::auth::Authority;
use crate::faults::FaultQueue;
use crate::handlers::processes::ProcessLog;
use crate::journal::{Journal, RecordedRequest};
use crate::store::BuildStore;

/// Called with each request once it is answered (the standalone binary logs them).
pub(crate) type RequestObserver = Box<dyn Fn(&RecordedRequest) + Send + Sync>;

/// Everything a mock knows.
pub(crate) struct State {
    pub(crate) store: RwLock<BuildStore>,
    pub(crate) authority: Authority,
    pub(crate) auth_enabled: bool,
    pub(crate) faults: Mutex<FaultQueue>,
    pub(crate) journal: Mutex<Journal>,
    /// The path prefix the API is served under (`/api/v1`), or empty.
    pub(crate) prefix: String,
    pub(crate) observer: Option<RequestObserver>,
    /// The processes `POST /processes` received, the most recent ones.
    pub(crate) processes: Mutex<ProcessLog>,
}

impl State {
    /// The store, for reading.
    pub(crate) fn store(&self) -> RwLockReadGuard<'_, BuildStore> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Locks a mutex, carrying on after a panic elsewhere poisoned it: the data stays usable
/// and a mock server must keep answering.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
