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
    /// The query, if the request has one, then each header's name and value, one after the
    /// other, each after its length in two bytes: one allocation, where a string for the
    /// query and a buffer for the headers' ends cost a debug build 1,000 instructions more a
    /// request (callgrind), and the redacted form makes two strings a header.
    text: Vec<u8>,
    query: Query,
    /// How many headers `text` holds.
    header_count: usize,
    /// Its first [`MAX_RECORDED_BODY_BYTES`].
    body: Vec<u8>,
    /// Whether headers or body were cut.
    truncated: bool,
}

/// The query's form in [`AsReceived::text`].
#[derive(Default, Clone, Copy)]
enum Query {
    /// The request has none.
    #[default]
    None,
    /// As it came.
    AsSent,
    /// Longer than the journal keeps: redacted and cut already (cut first, a token's start
    /// would no longer read as a token).
    Redacted { cut: bool },
}

// Every piece's length fits its two bytes.
const _: () = assert!(MAX_RECORDED_QUERY_BYTES <= u16::MAX as usize);
const _: () = assert!(MAX_RECORDED_HEADER_BYTES <= u16::MAX as usize);

/// Appends `piece` to `text` after its length (at most `u16::MAX`) in two bytes.
fn push_piece(text: &mut Vec<u8>, piece: &[u8]) {
    let [low, high] = (piece.len() as u16).to_le_bytes();
    text.push(low);
    text.push(high);
    text.extend_from_slice(piece);
}

impl AsReceived {
    /// What of `request` may hold a secret: its query, its headers (up to
    /// [`MAX_RECORDED_HEADER_BYTES`] of them, whole) and its body's start.
    pub(crate) fn of(request: &wiremock::Request) -> AsReceived {
        /// Room for the few headers a client sends, a token among them.
        const HEADER_ROOM: usize = 512;
        let query = request.url.query();
        let mut text =
            Vec::with_capacity(query.map_or(0, |q| q.len().min(MAX_RECORDED_QUERY_BYTES) + 2) + HEADER_ROOM);
        let query = match query {
            None => Query::None,
            Some(query) if query.len() <= MAX_RECORDED_QUERY_BYTES => {
                push_piece(&mut text, query.as_bytes());
                Query::AsSent
            }
            Some(query) => {
                let (query, cut) = cut(&redact_query(query), MAX_RECORDED_QUERY_BYTES);
                push_piece(&mut text, query.as_bytes());
                Query::Redacted { cut }
            }
        };
        let (mut header_bytes, mut header_count, mut truncated) = (0, 0, false);
        for (name, value) in &request.headers {
            let (name, value) = (name.as_str().as_bytes(), value.as_bytes());
            header_bytes += name.len() + value.len();
            if header_bytes > MAX_RECORDED_HEADER_BYTES {
                truncated = true;
                break;
            }
            push_piece(&mut text, name);
            push_piece(&mut text, value);
            header_count += 1;
        }
        let body = &request.body[..request.body.len().min(MAX_RECORDED_BODY_BYTES)];
        truncated |= body.len() < request.body.len();
        AsReceived {
            text,
            query,
            header_count,
            body: body.to_vec(),
            truncated,
        }
    }

    /// About how many bytes it holds, and its redacted form will.
    fn size(&self) -> usize {
        // Each header becomes two strings.
        2 * (self.text.len() + self.body.len()) + self.header_count * std::mem::size_of::<(String, String)>()
    }

    /// The pieces of `text`, in order.
    fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        let mut at = 0;
        std::iter::from_fn(move || {
            let length = u16::from_le_bytes([*self.text.get(at)?, *self.text.get(at + 1)?]);
            let piece = self.text.get(at + 2..at + 2 + usize::from(length))?;
            at += 2 + usize::from(length);
            Some(piece)
        })
    }

    /// `request` with this query, these headers and this body, redacted and cut as the
    /// journal keeps them.
    fn redacted_into(self, mut request: RecordedRequest) -> RecordedRequest {
        let mut pieces = self.pieces();
        let text = |piece: Option<&[u8]>| String::from_utf8_lossy(piece.unwrap_or_default()).into_owned();
        let (query, query_cut) = match self.query {
            Query::None => (None, false),
            Query::AsSent => {
                let (query, cut) = cut(&redact_query(&text(pieces.next())), MAX_RECORDED_QUERY_BYTES);
                (Some(query), cut)
            }
            Query::Redacted { cut } => (Some(text(pieces.next())), cut),
        };
        request.query = query;
        request.truncated |= query_cut || self.truncated;
        let mut headers = Vec::with_capacity(self.header_count);
        while let (Some(name), Some(value)) = (pieces.next(), pieces.next()) {
            // A header's name is lower-case ASCII; a value that is not UTF-8 is read
            // lossily.
            let name = String::from_utf8_lossy(name).into_owned();
            let value = redact_header(&name, &String::from_utf8_lossy(value));
            headers.push((name, value));
        }
        request.headers = headers;
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

    /// No query is none, an empty one empty, and empty header values stay in their place.
    #[test]
    fn absent_and_empty_pieces_read_back_as_they_came() {
        let mut without = request("", &[], b"");
        without.url.set_query(None);
        let entry = journaled(&without);
        let read = entry.request();
        assert_eq!(read.query, None);
        assert!(read.headers.is_empty() && read.body.is_empty() && !read.truncated);

        let entry = journaled(&request("", &[("x-empty", b""), ("x-next", b"1")], b""));
        let read = entry.request();
        assert_eq!(read.query.as_deref(), Some(""));
        assert_eq!(
            read.headers,
            vec![
                ("x-empty".to_owned(), String::new()),
                ("x-next".to_owned(), "1".to_owned())
            ]
        );
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
