//! `/usage`: what the account is billed for.

use super::filter_setters::filter_setters;
use crate::api::operation::OperationId;
use crate::client::Client;
use crate::error::Result;
use crate::filter::BuildFilter;
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
    /// Only its creation-time window is set.
    filter: BuildFilter,
}

filter_setters!(GetUsage, window);

impl Client {
    /// `GET /usage`: what the account is billed for.
    pub fn usage(&self) -> GetUsage {
        GetUsage::new(self.clone())
    }
}

impl GetUsage {
    pub(crate) fn new(client: Client) -> GetUsage {
        GetUsage {
            client,
            filter: BuildFilter::new(),
        }
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Usage> {
        let request = ApiRequest::new(OperationId::GetUsage, self.filter.to_query_string()?);
        self.client.send_json(request).await
    }
}
