//! Sending one API request: URL, headers, timeout, retries, tracing, and turning the answer
//! into a value or an [`Error`].

use std::time::Instant;

use reqwest::Response;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, USER_AGENT};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::api::operation::{Operation, OperationId};
use crate::client::Client;
use crate::error::{ApiError, DecodeError, Endpoint, Error, MAX_ERROR_BODY_BYTES, Result};

/// What an operation asks the transport to send.
pub(crate) struct ApiRequest {
    /// The operation: its method, path, and whether it may be retried.
    pub(crate) operation: &'static Operation,
    /// An already-encoded query string, or empty.
    pub(crate) query: String,
    /// Headers beyond the ones every request carries (they replace those of the same name).
    pub(crate) headers: HeaderMap,
    /// A JSON body.
    pub(crate) json_body: Option<Vec<u8>>,
}

impl ApiRequest {
    pub(crate) fn new(id: OperationId, query: String) -> ApiRequest {
        ApiRequest {
            operation: id.operation(),
            query,
            headers: HeaderMap::new(),
            json_body: None,
        }
    }
}

impl Client {
    /// Sends `request` and decodes its JSON answer as `T`.
    pub(crate) async fn send_json<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        let (endpoint, body) = self.send_with_retries(&request).await?;
        decode(&endpoint, &body)
    }

    /// Sends `request` and returns its answer as text.
    #[cfg_attr(not(feature = "experimental"), allow(dead_code))]
    pub(crate) async fn send_text(&self, request: ApiRequest) -> Result<String> {
        let (endpoint, body) = self.send_with_retries(&request).await?;
        String::from_utf8(body.to_vec()).map_err(|e| {
            let error = serde_json::Error::io(std::io::Error::new(std::io::ErrorKind::InvalidData, e));
            Error::Decode(Box::new(DecodeError::new(endpoint, &body, ".".into(), error)))
        })
    }

    /// Sends `request`, retrying as the policy allows, and returns the success body.
    async fn send_with_retries(&self, request: &ApiRequest) -> Result<(Endpoint, bytes::Bytes)> {
        let operation = request.operation;
        let mut url = self.url(operation)?;
        url.set_query(Some(&request.query).filter(|q| !q.is_empty()).map(String::as_str));
        let endpoint = Endpoint::of(operation.method.clone(), &url);

        let mut attempt = 1;
        loop {
            if let Some(expired_at) = self.inner.token_expiry.filter(|t| *t <= chrono::Utc::now()) {
                return Err(Error::TokenExpired { endpoint, expired_at });
            }
            let span = tracing::debug_span!(
                "nixbuild.request",
                method = %endpoint.method,
                path = %endpoint.path,
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let outcome = self.send_once(&url, request, &endpoint).instrument(span).await;
            let error = match outcome {
                Ok(body) => return Ok((endpoint, body)),
                Err(error) => error,
            };
            let wait = (operation.idempotent && error.is_retryable())
                .then(|| self.inner.retry.wait_before_retry(attempt, error.retry_after()))
                .flatten();
            let Some(wait) = wait else { return Err(error) };
            tracing::info!(%endpoint, attempt, wait_ms = wait.as_millis() as u64, %error, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// The URL of `operation` under the base URL (whose path prefix it keeps).
    fn url(&self, operation: &Operation) -> Result<url::Url> {
        let mut url = self.inner.base_url.clone();
        url.path_segments_mut()
            .map_err(|()| Error::Config("the base URL cannot take a path".into()))?
            .extend(operation.segments());
        Ok(url)
    }

    /// The endpoint errors name for `id`.
    pub(crate) fn endpoint(&self, id: OperationId) -> Endpoint {
        let operation = id.operation();
        match self.url(operation) {
            Ok(url) => Endpoint::of(operation.method.clone(), &url),
            Err(_) => Endpoint::of(operation.method.clone(), &self.inner.base_url),
        }
    }

    /// One attempt, recorded on the current span.
    async fn send_once(
        &self,
        url: &url::Url,
        request: &ApiRequest,
        endpoint: &Endpoint,
    ) -> Result<bytes::Bytes> {
        let started = Instant::now();
        let inner = &self.inner;
        let mut builder = inner
            .http
            .request(request.operation.method.clone(), url.clone())
            .header(AUTHORIZATION, inner.authorization.clone())
            .header(USER_AGENT, inner.user_agent.clone())
            .header(ACCEPT, "application/json")
            .headers(request.headers.clone())
            .timeout(inner.timeout);
        if let Some(body) = &request.json_body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = builder.send().await;
        let outcome = match response {
            Ok(response) => self.read(response, endpoint).await,
            Err(error) => Err(self.transport_error(endpoint, error)),
        };
        let span = tracing::Span::current();
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &outcome {
            Ok(_) => tracing::debug!("ok"),
            Err(error) => tracing::debug!(%error, "failed"),
        }
        outcome
    }

    async fn read(&self, response: Response, endpoint: &Endpoint) -> Result<bytes::Bytes> {
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        if let Some(location) = redirect_target(&response, &self.inner.base_url) {
            return Err(Error::Redirect {
                endpoint: endpoint.clone(),
                status,
                location,
            });
        }
        if status.is_success() {
            let limit = self.inner.max_response_bytes;
            let too_large = || Error::ResponseTooLarge {
                endpoint: endpoint.clone(),
                limit,
            };
            if response.content_length().is_some_and(|length| length > limit) {
                return Err(too_large());
            }
            return match read_capped(response, limit).await {
                Ok(Capped::Whole(body)) => Ok(body),
                Ok(Capped::Cut(_)) => Err(too_large()),
                Err(e) => Err(self.transport_error(endpoint, e)),
            };
        }
        let headers = response.headers().clone();
        // An error body is kept for the caller to read, its first 64 KiB only.
        let body = match read_capped(response, MAX_ERROR_BODY_BYTES as u64).await {
            Ok(Capped::Whole(body) | Capped::Cut(body)) => body,
            Err(e) => return Err(self.transport_error(endpoint, e)),
        };
        Err(Error::Api(Box::new(ApiError::new(
            status,
            endpoint.clone(),
            headers,
            body,
        ))))
    }

    fn transport_error(&self, endpoint: &Endpoint, error: reqwest::Error) -> Error {
        // A connect timeout is a connection that could not be made (and may be retried); any
        // other timeout is the total one running out.
        if error.is_timeout() && !error.is_connect() {
            return Error::Timeout {
                endpoint: endpoint.clone(),
                after: self.inner.timeout,
            };
        }
        Error::Transport {
            endpoint: endpoint.clone(),
            source: error.without_url(),
        }
    }
}

/// `Some(location)` when the answer is a redirect (a 3xx, or, from a caller-supplied client
/// that followed one, an answer from another origin than the base URL's).
fn redirect_target(response: &Response, base_url: &url::Url) -> Option<Option<String>> {
    let printable = |text: &str| crate::printable::escape_controls(text).into_owned();
    if response.status().is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|value| printable(&String::from_utf8_lossy(value.as_bytes())));
        return Some(location);
    }
    (response.url().origin() != base_url.origin()).then(|| Some(printable(response.url().as_str())))
}

/// A body read up to a limit.
enum Capped {
    /// All of it.
    Whole(bytes::Bytes),
    /// Its first `limit` bytes: there was more.
    Cut(bytes::Bytes),
}

/// The most a body's announced length reserves before any of it arrives.
const MAX_FIRST_RESERVATION: usize = 64 * 1024 * 1024;

/// Reads the body, at most `limit` bytes of it: memory stays bounded whatever the server
/// sends, and whatever its `Content-Length` claimed.
async fn read_capped(mut response: Response, limit: u64) -> reqwest::Result<Capped> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let first = match response.chunk().await? {
        Some(chunk) => chunk,
        None => return Ok(Capped::Whole(bytes::Bytes::new())),
    };
    let announced = response
        .content_length()
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    if first.len() <= limit && announced == Some(first.len()) {
        // The whole body in one chunk: no copy.
        return Ok(Capped::Whole(first));
    }
    // Room for the whole body at once when its length is announced (within the limit, and
    // within a first reservation a lying Content-Length cannot inflate): no regrowth, and no
    // copies of a large answer as it grows.
    let reserve = announced.unwrap_or(0).min(limit).min(MAX_FIRST_RESERVATION);
    let mut body = bytes::BytesMut::with_capacity(reserve);
    let mut next = Some(first);
    while let Some(chunk) = next {
        if body.len().saturating_add(chunk.len()) > limit {
            let room = limit - body.len();
            body.extend_from_slice(&chunk[..room]);
            return Ok(Capped::Cut(body.freeze()));
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await?;
    }
    Ok(Capped::Whole(body.freeze()))
}

/// Decodes `body` at serde's own speed; only a body that fails is decoded again, tracking
/// the JSON path, to say where it failed (tracking it always cost 1.29x on 100k builds).
fn decode<T: DeserializeOwned>(endpoint: &Endpoint, body: &[u8]) -> Result<T> {
    // `from_slice` also refuses bytes after the value, which are not the JSON the API promises.
    serde_json::from_slice(body).map_err(|first| explain::<T>(endpoint, body, first))
}

/// The error of a body that does not decode as `T`, with the path to where it fails.
#[cold]
fn explain<T: DeserializeOwned>(endpoint: &Endpoint, body: &[u8], first: serde_json::Error) -> Error {
    let decode_error =
        |path: String, e| Error::Decode(Box::new(DecodeError::new(endpoint.clone(), body, path, e)));
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => decode_error(e.path().to_string(), e.into_inner()),
        // The value decoded the second time: what failed was after it (trailing bytes).
        Ok(_) => decode_error(".".to_owned(), deserializer.end().err().unwrap_or(first)),
    }
}
