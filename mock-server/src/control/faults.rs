//! `/_mock/faults`: failures for the next requests, as [`Fault`] describes them.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use wiremock::Request;

use super::body::json_object;
use crate::answer::Answer;
use crate::app::State;
use crate::instruments::faults::{Fault, FaultKind};

/// The longest delay a fault may ask for: ten minutes, past any client's timeout.
const MAX_DELAY_MS: u64 = 600_000;
/// The longest `Retry-After` a fault sends: a day, past any client's patience.
const MAX_RETRY_AFTER_SECONDS: u64 = 86_400;
/// The most requests one fault may apply to.
const MAX_TIMES: u64 = 1_000_000;

/// A fault for the next requests: exactly one of `status`, `delay_ms`, `malformed_body` and
/// `drop_connection`, for `times` requests (1 when left out), of one path or all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Answer with this status (100 to 599) and a JSON error body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 100, maximum = 599))]
    pub status: Option<u16>,
    /// A `Retry-After` header to send with the status, in seconds (none when left out; at
    /// most a day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 86_400))]
    pub retry_after_seconds: Option<u64>,
    /// Answer normally, after this many milliseconds (at most 600000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(maximum = 600_000))]
    pub delay_ms: Option<u64>,
    /// Answer 200 with a body that is not JSON.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub malformed_body: bool,
    /// Cut the connection before the body is complete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop_connection: bool,
    /// For this many requests (1 to 1000000; 1 when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000))]
    pub times: Option<u64>,
    /// Only for requests to this API path (`/builds`, without the mock's prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 256, pattern = "^/"))]
    pub path: Option<String>,
}

impl FaultSpec {
    /// The fault, or why the spec is not one.
    pub fn to_fault(&self) -> Result<Fault, String> {
        let kinds = [
            self.status.is_some(),
            self.delay_ms.is_some(),
            self.malformed_body,
            self.drop_connection,
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(
                "a fault has exactly one of `status`, `delay_ms`, `malformed_body` and `drop_connection`"
                    .into(),
            );
        }
        let mut fault = match (self.status, self.delay_ms) {
            (Some(status), _) if !(100..=599).contains(&status) => {
                return Err(format!("`status` {status} is not an HTTP status (100 to 599)"));
            }
            (Some(status), _) => Fault::status(status),
            (None, Some(ms)) if ms > MAX_DELAY_MS => {
                return Err(format!("`delay_ms` is at most {MAX_DELAY_MS}"));
            }
            (None, Some(ms)) => Fault::delay(Duration::from_millis(ms)),
            (None, None) if self.malformed_body => Fault::malformed_body(),
            (None, None) => Fault::drop_connection(),
        };
        if let Some(seconds) = self.retry_after_seconds {
            if self.status.is_none() {
                return Err("`retry_after_seconds` goes with `status`".into());
            }
            if seconds > MAX_RETRY_AFTER_SECONDS {
                return Err(format!(
                    "`retry_after_seconds` is at most {MAX_RETRY_AFTER_SECONDS}"
                ));
            }
            fault = fault.retry_after(Duration::from_secs(seconds));
        }
        let times = self.times.unwrap_or(1);
        if !(1..=MAX_TIMES).contains(&times) {
            return Err(format!("`times` is from 1 to {MAX_TIMES}"));
        }
        fault = fault.times(usize::try_from(times).unwrap_or(usize::MAX));
        if let Some(path) = &self.path {
            if !path.starts_with('/') || path.chars().count() > 256 {
                return Err("`path` is an API path such as /builds (at most 256 characters)".into());
            }
            fault = fault.on_path(path);
        }
        Ok(fault)
    }
}

impl From<&Fault> for FaultSpec {
    fn from(fault: &Fault) -> FaultSpec {
        let mut spec = FaultSpec {
            times: Some(fault.remaining as u64),
            path: fault.path.clone(),
            ..FaultSpec::default()
        };
        match &fault.kind {
            FaultKind::Status(status) => {
                spec.status = Some(*status);
                spec.retry_after_seconds = fault.retry_after.map(|wait| wait.as_secs());
            }
            FaultKind::Delay(delay) => {
                spec.delay_ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
            }
            FaultKind::MalformedBody => spec.malformed_body = true,
            FaultKind::DropConnection => spec.drop_connection = true,
        }
        spec
    }
}

/// `POST /_mock/faults`: 201 with the fault as queued.
pub(super) fn inject(state: &State, request: &Request) -> Answer {
    let spec: FaultSpec = match json_object(request) {
        Ok(spec) => spec,
        Err(answer) => return answer,
    };
    match spec.to_fault() {
        Ok(fault) => {
            let queued = FaultSpec::from(&fault);
            state.inject_fault(fault);
            Answer::json(201, &queued)
        }
        Err(message) => Answer::error(400, message),
    }
}

/// `GET /_mock/faults`: the faults not yet used up, in the order they apply.
pub(super) fn list(state: &State) -> Answer {
    let pending: Vec<FaultSpec> = state.faults().iter().map(FaultSpec::from).collect();
    Answer::json(200, &pending)
}

/// `DELETE /_mock/faults`.
pub(super) fn clear(state: &State) -> Answer {
    state.clear_faults();
    Answer::empty()
}
