//! [`Fault`]: failures a test asks the mock to answer with, for the next requests.

use std::collections::VecDeque;
use std::time::Duration;

use crate::answer::Answer;

/// What a faulty answer does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer with this status and a JSON error body (with a `Retry-After` header when
    /// [`Fault::retry_after`] asked for one).
    Status(u16),
    /// Answer normally, after this delay.
    Delay(Duration),
    /// Answer 200 with a body that is not JSON.
    MalformedBody,
    /// Close the connection before the body is complete.
    DropConnection,
}

/// A fault for the next `times` requests, optionally of one path only.
///
/// ```
/// use std::time::Duration;
/// use nixbuild_mock::Fault;
///
/// let throttle = Fault::status(429).retry_after(Duration::from_secs(2)).times(3).on_path("/builds");
/// let slow = Fault::delay(Duration::from_secs(5));
/// # let _ = (throttle, slow);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a fault does nothing until given to `MockNixbuild::inject_fault`"]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) remaining: usize,
    pub(crate) path: Option<String>,
    /// The `Retry-After` of a status fault: none unless asked for, so a client's retry
    /// waits only its own backoff and a test injecting faults does not sleep seconds.
    pub(crate) retry_after: Option<Duration>,
}

impl Fault {
    fn new(kind: FaultKind) -> Fault {
        Fault {
            kind,
            remaining: 1,
            path: None,
            retry_after: None,
        }
    }

    /// Answer `status` (with a JSON error body).
    pub fn status(status: u16) -> Fault {
        Fault::new(FaultKind::Status(status))
    }

    /// Answer normally, but only after `delay`.
    pub fn delay(delay: Duration) -> Fault {
        Fault::new(FaultKind::Delay(delay))
    }

    /// Answer 200 with a body that is not JSON.
    pub fn malformed_body() -> Fault {
        Fault::new(FaultKind::MalformedBody)
    }

    /// Cut the connection before the body is complete.
    pub fn drop_connection() -> Fault {
        Fault::new(FaultKind::DropConnection)
    }

    /// For the next `n` requests (1 by default).
    pub fn times(mut self, n: usize) -> Self {
        self.remaining = n;
        self
    }

    /// Only for requests to this path (`/builds`, `/usage`, …; without the mock's prefix).
    pub fn on_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sends `Retry-After` with a status fault (whole seconds; none by default, so a
    /// client retries after its own backoff). Clients that honour it, the SDK among them,
    /// then wait that long before they retry.
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// What the fault does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }
}

/// The faults waiting to happen, in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    faults: VecDeque<Fault>,
}

impl crate::sync::Emptiable for FaultQueue {
    fn is_empty(&self) -> bool {
        self.faults.is_empty()
    }
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.remaining > 0 {
            self.faults.push_back(fault);
        }
    }

    /// Takes one use of the first fault that applies to `path`.
    pub(crate) fn take(&mut self, path: &str) -> Option<Fault> {
        let index = self
            .faults
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| p == path))?;
        let fault = self.faults.get_mut(index)?;
        fault.remaining -= 1;
        let taken = fault.clone();
        if fault.remaining == 0 {
            self.faults.remove(index);
        }
        Some(taken)
    }

    pub(crate) fn clear(&mut self) {
        self.faults.clear();
    }

    /// The faults not yet used up, in the order they apply.
    pub(crate) fn pending(&self) -> impl Iterator<Item = &Fault> {
        self.faults.iter()
    }
}

impl Fault {
    /// The answer to a request this fault befalls, around its normal answer, `serve`: a
    /// status, a malformed body or a dropped connection replaces it (and `serve` is not
    /// called), a delay holds it back. The one way a fault acts, whatever serves the request
    /// (the store, a recording).
    pub(crate) fn apply(&self, serve: impl FnOnce() -> Answer) -> Answer {
        match &self.kind {
            FaultKind::Status(status) => {
                let status = if (100..=999).contains(status) {
                    *status
                } else {
                    500
                };
                let mut answer = Answer::error(status, format!("injected fault: HTTP {status}"));
                answer.retry_after = self.retry_after.map(|wait| wait.as_secs());
                answer
            }
            FaultKind::MalformedBody => Answer::json_bytes(200, b"[{\"build_id\": 1, \"create_ti".to_vec()),
            // A Content-Length longer than the body: the server closes the connection when the
            // body ends short, and the client sees the connection drop mid-answer.
            FaultKind::DropConnection => {
                Answer::json_bytes(200, b"[{\"build_id\"".to_vec()).header("content-length", "1048576")
            }
            FaultKind::Delay(delay) => serve().delayed(*delay),
        }
    }
}
