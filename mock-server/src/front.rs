//! [`Front`]: the standalone server's front door, a small HTTP server that bounds what a
//! request can make the mock read before anything is buffered, then hands the request to
//! the mock. The `nixbuild-mock` binary (and so the Python wheel) listens through it.
//!
//! wiremock's server reads every request body whole into memory before any code of the
//! mock sees it: 1 GiB sent chunked to `/processes` without a token was answered 413, but
//! only after the mock's memory had grown by 2 GB. The binary therefore listens here, and
//! the mock (wiremock's server) listens on a loopback port of its own behind it:
//!
//! - headers: at most [`MAX_HEADER_BYTES`] and [`MAX_HEADERS`] of them (431 beyond), read
//!   within the read timeout (`--read-timeout`, [`DEFAULT_READ_TIMEOUT`]; the connection is
//!   closed after that);
//! - a body is read as it arrives, whole within the read timeout (408 after that), and never
//!   past its budget: [`MAX_REQUEST_BODY_BYTES`], or [`MAX_CONTROL_BODY_BYTES`] for a control
//!   request that carries the admin token. One byte past the budget, reading stops: the mock
//!   is handed what was read, answers 413 and journals it as it does in process, and the
//!   connection is closed, the rest of the body unread;
//! - everything else (status, headers, faults such as a dropped connection, delays, bodies
//!   streamed back) passes through unchanged.
//!
//! The in-process mock (`MockNixbuild` in a Rust test) has no front: its only client is the
//! test's own code, and wiremock's server is what it is.

use std::net::SocketAddr;
use std::time::Duration;

use crate::control::MAX_CONTROL_BODY_BYTES;
use crate::limits::MAX_REQUEST_BODY_BYTES;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};

/// The most bytes of a request's head (request line and headers) the front reads.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// The most headers in one request.
pub const MAX_HEADERS: usize = 128;
/// How long a client may take to send a request's head, and then its whole body, unless
/// `--read-timeout` says otherwise.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

type Body = UnsyncBoxBody<Bytes, hyper::Error>;

/// The front: where the mock listens, the admin token that raises a control request's
/// body budget, and how long a client may take to send a request.
#[derive(Clone)]
pub struct Front {
    upstream: SocketAddr,
    admin_token: nixbuild::Secret,
    read_timeout: Duration,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Front {
    /// A front for the mock listening at `upstream`.
    pub fn new(upstream: SocketAddr, admin_token: nixbuild::Secret, read_timeout: Duration) -> Front {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Front {
            upstream,
            admin_token,
            read_timeout,
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    /// Serves `listener` until the process ends, each connection on a task of its own.
    pub async fn serve(self, listener: std::net::TcpListener) -> std::io::Result<()> {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(self.clone().serve_connection(stream));
        }
    }

    /// Serves one connection until it ends: one that breaks, times out or sends what HTTP
    /// cannot read ends here, and the others go on.
    pub async fn serve_connection<I>(self, io: I)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let read_timeout = self.read_timeout;
        let service = hyper::service::service_fn(move |request| self.clone().handle(request));
        let mut server = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        server
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(read_timeout)
            .max_buf_size(MAX_HEADER_BYTES)
            .max_headers(MAX_HEADERS);
        server
            .http2()
            .timer(TokioTimer::new())
            .max_header_list_size(MAX_HEADER_BYTES as u32);
        let _ = server.serve_connection(TokioIo::new(io), service).await;
    }

    async fn handle(self, request: Request<Incoming>) -> Result<Response<Body>, Dropped> {
        let (parts, body) = request.into_parts();
        let budget = self.body_budget(&parts);
        let read = match read_within(body, budget, self.read_timeout).await {
            Ok(read) => read,
            Err(BodyError::TimedOut) => {
                return Ok(refusal(
                    StatusCode::REQUEST_TIMEOUT,
                    &format!(
                        "the request body did not arrive within {} s",
                        self.read_timeout.as_secs_f64()
                    ),
                ));
            }
            Err(BodyError::Broken) => {
                return Ok(refusal(
                    StatusCode::BAD_REQUEST,
                    "the request body could not be read",
                ));
            }
        };
        let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let Ok(uri) = format!("http://{}{path_and_query}", self.upstream).parse() else {
            return Ok(refusal(
                StatusCode::BAD_REQUEST,
                "the request's target could not be forwarded",
            ));
        };
        let mut forwarded = Request::new(Full::new(read.bytes));
        *forwarded.method_mut() = parts.method;
        *forwarded.uri_mut() = uri;
        copy_end_to_end(&parts.headers, forwarded.headers_mut());
        // The body forwarded is what was read, which may be cut short: its length is its own.
        forwarded.headers_mut().remove(header::CONTENT_LENGTH);
        // The mock dropped the connection (an injected fault) or is gone: so does the front.
        let answer = self.client.request(forwarded).await.map_err(|_| Dropped)?;
        let (mut head, body) = answer.into_parts();
        let mut headers = HeaderMap::new();
        copy_end_to_end(&head.headers, &mut headers);
        if read.cut {
            // The rest of the body is unread: the connection cannot carry another request.
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        head.headers = headers;
        Ok(Response::from_parts(head, body.boxed_unsync()))
    }

    /// What a request's body may hold: a control request with the admin token may bring
    /// builds by the tens of thousands; every other request, the API's budget.
    fn body_budget(&self, parts: &hyper::http::request::Parts) -> usize {
        let control = crate::control::is_control_path(parts.uri.path());
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or(""));
        let admin = crate::admin::carries(authorization, &self.admin_token).is_ok();
        if control && admin {
            MAX_CONTROL_BODY_BYTES
        } else {
            MAX_REQUEST_BODY_BYTES
        }
    }
}

/// A body as read: at most its budget and one byte more, and whether reading stopped there.
struct Read {
    bytes: Bytes,
    cut: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum BodyError {
    TimedOut,
    Broken,
}

/// Reads `body` as its frames arrive, keeping at most `budget + 1` bytes (one more than the
/// budget tells the mock it was exceeded), all within `timeout`.
async fn read_within<B>(mut body: B, budget: usize, timeout: Duration) -> Result<Read, BodyError>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    let keep = budget.saturating_add(1);
    let announced = hyper::body::Body::size_hint(&body).exact().unwrap_or(0);
    let mut bytes = Vec::with_capacity(
        usize::try_from(announced)
            .unwrap_or(keep)
            .min(keep)
            .min(64 * 1024),
    );
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(BodyError::TimedOut),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(BodyError::Broken),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        let room = keep - bytes.len();
        bytes.extend_from_slice(&data[..data.len().min(room)]);
        if bytes.len() == keep {
            return Ok(Read {
                bytes: bytes.into(),
                cut: true,
            });
        }
    }
    Ok(Read {
        bytes: bytes.into(),
        cut: false,
    })
}

/// Headers meant for one connection only (RFC 9110, section 7.6.1), which a front does not
/// pass on.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection" | "keep-alive" | "proxy-connection" | "te" | "trailer" | "transfer-encoding" | "upgrade"
    )
}

fn copy_end_to_end(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if !hop_by_hop(name) {
            to.append(name.clone(), value.clone());
        }
    }
}

/// An answer of the front's own, in the mock's error shape.
fn refusal(status: StatusCode, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut response = Response::new(
        Full::new(Bytes::from(body))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The mock dropped its connection: the front drops the client's (hyper closes a connection
/// whose service fails).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the mock dropped the connection")
    }
}

impl std::error::Error for Dropped {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn chunked(
        chunks: Vec<&'static [u8]>,
    ) -> impl hyper::body::Body<Data = Bytes, Error = Infallible> + Unpin {
        let frames = chunks
            .into_iter()
            .map(|c| Ok::<_, Infallible>(hyper::body::Frame::data(Bytes::from_static(c))));
        http_body_util::StreamBody::new(futures::stream::iter(frames))
    }

    #[tokio::test]
    async fn a_body_is_read_up_to_one_byte_past_its_budget_and_no_further() {
        let read = read_within(chunked(vec![b"abc", b"def"]), 10, Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!((&read.bytes[..], read.cut), (&b"abcdef"[..], false));
        let read = read_within(chunked(vec![b"abc", b"def", b"ghi"]), 4, Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!((&read.bytes[..], read.cut), (&b"abcde"[..], true));
        let read = read_within(chunked(vec![]), 0, Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!((read.bytes.len(), read.cut), (0, false));
    }
}
