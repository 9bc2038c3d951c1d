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

/// The longest path a journal entry keeps, in bytes.
pub const MAX_RECORDED_PATH_BYTES: usize = 1024;
/// The longest query string a journal entry keeps, in bytes.
pub const MAX_RECORDED_QUERY_BYTES: usize = 4096;
/// The most bytes the journal's entries hold together; the oldest are forgotten first.
pub const MAX_JOURNAL_BYTES: usize = 64 * 1024 * 1024;

/// One request the mock received, and how it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, such as `GET`.
    pub method: String,
    /// The URL path, with any prefix the mock was given (its first
    /// [`MAX_RECORDED_PATH_BYTES`]; see `truncated`).
    pub path: String,
    /// The raw query string, if there was one (its first [`MAX_RECORDED_QUERY_BYTES`]).
    pub query: Option<String>,
    /// Whether the path or query was longer than the journal keeps, and was cut.
    pub truncated: bool,
    /// How the request's token fared.
    pub auth: AuthStatus,
    /// The status the mock answered with (for a dropped connection, the status it pretended).
    pub status: u16,
}

impl RecordedRequest {
    /// An entry for a request to `path` with `query`, both cut to what the journal keeps.
    pub(crate) fn new(method: String, path: &str, query: Option<&str>) -> RecordedRequest {
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
            truncated: path_cut || query_cut,
            auth: AuthStatus::NotChecked,
            status: 0,
        }
    }

    /// `GET /builds?…` on one line (never the token).
    pub fn line(&self) -> String {
        let query = self.query.as_deref().map(|q| format!("?{q}")).unwrap_or_default();
        let truncated = if self.truncated { " [truncated]" } else { "" };
        format!(
            "{} {}{}{truncated} -> {} (auth: {:?})",
            self.method, self.path, query, self.status, self.auth
        )
    }

    /// About how many bytes the entry holds.
    fn size(&self) -> usize {
        std::mem::size_of::<RecordedRequest>()
            + self.method.len()
            + self.path.len()
            + self.query.as_ref().map_or(0, String::len)
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
    requests: VecDeque<RecordedRequest>,
    capacity: usize,
    bytes: usize,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Journal {
        Journal {
            requests: VecDeque::new(),
            capacity,
            bytes: 0,
        }
    }

    pub(crate) fn record(&mut self, request: RecordedRequest) {
        self.bytes += request.size();
        self.requests.push_back(request);
        while self.requests.len() > self.capacity || self.bytes > MAX_JOURNAL_BYTES {
            match self.requests.pop_front() {
                Some(oldest) => self.bytes -= oldest.size(),
                None => break,
            }
        }
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        self.requests.iter().cloned().collect()
    }

    pub(crate) fn count(&self, path: &str) -> usize {
        self.requests.iter().filter(|r| r.path == path).count()
    }

    /// The status of the newest request.
    #[cfg(fuzzing)]
    pub(crate) fn last_status(&self) -> Option<u16> {
        self.requests.back().map(|r| r.status)
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
        let entry = RecordedRequest::new("GET".into(), &format!("/{long}"), Some(&long));
        assert!(entry.truncated);
        assert!(entry.path.len() <= MAX_RECORDED_PATH_BYTES);
        assert!(entry.query.as_ref().unwrap().len() <= MAX_RECORDED_QUERY_BYTES);
        assert!(entry.line().contains("[truncated]"));
        let short = RecordedRequest::new("GET".into(), "/builds", Some("limit=1"));
        assert!(!short.truncated);
    }

    #[test]
    fn the_journal_keeps_within_its_count_and_bytes() {
        let mut journal = Journal::new(usize::MAX);
        let query = "q".repeat(MAX_RECORDED_QUERY_BYTES);
        for _ in 0..(MAX_JOURNAL_BYTES / MAX_RECORDED_QUERY_BYTES + 100) {
            journal.record(RecordedRequest::new("GET".into(), "/builds", Some(&query)));
        }
        assert!(journal.bytes <= MAX_JOURNAL_BYTES);
        assert!(journal.requests.len() < MAX_JOURNAL_BYTES / MAX_RECORDED_QUERY_BYTES);
        let mut small = Journal::new(3);
        for _ in 0..10 {
            small.record(RecordedRequest::new("GET".into(), "/usage", None));
        }
        assert_eq!(small.count("/usage"), 3);
    }
}
