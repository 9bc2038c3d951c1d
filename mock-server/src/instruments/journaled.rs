//! [`Journaled`]: an entry of the journal, whose secrets are redacted when it is first read.
//!
//! Redacting a request's query, headers and body as it came was a tenth of the mock's time a
//! request in a debug build (callgrind: 20,000 of 187,000 instructions, for a query of two
//! parameters and four headers), and most requests of a test are never read back. So an
//! entry keeps them as they came (the headers in two buffers, not two strings each), and
//! makes its [`RecordedRequest`] (redacted, cut as the journal cuts) the first time it is
//! read; then it drops them.

use std::fmt;
use std::sync::{Mutex, OnceLock};

use super::recorded_request::{RecordedRequest, cut};
use crate::limits::{MAX_RECORDED_BODY_BYTES, MAX_RECORDED_HEADER_BYTES, MAX_RECORDED_QUERY_BYTES};
use crate::redaction::{redact_body, redact_header, redact_query};
use crate::sync::lock;

/// The parts of a request that may hold a secret, as they came (within what the journal
/// keeps): never shown, only redacted into a [`RecordedRequest`].
#[derive(Default)]
pub(crate) struct AsReceived {
    query: Option<Query>,
    /// Each header's name and value, one after the other: two allocations in all, where the
    /// redacted form makes two strings a header.
    header_text: Vec<u8>,
    /// Where each name and value of `header_text` ends, in turn.
    header_ends: Vec<u32>,
    /// Its first [`MAX_RECORDED_BODY_BYTES`].
    body: Vec<u8>,
    /// Whether headers or body were cut.
    truncated: bool,
}

/// A query as it came, or, when it is longer than the journal keeps, redacted and cut
/// already: cut first, a token's start would no longer read as a token.
enum Query {
    AsSent(String),
    Redacted { query: String, cut: bool },
}

impl AsReceived {
    /// What of `request` may hold a secret: its query, its headers (up to
    /// [`MAX_RECORDED_HEADER_BYTES`] of them, whole) and its body's start.
    pub(crate) fn of(request: &wiremock::Request) -> AsReceived {
        let query = request.url.query().map(|query| {
            if query.len() <= MAX_RECORDED_QUERY_BYTES {
                Query::AsSent(query.to_owned())
            } else {
                let (query, cut) = cut(&redact_query(query), MAX_RECORDED_QUERY_BYTES);
                Query::Redacted { query, cut }
            }
        });
        let mut header_text = Vec::with_capacity(256);
        let mut header_ends = Vec::with_capacity(16);
        let mut truncated = false;
        for (name, value) in &request.headers {
            let (name, value) = (name.as_str().as_bytes(), value.as_bytes());
            if header_text.len() + name.len() + value.len() > MAX_RECORDED_HEADER_BYTES {
                truncated = true;
                break;
            }
            // Within MAX_RECORDED_HEADER_BYTES: the offsets fit.
            header_text.extend_from_slice(name);
            header_ends.push(header_text.len() as u32);
            header_text.extend_from_slice(value);
            header_ends.push(header_text.len() as u32);
        }
        let body = &request.body[..request.body.len().min(MAX_RECORDED_BODY_BYTES)];
        truncated |= body.len() < request.body.len();
        AsReceived {
            query,
            header_text,
            header_ends,
            body: body.to_vec(),
            truncated,
        }
    }

    /// About how many bytes it holds, and its redacted form will.
    fn size(&self) -> usize {
        let query = match &self.query {
            Some(Query::AsSent(query) | Query::Redacted { query, .. }) => query.len(),
            None => 0,
        };
        // Each header becomes two strings.
        let header_count = self.header_ends.len() / 2;
        2 * (query + self.header_text.len() + self.body.len())
            + 4 * self.header_ends.len()
            + header_count * std::mem::size_of::<(String, String)>()
    }

    /// Each header's name and value, as they came.
    fn pairs(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let text = |start: u32, end: u32| {
            self.header_text
                .get(start as usize..end as usize)
                .unwrap_or_default()
        };
        let mut start = 0;
        self.header_ends.chunks_exact(2).map(move |ends| {
            let pair = (text(start, ends[0]), text(ends[0], ends[1]));
            start = ends[1];
            pair
        })
    }

    /// `request` with this query, these headers and this body, redacted and cut as the
    /// journal keeps them.
    fn redacted_into(self, mut request: RecordedRequest) -> RecordedRequest {
        let (query, query_cut) = match &self.query {
            Some(Query::AsSent(query)) => {
                let (query, cut) = cut(&redact_query(query), MAX_RECORDED_QUERY_BYTES);
                (Some(query), cut)
            }
            Some(Query::Redacted { query, cut }) => (Some(query.clone()), *cut),
            None => (None, false),
        };
        request.query = query;
        request.truncated |= query_cut || self.truncated;
        request.headers = self
            .pairs()
            .map(|(name, value)| {
                // A header's name is lower-case ASCII; a value that is not UTF-8 is read
                // lossily.
                let name = String::from_utf8_lossy(name).into_owned();
                let value = redact_header(&name, &String::from_utf8_lossy(value));
                (name, value)
            })
            .collect();
        request.body = redact_body(&self.body).into_owned();
        request
    }
}

/// An entry of the journal: the request's path, method, status and the rest, readable as
/// they are, and its [`AsReceived`] parts, redacted into a whole [`RecordedRequest`] when the
/// entry is first read.
pub(crate) struct Journaled {
    /// The request without its query, headers or body.
    shell: RecordedRequest,
    /// Taken when `whole` is made.
    as_received: Mutex<Option<AsReceived>>,
    whole: OnceLock<RecordedRequest>,
    /// About how many bytes it holds, read or not: counted once, so that the journal takes
    /// off what it added when the entry goes.
    size: usize,
}

impl Journaled {
    pub(crate) fn new(shell: RecordedRequest, as_received: AsReceived) -> Journaled {
        let size = std::mem::size_of::<Journaled>() + 2 * shell.size() + as_received.size();
        Journaled {
            shell,
            as_received: Mutex::new(Some(as_received)),
            whole: OnceLock::new(),
            size,
        }
    }

    /// The request, whole, its secrets redacted.
    pub(crate) fn request(&self) -> &RecordedRequest {
        self.whole.get_or_init(|| {
            let as_received = lock(&self.as_received).take().unwrap_or_default();
            as_received.redacted_into(self.shell.clone())
        })
    }

    /// Its place in the journal.
    pub(crate) fn seq(&self) -> u64 {
        self.shell.seq
    }

    pub(crate) fn set_seq(&mut self, seq: u64) {
        self.shell.seq = seq;
        if let Some(whole) = self.whole.get_mut() {
            whole.seq = seq;
        }
    }

    /// The path, relative to the API's root.
    pub(crate) fn path(&self) -> &str {
        &self.shell.path
    }

    pub(crate) fn method(&self) -> &str {
        self.shell.method.as_str()
    }

    /// The status the mock answered with.
    #[cfg(fuzzing)]
    pub(crate) fn status(&self) -> u16 {
        self.shell.status.as_u16()
    }

    /// About how many bytes it holds, read or not.
    pub(crate) fn size(&self) -> usize {
        self.size
    }
}

impl fmt::Debug for Journaled {
    /// The request as read (redacted), or, before it is first read, without its query,
    /// headers and body: never what they held as they came.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.whole.get() {
            Some(whole) => whole.fmt(f),
            None => f
                .debug_struct("Journaled")
                .field("request", &self.shell)
                .field("query_headers_and_body", &"not read yet")
                .finish(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use nixbuild::reexports::reqwest::Method;
    use nixbuild::reexports::reqwest::header::{HeaderMap, HeaderName, HeaderValue};

    use super::*;
    use crate::REDACTED;

    /// A real Biscuit token (the same for every test, made once).
    pub(crate) fn token() -> &'static str {
        static TOKEN: OnceLock<String> = OnceLock::new();
        TOKEN.get_or_init(crate::redaction::tests::token)
    }

    pub(crate) fn request(query: &str, headers: &[(&str, &[u8])], body: &[u8]) -> wiremock::Request {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        wiremock::Request {
            url: format!("http://localhost/api/builds?{query}").parse().unwrap(),
            method: Method::POST,
            headers: map,
            body: body.to_vec(),
        }
    }

    pub(crate) fn journaled(request: &wiremock::Request) -> Journaled {
        Journaled::new(RecordedRequest::of(request, "/api"), AsReceived::of(request))
    }

    /// Nothing of a token shows before the entry is read, nor in what it is read as: no run
    /// of a dozen of its characters.
    fn holds_no_piece_of_token(text: &str) -> bool {
        token()
            .as_bytes()
            .windows(12)
            .all(|piece| !text.contains(std::str::from_utf8(piece).unwrap()))
    }

    #[test]
    fn an_entry_holds_its_secrets_hidden_until_read_then_redacted() {
        let token = token();
        let bearer = format!("Bearer {token}");
        let noted = format!("see {token}");
        let body = format!(r#"{{"note":"{token}"}}"#);
        let request = request(
            &format!("access_token={token}&limit=1&tags=ci:{token}"),
            &[
                ("authorization", bearer.as_bytes()),
                ("x-note", noted.as_bytes()),
                ("x-raw", b"caf\xe9"),
            ],
            body.as_bytes(),
        );
        let entry = journaled(&request);
        let size = entry.size();
        let unread = format!("{entry:?}");
        assert!(holds_no_piece_of_token(&unread), "{unread}");
        assert_eq!(entry.path(), "/builds");
        assert_eq!(entry.method(), "POST");

        let read = entry.request();
        assert_eq!(
            read.query.as_deref(),
            Some(format!("access_token={REDACTED}&limit=1&tags=ci:{REDACTED}").as_str())
        );
        assert_eq!(
            read.header("authorization"),
            Some(format!("Bearer {REDACTED}").as_str())
        );
        assert_eq!(read.header("x-note"), Some(format!("see {REDACTED}").as_str()));
        assert_eq!(read.header("x-raw"), Some("caf\u{fffd}"), "read lossily");
        assert_eq!(read.body, format!(r#"{{"note":"{REDACTED}"}}"#).as_bytes());
        assert!(!read.truncated);
        let shown = format!("{read:?} {} {entry:?}", read.line());
        assert!(holds_no_piece_of_token(&shown), "{shown}");
        assert!(
            lock(&entry.as_received).is_none(),
            "what came is dropped once redacted"
        );
        assert_eq!(entry.size(), size, "the journal takes off what it added");
        assert!(std::ptr::eq(entry.request(), read), "made once");
    }

    #[test]
    fn a_long_query_is_redacted_before_it_is_cut() {
        // The token straddles the cut: cut first, its start would not read as a token. And
        // the query is still too long once redacted.
        let padding = "a=1&".repeat((MAX_RECORDED_QUERY_BYTES - 40) / 4);
        let query = format!("{padding}tags=ci:{}&{}", token(), "b=2&".repeat(50));
        assert!(query.len() > MAX_RECORDED_QUERY_BYTES);
        let entry = journaled(&request(&query, &[], b""));
        assert!(holds_no_piece_of_token(&format!("{entry:?}")));
        let read = entry.request();
        let kept = read.query.as_deref().unwrap();
        assert!(kept.len() <= MAX_RECORDED_QUERY_BYTES && kept.starts_with(&padding));
        assert!(read.truncated);
        assert!(holds_no_piece_of_token(kept), "{kept}");
    }

    #[test]
    fn headers_past_the_cap_are_left_out_whole_and_said_to_be() {
        let value = vec![b'v'; 1000];
        let names: Vec<String> = (0..2 * MAX_RECORDED_HEADER_BYTES / 1000)
            .map(|n| format!("x-h{n}"))
            .collect();
        let headers: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &value[..])).collect();
        let entry = journaled(&request("limit=1", &headers, b""));
        let read = entry.request();
        assert!(read.truncated);
        assert!(!read.headers.is_empty() && read.headers.len() < names.len());
        assert!(read.headers.iter().all(|(_, v)| v.len() == value.len()));
        let kept: usize = read.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        assert!(kept <= MAX_RECORDED_HEADER_BYTES);
    }
}
