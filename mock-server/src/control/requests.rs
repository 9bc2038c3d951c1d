//! `/_mock/requests`: the journal of the API requests the mock received.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wiremock::Request;

use crate::answer::Answer;
use crate::app::State;
use crate::instruments::recorded_request::{AuthStatus, RecordedRequest};
use crate::text::escaped;

/// One API request the mock received, and how it answered. Secret headers
/// (`Authorization`, `Cookie`, the OIDC ID token) keep only their scheme:
/// `Bearer [redacted]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JournalEntry {
    /// The HTTP method, such as `GET`.
    pub method: String,
    /// The URL path relative to the API's root (`/builds`, whatever prefix the mock serves
    /// under); a path outside the prefix as it came.
    pub path: String,
    /// The operation of the API's document it was routed to (`listBuilds`), if any.
    #[serde(default)]
    pub operation: Option<String>,
    /// The raw query string, if there was one.
    pub query: Option<String>,
    /// The headers by lower-case name; a header sent more than once has its values joined
    /// with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body as text, when it is UTF-8 (`null` when empty or not UTF-8).
    pub body: Option<String>,
    /// The body in base64, when it is not UTF-8.
    pub body_base64: Option<String>,
    /// Whether the path, query, headers or body were longer than the journal keeps, and cut.
    pub truncated: bool,
    /// The status the mock answered with.
    pub status: u16,
    /// How the request's token fared.
    pub auth: AuthStatus,
    /// Whether a replaying mock (`nixbuild-mock replay`) found no recorded request like it:
    /// it answered 404, naming the nearest. Always `false` for a mock that does not replay.
    #[serde(default)]
    pub unmatched: bool,
    /// For an unmatched request, the message of its 404: the nearest recorded request and how
    /// it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nearest: Option<String>,
    /// Its place in the journal: 1 for the first request the mock received, one more for each
    /// after it (`?after=` reads only the newer ones).
    #[serde(default)]
    pub seq: u64,
    /// When it arrived (RFC 3339, by the real clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
}

impl From<&RecordedRequest> for JournalEntry {
    fn from(request: &RecordedRequest) -> JournalEntry {
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &request.headers {
            headers
                .entry(name.clone())
                .and_modify(|joined| {
                    joined.push_str(", ");
                    joined.push_str(value);
                })
                .or_insert_with(|| value.clone());
        }
        let (body, body_base64) = match std::str::from_utf8(&request.body) {
            Ok("") => (None, None),
            Ok(text) => (Some(text.to_owned()), None),
            Err(_) => (None, Some(STANDARD.encode(&request.body))),
        };
        JournalEntry {
            method: request.method.to_string(),
            path: request.path.clone(),
            operation: request.operation().map(|id| id.operation().name.to_owned()),
            query: request.query.clone(),
            headers,
            body,
            body_base64,
            truncated: request.truncated,
            status: request.status.as_u16(),
            auth: request.auth,
            unmatched: request.unmatched,
            nearest: request.nearest.clone(),
            seq: request.seq,
            received_at: Some(request.received_at),
        }
    }
}

/// `GET /_mock/requests[?path=/builds][&method=GET][&after=N]`: oldest first. `path` is
/// relative to the API's root, as entries' paths are (one written with the mock's prefix is
/// read so too); `after` keeps the entries whose `seq` is greater.
pub(super) fn list(state: &State, request: &Request) -> Answer {
    let mut path = None;
    let mut method = None;
    let mut after = 0;
    for (name, value) in request.url.query_pairs() {
        if value.is_empty() {
            return Answer::error(400, format!("the {} parameter is empty", escaped(&name)));
        }
        match name.as_ref() {
            "path" => path = Some(value.into_owned()),
            "method" => method = Some(value.into_owned()),
            // Within the document's int64, as every number of the control API.
            "after" => match value
                .parse::<u64>()
                .ok()
                .filter(|seq| i64::try_from(*seq).is_ok())
            {
                Some(seq) => after = seq,
                None => {
                    return Answer::error(
                        400,
                        format!(
                            "`after` is a journal entry's seq (0 to {}), not {}",
                            i64::MAX,
                            escaped(&value)
                        ),
                    );
                }
            },
            other => {
                return Answer::error(
                    400,
                    format!(
                        "unknown parameter {}: this path takes `path`, `method` and `after`",
                        escaped(other)
                    ),
                );
            }
        }
    }
    let entries: Vec<JournalEntry> = state
        .received_requests(path.as_deref(), method.as_deref(), after)
        .iter()
        .map(|entry| JournalEntry::from(entry.request()))
        .collect();
    Answer::json(200, &entries)
}

/// `DELETE /_mock/requests`.
pub(super) fn clear(state: &State) -> Answer {
    state.clear_requests();
    Answer::empty()
}
