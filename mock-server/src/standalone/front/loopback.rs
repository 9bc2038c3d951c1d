//! [`Loopback`]: what stands behind the `nixbuild-mock` binary's front, the mock (wiremock's
//! server) on a loopback port of its own; each request is forwarded with the body as read,
//! and the mock's answer streamed back.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::Semaphore;

use super::{Behind, Dropped, Served, copy_end_to_end, refusal};

/// The mock, listening at `address`, and a client of it.
pub(super) struct Loopback {
    address: SocketAddr,
    client: Client<HttpConnector, Full<Bytes>>,
    /// Room for the requests forwarded at once, each on a connection of its own: as many as
    /// the front serves connections, so that the connections to the mock never take the
    /// files the process has (an HTTP/2 client sends many requests on one connection).
    forwarding: Arc<Semaphore>,
}

impl Loopback {
    /// The mock at `address`, forwarded at most `at_once` requests at a time.
    pub(super) fn new(address: SocketAddr, at_once: usize) -> Loopback {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Loopback {
            address,
            client: Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(at_once)
                .build(connector),
            forwarding: Arc::new(Semaphore::new(at_once)),
        }
    }
}

impl Behind for Loopback {
    fn serve(&self, parts: hyper::http::request::Parts, body: Bytes, cut: bool) -> Served<'_> {
        Box::pin(async move {
            let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let Ok(uri) = format!("http://{}{path_and_query}", self.address).parse() else {
                return Ok(refusal(
                    StatusCode::BAD_REQUEST,
                    "the request's target could not be forwarded",
                ));
            };
            let mut forwarded = Request::new(Full::new(body));
            *forwarded.method_mut() = parts.method;
            *forwarded.uri_mut() = uri;
            copy_end_to_end(&parts.headers, forwarded.headers_mut());
            // The body forwarded is what was read, which may be cut short: its length is its own.
            forwarded.headers_mut().remove(header::CONTENT_LENGTH);
            // Held until the answer's body is read or dropped, as its connection is. The
            // semaphore is never closed.
            let Ok(room) = Arc::clone(&self.forwarding).acquire_owned().await else {
                return Err(Dropped);
            };
            // The mock dropped the connection (an injected fault) or is gone: so does the front.
            let answer = self.client.request(forwarded).await.map_err(|_| Dropped)?;
            let (mut head, body) = answer.into_parts();
            let mut headers = HeaderMap::new();
            copy_end_to_end(&head.headers, &mut headers);
            if cut {
                // The rest of the body is unread: the connection cannot carry another request.
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            head.headers = headers;
            let body = body.map_frame(move |frame| {
                let _held = &room;
                frame
            });
            Ok(Response::from_parts(head, body.boxed_unsync()))
        })
    }
}
