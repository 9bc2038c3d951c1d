//! `/usage`: what the account is billed for.

use crate::api::operation::OperationId;
use crate::client::Client;
use crate::error::Result;
use crate::filter::{BuildFilter, TimeBound};
use crate::models::Usage;
use crate::request::ApiRequest;

/// `GET /usage`, from [`Client::usage`]: billable CPU seconds and builds, optionally within a
/// creation-time window.
///
/// ```no_run
/// # async fn run(client: nixbuild::Client) -> nixbuild::Result<()> {
/// let may = chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
/// let june = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
/// let usage = client.usage().created_from(may).created_before(june).send().await?;
/// println!("{} CPU hours", usage.billable_cpu_seconds / 3600);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetUsage {
    client: Client,
    window: BuildFilter,
}

impl GetUsage {
    pub(crate) fn new(client: Client) -> GetUsage {
        GetUsage {
            client,
            window: BuildFilter::new(),
        }
    }

    /// Only builds created at or after `bound`.
    pub fn created_from(mut self, bound: impl Into<TimeBound>) -> Self {
        self.window = self.window.created_from(bound);
        self
    }

    /// Only builds created before `bound` (exclusive).
    pub fn created_before(mut self, bound: impl Into<TimeBound>) -> Self {
        self.window = self.window.created_before(bound);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Usage> {
        let request = ApiRequest::new(OperationId::GetUsage, self.window.to_query_string()?);
        self.client.send_json(request).await
    }
}
