//! What the mock received: every request, for a test to inspect.

use std::collections::VecDeque;

/// How the request's token fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStatus {
    /// The token allowed the request.
    Passed,
    /// Auth is switched off.
    Disabled,
    /// 401 or 403.
    Refused,
    /// The request was answered before its token was looked at (a fault, an unknown path).
    NotChecked,
}

/// One request the mock received, and how it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, such as `GET`.
    pub method: String,
    /// The URL path, with any prefix the mock was given.
    pub path: String,
    /// The raw query string, if there was one.
    pub query: Option<String>,
    /// How the request's token fared.
    pub auth: AuthStatus,
    /// The status the mock answered with (for a dropped connection, the status it pretended).
    pub status: u16,
}

impl RecordedRequest {
    /// `GET /builds?…` on one line (never the token).
    pub fn line(&self) -> String {
        let query = self.query.as_deref().map(|q| format!("?{q}")).unwrap_or_default();
        format!(
            "{} {}{} -> {} (auth: {:?})",
            self.method, self.path, query, self.status, self.auth
        )
    }
}

/// The requests, oldest first, up to a bound (a long-running standalone mock must not grow
/// without end).
#[derive(Debug)]
pub(crate) struct Journal {
    requests: VecDeque<RecordedRequest>,
    capacity: usize,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Journal {
        Journal {
            requests: VecDeque::new(),
            capacity,
        }
    }

    pub(crate) fn record(&mut self, request: RecordedRequest) {
        if self.requests.len() == self.capacity {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        self.requests.iter().cloned().collect()
    }

    pub(crate) fn count(&self, path: &str) -> usize {
        self.requests.iter().filter(|r| r.path == path).count()
    }

    pub(crate) fn clear(&mut self) {
        self.requests.clear();
    }
}
