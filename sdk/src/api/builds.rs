//! `/builds`: listing builds and summarising them, over the same filters.

use crate::api::operation::OperationId;
use crate::client::Client;
use crate::error::Result;
use crate::filter::BuildFilter;
use crate::models::{Build, BuildsSummary};
use crate::request::ApiRequest;

use super::filter_setters::filter_setters;
use super::stream::{BuildStream, paginate};
use super::wait::WaitForBuilds;
use super::watch::Watch;
use futures::StreamExt;

/// The `/builds` resource, from [`Client::builds`].
#[derive(Debug, Clone)]
pub struct Builds {
    client: Client,
}

impl Client {
    /// The `/builds` resource: [`list`](Builds::list) and [`summary`](Builds::summary).
    pub fn builds(&self) -> Builds {
        Builds::new(self.clone())
    }
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
        ListBuilds {
            client: self.client.clone(),
            filter: BuildFilter::new(),
            page_size: super::stream::DEFAULT_PAGE_SIZE,
        }
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
        GetBuildsSummary {
            client: self.client.clone(),
            filter: BuildFilter::new(),
        }
    }

    /// Waits until this derivation's newest build has finished (see [`WaitForBuilds`]).
    pub fn wait_for(&self, derivation_path: impl Into<String>) -> WaitForBuilds {
        self.wait_for_filter(BuildFilter::new().derivation_path(derivation_path))
    }

    /// Waits until the newest build of each derivation `filter` selects (a CI run's tag, …)
    /// has finished.
    pub fn wait_for_filter(&self, filter: BuildFilter) -> WaitForBuilds {
        WaitForBuilds::new(self.client.clone(), filter)
    }

    /// Every change to the builds `filter` selects, poll after poll: each build when first
    /// seen, then at each change of status (see [`Watch`]).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn run(client: nixbuild::Client) -> nixbuild::Result<()> {
    /// let filter = nixbuild::BuildFilter::new().tag("GITHUB_RUN_ID", "42");
    /// let mut changes = client.builds().watch(filter).stream();
    /// while let Some(change) = changes.try_next().await? {
    ///     println!("{change}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn watch(&self, filter: BuildFilter) -> Watch {
        Watch::new(self.client.clone(), filter)
    }
}

/// `GET /builds`, from [`Builds::list`]: the matching builds, sent whole or streamed.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListBuilds {
    client: Client,
    filter: BuildFilter,
    page_size: u32,
}

/// `GET /builds/summary`, from [`Builds::summary`]: the summary of the matching builds.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetBuildsSummary {
    client: Client,
    filter: BuildFilter,
}

filter_setters!(ListBuilds, all);
filter_setters!(GetBuildsSummary, all);

impl ListBuilds {
    /// Sends the request: the matching builds, newest first.
    pub async fn send(self) -> Result<Vec<Build>> {
        let request = ApiRequest::new(OperationId::ListBuilds, self.filter.to_query_string()?);
        self.client.send_json(request).await
    }

    /// How many builds [`stream`](Self::stream) asks for at a time
    /// ([`DEFAULT_PAGE_SIZE`](crate::api::DEFAULT_PAGE_SIZE) by default; at least 1).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Every matching build, newest first, fetched page by page: no build is lost or
    /// repeated at a page boundary, even when many share a creation time. A `limit` is the
    /// stream's item cap: it ends after that many builds, however many match (what to set
    /// against a server that never stops answering full pages). Memory holds one page (plus
    /// any builds sharing the page's oldest creation time). An error (after the client's
    /// retries) is yielded and ends the stream.
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
        let request = ApiRequest::new(OperationId::GetBuildsSummary, self.filter.to_query_string()?);
        self.client.send_json(request).await
    }
}
