//! [`RecordingProxy`]: what `nixbuild-mock record` puts behind its front: each request
//! forwarded to the upstream with the caller's own headers (its token among them), the
//! upstream's answer given back unchanged, and what a recording keeps handed to the
//! [`Recorder`].

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderName};
use hyper::{Response, StatusCode};
use nixbuild::reexports::reqwest;

use super::front::{Behind, Front, FrontBody, Served, hop_by_hop, refusal};
use crate::limits::MAX_REQUEST_BODY_BYTES;
use crate::recording_format::{MAX_RECORDED_ANSWER_BYTES, Recorder, is_recorded, request_line};

/// Where `record` forwards to when not told otherwise: the real service.
pub const DEFAULT_UPSTREAM: &str = "https://api.nixbuild.net";
/// How long the upstream may take to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the upstream may take to answer a request whole.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(300);

/// The most answer bytes the recorder holds at once, read from the upstream and not yet
/// recorded and given back: past it, reading an answer waits for room, and after
/// 30 s (`ROOM_TIMEOUT`) the request is answered 503 (`Retry-After: 1`). Six answers of 200 MiB at
/// once took 5.5 GB.
pub const MAX_ANSWER_BYTES_IN_FLIGHT: usize = 512 * 1024 * 1024;
/// How long an answer may wait for room among the bytes in flight.
const ROOM_TIMEOUT: Duration = Duration::from_secs(30);

/// Called with a line for each request answered.
type RequestLog = Arc<dyn Fn(&str) + Send + Sync>;

/// Forwards requests to an upstream and records what it answers.
#[derive(Clone)]
pub struct RecordingProxy {
    upstream: String,
    server: String,
    client: reqwest::Client,
    recorder: Arc<Recorder>,
    log: Option<RequestLog>,
    in_flight: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for RecordingProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingProxy")
            .field("upstream", &self.upstream)
            .finish_non_exhaustive()
    }
}

impl Front {
    /// A front for `nixbuild-mock record`: each request, bounded as the mock's are, is
    /// forwarded by `proxy`.
    pub fn recording(proxy: RecordingProxy, read_timeout: Duration) -> Front {
        Front::with(
            Arc::new(proxy),
            None,
            read_timeout,
            super::front::open_files::connection_limit(),
        )
    }
}

impl Behind for RecordingProxy {
    fn serve(&self, parts: hyper::http::request::Parts, body: Bytes, cut: bool) -> Served<'_> {
        Box::pin(async move {
            if cut {
                return refusal(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!(
                        "the request body has more than {MAX_REQUEST_BODY_BYTES} bytes; the recorder forwards at most that"
                    ),
                );
            }
            self.forward(parts, body).await
        })
    }
}

impl RecordingProxy {
    /// A proxy to `upstream` (`https://api.nixbuild.net`, or a self-hosted base URL with its
    /// path prefix), recording into `recorder`.
    pub fn new(upstream: &str, recorder: Arc<Recorder>) -> Result<RecordingProxy, String> {
        // Not echoed: what does not parse may still hold a password.
        let url = url::Url::parse(upstream).map_err(|e| format!("the upstream is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "the upstream must be an http or https URL, not {}:",
                url.scheme()
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("the upstream URL must not hold credentials: the caller's token is forwarded".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("the upstream URL must not have a query or a fragment".into());
        }
        let Some(host) = url.host_str() else {
            return Err("the upstream URL has no host".into());
        };
        let server = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name == "localhost",
            None => false,
        };
        // The SDK's builder carries the TLS configuration (nothing process-wide is needed).
        let mut client = nixbuild::http_client_builder()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?
            // The caller's client follows redirects, or not, as it would with the service.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(ANSWER_TIMEOUT);
        if loopback {
            client = client.no_proxy();
        }
        let client = client
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(RecordingProxy {
            upstream: url.as_str().trim_end_matches('/').to_owned(),
            server,
            client,
            recorder,
            log: None,
            in_flight: Arc::new(tokio::sync::Semaphore::new(MAX_ANSWER_BYTES_IN_FLIGHT)),
        })
    }

    /// Calls `log` with a line for each request once it is answered:
    /// `GET /builds?status=built -> 200 (recorded)`, its query as the recording writes it
    /// (secrets redacted; anonymised with `--anonymise`), and why one was not recorded.
    pub fn on_request(mut self, log: impl Fn(&str) + Send + Sync + 'static) -> RecordingProxy {
        self.log = Some(Arc::new(log));
        self
    }

    fn log(&self, method: &str, path: &str, query: &str, status: u16, outcome: &str) {
        if let Some(log) = &self.log {
            let line = request_line(method, path, &self.recorder.shown_query(query));
            let line = self.recorder.scrub(&format!("{line} -> {status} ({outcome})"));
            log(&nixbuild::printable::escape_controls(&line));
        }
    }

    /// The upstream's base URL.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// Forwards one request whose body was read whole, and answers with the upstream's
    /// answer (a 502 of its own when the upstream cannot be reached, breaks off, or answers
    /// more than [`MAX_RECORDED_ANSWER_BYTES`]).
    pub(crate) async fn forward(
        &self,
        parts: hyper::http::request::Parts,
        body: Bytes,
    ) -> Response<FrontBody> {
        let path = parts.uri.path();
        let query = parts.uri.query().unwrap_or("");
        let mut learned = self.recorder.learn_request(
            parts
                .headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.to_str().unwrap_or(""))),
            query,
        );
        let url = if query.is_empty() {
            format!("{}{path}", self.upstream)
        } else {
            format!("{}{path}?{query}", self.upstream)
        };
        let mut request = self.client.request(parts.method.clone(), url).body(body);
        for (name, value) in &parts.headers {
            if forwarded(name) {
                request = request.header(name, value);
            }
        }
        let mut answer = match request.send().await {
            Ok(answer) => answer,
            Err(e) => {
                return refusal(
                    StatusCode::BAD_GATEWAY,
                    &format!("the upstream {} did not answer: {}", self.server, e.without_url()),
                );
            }
        };
        let status = answer.status();
        let headers = answer.headers().clone();
        let mut bytes: Vec<u8> = Vec::new();
        let mut room: Option<tokio::sync::OwnedSemaphorePermit> = None;
        loop {
            match answer.chunk().await {
                Ok(None) => break,
                Ok(Some(chunk)) if bytes.len() + chunk.len() <= MAX_RECORDED_ANSWER_BYTES => {
                    let wanted = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
                    let taken = Arc::clone(&self.in_flight).acquire_many_owned(wanted);
                    let Ok(Ok(more)) = tokio::time::timeout(ROOM_TIMEOUT, taken).await else {
                        let mut busy = refusal(
                            StatusCode::SERVICE_UNAVAILABLE,
                            &format!(
                                "the recorder holds {MAX_ANSWER_BYTES_IN_FLIGHT} bytes of answers already; try again"
                            ),
                        );
                        busy.headers_mut()
                            .insert(header::RETRY_AFTER, hyper::header::HeaderValue::from_static("1"));
                        return busy;
                    };
                    match room.as_mut() {
                        Some(room) => room.merge(more),
                        None => room = Some(more),
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(Some(_)) => {
                    return refusal(
                        StatusCode::BAD_GATEWAY,
                        &format!(
                            "the upstream {} answered more than {MAX_RECORDED_ANSWER_BYTES} bytes; the recorder \
                             keeps at most that",
                            self.server
                        ),
                    );
                }
                Err(e) => {
                    return refusal(
                        StatusCode::BAD_GATEWAY,
                        &format!(
                            "the upstream {}'s answer broke off: {}",
                            self.server,
                            e.without_url()
                        ),
                    );
                }
            }
        }
        learned &= self.learn_answer(path, status, &headers, &bytes);
        let method = parts.method.as_str();
        // Redacting a large answer takes a while: off the runtime's workers, so that the
        // other requests go on meanwhile.
        let (bytes, recorded) = if learned {
            let recorder = Arc::clone(&self.recorder);
            let (method, path, query) = (method.to_owned(), path.to_owned(), query.to_owned());
            let kept: Vec<(String, String)> = headers
                .iter()
                .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
                .collect();
            let observed = tokio::task::spawn_blocking(move || {
                let headers = kept.iter().map(|(name, value)| (name.as_str(), value.as_str()));
                let recorded = recorder.observe(&method, &path, &query, status.as_u16(), headers, &bytes);
                (bytes, recorded)
            });
            match observed.await {
                Ok(observed) => observed,
                Err(_) => {
                    return refusal(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the recorder failed to record the answer",
                    );
                }
            }
        } else {
            (bytes, false)
        };
        let outcome = if !learned {
            "forwarded, not recorded: it showed more secrets than the recorder learns"
        } else if recorded {
            "recorded"
        } else if is_recorded(method, path) {
            "forwarded, not recorded: the recording holds its most interactions"
        } else {
            "forwarded, not recorded"
        };
        self.log(method, path, query, status.as_u16(), outcome);
        drop(room);
        let mut response = Response::new(
            Full::new(Bytes::from(bytes))
                .map_err(|never| match never {})
                .boxed_unsync(),
        );
        *response.status_mut() = status;
        let kept = response.headers_mut();
        for (name, value) in &headers {
            if !hop_by_hop(name) && name != header::CONTENT_LENGTH {
                kept.append(name.clone(), value.clone());
            }
        }
        response
    }

    /// Learns the secrets an answer carries: a cookie it sets, the token the exchange
    /// answers. False when they could not all be learned.
    fn learn_answer(&self, path: &str, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> bool {
        let learned = self.recorder.learn_request(
            headers
                .iter()
                .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))),
            "",
        );
        let exchange = nixbuild::api::operation::find(path)
            .is_some_and(|op| op.id == nixbuild::api::operation::OperationId::ExchangeOidcToken);
        if exchange && status.is_success() {
            return self.recorder.learn_secret(&String::from_utf8_lossy(body)) && learned;
        }
        learned
    }
}

/// Whether a request header is passed on: not one of the connection's own, not `Host`
/// (the upstream's is its own), not the length (the body is sent whole), and not
/// `Accept-Encoding`, so that the upstream answers the plain JSON a recording keeps.
fn forwarded(name: &HeaderName) -> bool {
    !hop_by_hop(name)
        && *name != header::HOST
        && *name != header::CONTENT_LENGTH
        && *name != header::ACCEPT_ENCODING
}
