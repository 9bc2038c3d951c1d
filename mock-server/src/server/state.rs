//! [`State`]: everything a mock knows, shared between its handle, its responder and its
//! control API, and the changes both APIs make to it (one implementation for each).

use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use nixbuild::{Build, BuildId, BuildStatus, Secret};

use crate::IntoBuild;
use crate::auth::Authority;
use crate::recording::Replayer;
use crate::server::answer_cache::AnswerCache;
use crate::testing::expectation::Counted;
use crate::testing::faults::FaultQueue;
use crate::testing::journal::{Journal, RecordedRequest};
use crate::world::clock::Clock;
use crate::world::lifecycle::{self, NoSuchBuild, StatusChangeError};
use crate::world::process_log::ProcessLog;
use crate::world::store::BuildStore;

/// Called with each request once it is answered (the standalone binary logs them).
pub(crate) type RequestObserver = Box<dyn Fn(&RecordedRequest) + Send + Sync>;

/// The id a mock gives its first build when it has none.
const FIRST_BUILD_ID: u64 = 10_000_000;

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
    /// The mock's now: for token expiry, new fixtures and status changes.
    pub(crate) clock: Clock,
    /// The secret of the control API (`/_mock`).
    pub(crate) admin_token: Secret,
    /// What the test expects to arrive, and what has.
    pub(crate) expectations: Mutex<Vec<Counted>>,
    /// Recent answers of the read operations, for as long as the store does not change.
    pub(crate) answers: Mutex<AnswerCache>,
    /// A recording whose answers the API gives instead of the store's, when replaying.
    pub(crate) replay: Option<Mutex<Replayer>>,
}

impl State {
    /// The store, for reading.
    pub(crate) fn store(&self) -> RwLockReadGuard<'_, BuildStore> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The store, for changing.
    pub(crate) fn store_mut(&self) -> RwLockWriteGuard<'_, BuildStore> {
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds builds, each replacing any with the same id; a fixture without an id takes the
    /// next free one, and one without a creation time the mock's now.
    pub(crate) fn add_builds<B: IntoBuild>(&self, builds: impl IntoIterator<Item = B>) -> Vec<BuildId> {
        let now = self.clock.now();
        let mut store = self.store_mut();
        builds
            .into_iter()
            .map(|build| {
                let next = BuildId(store.max_id().map_or(FIRST_BUILD_ID, |id| id.0.saturating_add(1)));
                let build = build.into_build(next, now);
                let id = build.build_id;
                store.insert(build);
                id
            })
            .collect()
    }

    /// Moves build `id` to `status` at the mock's now (see [`lifecycle`]).
    pub(crate) fn set_status(&self, id: BuildId, status: BuildStatus) -> Result<Build, StatusChangeError> {
        let now = self.clock.now();
        let mut store = self.store_mut();
        store
            .update(id, |build| {
                lifecycle::move_to(build, status, now)?;
                Ok(build.clone())
            })
            .unwrap_or(Err(StatusChangeError::NoSuchBuild(NoSuchBuild(id))))
    }
}

pub(crate) use crate::sync::lock;
