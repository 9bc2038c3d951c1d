//! [`Direct`]: what stands behind the `nixbuild-mock` binary's front, the mock's own
//! dispatch, called in process with each request as read.
//!
//! Not wiremock's server: wiremock keeps a copy of every request a mounted mock matches
//! (`MountedMock::matched_requests` in 0.6.5, with no way to turn it off), and each copy's
//! headers share the buffer its connection read them into. Forwarded to wiremock on a
//! loopback port, each request left about 5 KB behind for the life of the process; served
//! here, only the mock's own journal keeps it, within its bounds. It also saves a second HTTP
//! exchange per request.

use std::sync::Arc;

use http_body_util::channel::Channel;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Frame};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};

use super::{Behind, FrontBody, Served, copy_end_to_end, refusal};
use crate::answer::AnswerParts;
use crate::app::State;
use crate::dispatch;

/// The mock whose state answers.
pub(super) struct Direct {
    state: Arc<State>,
}

impl Direct {
    pub(super) fn new(state: Arc<State>) -> Direct {
        Direct { state }
    }
}

impl Behind for Direct {
    fn serve(&self, parts: hyper::http::request::Parts, body: Bytes, cut: bool) -> Served<'_> {
        Box::pin(async move {
            let Some(request) = request_of(parts, body) else {
                return refusal(StatusCode::BAD_REQUEST, "the request's target could not be read");
            };
            // The answer is made on the connection's task: it never waits on anything but the
            // mock's own locks, as wiremock's server ran it.
            let answer = dispatch::answer(&self.state, &request).into_parts();
            drop(request);
            if let Some(delay) = answer.delay {
                tokio::time::sleep(delay).await;
            }
            response_of(answer, cut)
        })
    }
}

/// The request as the mock reads it: what wiremock's server would have made of it, forwarded
/// (its URL on `localhost`, its end-to-end headers, its body as read and that body's length).
fn request_of(parts: hyper::http::request::Parts, body: Bytes) -> Option<wiremock::Request> {
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("http://localhost{path_and_query}").parse().ok()?;
    let mut headers = HeaderMap::new();
    copy_end_to_end(&parts.headers, &mut headers);
    // The body is what was read, which may be cut short: its length is its own.
    headers.remove(header::CONTENT_LENGTH);
    if !body.is_empty() {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    Some(wiremock::Request {
        url,
        method: parts.method,
        headers,
        body: body.to_vec(),
    })
}

/// The HTTP response of an answer; `cut` when the request's body was not read to its end,
/// so that the connection cannot carry another request.
///
/// A header the answer sets that HTTP cannot carry (a recording's, edited by hand) is left
/// out rather than failing the answer. A `Content-Length` other than the body's (the
/// dropped-connection fault's is longer) is kept, and the body sent as a stream of unknown
/// length: hyper then holds the answer to the header, and closes the connection when the body
/// ends short, so the client sees it drop mid-answer. (Given the body whole, hyper trusts its
/// own length in a release build and asserts the two agree in a debug one.)
fn response_of(answer: AnswerParts, cut: bool) -> Response<FrontBody> {
    let mut headers = HeaderMap::new();
    for (name, value) in &answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            headers.insert(name, value);
        }
    }
    if let Some(content_type) = answer.content_type
        && let Ok(value) = HeaderValue::try_from(content_type)
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if cut {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .map(|value| value.as_bytes().to_vec());
    let length = answer.body.len().to_string().into_bytes();
    let bytes = Bytes::from(answer.body);
    let body = match declared {
        Some(declared) if declared != length => {
            let (mut sender, body) = Channel::<Bytes, hyper::Error>::new(1);
            // Room for one frame: sent at once. Dropping the sender ends the body there.
            let _ = sender.try_send(Frame::data(bytes));
            body.boxed_unsync()
        }
        _ => Full::new(bytes).map_err(|never| match never {}).boxed_unsync(),
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    *response.headers_mut() = headers;
    response
}
