//! [`State`]: everything a mock knows, shared between its handle, its serving pipeline and
//! its control API. Its fields are private: each change and query is a method here, which
//! the Rust API ([`MockNixbuild`](crate::MockNixbuild)) and the control routes both call, so
//! that the two cannot drift apart. Paths mean one thing at every entry point: relative to
//! the API's root, and one written with the mock's prefix is read so too.

use std::sync::atomic::{AtomicU64, Ordering, fence};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::SystemTime;

use chrono::{DateTime, TimeDelta, Utc};
use nixbuild::api::operation::Operation;
use nixbuild::{Build, BuildId, BuildStatus, Process, Secret, Token, TokenError};

use super::answer_cache::AnswerCache;
use crate::auth::dashboard::DashboardLogins;
use crate::auth::{Authority, TokenMinter};
use crate::fixtures::build_fixture::IntoBuild;
use crate::instruments::expectation::{self, Counted, Expectation};
use crate::instruments::faults::{Fault, FaultQueue};
use crate::instruments::journal::Journal;
use crate::instruments::journaled::{AsReceived, Journaled};
use crate::instruments::recorded_request::RecordedRequest;
use crate::recording_format::Replayer;
use crate::sync::{MostlyEmpty, lock};
use crate::world::clock::{Clock, ClockOverflow};
use crate::world::lifecycle::{self, NoSuchBuild, StatusChangeError};
use crate::world::process_log::{ProcessLog, ScheduledProcess};
use crate::world::store::BuildStore;

/// Called with each request once it is answered (the standalone binary logs them).
pub(crate) type RequestObserver = Box<dyn Fn(&RecordedRequest) + Send + Sync>;

/// The id a mock gives its first build when it has none.
const FIRST_BUILD_ID: u64 = 10_000_000;

/// How a mock starts: what [`MockNixbuildBuilder`](crate::MockNixbuildBuilder) gathers.
pub(crate) struct StateConfig {
    pub(crate) builds: Vec<Build>,
    pub(crate) authority: Authority,
    pub(crate) auth_enabled: bool,
    /// The path prefix the API is served under (`/api/v1`), or empty.
    pub(crate) prefix: String,
    pub(crate) observer: Option<RequestObserver>,
    pub(crate) journal_capacity: usize,
    pub(crate) admin_token: Secret,
    pub(crate) replay: Option<Replayer>,
}

/// Everything a mock knows.
pub(crate) struct State {
    store: RwLock<BuildStore>,
    authority: Authority,
    auth_enabled: bool,
    faults: MostlyEmpty<FaultQueue>,
    journal: Mutex<Journal>,
    prefix: String,
    observer: Option<RequestObserver>,
    /// The processes `POST /processes` received, the most recent ones.
    processes: Mutex<ProcessLog>,
    /// The mock's now: for token expiry, new fixtures and status changes.
    clock: Clock,
    /// The secret of the control API (`/_mock`).
    admin_token: Secret,
    /// What the test expects to arrive, and what has.
    expectations: MostlyEmpty<Vec<Counted>>,
    /// Recent answers of the read operations, for as long as the store does not change.
    answers: Mutex<AnswerCache>,
    /// A recording whose answers the API gives instead of the store's, when replaying.
    replay: Option<Mutex<Replayer>>,
    /// The dashboard's login codes and sessions.
    dashboard: Mutex<DashboardLogins>,
    /// How many changes the mock has seen (requests, builds, faults, clock, expectations,
    /// tokens), for the dashboard to follow.
    changes: AtomicU64,
    /// The same count for followers to wait on, sent only while there are any: sending
    /// takes the channel's lock, even with no one to wake (callgrind: 1,800 instructions of
    /// every request journaled, in a debug build).
    followers: tokio::sync::watch::Sender<u64>,
}

impl State {
    pub(crate) fn new(config: StateConfig) -> State {
        State {
            store: RwLock::new(config.builds.into_iter().collect()),
            authority: config.authority,
            auth_enabled: config.auth_enabled,
            faults: MostlyEmpty::new(FaultQueue::default()),
            journal: Mutex::new(Journal::new(config.journal_capacity)),
            prefix: config.prefix,
            observer: config.observer,
            processes: Mutex::new(ProcessLog::default()),
            clock: Clock::default(),
            admin_token: config.admin_token,
            expectations: MostlyEmpty::new(Vec::new()),
            answers: Mutex::new(AnswerCache::default()),
            replay: config.replay.map(Mutex::new),
            dashboard: Mutex::new(DashboardLogins::default()),
            changes: AtomicU64::new(0),
            followers: tokio::sync::watch::Sender::new(0),
        }
    }

    // Changes.

    /// Makes a change, then counts it for whoever follows them. Counted after, never
    /// before: a follower that reads on seeing the count must find the change made, or it
    /// would show the state before it and never be told again.
    fn change<T>(&self, make: impl FnOnce() -> T) -> T {
        let made = make();
        let count = self.changes.fetch_add(1, Ordering::SeqCst).wrapping_add(1);
        // Paired with the fence in `watch_changes`: either this change sees the follower
        // subscribed, and sends, or the follower reads a count that holds this change.
        fence(Ordering::SeqCst);
        if self.followers.receiver_count() > 0 {
            self.tell_followers(count);
        }
        made
    }

    /// Sends `count` to the followers unless a later count is there already (two changes
    /// made at once may send out of order).
    fn tell_followers(&self, count: u64) {
        self.followers.send_if_modified(|sent| {
            let later = count > *sent;
            if later {
                *sent = count;
            }
            later
        });
    }

    /// How many changes the mock has seen.
    pub(crate) fn change_count(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    /// The count of changes, to wait on (the standalone front's event stream).
    #[cfg(feature = "cli")]
    pub(crate) fn watch_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        let follower = self.followers.subscribe();
        // Counted before anyone followed: caught up here (see `change`).
        fence(Ordering::SeqCst);
        self.tell_followers(self.change_count());
        follower
    }

    /// How many recorded requests the mock replays, or `None` when it serves its store.
    pub(crate) fn replays(&self) -> Option<usize> {
        self.replayer().map(|replayer| replayer.recorded())
    }

    // The dashboard's logins.

    /// A fresh one-time login code for the dashboard.
    pub(crate) fn dashboard_login_code(&self) -> String {
        lock(&self.dashboard).issue_code()
    }

    /// Uses up a login code: a new session's id, or `None`.
    pub(crate) fn open_dashboard_session(&self, code: &str) -> Option<String> {
        lock(&self.dashboard).redeem(code)
    }

    /// Whether a request's `Cookie` header holds an open dashboard session.
    pub(crate) fn dashboard_admits(&self, cookie_header: Option<&str>) -> bool {
        lock(&self.dashboard).admits(cookie_header)
    }

    // The configuration.

    /// The path prefix the API is served under (`/api/v1`), or empty.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `path` relative to the API's root: one written with the prefix is read without it.
    pub(crate) fn api_path<'p>(&self, path: &'p str) -> &'p str {
        match path.strip_prefix(self.prefix.as_str()) {
            Some(relative) if !self.prefix.is_empty() && relative.starts_with('/') => relative,
            _ => path,
        }
    }

    pub(crate) fn auth_enabled(&self) -> bool {
        self.auth_enabled
    }

    pub(crate) fn authority(&self) -> &Authority {
        &self.authority
    }

    pub(crate) fn admin_token(&self) -> &Secret {
        &self.admin_token
    }

    // Builds.

    /// The store, for the queries of the API's handlers.
    pub(crate) fn store(&self) -> RwLockReadGuard<'_, BuildStore> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn store_mut(&self) -> RwLockWriteGuard<'_, BuildStore> {
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds builds, each replacing any with the same id; a fixture without an id takes the
    /// next free one, and one without a creation time reached its status at the mock's now.
    pub(crate) fn add_builds<B: IntoBuild>(&self, builds: impl IntoIterator<Item = B>) -> Vec<BuildId> {
        self.change(|| {
            let now = self.clock.now();
            let mut store = self.store_mut();
            // Each build without an id of its own takes the next after the highest so far.
            let mut highest = store.max_id();
            let builds: Vec<Build> = builds
                .into_iter()
                .map(|build| {
                    let next = BuildId(highest.map_or(FIRST_BUILD_ID, |id| id.0.saturating_add(1)));
                    let build = build.into_build(next, now);
                    highest = highest.max(Some(build.build_id));
                    build
                })
                .collect();
            let ids = builds.iter().map(|build| build.build_id).collect();
            store.extend(builds);
            ids
        })
    }

    /// Moves build `id` to `status` at the mock's now (see [`lifecycle`]).
    pub(crate) fn set_status(&self, id: BuildId, status: BuildStatus) -> Result<Build, StatusChangeError> {
        self.change(|| {
            let now = self.clock.now();
            let mut store = self.store_mut();
            store
                .update(id, |build| {
                    lifecycle::move_to(build, status, now)?;
                    Ok(build.clone())
                })
                .unwrap_or(Err(StatusChangeError::NoSuchBuild(NoSuchBuild(id))))
        })
    }

    pub(crate) fn update_build(
        &self,
        id: BuildId,
        change: impl FnOnce(&mut Build),
    ) -> Result<(), NoSuchBuild> {
        self.change(|| self.store_mut().update(id, change).ok_or(NoSuchBuild(id)))
    }

    pub(crate) fn remove_build(&self, id: BuildId) -> Option<Build> {
        self.change(|| self.store_mut().remove(id))
    }

    pub(crate) fn clear_builds(&self) {
        self.change(|| {
            self.store_mut().clear();
        })
    }

    pub(crate) fn build(&self, id: BuildId) -> Option<Build> {
        self.store().get(id)
    }

    /// Every stored build, newest first.
    pub(crate) fn builds(&self) -> Vec<Build> {
        self.store().all().collect()
    }

    pub(crate) fn build_count(&self) -> usize {
        self.store().len()
    }

    /// The cache of read answers, valid while the store's generation stays.
    pub(crate) fn answers(&self) -> MutexGuard<'_, AnswerCache> {
        lock(&self.answers)
    }

    // Processes.

    /// Remembers processes `POST /processes` received; returns them as scheduled.
    pub(crate) fn submit_processes(&self, processes: Vec<Process>) -> Vec<ScheduledProcess> {
        self.change(|| lock(&self.processes).record(processes))
    }

    pub(crate) fn submitted_processes(&self) -> Vec<Process> {
        lock(&self.processes).recent()
    }

    // Tokens.

    /// A minter of tokens signed by the mock's root key, their lifetimes counted from the
    /// mock's clock.
    pub(crate) fn tokens(&self) -> TokenMinter {
        self.authority.tokens().issued_at(self.clock.system_now())
    }

    pub(crate) fn revoke(&self, token: &Token) -> Result<(), TokenError> {
        self.change(|| self.authority.revoke(token))
    }

    // Faults.

    /// Queues a fault; its path, if it has one, is read as every path is.
    pub(crate) fn inject_fault(&self, mut fault: Fault) {
        self.change(|| {
            if let Some(path) = fault.path.as_deref() {
                let relative = self.api_path(path).to_owned();
                fault.path = Some(relative);
            }
            self.faults.update(|faults| faults.push(fault));
        })
    }

    /// Takes one use of the first fault that applies to a request to `path` (relative to the
    /// API's root).
    pub(crate) fn take_fault(&self, path: &str) -> Option<Fault> {
        self.faults.update_any(|faults| faults.take(path)).flatten()
    }

    /// The faults not yet used up, in the order they apply.
    pub(crate) fn faults(&self) -> Vec<Fault> {
        self.faults.read(|faults| faults.pending().cloned().collect())
    }

    pub(crate) fn clear_faults(&self) {
        self.change(|| {
            self.faults.update(FaultQueue::clear);
        })
    }

    // The journal.

    /// Journals an answered request, after showing it to the observer (which has it
    /// redacted then, not when first read).
    pub(crate) fn record_request(&self, request: RecordedRequest, as_received: AsReceived) {
        let entry = Journaled::new(request, as_received);
        self.change(|| {
            if let Some(observe) = &self.observer {
                observe(entry.request());
            }
            lock(&self.journal).record(entry);
        })
    }

    /// The requests received, oldest first: those to `path` and with `method` when given, and
    /// those after the entry numbered `after`.
    pub(crate) fn received_requests(
        &self,
        path: Option<&str>,
        method: Option<&str>,
        after: u64,
    ) -> Vec<Arc<Journaled>> {
        let path = path.map(|p| self.api_path(p));
        lock(&self.journal)
            .after(after)
            .filter(|r| path.is_none_or(|p| p == r.path()))
            .filter(|r| method.is_none_or(|m| m.eq_ignore_ascii_case(r.method())))
            .cloned()
            .collect()
    }

    /// The request numbered `seq`, if the journal still holds it.
    pub(crate) fn received_request(&self, seq: u64) -> Option<Arc<Journaled>> {
        let journal = lock(&self.journal);
        let found = journal.after(seq.saturating_sub(1)).next();
        found.filter(|entry| entry.seq() == seq).cloned()
    }

    /// How many requests went to `path`.
    pub(crate) fn request_count(&self, path: &str) -> usize {
        lock(&self.journal).count(self.api_path(path))
    }

    /// The last `n` requests, a line each.
    pub(crate) fn recent_request_lines(&self, n: usize) -> Vec<String> {
        let journal = lock(&self.journal);
        let skip = journal.iter().count().saturating_sub(n);
        journal
            .iter()
            .skip(skip)
            .map(|entry| entry.request().line())
            .collect()
    }

    pub(crate) fn clear_requests(&self) {
        self.change(|| {
            lock(&self.journal).clear();
        })
    }

    /// The status of the last request journaled.
    #[cfg(fuzzing)]
    pub(crate) fn last_status(&self) -> Option<u16> {
        lock(&self.journal).last_status()
    }

    // Expectations.

    /// Expects requests; an expectation's path is read as every path is.
    pub(crate) fn expect(&self, expectation: Expectation) {
        self.change(|| {
            let expectation = expectation.with_relative_path(|path| self.api_path(path));
            self.expectations.update(|expectations| {
                expectations.push(Counted {
                    expectation,
                    received: 0,
                })
            });
        })
    }

    /// Counts a request for every expectation it meets.
    pub(crate) fn count_for_expectations(&self, path: &str, operation: Option<&Operation>, query: &str) {
        self.expectations.update_any(|expectations| {
            for counted in expectations.iter_mut() {
                if counted.expectation.counts(path, operation, query) {
                    counted.received += 1;
                }
            }
        });
    }

    /// The expectations not met so far, with what each counted.
    pub(crate) fn unmet_expectations(&self) -> Vec<(Expectation, u64)> {
        self.expectations
            .read(|expectations| expectation::unmet(expectations))
    }

    /// Each expectation, what it counted, and whether it is met.
    pub(crate) fn expectations(&self) -> Vec<(Expectation, u64, bool)> {
        self.expectations.read(|expectations| {
            expectations
                .iter()
                .map(|counted| (counted.expectation.clone(), counted.received, counted.is_met()))
                .collect()
        })
    }

    /// Drops the unmet expectations, once reported.
    pub(crate) fn drop_unmet_expectations(&self) {
        self.change(|| {
            self.expectations
                .update(|expectations| expectations.retain(Counted::is_met));
        })
    }

    // The clock.

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn system_now(&self) -> SystemTime {
        self.clock.system_now()
    }

    pub(crate) fn clock_is_frozen(&self) -> bool {
        self.clock.is_frozen()
    }

    pub(crate) fn set_clock(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, ClockOverflow> {
        self.change(|| self.clock.set(now))
    }

    pub(crate) fn advance_clock(&self, by: TimeDelta) -> Result<DateTime<Utc>, ClockOverflow> {
        self.change(|| self.clock.advance(by))
    }

    pub(crate) fn reset_clock(&self) {
        self.change(|| {
            self.clock.reset();
        })
    }

    // Replay.

    /// The recording being replayed, if the mock replays one.
    pub(crate) fn replayer(&self) -> Option<MutexGuard<'_, Replayer>> {
        self.replay.as_ref().map(lock)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{OnceLock, Weak};

    use nixbuild::reexports::reqwest::Method;

    use super::*;

    /// A follower reads when the count moves, so the count must not move before the change
    /// is made: the dashboard once showed a journal without its newest entry, and was never
    /// told again (the count had moved before the entry was journaled).
    #[test]
    fn a_change_is_counted_only_once_it_is_made() {
        let state_of_observer: Arc<OnceLock<Weak<State>>> = Arc::default();
        let seen_while_journaling: Arc<Mutex<Vec<u64>>> = Arc::default();
        let observer: RequestObserver = {
            let state = Arc::clone(&state_of_observer);
            let seen = Arc::clone(&seen_while_journaling);
            Box::new(move |_| {
                let state = state.get().and_then(Weak::upgrade).expect("the state is set");
                lock(&seen).push(state.change_count());
            })
        };
        let state = Arc::new(State::new(StateConfig {
            builds: Vec::new(),
            authority: Authority::generate(),
            auth_enabled: true,
            prefix: String::new(),
            observer: Some(observer),
            journal_capacity: 16,
            admin_token: Secret::from("admin"),
            replay: None,
        }));
        state_of_observer.set(Arc::downgrade(&state)).expect("set once");

        let before = state.change_count();
        state.record_request(
            RecordedRequest::new(Method::GET, "/builds", None),
            AsReceived::default(),
        );

        assert_eq!(
            *lock(&seen_while_journaling),
            [before],
            "not counted while journaling"
        );
        assert_eq!(state.change_count(), before + 1, "counted once journaled");
        assert_eq!(state.received_requests(None, None, 0).len(), 1);
    }

    /// Changes are counted with no one following them (nobody is woken), and a follower
    /// that comes later reads the count so far and is woken by each change after.
    #[cfg(feature = "cli")]
    #[test]
    fn a_follower_sees_the_count_so_far_and_is_woken_by_each_change_after() {
        let state = State::new(StateConfig {
            builds: Vec::new(),
            authority: Authority::generate(),
            auth_enabled: true,
            prefix: String::new(),
            observer: None,
            journal_capacity: 16,
            admin_token: Secret::from("admin"),
            replay: None,
        });
        let journal = || {
            state.record_request(
                RecordedRequest::new(Method::GET, "/builds", None),
                AsReceived::default(),
            )
        };
        journal();
        journal();
        let mut follower = state.watch_changes();
        assert_eq!(*follower.borrow_and_update(), 2, "counted while no one followed");
        assert!(!follower.has_changed().unwrap());
        journal();
        assert!(follower.has_changed().unwrap(), "woken");
        assert_eq!(*follower.borrow_and_update(), 3);
        drop(follower);
        journal();
        assert_eq!(state.change_count(), 4);
        assert_eq!(*state.watch_changes().borrow(), 4);
    }
}
