//! Waiting for builds to finish: the API has no push, so this polls, with backoff, until a
//! deadline.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

use crate::api::operation::OperationId;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::filter::BuildFilter;
use crate::models::{Build, BuildId, BuildStatus};
use crate::request::ApiRequest;

/// What [`WaitForBuilds`] waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WaitUntil {
    /// At least one build matches, and every matching build has finished.
    #[default]
    AllFinished,
    /// At least one matching build has finished.
    AnyFinished,
}

/// A build that appeared or changed status while waiting.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildChange {
    /// The build as it is now.
    pub build: Build,
    /// Its status at the previous poll; `None` for a build seen for the first time.
    pub previous: Option<BuildStatus>,
}

impl fmt::Display for BuildChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.previous {
            Some(previous) => write!(
                f,
                "{} {}: {previous} -> {}",
                self.build.build_id,
                self.build.name(),
                self.build.status
            ),
            None => write!(
                f,
                "{} {}: {}",
                self.build.build_id,
                self.build.name(),
                self.build.status
            ),
        }
    }
}

type ChangeObserver = Box<dyn FnMut(&BuildChange) + Send>;

/// Polls until the builds a filter selects have finished, from
/// [`Builds::wait_for`](crate::api::Builds::wait_for).
///
/// Polls start `poll_interval` apart (2 s) and double while nothing changes, up to
/// `max_poll_interval` (30 s); a change brings them back to the start. After `timeout`
/// (1 hour) the wait fails with [`Error::WaitTimedOut`]. Each poll lists every matching
/// build, so a filter that also matches old builds (a derivation built last week) is
/// satisfied by them: add `created_from` to wait for new ones only.
///
/// ```no_run
/// # async fn run(client: nixbuild::Client) -> nixbuild::Result<()> {
/// let builds = client
///     .builds()
///     .wait_for("/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv")
///     .timeout(std::time::Duration::from_secs(1800))
///     .on_change(|change| println!("{change}"))
///     .send()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[must_use = "a wait does nothing until it is sent"]
pub struct WaitForBuilds {
    client: Client,
    filter: BuildFilter,
    until: WaitUntil,
    poll_interval: Duration,
    max_poll_interval: Duration,
    timeout: Duration,
    on_change: Option<ChangeObserver>,
}

impl fmt::Debug for WaitForBuilds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForBuilds")
            .field("filter", &self.filter)
            .field("until", &self.until)
            .field("poll_interval", &self.poll_interval)
            .field("max_poll_interval", &self.max_poll_interval)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl WaitForBuilds {
    pub(crate) fn new(client: Client, mut filter: BuildFilter) -> WaitForBuilds {
        // Every matching build must be seen, not the newest few.
        filter.limit = None;
        WaitForBuilds {
            client,
            filter,
            until: WaitUntil::default(),
            poll_interval: Duration::from_secs(2),
            max_poll_interval: Duration::from_secs(30),
            timeout: Duration::from_secs(3600),
            on_change: None,
        }
    }

    /// What to wait for ([`WaitUntil::AllFinished`] by default).
    pub fn until(mut self, until: WaitUntil) -> Self {
        self.until = until;
        self
    }

    /// The first wait between polls, and the wait after a change.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The longest wait between polls.
    pub fn max_poll_interval(mut self, interval: Duration) -> Self {
        self.max_poll_interval = interval;
        self
    }

    /// How long to wait in all before failing with [`Error::WaitTimedOut`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Calls `observer` for each build that appears or changes status, as polls see them.
    pub fn on_change(mut self, observer: impl FnMut(&BuildChange) + Send + 'static) -> Self {
        self.on_change = Some(Box::new(observer));
        self
    }

    /// Waits: the matching builds once the condition holds (for
    /// [`WaitUntil::AnyFinished`], the finished ones).
    pub async fn send(mut self) -> Result<Vec<Build>> {
        let query = self.filter.to_query_string()?;
        let started = Instant::now();
        let mut known = HashMap::new();
        let mut interval = self.poll_interval;
        loop {
            let builds: Vec<Build> = self
                .client
                .send_json(ApiRequest::new(OperationId::ListBuilds, query.clone()))
                .await?;
            let changed = self.report_changes(&builds, &mut known);
            let finished: Vec<&Build> = builds.iter().filter(|b| b.status.is_finished()).collect();
            let done = match self.until {
                WaitUntil::AllFinished => !builds.is_empty() && finished.len() == builds.len(),
                WaitUntil::AnyFinished => !finished.is_empty(),
            };
            if done {
                return Ok(match self.until {
                    WaitUntil::AllFinished => builds,
                    WaitUntil::AnyFinished => finished.into_iter().cloned().collect(),
                });
            }
            let waited = started.elapsed();
            if waited >= self.timeout {
                let unfinished = builds.len() - finished.len();
                return Err(Error::WaitTimedOut {
                    waited,
                    matching: builds.len(),
                    unfinished,
                });
            }
            interval = if changed {
                self.poll_interval
            } else {
                interval.saturating_mul(2).min(self.max_poll_interval)
            };
            tokio::time::sleep(interval.min(self.timeout - waited)).await;
        }
    }

    /// Tells the observer about new builds and status changes; whether there were any.
    fn report_changes(&mut self, builds: &[Build], known: &mut HashMap<BuildId, BuildStatus>) -> bool {
        let mut changed = false;
        for build in builds {
            let previous = known.insert(build.build_id, build.status.clone());
            if previous.as_ref() == Some(&build.status) {
                continue;
            }
            changed = true;
            if let Some(observe) = &mut self.on_change {
                observe(&BuildChange {
                    build: build.clone(),
                    previous,
                });
            }
        }
        changed
    }
}
