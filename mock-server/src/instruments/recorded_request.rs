//! [`RecordedRequest`]: one request the mock received, and how it answered, as a test reads it.

use chrono::{DateTime, Utc};
use nixbuild::api::operation::OperationId;
use nixbuild::reexports::reqwest::Method;
use nixbuild::{BuildFilter, FilterError, StatusCode};

use crate::limits::{MAX_RECORDED_PATH_BYTES, MAX_RECORDED_QUERY_BYTES};

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
/// Secrets never reach an entry: the value of every header and query parameter whose name
/// looks secret (it contains `token`, `key`, `secret`, `password`, `auth`, `session`,
/// `cookie`…, in any case) is replaced by [`REDACTED`](crate::REDACTED), keeping the name and a header's
/// scheme, as in `Bearer [redacted]` and `access_token=[redacted]`, and what reads as a token
/// elsewhere in a value or the body is redacted too. (The mock holds a request's query,
/// headers and body as they came until its entry is first read, or forgotten: most requests
/// of a test are never read back, and redacting each as it came cost a debug build a tenth
/// of the mock's time a request.)
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
    /// [`MAX_RECORDED_HEADER_BYTES`](crate::limits::MAX_RECORDED_HEADER_BYTES) of them). A value that is not UTF-8 is read lossily.
    pub headers: Vec<(String, String)>,
    /// The body (its first [`MAX_RECORDED_BODY_BYTES`](crate::limits::MAX_RECORDED_BODY_BYTES)).
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
    /// the journal keeps; its query, headers and body are not in it, but in the
    /// [`AsReceived`] of the same request.
    pub(crate) fn of(request: &wiremock::Request, prefix: &str) -> RecordedRequest {
        let full = request.url.path();
        let path = match full.strip_prefix(prefix) {
            Some(relative) if relative.starts_with('/') => relative,
            Some("") => "/",
            _ => full,
        };
        RecordedRequest::new(request.method.clone(), path, None)
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
    pub(super) fn size(&self) -> usize {
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
pub(super) fn cut(text: &str, max: usize) -> (String, bool) {
    if text.len() <= max {
        return (text.to_owned(), false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text[..end].to_owned(), true)
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
}
