//! The recording file: [`Recording`], its [`Interaction`]s, and reading and writing them.

use std::collections::BTreeMap;
use std::path::Path;

use nixbuild::Build;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::query::Query;

/// What a recording's `format` says: this layout, version 1.
pub const FORMAT: &str = "nixbuild-mock-recording/1";

/// The answer headers a recording keeps (every other header, sent or answered, is left out).
pub const KEPT_ANSWER_HEADERS: [&str; 2] = ["content-type", "retry-after"];

/// A recording: builds and request–answer pairs, as `nixbuild-mock record` writes them.
///
/// ```json
/// {
///   "format": "nixbuild-mock-recording/1",
///   "anonymised": false,
///   "builds": [{"build_id": 1, "…": "…"}],
///   "interactions": [
///     {"method": "GET", "path": "/builds", "query": "status=built&limit=5", "status": 200,
///      "headers": {"content-type": "application/json"}, "body": [{"build_id": 1, "…": "…"}]}
///   ]
/// }
/// ```
///
/// Each build and each JSON body is kept as the service wrote it, byte for byte (an
/// answer that is not JSON, or has white space around it, is kept as `body_text`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Recording {
    /// [`FORMAT`].
    pub format: String,
    /// Whether names, hashes, tag values and accounts were mapped (`record --anonymise`).
    #[serde(default)]
    pub anonymised: bool,
    builds: Vec<Box<RawValue>>,
    /// Each recorded request and its answer, oldest first.
    pub interactions: Vec<Interaction>,
}

/// One recorded request and the answer it got.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Interaction {
    /// The method, `GET`.
    pub method: String,
    /// The path relative to the API's root: `/builds`, `/builds/summary` or `/usage`.
    pub path: String,
    /// The query string as sent (secret-looking parameters redacted), empty when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// The answer's status.
    pub status: u16,
    /// The answer's headers among [`KEPT_ANSWER_HEADERS`], by lower-case name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<Box<RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body_text: Option<String>,
}

impl Interaction {
    /// A recorded request and its answer; `body` is kept byte for byte.
    pub fn new(
        method: impl Into<String>,
        path: impl Into<String>,
        query: impl Into<String>,
        status: u16,
        headers: BTreeMap<String, String>,
        body: &[u8],
    ) -> Interaction {
        let (body, body_text) = split_body(body);
        Interaction {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            status,
            headers,
            body,
            body_text,
        }
    }

    /// The answer's body, as it came.
    pub fn body(&self) -> &[u8] {
        match (&self.body, &self.body_text) {
            (Some(json), _) => json.get().as_bytes(),
            (None, Some(text)) => text.as_bytes(),
            (None, None) => b"",
        }
    }

    /// The answer's body as JSON, when it is.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(self.body()).ok()
    }

    /// The request as a line: `GET /builds?status=built`.
    pub fn request_line(&self) -> String {
        request_line(&self.method, &self.path, &self.query)
    }

    /// Its query's parameters.
    pub(crate) fn parsed_query(&self) -> Query {
        Query::parse(&self.query)
    }
}

pub(crate) fn request_line(method: &str, path: &str, query: &str) -> String {
    if query.is_empty() {
        format!("{method} {path}")
    } else {
        format!("{method} {path}?{query}")
    }
}

/// A body as a recording keeps it: JSON when it is JSON with nothing around it (kept as its
/// bytes, so replaying it gives them back), text otherwise (lossily, for bytes that are not
/// UTF-8: the API answers text).
/// A recorded interaction's JSON line, written without holding its body twice (an answer of
/// 200 MiB would otherwise take 400), and where in the line its body starts when it is
/// kept as JSON, so that a recorder can point at the builds in it.
/// Whether `text` is one JSON value with nothing around it: what a recording keeps as JSON.
pub(crate) fn is_exact_json(text: &str) -> bool {
    serde_json::from_str::<&RawValue>(text).is_ok_and(|raw| raw.get().len() == text.len())
}

/// `json`: whether the caller knows `body` to be exact JSON ([`is_exact_json`]), so that it
/// is not parsed again; otherwise it is checked here.
pub(crate) fn interaction_line(
    method: &str,
    path: &str,
    query: &str,
    status: u16,
    headers: BTreeMap<String, String>,
    body: &[u8],
    json: bool,
) -> (String, Option<usize>) {
    let head = Interaction::new(method, path, query, status, headers, b"");
    let head = serde_json::to_string(&head).unwrap_or_default();
    let Some(open) = head.strip_suffix('}') else {
        return (head, None);
    };
    if body.is_empty() {
        return (head, None);
    }
    let json = std::str::from_utf8(body)
        .ok()
        .filter(|text| json || is_exact_json(text));
    match json {
        Some(json) => {
            let mut line = String::with_capacity(open.len() + json.len() + 10);
            line.push_str(open);
            line.push_str(",\"body\":");
            let at = line.len();
            line.push_str(json);
            line.push('}');
            (line, Some(at))
        }
        None => (
            format!(
                "{open},\"body_text\":{}}}",
                json_string(&String::from_utf8_lossy(body))
            ),
            None,
        ),
    }
}

fn split_body(body: &[u8]) -> (Option<Box<RawValue>>, Option<String>) {
    if body.is_empty() {
        return (None, None);
    }
    let text = String::from_utf8_lossy(body).into_owned();
    match serde_json::from_str::<&RawValue>(&text) {
        Ok(raw) if raw.get().len() == text.len() => (RawValue::from_string(text).ok(), None),
        _ => (None, Some(text)),
    }
}

/// Why a recording could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordingError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not a recording (the message says why, and where).
    #[error("{0}")]
    Malformed(String),
    /// One recorded build is not a build.
    #[error("recorded build #{index} is not a build: {message}")]
    Build {
        /// Its place in `builds`, from 0.
        index: usize,
        /// Why.
        message: String,
    },
}

impl Recording {
    /// An empty recording.
    pub fn new(anonymised: bool) -> Recording {
        Recording {
            format: FORMAT.to_owned(),
            anonymised,
            builds: Vec::new(),
            interactions: Vec::new(),
        }
    }

    /// Reads a recording from `path`.
    pub fn read(path: impl AsRef<Path>) -> Result<Recording, RecordingError> {
        let path = path.as_ref();
        Recording::from_json(&read_text(path)?).map_err(|e| in_file(path, e))
    }

    /// Reads a recording from its JSON text, checking each interaction.
    pub fn from_json(text: &str) -> Result<Recording, RecordingError> {
        let malformed = |why: String| RecordingError::Malformed(format!("not a recording ({FORMAT}): {why}"));
        let recording: Recording = serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
        if recording.format != FORMAT {
            return Err(malformed(format!("its format is {:?}", recording.format)));
        }
        for (index, interaction) in recording.interactions.iter().enumerate() {
            interaction
                .validate()
                .map_err(|why| malformed(format!("interaction #{index}: {why}")))?;
        }
        Ok(recording)
    }

    /// The recording as JSON text: one interaction or build per line, so that a diff of
    /// two recordings reads well.
    pub fn to_json(&self) -> String {
        Recording::json_text(
            self.anonymised,
            self.builds.iter().map(|b| b.get()),
            self.interactions
                .iter()
                .map(|i| serde_json::to_string(i).unwrap_or_default()),
        )
    }

    /// A recording's text from its builds and interactions, each already JSON: one per line.
    pub(crate) fn json_text<B: AsRef<str>, I: AsRef<str>>(
        anonymised: bool,
        builds: impl Iterator<Item = B>,
        interactions: impl Iterator<Item = I>,
    ) -> String {
        let mut out = Vec::with_capacity(256);
        // Writing into a vector of bytes fails never, and what is written is UTF-8.
        let _ = Recording::write_json_text(&mut out, anonymised, builds, interactions);
        String::from_utf8(out).unwrap_or_default()
    }

    /// [`json_text`](Recording::json_text), written as it is made (a recorder writes a file
    /// of any size without holding its text).
    pub(crate) fn write_json_text<B: AsRef<str>, I: AsRef<str>>(
        out: &mut impl std::io::Write,
        anonymised: bool,
        builds: impl Iterator<Item = B>,
        interactions: impl Iterator<Item = I>,
    ) -> std::io::Result<()> {
        write!(
            out,
            "{{\n  \"format\": {},\n  \"anonymised\": {anonymised},\n",
            json_string(FORMAT)
        )?;
        write_lines(out, "builds", builds)?;
        out.write_all(b",\n")?;
        write_lines(out, "interactions", interactions)?;
        out.write_all(b"\n}\n")
    }

    /// The recorded builds, as the mock serves them.
    pub fn builds(&self) -> Result<Vec<Build>, RecordingError> {
        self.builds
            .iter()
            .enumerate()
            .map(|(index, raw)| {
                serde_json::from_str(raw.get()).map_err(|e| RecordingError::Build {
                    index,
                    message: e.to_string(),
                })
            })
            .collect()
    }

    /// How many builds it holds.
    pub fn build_count(&self) -> usize {
        self.builds.len()
    }
}

impl Interaction {
    fn validate(&self) -> Result<(), String> {
        if !(100..=599).contains(&self.status) {
            return Err(format!("status {} is not an HTTP status", self.status));
        }
        if self.method.is_empty() || !self.method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!("{:?} is not an HTTP method", self.method));
        }
        if !self.path.starts_with('/') || self.path.contains(['?', '#']) {
            return Err(format!("path {:?} is not a path of the API", self.path));
        }
        for (name, value) in &self.headers {
            // Only what a recorder keeps: a replayed `Content-Length` or `Transfer-Encoding`
            // would contradict the body it goes with.
            if !KEPT_ANSWER_HEADERS.contains(&name.as_str()) {
                return Err(format!(
                    "header {name:?} is not one a recording keeps ({})",
                    KEPT_ANSWER_HEADERS.join(", ")
                ));
            }
            if nixbuild::reexports::reqwest::header::HeaderValue::from_str(value).is_err() {
                return Err(format!("header {name:?} cannot be sent"));
            }
        }
        Ok(())
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

fn write_lines<T: AsRef<str>>(
    out: &mut impl std::io::Write,
    name: &str,
    items: impl Iterator<Item = T>,
) -> std::io::Result<()> {
    write!(out, "  \"{name}\": [")?;
    let mut first = true;
    for item in items {
        out.write_all(if first { b"\n    " } else { b",\n    " })?;
        out.write_all(item.as_ref().as_bytes())?;
        first = false;
    }
    out.write_all(if first { b"]" } else { b"\n  ]" })
}

/// The builds of a fixture file: a JSON array of builds, or a recording.
pub fn read_builds(path: impl AsRef<Path>) -> Result<Vec<Build>, RecordingError> {
    let path = path.as_ref();
    let text = read_text(path)?;
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(&text).map_err(|e| {
            RecordingError::Malformed(format!("{} is not a JSON array of builds: {e}", path.display()))
        });
    }
    Recording::from_json(&text)
        .and_then(|recording| recording.builds())
        .map_err(|e| in_file(path, e))
}

fn read_text(path: &Path) -> Result<String, RecordingError> {
    std::fs::read_to_string(path).map_err(|source| RecordingError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// `error` with the file it came from named first.
fn in_file(path: &Path, error: RecordingError) -> RecordingError {
    match error {
        RecordingError::Io { .. } => error,
        other => RecordingError::Malformed(format!("{}: {other}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_body_is_kept_byte_for_byte_and_anything_else_as_text() {
        let exact = Interaction::new("GET", "/usage", "", 200, BTreeMap::new(), br#"{"b": 1,"a":2.50}"#);
        assert_eq!(exact.body(), br#"{"b": 1,"a":2.50}"#);
        let spaced = Interaction::new("GET", "/usage", "", 200, BTreeMap::new(), b"{\"a\":1}\n");
        assert_eq!(spaced.body(), b"{\"a\":1}\n");
        let text = Interaction::new("GET", "/usage", "", 502, BTreeMap::new(), b"Bad Gateway");
        assert_eq!(text.body(), b"Bad Gateway");
        let mut recording = Recording::new(false);
        recording.interactions = vec![exact, spaced, text];
        let again = Recording::from_json(&recording.to_json()).unwrap();
        let bodies: Vec<&[u8]> = again.interactions.iter().map(Interaction::body).collect();
        assert_eq!(
            bodies,
            [&br#"{"b": 1,"a":2.50}"#[..], b"{\"a\":1}\n", b"Bad Gateway"]
        );
    }

    #[test]
    fn hostile_recordings_are_refused_with_a_reason() {
        for (text, expected) in [
            ("[]", "not a recording"),
            (r#"{"format":"other/9","builds":[],"interactions":[]}"#, "other/9"),
            (
                r#"{"format":"nixbuild-mock-recording/1","builds":[],"interactions":[{"method":"GET","path":"/builds","status":1000}]}"#,
                "status 1000",
            ),
            (
                r#"{"format":"nixbuild-mock-recording/1","builds":[],"interactions":[{"method":"G T","path":"/builds","status":200}]}"#,
                "method",
            ),
            (
                r#"{"format":"nixbuild-mock-recording/1","builds":[],"interactions":[{"method":"GET","path":"builds","status":200}]}"#,
                "path",
            ),
            (
                r#"{"format":"nixbuild-mock-recording/1","builds":[],"interactions":[{"method":"GET","path":"/builds","status":200,"headers":{"retry-after":"a\nb"}}]}"#,
                "cannot be sent",
            ),
            (
                r#"{"format":"nixbuild-mock-recording/1","builds":[],"interactions":[{"method":"GET","path":"/builds","status":200,"headers":{"content-length":"99999"}}]}"#,
                "not one a recording keeps",
            ),
        ] {
            let error = Recording::from_json(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let mut recording = Recording::new(false);
        recording
            .builds
            .push(RawValue::from_string(r#"{"build_id":"x"}"#.into()).unwrap());
        assert!(matches!(
            recording.builds(),
            Err(RecordingError::Build { index: 0, .. })
        ));
    }
}
