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

    /// Its parts as HTTP speaks them: the status, the headers in the order they are set (a
    /// later one of the same name replaces an earlier), the body and its type (set after the
    /// headers, so it replaces a `Content-Type` among them), and how long to wait before
    /// answering. An answer with no headers of its own allocates none here: most answers.
    pub(crate) fn into_parts(self) -> AnswerParts {
        let mut headers = Vec::new();
        if let Some(seconds) = self.retry_after {
            headers.push(("retry-after".to_owned(), seconds.to_string()));
        }
        if let Some(allow) = self.allow {
            headers.push(("allow".to_owned(), allow));
        }
        let mut delay = None;
        if let Some(rare) = self.rare {
            headers.extend(rare.headers);
            delay = rare.delay;
        }
        AnswerParts {
            status: self.status,
            headers,
            body: self.body,
            content_type: self.content_type,
            delay,
        }
    }

    /// The answer as wiremock serves it.
    pub(crate) fn into_template(self) -> ResponseTemplate {
        let parts = self.into_parts();
        let mut template = ResponseTemplate::new(parts.status);
        for (name, value) in &parts.headers {
            template = template.insert_header(name.as_str(), value.as_str());
        }
        template = match parts.content_type {
            Some(content_type) => template.set_body_raw(parts.body, content_type),
            None if !parts.body.is_empty() => template.set_body_bytes(parts.body),
            None => template,
        };
        match parts.delay {
            Some(delay) => template.set_delay(delay),
            None => template,
        }
    }
}

/// An [`Answer`] taken apart (see [`Answer::into_parts`]).
pub(crate) struct AnswerParts {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// `None` for a body with no type of its own (one may be among the headers).
    pub(crate) content_type: Option<&'static str>,
    pub(crate) delay: Option<Duration>,
}
