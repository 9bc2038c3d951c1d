//! Watching the builds a filter selects: the API has no push, so a [`Poller`] lists them
//! again and again, with backoff while nothing changes, and tells what appeared or changed.
//! [`Builds::watch`](crate::api::Builds::watch) is its stream of changes; waiting
//! ([`WaitForBuilds`](crate::api::WaitForBuilds)) is the same polls judged by a condition.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt};

use crate::api::operation::OperationId;
use crate::client::Client;
use crate::error::Result;
use crate::filter::BuildFilter;
use crate::models::{Build, BuildId, BuildStatus};
use crate::request::ApiRequest;

/// The first wait between polls, and the wait after a change, unless set otherwise.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);
/// The longest wait between polls unless set otherwise: polls double their interval while
/// nothing changes, up to this.
pub const DEFAULT_MAX_POLL_INTERVAL: Duration = Duration::from_secs(30);

/// A build that appeared or changed status between two polls.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BuildChange {
    /// The build as it is now.
    pub build: Build,
    /// Its status at the previous poll; `None` for a build seen for the first time.
    pub previous: Option<BuildStatus>,
}

impl fmt::Display for BuildChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.build.build_id, self.build.name())?;
        if let Some(previous) = &self.previous {
            write!(f, "{previous} -> ")?;
        }
        write!(f, "{}", self.build.status)
    }
}

/// What a [`Poller`] is made of: the client, the filter and the intervals between polls.
/// [`Watch`] and [`WaitForBuilds`](crate::api::WaitForBuilds) each configure one.
#[derive(Debug, Clone)]
pub(crate) struct Polling {
    pub(crate) client: Client,
    pub(crate) filter: BuildFilter,
    /// The first wait between polls, and the wait after a change.
    pub(crate) poll_interval: Duration,
    /// The longest wait between polls.
    pub(crate) max_poll_interval: Duration,
}

impl Polling {
    pub(crate) fn new(client: Client, filter: BuildFilter) -> Polling {
        Polling {
            client,
            filter,
            poll_interval: DEFAULT_POLL_INTERVAL,
            max_poll_interval: DEFAULT_MAX_POLL_INTERVAL,
        }
    }

    /// A poller of every build the filter selects (its `limit` is dropped: every matching
    /// build must be seen, not the newest few).
    pub(crate) fn start(mut self) -> Result<Poller> {
        self.filter.limit = None;
        Ok(Poller {
            query: self.filter.to_query_string()?,
            client: self.client,
            known: HashMap::new(),
            interval: self.poll_interval,
            poll_interval: self.poll_interval,
            max_poll_interval: self.max_poll_interval,
        })
    }
}

/// Lists a filter's builds poll after poll and remembers what each poll saw.
pub(crate) struct Poller {
    client: Client,
    query: String,
    known: HashMap<BuildId, BuildStatus>,
    interval: Duration,
    poll_interval: Duration,
    max_poll_interval: Duration,
}

impl Poller {
    /// One poll: the builds the filter selects now, and what changed since the last poll.
    pub(crate) async fn poll(&mut self) -> Result<(Vec<Build>, Vec<BuildChange>)> {
        let builds: Vec<Build> = self
            .client
            .send_json(ApiRequest::new(OperationId::ListBuilds, self.query.clone()))
            .await?;
        let mut changes = Vec::new();
        for build in &builds {
            let previous = self.known.insert(build.build_id, build.status.clone());
            if previous.as_ref() != Some(&build.status) {
                changes.push(BuildChange {
                    build: build.clone(),
                    previous,
                });
            }
        }
        self.interval = if changes.is_empty() {
            self.interval.saturating_mul(2).min(self.max_poll_interval)
        } else {
            self.poll_interval
        };
        Ok((builds, changes))
    }

    /// How long to wait before the next poll: the start interval after a change, doubled
    /// after each poll without one, up to the longest.
    pub(crate) fn next_interval(&self) -> Duration {
        self.interval.max(Duration::from_millis(1))
    }
}

/// Every change to the builds a filter selects, as polls see them, from
/// [`Builds::watch`](crate::api::Builds::watch): each build once when first seen, then at
/// each change of status. It never ends by itself; an error (after the client's retries)
/// is yielded and ends it.
pub type BuildWatch = BoxStream<'static, Result<BuildChange>>;

/// Configures a watch; `into_stream` (or [`stream`](Watch::stream)) starts it.
#[must_use = "a watch does nothing until it is streamed"]
#[derive(Debug)]
pub struct Watch {
    polling: Polling,
}

impl Watch {
    pub(crate) fn new(client: Client, filter: BuildFilter) -> Watch {
        Watch {
            polling: Polling::new(client, filter),
        }
    }

    /// The first wait between polls, and the wait after a change ([`DEFAULT_POLL_INTERVAL`]).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.polling.poll_interval = interval;
        self
    }

    /// The longest wait between polls ([`DEFAULT_MAX_POLL_INTERVAL`]).
    pub fn max_poll_interval(mut self, interval: Duration) -> Self {
        self.polling.max_poll_interval = interval;
        self
    }

    /// The changes, poll after poll.
    pub fn stream(self) -> BuildWatch {
        let poller = match self.polling.start() {
            Ok(poller) => poller,
            Err(error) => return stream::once(async { Err(error) }).boxed(),
        };
        stream::unfold((Some(poller), true), |(poller, first)| async move {
            let mut poller = poller?;
            if !first {
                tokio::time::sleep(poller.next_interval()).await;
            }
            match poller.poll().await {
                Ok((_, changes)) => Some((
                    stream::iter(changes.into_iter().map(Ok)).boxed(),
                    (Some(poller), false),
                )),
                Err(error) => Some((stream::once(async { Err(error) }).boxed(), (None, false))),
            }
        })
        .flatten()
        .boxed()
    }
}
