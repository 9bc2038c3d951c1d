//! Waiting until the builds a filter selects meet a [`Condition`]: by default, until every
//! derivation's newest build has finished. It is [`watch`](crate::api::Builds::watch)'s
//! polls, each judged by the condition, until it is met or the timeout passes.

mod condition;

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt};
use tokio::time::Instant;

pub use condition::{
    And, Condition, LatestPerDerivation, Not, Or, conditions, is_final, newest_per_derivation,
};

use super::watch::{BuildChange, Poller, Polling};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::filter::{BuildFilter, TimeBound};
use crate::models::Build;

/// How long a wait lasts unless set otherwise.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(3600);

type ChangeObserver = Box<dyn FnMut(&BuildChange) + Send>;

/// What happened at a poll of a wait, from [`WaitForBuilds::events`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WaitEvent {
    /// A build appeared or changed status (boxed: a build is large beside the others).
    Changed(Box<BuildChange>),
    /// A poll ended with the condition not met: each derivation's newest build, as
    /// [`newest_per_derivation`] picks it (empty when nothing matches yet).
    Waiting {
        /// The newest build of each derivation.
        latest: Vec<Build>,
    },
    /// The condition is met; the stream ends after this.
    Done(WaitOutcome),
}

/// How a wait ended: the builds the condition was met on, and each derivation's newest.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WaitOutcome {
    /// Every build the filter selected at the last poll, newest first.
    pub builds: Vec<Build>,
    /// Each derivation's newest build ([`newest_per_derivation`]), by derivation path.
    pub latest: Vec<Build>,
}

impl WaitOutcome {
    fn new(builds: Vec<Build>) -> WaitOutcome {
        let latest = newest_per_derivation(&builds).into_iter().cloned().collect();
        WaitOutcome { builds, latest }
    }

    /// Whether every derivation's newest build was built (and there is at least one).
    pub fn succeeded(&self) -> bool {
        !self.latest.is_empty() && self.latest.iter().all(|b| is_final(b) && b.status.is_success())
    }

    /// The derivations whose newest build was built.
    pub fn built(&self) -> impl Iterator<Item = &Build> {
        self.latest
            .iter()
            .filter(|b| is_final(b) && b.status.is_success())
    }

    /// The derivations whose newest build finished otherwise (its `status_message` says how).
    pub fn failed(&self) -> impl Iterator<Item = &Build> {
        self.latest
            .iter()
            .filter(|b| is_final(b) && !b.status.is_success())
    }

    /// The derivations whose newest build has not finished, or was restarted as a build not
    /// seen yet (a condition such as [`conditions::any_finished`] ends a wait before all are).
    pub fn unfinished(&self) -> impl Iterator<Item = &Build> {
        self.latest.iter().filter(|b| !is_final(b))
    }
}

/// Polls until the builds a filter selects meet a condition, from
/// [`Builds::wait_for`](crate::api::Builds::wait_for) or
/// [`wait_for_filter`](crate::api::Builds::wait_for_filter).
///
/// The condition is by default `latest_per_derivation(all_finished())`: for each derivation
/// its newest build counts, following restarts (a build restarted as another is superseded,
/// never final), so a failure rebuilt since is not a failure, and the wait is over when
/// every derivation's newest build has finished. Whether they succeeded is the outcome's
/// [`succeeded`](WaitOutcome::succeeded). An old build satisfies the wait as a new one
/// does: [`created_from`](Self::created_from) limits it to builds created since an instant
/// (a CI job's start, say).
///
/// Polls start `poll_interval` apart (2 s) and double while nothing changes, up to
/// `max_poll_interval` (30 s); a change brings them back to the start. After `timeout`
/// ([`DEFAULT_WAIT_TIMEOUT`]) the wait fails with [`Error::WaitTimedOut`].
///
/// ```no_run
/// # async fn run(client: nixbuild::Client) -> nixbuild::Result<()> {
/// let outcome = client
///     .builds()
///     .wait_for("/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv")
///     .created_from(chrono::Utc::now() - chrono::TimeDelta::hours(6))
///     .timeout(std::time::Duration::from_secs(1800))
///     .on_change(|change| println!("{change}"))
///     .send()
///     .await?;
/// for failed in outcome.failed() {
///     println!("{} {}: {:?}", failed.name(), failed.status, failed.status_message);
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "a wait does nothing until it is sent"]
pub struct WaitForBuilds {
    polling: Polling,
    condition: Arc<dyn Condition>,
    timeout: Duration,
    on_change: Option<ChangeObserver>,
}

impl fmt::Debug for WaitForBuilds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForBuilds")
            .field("polling", &self.polling)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl WaitForBuilds {
    pub(crate) fn new(client: Client, filter: BuildFilter) -> WaitForBuilds {
        WaitForBuilds {
            polling: Polling::new(client, filter),
            condition: Arc::new(conditions::latest_per_derivation(conditions::all_finished())),
            timeout: DEFAULT_WAIT_TIMEOUT,
            on_change: None,
        }
    }

    /// What to wait for (`latest_per_derivation(all_finished())` by default): any
    /// [`Condition`], such as `latest_per_derivation(any_finished())` or a closure.
    pub fn until(mut self, condition: impl Condition + 'static) -> Self {
        self.condition = Arc::new(condition);
        self
    }

    /// Only builds created at or after `since`: an older success (or failure) of the same
    /// derivation is not what this wait is about.
    pub fn created_from(mut self, since: impl Into<TimeBound>) -> Self {
        self.polling.filter = self.polling.filter.created_from(since);
        self
    }

    /// The first wait between polls, and the wait after a change.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.polling.poll_interval = interval;
        self
    }

    /// The longest wait between polls.
    pub fn max_poll_interval(mut self, interval: Duration) -> Self {
        self.polling.max_poll_interval = interval;
        self
    }

    /// How long to wait in all before failing with [`Error::WaitTimedOut`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Calls `observer` for each build that appears or changes status, as polls see them
    /// (with [`send`](Self::send); [`events`](Self::events) yields them instead).
    pub fn on_change(mut self, observer: impl FnMut(&BuildChange) + Send + 'static) -> Self {
        self.on_change = Some(Box::new(observer));
        self
    }

    /// Waits until the condition is met: how it ended. Whether the builds succeeded is the
    /// outcome's to say ([`WaitOutcome::succeeded`]), not an error.
    pub async fn send(mut self) -> Result<WaitOutcome> {
        let mut on_change = self.on_change.take();
        let mut waiter = self.waiter()?;
        loop {
            match waiter.next_event().await? {
                WaitEvent::Changed(change) => {
                    if let Some(observe) = on_change.as_mut() {
                        observe(&change);
                    }
                }
                WaitEvent::Waiting { .. } => {}
                WaitEvent::Done(outcome) => return Ok(outcome),
            }
        }
    }

    /// The wait as a stream of what each poll saw: changes, the state of a wait that goes on,
    /// and last its outcome (or an error: the timeout, or a request that failed after the
    /// client's retries). One loop can then draw progress and report the end.
    pub fn events(self) -> BoxStream<'static, Result<WaitEvent>> {
        match self.waiter() {
            Ok(waiter) => stream::unfold(Some(waiter), |waiter| async move {
                let mut waiter = waiter?;
                let event = waiter.next_event().await;
                let ended = matches!(event, Ok(WaitEvent::Done(_)) | Err(_));
                Some((event, (!ended).then_some(waiter)))
            })
            .boxed(),
            Err(error) => stream::once(async { Err(error) }).boxed(),
        }
    }

    fn waiter(self) -> Result<Waiter> {
        Ok(Waiter {
            poller: self.polling.start()?,
            condition: self.condition,
            timeout: self.timeout,
            started: Instant::now(),
            polled: false,
            pending: VecDeque::new(),
        })
    }
}

/// A wait under way: its poller, and the events of the last poll not yet taken (the last of
/// them, at the end, the outcome or the timeout).
struct Waiter {
    poller: Poller,
    condition: Arc<dyn Condition>,
    timeout: Duration,
    started: Instant,
    polled: bool,
    pending: VecDeque<Result<WaitEvent>>,
}

impl Waiter {
    /// The next event: one of the last poll's, or those of a new poll.
    async fn next_event(&mut self) -> Result<WaitEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return event;
            }
            if self.polled {
                let remaining = self.timeout.saturating_sub(self.started.elapsed());
                tokio::time::sleep(self.poller.next_interval().min(remaining)).await;
            }
            self.polled = true;
            let (builds, changes) = self.poller.poll().await?;
            self.pending.extend(
                changes
                    .into_iter()
                    .map(|change| Ok(WaitEvent::Changed(Box::new(change)))),
            );
            if self.condition.is_met(&builds) {
                self.pending
                    .push_back(Ok(WaitEvent::Done(WaitOutcome::new(builds))));
                continue;
            }
            let latest: Vec<Build> = newest_per_derivation(&builds).into_iter().cloned().collect();
            let waited = self.started.elapsed();
            self.pending.push_back(if waited >= self.timeout {
                Err(Error::WaitTimedOut {
                    waited,
                    matching: latest.len(),
                    unfinished: latest.iter().filter(|b| !is_final(b)).count(),
                })
            } else {
                Ok(WaitEvent::Waiting { latest })
            });
        }
    }
}
