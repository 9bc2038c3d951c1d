//! `POST /processes` (experimental): schedule asynchronous builds.

use crate::api::auth::id_token_header;
use crate::api::operation::{OIDC_ID_TOKEN_HEADER, OperationId};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::models::Process;
use crate::request::ApiRequest;
use crate::secret::Secret;

/// The `/processes` resource, from [`Client::processes`] (feature `experimental`).
#[derive(Debug, Clone)]
pub struct Processes {
    client: Client,
}

impl Client {
    /// The experimental `/processes` resource: scheduling asynchronous builds.
    pub fn processes(&self) -> Processes {
        Processes::new(self.clone())
    }
}

impl Processes {
    pub(crate) fn new(client: Client) -> Processes {
        Processes { client }
    }

    /// Schedules `processes`, authenticated by the client's token and a CI OIDC ID token.
    pub fn create(
        &self,
        processes: impl IntoIterator<Item = Process>,
        id_token: impl Into<Secret>,
    ) -> CreateProcesses {
        CreateProcesses {
            client: self.client.clone(),
            processes: processes.into_iter().collect(),
            id_token: id_token.into(),
        }
    }
}

/// `POST /processes`, from [`Processes::create`]. Never retried: the service may have
/// scheduled the processes even when the answer is lost.
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateProcesses {
    client: Client,
    processes: Vec<Process>,
    id_token: Secret,
}

impl CreateProcesses {
    /// Sends the request: the service's answer, as JSON this crate does not interpret (its
    /// shape is not public).
    pub async fn send(self) -> Result<serde_json::Value> {
        // Not idempotent (its row says so): never retried.
        let mut request = ApiRequest::new(OperationId::CreateProcesses, String::new());
        request.headers.insert(
            reqwest::header::HeaderName::from_static(OIDC_ID_TOKEN_HEADER),
            id_token_header(self.id_token.expose_secret())?,
        );
        request.json_body = Some(
            serde_json::to_vec(&self.processes)
                .map_err(|e| Error::InvalidRequest(format!("cannot encode the processes: {e}")))?,
        );
        self.client.send_json(request).await
    }
}
