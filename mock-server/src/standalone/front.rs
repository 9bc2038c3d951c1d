//! [`Front`]: the standalone server's front door, a small HTTP server that bounds what a
//! request can make the mock read before anything is buffered, then hands the request to
//! the mock. The `nixbuild-mock` binary (and so the Python wheel) listens through it.
//!
//! wiremock's server reads every request body whole into memory before any code of the
//! mock sees it: 1 GiB sent chunked to `/processes` without a token was answered 413, but
//! only after the mock's memory had grown by 2 GB. The binary therefore listens here, and
//! hands each request to the mock's dispatch in process (not to wiremock's server, which
//! also keeps a copy of every request it serves; see `front/direct.rs`):
//!
//! - headers: at most [`MAX_HEADER_BYTES`] and [`MAX_HEADERS`] of them (431 beyond), read
//!   within the read timeout (`--read-timeout`, [`DEFAULT_READ_TIMEOUT`]; the connection is
//!   closed after that);
//! - a connection, HTTP/1 or HTTP/2, that reads and writes nothing for the read timeout while
//!   none of its requests is being answered is closed: one that never sends a byte, or only
//!   the h2c preface, frees its slot all the same;
//! - a body is read as it arrives, whole within the read timeout (408 after that), and never
//!   past its budget: [`MAX_REQUEST_BODY_BYTES`], or [`MAX_CONTROL_BODY_BYTES`] for a control
//!   request that carries the admin token. One byte past the budget, reading stops: the mock
//!   is handed what was read, answers 413 and journals it as it does in process, and the
//!   connection is closed, the rest of the body unread;
//! - parallel requests share one budget of [`MAX_BODY_BYTES_IN_FLIGHT`] body bytes held at
//!   once (a request waits for room within its read timeout), of which
//!   [`ADMIN_BODY_BYTES_RESERVED`] only requests with the admin token may use, and at most
//!   [`MAX_CONNECTIONS`] connections are served at once: a thousand parallel bodies cost
//!   what one budget does, and stalled anonymous bodies never hold up the control API;
//! - an error accepting a connection (the process out of file descriptors) is waited out
//!   with a growing pause, not retried at once in a loop;
//! - everything else (status, headers, faults such as a dropped connection, delays, bodies
//!   streamed back) passes through unchanged.
//!
//! The in-process mock (`MockNixbuild` in a Rust test) has no front: its only client is the
//! test's own code, and wiremock's server is what it is.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::app::State;
use crate::auth::admin;
use crate::control::is_control_path;
use crate::limits::{MAX_CONTROL_BODY_BYTES, MAX_REQUEST_BODY_BYTES};
use crate::mock::MockNixbuild;

mod direct;
mod events;
mod idle;
pub(super) mod open_files;

/// The most bytes of a request's head (request line and headers) the front reads.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// The most headers in one request.
pub const MAX_HEADERS: usize = 128;
/// How long a client may take to send a request's head, and then its whole body, unless
/// `--read-timeout` says otherwise.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The most connections served at once (fewer when the process may open fewer files than
/// four for each, and 24 besides); the next waits to be accepted. Each may hold a head of
/// [`MAX_HEADER_BYTES`].
pub const MAX_CONNECTIONS: usize = 1024;
/// The most body bytes all requests hold at once, read and not yet answered: parallel
/// requests share it, so that a thousand bodies of 1 MiB cost what one budget does. A
/// request waits for room within its read timeout (408 after that).
pub const MAX_BODY_BYTES_IN_FLIGHT: usize = 2 * MAX_CONTROL_BODY_BYTES;

/// Of [`MAX_BODY_BYTES_IN_FLIGHT`], the bytes only a request carrying the admin token may
/// hold: 135 stalled anonymous bodies of 1 MiB once filled the whole budget, and the test
/// harness's `POST /_mock/builds` waited 29 s for room.
pub const ADMIN_BODY_BYTES_RESERVED: usize = MAX_CONTROL_BODY_BYTES;

/// The pause after a failed accept, doubled at each failure in a row up to the longest.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// What the front answers with.
pub(crate) type FrontBody = UnsyncBoxBody<Bytes, hyper::Error>;
type Body = FrontBody;

/// What a front's server answers a request with. (A connection is dropped by an answer whose
/// body ends before its `Content-Length`, as the dropped-connection fault's does.)
pub(crate) type Served<'a> = Pin<Box<dyn Future<Output = Response<FrontBody>> + Send + 'a>>;

/// What stands behind a front: it is handed each request once its body is read within its
/// budget (`cut` when reading stopped one byte past it). The mock's own dispatch
/// ([`Front::new`]) and the recorder's forwarding ([`Front::recording`]) are the two.
pub(crate) trait Behind: Send + Sync {
    fn serve(&self, parts: hyper::http::request::Parts, body: Bytes, cut: bool) -> Served<'_>;
}

/// The front: what is behind it, the admin token that raises a control request's body
/// budget, how long a client may take to send a request, and what all requests may hold
/// at once.
#[derive(Clone)]
pub struct Front {
    behind: Arc<dyn Behind>,
    admin_token: Option<nixbuild::Secret>,
    read_timeout: Duration,
    connections: Arc<Semaphore>,
    bytes_in_flight: Arc<Semaphore>,
    admin_bytes_in_flight: Arc<Semaphore>,
    /// The mock whose dashboard events the front streams, if any.
    dashboard: Option<Arc<State>>,
}

impl Front {
    /// A front for `mock`, answering each request from the mock's own dispatch (not through
    /// wiremock's server, which keeps a copy of every request), and streaming its dashboard's
    /// events.
    pub fn new(mock: &MockNixbuild, read_timeout: Duration) -> Front {
        let connections = open_files::connection_limit();
        let mut front = Front::with(
            Arc::new(direct::Direct::new(Arc::clone(mock.state()))),
            Some(mock.admin_token()),
            read_timeout,
            connections,
        );
        front.dashboard = Some(Arc::clone(mock.state()));
        front
    }

    /// A front for what stands `behind` it, serving at most `connections` at once;
    /// `admin_token` raises a control request's body budget.
    pub(crate) fn with(
        behind: Arc<dyn Behind>,
        admin_token: Option<nixbuild::Secret>,
        read_timeout: Duration,
        connections: usize,
    ) -> Front {
        Front {
            behind,
            admin_token,
            read_timeout,
            connections: Arc::new(Semaphore::new(connections)),
            bytes_in_flight: Arc::new(Semaphore::new(
                MAX_BODY_BYTES_IN_FLIGHT - ADMIN_BODY_BYTES_RESERVED,
            )),
            admin_bytes_in_flight: Arc::new(Semaphore::new(ADMIN_BODY_BYTES_RESERVED)),
            dashboard: None,
        }
    }

    /// Serves `listener` until the process ends, each connection on a task of its own.
    pub async fn serve(self, listener: std::net::TcpListener) -> std::io::Result<()> {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let mut failures = 0u32;
        loop {
            // The semaphore is never closed, so acquiring fails never.
            let Ok(permit) = Arc::clone(&self.connections).acquire_owned().await else {
                continue;
            };
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors (EMFILE) the same accept fails at once until a
                    // connection closes: retried in a loop it took 1.2 cores of an idle mock.
                    let pause = ACCEPT_BACKOFF
                        .0
                        .saturating_mul(1 << failures.min(10))
                        .min(ACCEPT_BACKOFF.1);
                    failures = failures.saturating_add(1);
                    tokio::time::sleep(pause).await;
                    continue;
                }
            };
            failures = 0;
            let _ = stream.set_nodelay(true);
            let front = self.clone();
            tokio::spawn(async move {
                front.serve_connection(stream).await;
                drop(permit);
            });
        }
    }

    /// Serves one connection until it ends: one that breaks, times out or sends what HTTP
    /// cannot read ends here, and the others go on.
    pub async fn serve_connection<I>(self, io: I)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let read_timeout = self.read_timeout;
        let activity = idle::Activity::new();
        let busy_activity = Arc::clone(&activity);
        let service = hyper::service::service_fn(move |request| {
            let busy = busy_activity.busy();
            let front = self.clone();
            async move {
                let answered = front.handle(request).await;
                drop(busy);
                Ok::<_, std::convert::Infallible>(answered)
            }
        });
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
        let connection = server.serve_connection(
            TokioIo::new(idle::Watched::new(io, Arc::clone(&activity))),
            service,
        );
        tokio::pin!(connection);
        loop {
            let idle_for = activity.idle_for();
            if idle_for >= read_timeout {
                return; // dropped: the connection is closed
            }
            let check = if idle_for.is_zero() {
                read_timeout
            } else {
                read_timeout - idle_for
            };
            tokio::select! {
                _ = &mut connection => return,
                () = tokio::time::sleep(check) => {}
            }
        }
    }

    async fn handle(self, request: Request<Incoming>) -> Response<Body> {
        let (parts, body) = request.into_parts();
        if let Some(state) = &self.dashboard
            && parts.method == hyper::Method::GET
            && parts.uri.path() == events::EVENTS_PATH
        {
            return events::stream(state, &parts);
        }
        let (budget, in_flight) = self.body_budget(&parts);
        let read = match read_within(body, budget, in_flight, self.read_timeout).await {
            Ok(read) => read,
            Err(BodyError::TimedOut) => {
                return refusal(
                    StatusCode::REQUEST_TIMEOUT,
                    &format!(
                        "the request body did not arrive within {} s",
                        self.read_timeout.as_secs_f64()
                    ),
                );
            }
            Err(BodyError::Broken) => {
                return refusal(StatusCode::BAD_REQUEST, "the request body could not be read");
            }
        };
        let Read { bytes, cut, share } = read;
        let served = self.behind.serve(parts, bytes, cut).await;
        // The body's share of the bytes in flight is held until it is answered.
        drop(share);
        served
    }

    /// What a request's body may hold, and the bytes in flight it draws from: a request with
    /// the admin token draws from the share reserved for it, and a control request with it
    /// may bring builds by the tens of thousands; every other request, the API's budget.
    fn body_budget(&self, parts: &hyper::http::request::Parts) -> (usize, &Arc<Semaphore>) {
        let control = is_control_path(parts.uri.path());
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .map(|v| crate::text::header_text(v).unwrap_or(""));
        let admin = self
            .admin_token
            .as_ref()
            .is_some_and(|token| admin::is_carried(authorization, token));
        let pool = if admin {
            &self.admin_bytes_in_flight
        } else {
            &self.bytes_in_flight
        };
        let budget = if control && admin {
            MAX_CONTROL_BODY_BYTES
        } else {
            MAX_REQUEST_BODY_BYTES
        };
        (budget, pool)
    }
}

/// A body as read: at most its budget and one byte more, whether reading stopped there, and
/// its share of the bytes in flight, held until the request is answered.
struct Read {
    bytes: Bytes,
    cut: bool,
    share: Option<OwnedSemaphorePermit>,
}

#[derive(Debug, PartialEq, Eq)]
enum BodyError {
    TimedOut,
    Broken,
}

/// Reads `body` as its frames arrive, keeping at most `budget + 1` bytes (one more than the
/// budget tells the mock it was exceeded), each byte kept once `in_flight` has room for it,
/// all within `timeout`.
async fn read_within<B>(
    mut body: B,
    budget: usize,
    in_flight: &Arc<Semaphore>,
    timeout: Duration,
) -> Result<Read, BodyError>
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
    let mut share: Option<OwnedSemaphorePermit> = None;
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
        let taken = &data[..data.len().min(keep - bytes.len())];
        if !taken.is_empty() {
            let wanted = u32::try_from(taken.len()).map_err(|_| BodyError::Broken)?;
            let more = tokio::time::timeout_at(deadline, Arc::clone(in_flight).acquire_many_owned(wanted))
                .await
                .map_err(|_| BodyError::TimedOut)?
                .map_err(|_| BodyError::Broken)?;
            match share.as_mut() {
                Some(share) => share.merge(more),
                None => share = Some(more),
            }
        }
        bytes.extend_from_slice(taken);
        if bytes.len() == keep {
            return Ok(Read {
                bytes: bytes.into(),
                cut: true,
                share,
            });
        }
    }
    Ok(Read {
        bytes: bytes.into(),
        cut: false,
        share,
    })
}

/// Headers meant for one connection only (RFC 9110, section 7.6.1), which a front does not
/// pass on.
pub(crate) fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection" | "keep-alive" | "proxy-connection" | "te" | "trailer" | "transfer-encoding" | "upgrade"
    )
}

pub(crate) fn copy_end_to_end(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if !hop_by_hop(name) {
            to.append(name.clone(), value.clone());
        }
    }
}

/// An answer of the front's own, in the mock's error shape.
pub(crate) fn refusal(status: StatusCode, message: &str) -> Response<Body> {
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

    fn pool(bytes: usize) -> Arc<Semaphore> {
        Arc::new(Semaphore::new(bytes))
    }

    #[tokio::test]
    async fn a_body_is_read_up_to_one_byte_past_its_budget_and_no_further() {
        let second = Duration::from_secs(1);
        let read = read_within(chunked(vec![b"abc", b"def"]), 10, &pool(100), second)
            .await
            .unwrap();
        assert_eq!((&read.bytes[..], read.cut), (&b"abcdef"[..], false));
        let read = read_within(chunked(vec![b"abc", b"def", b"ghi"]), 4, &pool(100), second)
            .await
            .unwrap();
        assert_eq!((&read.bytes[..], read.cut), (&b"abcde"[..], true));
        let read = read_within(chunked(vec![]), 0, &pool(100), second).await.unwrap();
        assert_eq!((read.bytes.len(), read.cut), (0, false));
    }

    #[tokio::test]
    async fn parallel_bodies_share_one_budget_and_wait_for_room_within_the_timeout() {
        let shared = pool(10);
        let short = Duration::from_millis(100);
        let first = read_within(chunked(vec![b"12345678"]), 100, &shared, short)
            .await
            .unwrap();
        assert_eq!(
            shared.available_permits(),
            2,
            "held while the first is unanswered"
        );
        let waiting = read_within(chunked(vec![b"abcdef"]), 100, &shared, short).await;
        assert!(matches!(waiting, Err(BodyError::TimedOut)), "no room: 408");
        assert_eq!(
            shared.available_permits(),
            2,
            "what a refused body took is given back"
        );
        drop(first);
        let second = read_within(chunked(vec![b"abcdef"]), 100, &shared, short)
            .await
            .unwrap();
        assert_eq!(&second.bytes[..], b"abcdef");
    }
}
