//! [`Error`]: everything that can go wrong, each with what happened and where.

use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::filter::FilterError;

/// The result of the crate's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error of the nixbuild.net client.
///
/// Its `Display` is one line that says what happened and where (`GET /builds: HTTP 401
/// Unauthorized: token expired`), fit for a log. No variant ever holds the token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The service answered with success, but not with what the API promises.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// No complete answer came within the client's timeout.
    #[error("{endpoint}: no complete response from {} within {}", endpoint.server, humanize(*after))]
    Timeout {
        /// The request.
        endpoint: Endpoint,
        /// The timeout that ran out.
        after: Duration,
    },
    /// The request could not be sent or its answer not received (connection refused, TLS, …).
    #[error("{endpoint}: {}", transport(&endpoint.server, source))]
    Transport {
        /// The request.
        endpoint: Endpoint,
        /// What the HTTP stack reported.
        #[source]
        source: reqwest::Error,
    },
    /// The token states an expiry that has passed, so the request was not sent.
    #[error("{endpoint}: not sent: the token expired at {expired_at}; make a new one")]
    TokenExpired {
        /// The request that was not sent.
        endpoint: Endpoint,
        /// When the token expired, as the token states it.
        expired_at: chrono::DateTime<chrono::Utc>,
    },
    /// [`WaitForBuilds`](crate::api::WaitForBuilds) reached its timeout first.
    #[error("gave up waiting after {}: {}", humanize(*waited), waited_for(*matching, *unfinished))]
    WaitTimedOut {
        /// How long it waited.
        waited: Duration,
        /// How many derivations had a matching build at the last poll.
        matching: usize,
        /// How many of them had a newest build not finished (or restarted).
        unfinished: usize,
    },
    /// The service answered with a redirect (3xx), which the client does not follow: its
    /// headers carry secrets that must not reach another host.
    #[error("{endpoint}: HTTP {status}: redirected to {}; not followed (set the base URL to where the API is)", location.as_deref().unwrap_or("an unnamed location"))]
    Redirect {
        /// The request.
        endpoint: Endpoint,
        /// The 3xx status, or the final status when a caller-supplied client followed the
        /// redirect itself.
        status: StatusCode,
        /// Where it pointed (the `Location` header, or the URL a caller-supplied client
        /// ended at), control characters removed.
        location: Option<String>,
    },
    /// The answer was larger than the client's
    /// [`max_response_bytes`](crate::ClientBuilder::max_response_bytes); it was not read
    /// further.
    #[error(
        "{endpoint}: the answer is larger than {limit} bytes, the most this client reads (ClientBuilder::max_response_bytes; stream() reads a listing of any size page by page)"
    )]
    ResponseTooLarge {
        /// The request.
        endpoint: Endpoint,
        /// The limit it passed.
        limit: u64,
    },
    /// A listing's pages did not move back in time, so [`ListBuilds::stream`] stopped rather
    /// than ask for the same builds forever (the server ignored `create_time_to`, or answered
    /// out of order).
    ///
    /// [`ListBuilds::stream`]: crate::api::ListBuilds::stream
    #[error("{endpoint}: the server's pages do not move back in time ({detail}); the stream stopped")]
    Pagination {
        /// The request.
        endpoint: Endpoint,
        /// What the page held.
        detail: String,
    },
    /// An argument of a request cannot be sent (a header value with a line break, …).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client was configured with something it cannot use.
    #[error("invalid nixbuild client configuration: {0}")]
    Config(String),
    /// A filter holds a value the API cannot express.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// A token could not be read or attenuated.
    #[cfg(feature = "biscuit")]
    #[error(transparent)]
    Token(#[from] crate::token::TokenError),
}

impl Error {
    /// The HTTP status, when the service answered with an error.
    pub fn status(&self) -> Option<StatusCode> {
        self.api().map(ApiError::status)
    }

    /// The details of an error answer from the service.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// 401: the token is missing, unreadable, or not the service's.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// 403: the token is genuine but does not allow this (expired, lacks the right, …).
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(StatusCode::FORBIDDEN)
    }

    /// 404: the path does not exist (often a base URL without its path prefix).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// The request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Whether the same request may succeed if sent again: the server did not process it
    /// (a connection that could not be made, 429, 502, 503 or 504). These are what the
    /// client's [`RetryPolicy`](crate::RetryPolicy) retries.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => is_retryable_status(e.status),
            Error::Transport { source, .. } => source.is_connect(),
            _ => false,
        }
    }

    /// How long the service asked the client to wait (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(ApiError::retry_after)
    }
}

pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// A request as errors name it: its method and URL path (no query), and the server it went
/// to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint {
    /// The HTTP method.
    pub method: Method,
    /// The URL path, with the base URL's prefix (`/api/v1/builds`).
    pub path: String,
    /// The server, as `host:port` (never the URL's credentials): where a connection was
    /// refused or timed out.
    pub server: String,
}

impl Endpoint {
    /// The endpoint of a request for `url`.
    pub(crate) fn of(method: Method, url: &url::Url) -> Endpoint {
        let host = url.host_str().unwrap_or("an unnamed host");
        let server = match url.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Endpoint {
            method,
            path: url.path().to_owned(),
            server,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// An error answer from the service: status, request, message and raw body.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{endpoint}: HTTP {status}{}", describe_message(message))]
#[non_exhaustive]
pub struct ApiError {
    status: StatusCode,
    endpoint: Endpoint,
    message: String,
    headers: reqwest::header::HeaderMap,
    body: bytes::Bytes,
    retry_after: Option<Duration>,
}

/// How much of an error body is kept: enough for any message, bounded against a huge page.
pub(crate) const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;
/// How much of the server's message goes into the one-line `Display`.
const MAX_MESSAGE_CHARS: usize = 300;

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        endpoint: Endpoint,
        headers: reqwest::header::HeaderMap,
        body: bytes::Bytes,
    ) -> ApiError {
        let message = server_message(&String::from_utf8_lossy(&body));
        let retry_after = crate::retry::parse_retry_after(&headers);
        ApiError {
            status,
            endpoint,
            message,
            headers,
            body,
            retry_after,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The request that failed.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The server's message: the `error` or `message` field of a JSON body, else the body's
    /// text, on one line, control characters escaped, and shortened to a few hundred
    /// characters.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The body as text (its first 64 KiB), whatever its format; bytes that are not UTF-8
    /// read as `�`, and control characters are as the server sent them: escape them before
    /// printing it.
    pub fn body(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body's bytes exactly as the server sent them (its first 64 KiB).
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }

    /// The answer's headers, as the server sent them (a request id to quote to support,
    /// rate-limit counters, …).
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    /// The wait the server asked for in `Retry-After`, as seconds or an HTTP date.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

fn describe_message(message: &str) -> String {
    if message.is_empty() {
        " (empty body)".to_owned()
    } else {
        format!(": {message}")
    }
}

/// The message a person should read from an error body.
fn server_message(body: &str) -> String {
    let from_json = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(fields)) => ["error", "message"]
            .iter()
            .find_map(|key| fields.get(*key).and_then(|v| v.as_str()).map(str::to_owned)),
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    };
    let text = from_json.unwrap_or_else(|| body.to_owned());
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let printable = crate::printable::escape_controls(&one_line);
    truncate_chars(&printable, MAX_MESSAGE_CHARS)
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// A success response whose body is not what the API promises.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{endpoint}: cannot decode the response at `{path}`: {message} (near `{snippet}`)")]
#[non_exhaustive]
pub struct DecodeError {
    endpoint: Endpoint,
    path: String,
    message: String,
    snippet: String,
}

/// Bytes of context shown before and after the point where decoding failed.
const SNIPPET_BEFORE: usize = 40;
const SNIPPET_AFTER: usize = 20;

impl DecodeError {
    /// `path` is where in the JSON `error` happened, as serde_path_to_error writes it.
    pub(crate) fn new(
        endpoint: Endpoint,
        body: &[u8],
        path: String,
        error: serde_json::Error,
    ) -> DecodeError {
        // Both hold bytes from the server: printed, they must not drive a terminal.
        let escape = |text: &str| crate::printable::escape_controls(text).into_owned();
        let snippet = escape(&snippet_at(body, error.line(), error.column()));
        DecodeError {
            endpoint,
            path: escape(&path),
            message: escape(&error.to_string()),
            snippet,
        }
    }

    /// The request whose answer failed to decode.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Where in the JSON it failed, such as `[3].outputs[0].nar_size_bytes` (`.` for the top).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was wrong there.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The body's text around the failure.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }
}

/// The text around a 1-based line and column of `body`, on one line.
fn snippet_at(body: &[u8], line: usize, column: usize) -> String {
    let line_start = body
        .split_inclusive(|b| *b == b'\n')
        .take(line.saturating_sub(1))
        .map(<[u8]>::len)
        .sum::<usize>();
    let at = (line_start + column.saturating_sub(1)).min(body.len());
    let start = at.saturating_sub(SNIPPET_BEFORE);
    let end = (at + SNIPPET_AFTER).min(body.len());
    let text = String::from_utf8_lossy(&body[start..end]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A reqwest error with its causes, on one line: reqwest's own `Display` leaves out the cause
/// ("connection refused") that a reader needs.
/// A transport failure in words that name the server: a refused connection says where.
fn transport(server: &str, error: &reqwest::Error) -> String {
    if error.is_connect() {
        let mut cause: &dyn std::error::Error = error;
        while let Some(deeper) = cause.source() {
            cause = deeper;
        }
        format!("cannot connect to {server}: {cause}")
    } else {
        format!("{server}: {}", chain(error))
    }
}

fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What a wait that timed out was waiting for, in words.
fn waited_for(matching: usize, unfinished: usize) -> String {
    match (matching, unfinished) {
        (0, _) => "no build matched yet".to_owned(),
        (1, 1) => "the derivation's newest build had not finished".to_owned(),
        (m, u) => format!("{u} of {m} derivations' newest builds had not finished"),
    }
}

pub(crate) fn humanize(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Endpoint {
        Endpoint {
            method: Method::GET,
            path: "/builds".into(),
            server: "api.nixbuild.net:443".into(),
        }
    }

    #[test]
    fn message_comes_from_a_json_error_or_message_field() {
        assert_eq!(server_message(r#"{"error":"token expired"}"#), "token expired");
        assert_eq!(server_message(r#"{"message":"slow down","code":7}"#), "slow down");
        assert_eq!(server_message(r#""plain json string""#), "plain json string");
    }

    #[test]
    fn message_falls_back_to_the_raw_text_on_one_line() {
        assert_eq!(server_message("Bad\n  gateway\n"), "Bad gateway");
        assert_eq!(server_message(r#"{"detail":"x"}"#), r#"{"detail":"x"}"#);
    }

    #[test]
    fn a_long_message_is_cut_on_a_character_boundary() {
        let long = "é".repeat(1000);
        let message = server_message(&long);
        assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(message.ends_with('…'));
    }

    #[test]
    fn display_is_one_line_with_endpoint_status_and_message() {
        let e = Error::Api(Box::new(ApiError::new(
            StatusCode::FORBIDDEN,
            endpoint(),
            reqwest::header::HeaderMap::new(),
            bytes::Bytes::from_static(br#"{"error":"check failed: expired"}"#),
        )));
        assert_eq!(
            e.to_string(),
            "GET /builds: HTTP 403 Forbidden: check failed: expired"
        );
        assert!(e.is_forbidden() && !e.is_unauthorized() && !e.is_retryable());
    }

    #[test]
    fn an_empty_body_is_said_so() {
        let e = ApiError::new(
            StatusCode::BAD_GATEWAY,
            endpoint(),
            Default::default(),
            bytes::Bytes::new(),
        );
        assert_eq!(e.to_string(), "GET /builds: HTTP 502 Bad Gateway (empty body)");
    }

    #[test]
    fn snippet_shows_the_text_around_line_and_column() {
        let body = b"[\n  {\"a\": 1,\n   \"b\": \"oops\"}\n]";
        assert_eq!(snippet_at(body, 3, 9), "[ {\"a\": 1, \"b\": \"oops\"} ]");
        assert_eq!(snippet_at(b"", 1, 1), "");
        assert_eq!(snippet_at(b"abc", 99, 99), "abc");
    }
}
