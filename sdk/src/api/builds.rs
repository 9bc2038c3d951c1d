//! `/builds`: listing builds and summarising them, over the same filters.

use std::marker::PhantomData;

use crate::api::operation::OperationId;
use crate::client::Client;
use crate::error::Result;
use crate::filter::{BuildFilter, TimeBound};
use crate::models::{Build, BuildStatus, BuildsSummary};
use crate::request::ApiRequest;

use super::stream::{BuildStream, paginate};
use super::wait::WaitForBuilds;
use futures::StreamExt;

/// The `/builds` resource, from [`Client::builds`].
#[derive(Debug, Clone)]
pub struct Builds {
    client: Client,
}

impl Builds {
    pub(crate) fn new(client: Client) -> Builds {
        Builds { client }
    }

    /// `GET /builds`: the builds that pass the filters, newest first.
    ///
    /// ```no_run
    /// # async fn run(client: nixbuild::Client) -> nixbuild::Result<()> {
    /// let builds = client
    ///     .builds()
    ///     .list()
    ///     .derivation_path("/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv")
    ///     .limit(10)
    ///     .send()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListBuilds {
        BuildsRequest::new(self.client.clone())
    }

    /// `GET /builds/summary`: counts, CPU and output size over the builds that pass the
    /// filters.
    ///
    /// ```no_run
    /// # async fn run(client: nixbuild::Client) -> nixbuild::Result<()> {
    /// let summary = client.builds().summary().tag("GITHUB_RUN_ID", "42").send().await?;
    /// println!("{} of {} builds failed", summary.failed_build_count, summary.build_count);
    /// # Ok(())
    /// # }
    /// ```
    pub fn summary(&self) -> GetBuildsSummary {
        BuildsRequest::new(self.client.clone())
    }

    /// Waits until every build of this derivation has finished (see [`WaitForBuilds`]).
    pub fn wait_for(&self, derivation_path: impl Into<String>) -> WaitForBuilds {
        self.wait_for_filter(BuildFilter::new().derivation_path(derivation_path))
    }

    /// Waits until the builds `filter` selects (a CI run's tag, …) have finished.
    pub fn wait_for_filter(&self, filter: BuildFilter) -> WaitForBuilds {
        WaitForBuilds::new(self.client.clone(), filter)
    }
}

/// Marker types that say what a [`BuildsRequest`] asks for.
pub mod kind {
    /// `GET /builds`.
    #[derive(Debug, Clone, Copy)]
    pub struct List;
    /// `GET /builds/summary`.
    #[derive(Debug, Clone, Copy)]
    pub struct Summary;
}

/// A request over a [`BuildFilter`]; [`ListBuilds`] and [`GetBuildsSummary`] share its
/// filter methods.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct BuildsRequest<K> {
    client: Client,
    filter: BuildFilter,
    page_size: u32,
    kind: PhantomData<K>,
}

/// `GET /builds`, from [`Builds::list`].
pub type ListBuilds = BuildsRequest<kind::List>;
/// `GET /builds/summary`, from [`Builds::summary`].
pub type GetBuildsSummary = BuildsRequest<kind::Summary>;

impl<K> BuildsRequest<K> {
    fn new(client: Client) -> Self {
        BuildsRequest {
            client,
            filter: BuildFilter::new(),
            page_size: super::stream::DEFAULT_PAGE_SIZE,
            kind: PhantomData,
        }
    }

    fn map_filter(mut self, change: impl FnOnce(BuildFilter) -> BuildFilter) -> Self {
        self.filter = change(self.filter);
        self
    }

    /// Replaces the whole filter.
    pub fn filter(self, filter: BuildFilter) -> Self {
        self.map_filter(|_| filter)
    }

    /// The filter as it stands.
    pub fn current_filter(&self) -> &BuildFilter {
        &self.filter
    }

    /// Only builds of this derivation (its `.drv` store path).
    pub fn derivation_path(self, path: impl Into<String>) -> Self {
        self.map_filter(|f| f.derivation_path(path))
    }

    /// Only builds tagged `name` = `value`; several tags must all match.
    pub fn tag(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map_filter(|f| f.tag(name, value))
    }

    /// Also builds in this status; several statuses match any of them.
    pub fn status(self, status: BuildStatus) -> Self {
        self.map_filter(|f| f.status(status))
    }

    /// Also builds in these statuses.
    pub fn statuses(self, statuses: impl IntoIterator<Item = BuildStatus>) -> Self {
        self.map_filter(|f| f.statuses(statuses))
    }

    /// Only builds created at or after `bound` (a `NaiveDate` or a `DateTime<Utc>`).
    pub fn created_from(self, bound: impl Into<TimeBound>) -> Self {
        self.map_filter(|f| f.created_from(bound))
    }

    /// Only builds created before `bound` (exclusive).
    pub fn created_before(self, bound: impl Into<TimeBound>) -> Self {
        self.map_filter(|f| f.created_before(bound))
    }

    /// At most `limit` builds, the newest; must be positive.
    pub fn limit(self, limit: u64) -> Self {
        self.map_filter(|f| f.limit(limit))
    }

    fn request(&self, id: OperationId) -> Result<ApiRequest> {
        Ok(ApiRequest::new(id, self.filter.to_query_string()?))
    }
}

impl ListBuilds {
    /// Sends the request: the matching builds, newest first.
    pub async fn send(self) -> Result<Vec<Build>> {
        let request = self.request(OperationId::ListBuilds)?;
        self.client.send_json(request).await
    }

    /// How many builds [`stream`](Self::stream) asks for at a time (200 by default; at
    /// least 1).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Every matching build, newest first, fetched page by page: no build is lost or
    /// repeated at a page boundary, even when many share a creation time. A `limit` caps the
    /// total. Memory holds one page (plus any builds sharing the page's oldest creation
    /// time). An error (after the client's retries) is yielded and ends the stream.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn run(client: nixbuild::Client) -> nixbuild::Result<()> {
    /// let mut builds = client.builds().list().tag("GITHUB_REPOSITORY", "owner/repo").stream();
    /// while let Some(build) = builds.try_next().await? {
    ///     println!("{} {}", build.build_id, build.status);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream(self) -> BuildStream {
        if let Err(error) = self.filter.validate() {
            return futures::stream::once(async move { Err(error.into()) }).boxed();
        }
        paginate(self.client, self.filter, self.page_size)
    }
}

impl GetBuildsSummary {
    /// Sends the request: the summary of the matching builds.
    pub async fn send(self) -> Result<BuildsSummary> {
        let request = self.request(OperationId::GetBuildsSummary)?;
        self.client.send_json(request).await
    }
}
