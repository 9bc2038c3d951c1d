//! What the mock received: every request, for a test to inspect.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use nixbuild::api::operation::OperationId;
use nixbuild::reexports::reqwest::Method;
use nixbuild::{BuildFilter, FilterError, StatusCode};

use crate::limits::{
    MAX_JOURNAL_BYTES, MAX_RECORDED_BODY_BYTES, MAX_RECORDED_HEADER_BYTES, MAX_RECORDED_PATH_BYTES,
    MAX_RECORDED_QUERY_BYTES,
};
use crate::redaction::{redact_body, redact_header, redact_query};

/// How the request's token fared (in the control API's journal: `passed`, `disabled`,
/// `refused`, `not_checked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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

impl AuthStatus {
    /// Its name as the control API's journal and the request log write it: `passed`,
    /// `disabled`, `refused` or `not_checked`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthStatus::Passed => "passed",
            AuthStatus::Disabled => "disabled",
            AuthStatus::Refused => "refused",
            AuthStatus::NotChecked => "not_checked",
        }
    }
}

/// One request the mock received, and how it answered.
///
/// Secrets never reach the journal: the value of every header and query parameter whose
/// name looks secret (it contains `token`, `key`, `secret`, `password`, `auth`, `session`,
/// `cookie`…, in any case) is replaced by [`REDACTED`](crate::REDACTED), keeping the name and a header's
/// scheme, as in `Bearer [redacted]` and `access_token=[redacted]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: Method,
    /// The URL path relative to the API's root, as the SDK's table, [`Expectation`]s and
    /// faults write it (`/builds`, whatever prefix the mock serves under); a path outside
    /// the prefix as it came. Its first [`MAX_RECORDED_PATH_BYTES`] (see `truncated`).
    ///
    /// [`Expectation`]: crate::Expectation
    pub path: String,
    /// The raw query string, if there was one (its first [`MAX_RECORDED_QUERY_BYTES`]), the
    /// values of parameters whose names look secret redacted.
    pub query: Option<String>,
    /// The headers, names in lower case, in the order received, secrets redacted (at most
    /// [`MAX_RECORDED_HEADER_BYTES`] of them). A value that is not UTF-8 is read lossily.
    pub headers: Vec<(String, String)>,
    /// The body (its first [`MAX_RECORDED_BODY_BYTES`]).
    pub body: Vec<u8>,
    /// Whether the path, query, headers or body was longer than the journal keeps, and was cut.
    pub truncated: bool,
    /// How the request's token fared.
    pub auth: AuthStatus,
    /// The status the mock answered with (for a dropped connection, the status it pretended).
    pub status: StatusCode,
    /// Whether a replaying mock ([`MockNixbuildBuilder::replay`]) found no recorded request
    /// like it (it answered 404, naming the nearest); always `false` otherwise.
    ///
    /// [`MockNixbuildBuilder::replay`]: crate::MockNixbuildBuilder::replay
    pub unmatched: bool,
    /// For an [`unmatched`](Self::unmatched) request, the message of its 404: the nearest
    /// recorded request and how it differs.
    pub nearest: Option<String>,
    /// Its place in the journal: 1 for the first request the mock received, one more for
    /// each after it (cleared requests keep their numbers used).
    pub seq: u64,
    /// When it arrived, by the real clock (the mock's clock may be frozen or moved).
    pub received_at: DateTime<Utc>,
    /// The operation of the SDK's table it was routed to, if any.
    pub(crate) operation: Option<OperationId>,
}

impl RecordedRequest {
    /// An entry for `request`, its path relative to `prefix` (the API's root), cut to what
    /// the journal keeps, its secrets redacted.
    pub(crate) fn of(request: &wiremock::Request, prefix: &str) -> RecordedRequest {
        let query = request.url.query().map(redact_query);
        let full = request.url.path();
        let path = match full.strip_prefix(prefix) {
            Some(relative) if relative.starts_with('/') => relative,
            Some("") => "/",
            _ => full,
        };
        let mut entry = RecordedRequest::new(request.method.clone(), path, query.as_deref());
        let mut header_bytes = 0;
        for (name, value) in &request.headers {
            let name = name.as_str();
            header_bytes += name.len() + value.len();
            if header_bytes > MAX_RECORDED_HEADER_BYTES {
                entry.truncated = true;
                break;
            }
            let value = String::from_utf8_lossy(value.as_bytes());
            entry.headers.push((name.to_owned(), redact_header(name, &value)));
        }
        let body = &request.body[..request.body.len().min(MAX_RECORDED_BODY_BYTES)];
        entry.truncated |= body.len() < request.body.len();
        entry.body = redact_body(body).into_owned();
        entry
    }

    /// An entry for a request to `path` with `query`, both cut to what the journal keeps.
    pub(crate) fn new(method: Method, path: &str, query: Option<&str>) -> RecordedRequest {
        let (path, path_cut) = cut(path, MAX_RECORDED_PATH_BYTES);
        let (query, query_cut) = match query {
            Some(query) => {
                let (query, cut) = cut(query, MAX_RECORDED_QUERY_BYTES);
                (Some(query), cut)
            }
            None => (None, false),
        };
        RecordedRequest {
            method,
            path,
            query,
            headers: Vec::new(),
            body: Vec::new(),
            truncated: path_cut || query_cut,
            auth: AuthStatus::NotChecked,
            status: StatusCode::OK,
            unmatched: false,
            nearest: None,
            seq: 0,
            received_at: Utc::now(),
            operation: None,
        }
    }

    /// The operation of the SDK's table the request was routed to: `None` for a path no
    /// operation has, or a method its path does not answer.
    pub fn operation(&self) -> Option<OperationId> {
        self.operation
    }

    /// The request's filter, read from its query as the mock read it (with the parameters
    /// its operation takes): `None` when it was routed to no operation; an error names a
    /// parameter the operation does not take or a value it cannot read. A query cut by the
    /// journal (see `truncated`) may read differently from what was sent.
    pub fn filter(&self) -> Option<Result<BuildFilter, FilterError>> {
        let operation = self.operation?.operation();
        Some(BuildFilter::from_query_params(
            self.query.as_deref().unwrap_or(""),
            operation.params,
        ))
    }

    /// The value of header `name` (any case), the first if it came more than once.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body read as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `GET /builds?…` on one line (never the token).
    pub fn line(&self) -> String {
        // The query was redacted when it was recorded, a token under any name among it.
        let query = self.query.as_deref().map(|q| format!("?{q}")).unwrap_or_default();
        let truncated = if self.truncated { " [truncated]" } else { "" };
        let unmatched = if self.unmatched { " [unmatched]" } else { "" };
        format!(
            "{} {}{}{truncated} -> {} (auth: {}){unmatched}",
            self.method,
            self.path,
            query,
            self.status.as_u16(),
            self.auth.as_str()
        )
    }

    /// About how many bytes the entry holds.
    fn size(&self) -> usize {
        std::mem::size_of::<RecordedRequest>()
            + self.method.as_str().len()
            + self.path.len()
            + self.query.as_ref().map_or(0, String::len)
            + self
                .headers
                .iter()
                .map(|(n, v)| n.len() + v.len() + std::mem::size_of::<(String, String)>())
                .sum::<usize>()
            + self.body.len()
            + self.nearest.as_ref().map_or(0, String::len)
    }
}

/// `text` cut to at most `max` bytes on a character boundary, and whether it was cut.
fn cut(text: &str, max: usize) -> (String, bool) {
    if text.len() <= max {
        return (text.to_owned(), false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text[..end].to_owned(), true)
}

/// The requests, oldest first, up to a number and [`MAX_JOURNAL_BYTES`] (a long-running
/// standalone mock must not grow without end).
#[derive(Debug)]
pub(crate) struct Journal {
    /// Shared, so that a reader copies the entries it wants out of the lock in the time of a
    /// reference count each: a dashboard reading 2,500 new entries once held the journal
    /// (and every request waiting to be journaled) for milliseconds.
    requests: VecDeque<Arc<RecordedRequest>>,
    capacity: usize,
    bytes: usize,
    /// The number the last request recorded was given.
    last_seq: u64,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Journal {
        Journal {
            requests: VecDeque::new(),
            capacity,
            bytes: 0,
            last_seq: 0,
        }
    }

    pub(crate) fn record(&mut self, mut request: RecordedRequest) {
        self.last_seq += 1;
        request.seq = self.last_seq;
        self.bytes += request.size();
        self.requests.push_back(Arc::new(request));
        while self.requests.len() > self.capacity || self.bytes > MAX_JOURNAL_BYTES {
            match self.requests.pop_front() {
                Some(oldest) => self.bytes -= oldest.size(),
                None => break,
            }
        }
    }

    /// The entries, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Arc<RecordedRequest>> {
        self.requests.iter()
    }

    /// The entries numbered after `seq`, oldest first: found by bisection (entries are in
    /// the order of their numbers), so a dashboard asking for the newest few of 10,000
    /// entries ten times a second does not walk them all each time.
    pub(crate) fn after(&self, seq: u64) -> impl Iterator<Item = &Arc<RecordedRequest>> {
        let start = self.requests.partition_point(|request| request.seq <= seq);
        self.requests.range(start..)
    }

    /// How many requests went to `path`, relative to the API's root.
    pub(crate) fn count(&self, path: &str) -> usize {
        self.requests.iter().filter(|r| r.path == path).count()
    }

    /// The status of the newest request.
    #[cfg(fuzzing)]
    pub(crate) fn last_status(&self) -> Option<u16> {
        self.requests.back().map(|r| r.status.as_u16())
    }

    pub(crate) fn clear(&mut self) {
        self.requests.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_paths_and_queries_are_cut_and_say_so() {
        let long = "é".repeat(5000);
        let entry = RecordedRequest::new(Method::GET, &format!("/{long}"), Some(&long));
        assert!(entry.truncated);
        assert!(entry.path.len() <= MAX_RECORDED_PATH_BYTES);
        assert!(entry.query.as_ref().unwrap().len() <= MAX_RECORDED_QUERY_BYTES);
        assert!(entry.line().contains("[truncated]"));
        let short = RecordedRequest::new(Method::GET, "/builds", Some("limit=1"));
        assert!(!short.truncated);
    }

    #[test]
    fn the_journal_keeps_within_its_count_and_bytes() {
        let mut journal = Journal::new(usize::MAX);
        let query = "q".repeat(MAX_RECORDED_QUERY_BYTES);
        for _ in 0..(MAX_JOURNAL_BYTES / MAX_RECORDED_QUERY_BYTES + 100) {
            journal.record(RecordedRequest::new(Method::GET, "/builds", Some(&query)));
        }
        assert!(journal.bytes <= MAX_JOURNAL_BYTES);
        assert!(journal.requests.len() < MAX_JOURNAL_BYTES / MAX_RECORDED_QUERY_BYTES);
        let mut small = Journal::new(3);
        for _ in 0..10 {
            small.record(RecordedRequest::new(Method::GET, "/usage", None));
        }
        assert_eq!(small.count("/usage"), 3);
    }
}
