//! The dashboard's events, held open by the front: the in-process mock answers
//! `GET /_mock/ui/events` with one event and lets the browser come back, because wiremock
//! cannot keep an answer open; the front sends each change as it happens instead, within
//! [`MIN_GAP`] of the one before, with a comment every [`KEEPALIVE`] so that an idle stream
//! is not taken for a dead one.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use http_body_util::channel::Channel;
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::{FrontBody, refusal};
use crate::app::State;
use crate::control::dashboard::{Refused, change_event, check_access, origin_from_host};

/// The path of the events.
pub(super) const EVENTS_PATH: &str = "/_mock/ui/events";
/// The shortest time between two events: a burst of requests is one refresh of the page, and
/// a change still shows within a second.
const MIN_GAP: Duration = Duration::from_millis(250);
/// How often an idle stream says it is alive.
const KEEPALIVE: Duration = Duration::from_secs(15);
/// How soon a browser whose stream broke comes back, in milliseconds.
const RETRY_MS: u64 = 1000;

/// The events stream for a request with these headers, or its refusal.
pub(super) fn stream(state: &Arc<State>, parts: &hyper::http::request::Parts) -> Response<FrontBody> {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let origin = origin_from_host(header("host")).unwrap_or_default();
    if let Err(Refused(status, message)) = check_access(state, parts.method.as_str(), &header, &origin) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
        return refusal(status, message);
    }
    let (mut sender, body) = Channel::<Bytes, hyper::Error>::new(1);
    let mut changes = state.watch_changes();
    tokio::spawn(async move {
        loop {
            let count = *changes.borrow_and_update();
            if sender
                .send_data(Bytes::from(change_event(count, RETRY_MS)))
                .await
                .is_err()
            {
                return; // the browser went away
            }
            tokio::time::sleep(MIN_GAP).await;
            loop {
                tokio::select! {
                    changed = changes.changed() => match changed {
                        Ok(()) => break,
                        Err(_) => return, // the mock is gone
                    },
                    () = tokio::time::sleep(KEEPALIVE) => {
                        if sender.send_data(Bytes::from_static(b": alive\n\n")).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    });
    let mut response = Response::new(body.boxed_unsync());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    response
}
