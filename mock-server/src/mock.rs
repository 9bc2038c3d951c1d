//! [`MockNixbuild`]: a running fake nixbuild.net, and its builder.

use std::fmt;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use nixbuild::{Build, BuildId, BuildStatus, Client, ClientBuilder, Secret};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use crate::app::{RequestObserver, State, StateConfig};
use crate::auth::{Authority, TokenMinter, admin};
use crate::control::DASHBOARD_PATH;
use crate::dispatch::Responder;
use crate::fixtures::build_fixture::IntoBuild;
use crate::instruments::expectation::{Expectation, UnmetExpectations};
use crate::instruments::faults::Fault;
use crate::instruments::recorded_request::RecordedRequest;
use crate::recording_format::{Recording, Replayer};
use crate::world::clock::ClockOverflow;
use crate::world::lifecycle::{NoSuchBuild, StatusChangeError};

/// How many of the most recent requests a failed verification shows.
const RECENT_REQUESTS_SHOWN: usize = 20;
/// How many requests a mock remembers by default.
const DEFAULT_JOURNAL_CAPACITY: usize = 100_000;
/// How long the tokens of [`MockNixbuild::client`] live.
const CLIENT_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A fake nixbuild.net on a real HTTP server (wiremock's), with a store of builds, real
/// Biscuit auth, faults on demand and a journal of requests.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), nixbuild::Error> {
/// use nixbuild_mock::{BuildFixture, MockNixbuild, fixtures};
///
/// let mock = MockNixbuild::start().await;
/// mock.add_builds(fixtures::seed());
/// mock.add_build(BuildFixture::failed("hello-2.12").tag("GITHUB_RUN_ID", "42"));
///
/// let client = mock.client();
/// let failed = client.builds().list().tag("GITHUB_RUN_ID", "42").send().await?;
/// assert_eq!(failed.len(), 1);
/// assert_eq!(mock.request_count("/builds"), 1);
/// # Ok(())
/// # }
/// ```
pub struct MockNixbuild {
    server: MockServer,
    state: Arc<State>,
}

impl fmt::Debug for MockNixbuild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockNixbuild")
            .field("uri", &self.uri())
            .field("auth_enabled", &self.state.auth_enabled())
            .finish_non_exhaustive()
    }
}

impl MockNixbuild {
    /// Starts a mock with no builds, auth on and a fresh root key, on a free local port.
    pub async fn start() -> MockNixbuild {
        MockNixbuild::builder().start().await
    }

    /// A builder for a mock configured otherwise.
    pub fn builder() -> MockNixbuildBuilder {
        MockNixbuildBuilder::default()
    }

    /// The base URL to give a client, with the mock's path prefix.
    pub fn uri(&self) -> String {
        format!("{}{}", self.server.uri(), self.state.prefix())
    }

    /// A client builder pointed at the mock with a valid token (`build:read` and
    /// `build:write`, valid for a day), to configure further.
    ///
    /// The day counts from the later of the real time and the mock's: the SDK refuses to send
    /// a token it sees has expired by the real clock, and the mock checks it by its own, so
    /// the token must be valid by both even when a test moved the mock's clock back.
    pub fn client_builder(&self) -> ClientBuilder {
        let later = std::time::SystemTime::now().max(self.state.system_now());
        let token = self
            .state
            .authority()
            .tokens()
            .issued_at(later)
            .rights(["build:read", "build:write"])
            .expires_in(CLIENT_TOKEN_LIFETIME)
            .mint();
        Client::builder().token(token).base_url(self.uri())
    }

    /// A client pointed at the mock with a valid token.
    ///
    /// # Panics
    ///
    /// When the HTTP client cannot be set up at all (no TLS backend could start): nothing a
    /// test could do about it.
    pub fn client(&self) -> Client {
        self.client_builder()
            .build()
            .expect("a client for the mock's own URL can be built")
    }

    /// A minter of tokens signed by this mock's root key, their lifetimes counted from the
    /// mock's clock.
    pub fn tokens(&self) -> TokenMinter {
        self.state.tokens()
    }

    /// The secret of the control API under `/_mock` (`Authorization: Bearer <admin token>`),
    /// for a test that drives this mock over HTTP, as other languages do. It opens nothing
    /// of the API itself.
    pub fn admin_token(&self) -> Secret {
        self.state.admin_token().clone()
    }

    /// A one-time URL that opens this mock's dashboard (`/_mock/ui`) in a browser: the
    /// requests the code under test sent, the builds, faults, clock, tokens and
    /// expectations, all of it steerable. Its code is exchanged for a session cookie on first
    /// use and expires unused after ten minutes; ask again for another. In process, the page
    /// follows changes by asking four times a second; behind the binary's front, as they
    /// happen.
    pub fn dashboard_url(&self) -> String {
        format!(
            "{}{DASHBOARD_PATH}/login?code={}",
            self.server.uri(),
            self.state.dashboard_login_code()
        )
    }

    /// Revokes `token` and every token attenuated from it, as nixbuild.net's `tokens revoke`
    /// does: from now on they get 401 "revoked". The token it was attenuated from, if any,
    /// stays valid. Fails only for a token that is not a readable Biscuit token.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mock = nixbuild_mock::MockNixbuild::start().await;
    /// let token = mock.tokens().mint();
    /// let narrowed = token.attenuate().only(["build:read"]).finish()?;
    /// mock.revoke(&token)?;
    /// let client = mock.client_builder().token(narrowed).build()?;
    /// assert!(client.builds().list().send().await.unwrap_err().is_unauthorized());
    /// # Ok(())
    /// # }
    /// ```
    pub fn revoke(&self, token: &nixbuild::Token) -> Result<(), nixbuild::TokenError> {
        self.state.revoke(token)
    }

    /// The mock's signing authority (its root key).
    pub fn authority(&self) -> &Authority {
        self.state.authority()
    }

    /// Adds a build (a [`Build`] or a [`BuildFixture`](crate::BuildFixture)), replacing any
    /// with the same id, and returns its id.
    pub fn add_build(&self, build: impl IntoBuild) -> BuildId {
        self.add_builds([build])[0]
    }

    /// Adds several builds; returns their ids. A fixture without a creation time is created
    /// at the mock's now.
    pub fn add_builds<B: IntoBuild>(&self, builds: impl IntoIterator<Item = B>) -> Vec<BuildId> {
        self.state.add_builds(builds)
    }

    /// Moves build `id` to `status` at the mock's now, as the service would: to `running` it
    /// starts; to a finished status it finishes (starting first if pending), with the
    /// outputs and figures of a finished build. Builds never go back to `pending`, and a
    /// finished build does not change. Returns the build as it is now.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use nixbuild::BuildStatus;
    /// use nixbuild_mock::{BuildFixture, MockNixbuild};
    ///
    /// let mock = MockNixbuild::start().await;
    /// let id = mock.add_build(BuildFixture::pending("hello-2.12"));
    /// mock.set_status(id, BuildStatus::Running).unwrap();
    /// let built = mock.set_status(id, BuildStatus::Built).unwrap();
    /// assert_eq!(built.outputs.len(), 1);
    /// # }
    /// ```
    pub fn set_status(&self, id: BuildId, status: BuildStatus) -> Result<Build, StatusChangeError> {
        self.state.set_status(id, status)
    }

    /// Removes every build.
    pub fn clear_builds(&self) {
        self.state.clear_builds();
    }

    /// Changes a stored build: its status, times, outputs, … (see
    /// [`fixtures::mark_running`](crate::fixtures::mark_running) and
    /// [`fixtures::mark_finished`](crate::fixtures::mark_finished)).
    pub fn update_build(&self, id: BuildId, change: impl FnOnce(&mut Build)) -> Result<(), NoSuchBuild> {
        self.state.update_build(id, change)
    }

    /// Removes a build.
    pub fn remove_build(&self, id: BuildId) -> Option<Build> {
        self.state.remove_build(id)
    }

    /// A stored build.
    pub fn build(&self, id: BuildId) -> Option<Build> {
        self.state.build(id)
    }

    /// Every stored build, newest first.
    pub fn builds(&self) -> Vec<Build> {
        self.state.builds()
    }

    /// How many builds are stored.
    pub fn build_count(&self) -> usize {
        self.state.build_count()
    }

    /// The next `times` requests answer `status`, with no `Retry-After` (so the SDK retries
    /// after its own short backoff): status first, then times, as in Python and JavaScript.
    /// For a `Retry-After`, inject `Fault::status(status).retry_after(…)`.
    pub fn fail_next(&self, status: u16, times: usize) {
        self.inject_fault(Fault::status(status).times(times));
    }

    /// Queues a fault; faults apply in the order they were injected, each to the next API
    /// requests (to any path, or to its own), whether the mock serves its store or replays a
    /// recording. A fault's path is read as every path is: relative to the API's root, and
    /// one written with the mock's prefix is read without it.
    pub fn inject_fault(&self, fault: Fault) {
        self.state.inject_fault(fault);
    }

    /// The faults not yet used up, in the order they apply.
    pub fn faults(&self) -> Vec<Fault> {
        self.state.faults()
    }

    /// Drops every fault not yet used.
    pub fn clear_faults(&self) {
        self.state.clear_faults();
    }

    /// The requests received so far, oldest first.
    pub fn received_requests(&self) -> Vec<RecordedRequest> {
        let shared = self.state.received_requests(None, None, 0);
        shared.iter().map(|entry| entry.request().clone()).collect()
    }

    /// The requests received so far to `path` (relative to the API's root, or with the
    /// mock's prefix) and, when given, with `method`; oldest first.
    pub fn received_requests_to(&self, path: &str, method: Option<&str>) -> Vec<RecordedRequest> {
        let shared = self.state.received_requests(Some(path), method, 0);
        shared.iter().map(|entry| entry.request().clone()).collect()
    }

    /// How many requests went to `path` (`/builds`, `/usage`, …), relative to the API's root
    /// as every path of the mock's API is (one written with the mock's prefix is read without
    /// it), whatever their answer.
    pub fn request_count(&self, path: &str) -> usize {
        self.state.request_count(path)
    }

    /// The processes `POST /processes` received so far, in order (the most recent 10,000).
    pub fn submitted_processes(&self) -> Vec<nixbuild::Process> {
        self.state.submitted_processes()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.state.clear_requests();
    }

    /// Expects requests for an operation or to a path; checked when the mock is dropped
    /// (a failing check panics, naming what was expected and what arrived), or by
    /// [`verify`](Self::verify). Only requests that arrive after this call count.
    pub fn expect(&self, expectation: Expectation) {
        self.state.expect(expectation);
    }

    /// The expectations not met so far, with the most recent requests.
    pub fn check_expectations(&self) -> Result<(), UnmetExpectations> {
        let unmet = self.state.unmet_expectations();
        if unmet.is_empty() {
            return Ok(());
        }
        let recent_requests = self.state.recent_request_lines(RECENT_REQUESTS_SHOWN);
        Err(UnmetExpectations {
            unmet,
            recent_requests,
        })
    }

    /// Checks every expectation now. The unmet ones it reports are then dropped, so the
    /// mock's drop (or a later `verify`) does not fail a second time on them; to check
    /// without panicking, or without dropping them, use
    /// [`check_expectations`](Self::check_expectations).
    ///
    /// # Panics
    ///
    /// When one is not met, with a message naming each unmet expectation, what it counted,
    /// and the most recent requests.
    pub fn verify(&self) {
        if let Err(unmet) = self.check_expectations() {
            self.state.drop_unmet_expectations();
            panic!("{unmet}");
        }
    }

    /// The mock's now: real time, unless a test froze or moved it. It decides token expiry,
    /// the creation time of fixtures that set none, and the times of status changes.
    pub fn now(&self) -> DateTime<Utc> {
        self.state.now()
    }

    /// Freezes the mock's clock at `now`; an instant outside the years 0000 to 9999 (which
    /// RFC 3339 can write) is refused and leaves the clock as it was.
    pub fn set_clock(&self, now: DateTime<Utc>) -> Result<(), ClockOverflow> {
        self.state.set_clock(now).map(|_| ())
    }

    /// Moves the mock's clock by `by` and freezes it there; returns the new now.
    pub fn advance_clock(&self, by: std::time::Duration) -> Result<DateTime<Utc>, ClockOverflow> {
        let by = TimeDelta::from_std(by).map_err(|_| ClockOverflow)?;
        self.state.advance_clock(by)
    }

    /// Real time again.
    pub fn reset_clock(&self) {
        self.state.reset_clock();
    }

    /// What the mock knows, for the standalone front's dashboard events.
    #[cfg(feature = "cli")]
    pub(crate) fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// The wiremock server underneath. Mocks mounted on it take precedence over the fake
    /// nixbuild.net, which answers at the lowest priority.
    pub fn server(&self) -> &MockServer {
        &self.server
    }
}

impl Drop for MockNixbuild {
    /// Checks the expectations, as wiremock does: a test that forgot to call
    /// [`verify`](MockNixbuild::verify) still fails. Not while the thread is already
    /// panicking (the test failed anyway, and a second panic would abort).
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.verify();
        }
    }
}

/// Configures a [`MockNixbuild`].
#[derive(Default)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct MockNixbuildBuilder {
    authority: Option<Authority>,
    auth_disabled: bool,
    builds: Vec<Build>,
    prefix: String,
    listener: Option<TcpListener>,
    observer: Option<RequestObserver>,
    journal_capacity: Option<usize>,
    admin_token: Option<Secret>,
    replay: Option<Recording>,
    ignored_params: Vec<String>,
}

impl fmt::Debug for MockNixbuildBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockNixbuildBuilder")
            .field("auth_disabled", &self.auth_disabled)
            .field("builds", &self.builds.len())
            .field("prefix", &self.prefix)
            .field("replay", &self.replay.is_some())
            .finish_non_exhaustive()
    }
}

impl MockNixbuildBuilder {
    /// Signs and verifies tokens with this authority's root key (a fresh one otherwise).
    pub fn authority(mut self, authority: Authority) -> Self {
        self.authority = Some(authority);
        self
    }

    /// Answers every request without looking at its token.
    pub fn without_auth(mut self) -> Self {
        self.auth_disabled = true;
        self
    }

    /// Starts with these builds.
    pub fn builds(mut self, builds: impl IntoIterator<Item = Build>) -> Self {
        self.builds.extend(builds);
        self
    }

    /// Serves the API under this path prefix (`/api/v1`), as a self-hosted deployment does.
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        let prefix = prefix.into();
        self.prefix = format!("/{}", prefix.trim_matches('/'))
            .trim_end_matches('/')
            .to_owned();
        self
    }

    /// Listens on this socket instead of a free local port.
    pub fn listener(mut self, listener: TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Calls `observer` with each request once it is answered.
    pub fn on_request(mut self, observer: impl Fn(&RecordedRequest) + Send + Sync + 'static) -> Self {
        self.observer = Some(Box::new(observer));
        self
    }

    /// The control API's secret (a fresh random one otherwise), for a test that must know
    /// it in advance.
    pub fn admin_token(mut self, token: impl Into<Secret>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Remembers at most this many requests (the oldest are forgotten first).
    pub fn journal_capacity(mut self, capacity: usize) -> Self {
        self.journal_capacity = Some(capacity.max(1));
        self
    }

    /// Answers the API's requests from `recording` instead of the store: each recorded
    /// request (its method, path and query parameters in any order and encoding) gets its
    /// recorded status, `Content-Type`, `Retry-After` and body, byte for byte; a request
    /// recorded several times gets its answers in turn, and the last one after that. Any
    /// other request is answered 404 with a message naming the nearest recorded request and
    /// how it differs, and is marked [`unmatched`](RecordedRequest::unmatched) in the
    /// journal.
    ///
    /// Tokens are not checked (the recording's answers were given to the recorder's token,
    /// which it does not hold); faults, expectations and the journal work as ever.
    pub fn replay(mut self, recording: Recording) -> Self {
        self.replay = Some(recording);
        self
    }

    /// With [`replay`](Self::replay): a request matches its recorded one whatever these
    /// query parameters hold, and whether or not either sends them: for a parameter your
    /// own client makes unique to each request (a timestamp, a nonce), which would
    /// otherwise never replay. Its nearest-miss message leaves them out too.
    pub fn ignore_params<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ignored_params.extend(names.into_iter().map(Into::into));
        self
    }

    /// Starts the server.
    pub async fn start(self) -> MockNixbuild {
        let listener = self.listener;
        let state = Arc::new(State::new(StateConfig {
            builds: self.builds,
            authority: self.authority.unwrap_or_else(Authority::generate),
            auth_enabled: !self.auth_disabled,
            prefix: self.prefix,
            observer: self.observer,
            journal_capacity: self.journal_capacity.unwrap_or(DEFAULT_JOURNAL_CAPACITY),
            admin_token: self.admin_token.unwrap_or_else(admin::generate),
            replay: self
                .replay
                .map(|recording| Replayer::new(recording, self.ignored_params)),
        }));
        // The mock keeps its own bounded journal; wiremock's would grow without end. (Each
        // mounted mock still keeps a copy of every request it matches, ours included: wiremock
        // 0.6.5 has no way to turn that off; see the guide's "Bounded" section.)
        let builder = MockServer::builder().disable_request_recording();
        let builder = match listener {
            Some(listener) => builder.listener(listener),
            None => builder,
        };
        let server = builder.start().await;
        // Unnamed: wiremock copies a mock's name into a report after every request it
        // matches, and the mock's expectations are its own, never wiremock's.
        Mock::given(any())
            .respond_with(Responder(Arc::clone(&state)))
            .with_priority(u8::MAX)
            .mount(&server)
            .await;
        MockNixbuild { server, state }
    }
}
