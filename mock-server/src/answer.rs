//! [`Answer`]: what the mock answers, before it becomes a wiremock response. Every part of
//! the mock (the API's handlers, replay, faults, the control API) answers with one, and only
//! [`Answer::into_template`] speaks wiremock's language.

use std::time::Duration;

use nixbuild::ErrorBody;
use serde::Serialize;
use wiremock::ResponseTemplate;

/// An answer: status, body, and the headers the API's errors carry.
pub(crate) struct Answer {
    pub(crate) status: u16,
    body: Vec<u8>,
    /// `None` for an answer without a body.
    content_type: Option<&'static str>,
    pub(crate) retry_after: Option<u64>,
    pub(crate) allow: Option<String>,
    /// What few answers have (boxed, so that every `Result<_, Answer>` stays small).
    rare: Option<Box<Rare>>,
}

/// The parts of an answer that few have.
#[derive(Default)]
struct Rare {
    /// Further headers, as given (a recorded answer's, a fault's).
    headers: Vec<(String, String)>,
    /// How long to wait before answering.
    delay: Option<Duration>,
}

impl Answer {
    /// `value` as JSON.
    pub(crate) fn json(status: u16, value: &impl Serialize) -> Answer {
        match serde_json::to_vec(value) {
            Ok(body) => Answer::raw(status, body, "application/json"),
            Err(e) => Answer::error(500, format!("the mock could not encode its answer: {e}")),
        }
    }

    /// Bytes that are JSON already.
    pub(crate) fn json_bytes(status: u16, body: Vec<u8>) -> Answer {
        Answer::raw(status, body, "application/json")
    }

    /// The API's error body, `{"error": message}`.
    pub(crate) fn error(status: u16, message: impl Into<String>) -> Answer {
        Answer::json(status, &ErrorBody::new(message))
    }

    /// Plain text.
    pub(crate) fn text(status: u16, text: String) -> Answer {
        Answer::raw(status, text.into_bytes(), "text/plain")
    }

    /// Text of another type (HTML, a script, an event stream).
    pub(crate) fn text_as(status: u16, text: &str, content_type: &'static str) -> Answer {
        Answer::raw(status, text.as_bytes().to_vec(), content_type)
    }

    /// 204, no body.
    pub(crate) fn empty() -> Answer {
        Answer::empty_with(204)
    }

    /// `status` with no body (a redirect's 303).
    pub(crate) fn empty_with(status: u16) -> Answer {
        Answer {
            content_type: None,
            ..Answer::raw(status, Vec::new(), "")
        }
    }

    /// A body of any bytes with no `Content-Type` of its own (give it one with
    /// [`header`](Self::header)).
    pub(crate) fn bytes(status: u16, body: Vec<u8>) -> Answer {
        Answer {
            content_type: None,
            ..Answer::raw(status, body, "")
        }
    }

    fn raw(status: u16, body: Vec<u8>, content_type: &'static str) -> Answer {
        Answer {
            status,
            body,
            content_type: Some(content_type),
            retry_after: None,
            allow: None,
            rare: None,
        }
    }

    /// With a header more.
    pub(crate) fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Answer {
        let rare = self.rare.get_or_insert_default();
        rare.headers.push((name.into(), value.into()));
        self
    }

    /// Answered after `delay`.
    pub(crate) fn delayed(mut self, delay: Duration) -> Answer {
        self.rare.get_or_insert_default().delay = Some(delay);
        self
    }

    pub(crate) fn into_template(self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        template = match self.content_type {
            Some(content_type) => template.set_body_raw(self.body, content_type),
            None if !self.body.is_empty() => template.set_body_bytes(self.body),
            None => template,
        };
        if let Some(seconds) = self.retry_after {
            template = template.insert_header("retry-after", seconds.to_string().as_str());
        }
        if let Some(allow) = self.allow.as_deref() {
            template = template.insert_header("allow", allow);
        }
        let Some(rare) = self.rare else {
            return template;
        };
        for (name, value) in &rare.headers {
            template = template.insert_header(name.as_str(), value.as_str());
        }
        match rare.delay {
            Some(delay) => template.set_delay(delay),
            None => template,
        }
    }
}
