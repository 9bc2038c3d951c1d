//! [`Recorder`]: what `nixbuild-mock record` keeps of the requests it forwards, and the
//! recording it writes.
//!
//! Each request is redacted (and anonymised) once, when it is observed, into the line the
//! file will hold; the lock is held only to add that line. Writing the file takes a snapshot
//! of the lines (shared, not copied) and builds the text outside the lock, so a large answer
//! or a large file never makes other requests wait.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};

use nixbuild::api::operation::{self, OperationId};
use serde_json::value::RawValue;

use super::anonymise::{Anonymiser, Originals};
use super::format::{KEPT_ANSWER_HEADERS, Recording, interaction_line, is_exact_json};
use crate::redaction::{Scrubber, Secrets, map_json_strings, redact_query};
use crate::sync::lock;

/// The largest answer a recorder reads (and so forwards and keeps): the SDK's own ceiling.
/// A larger one is answered 502.
pub const MAX_RECORDED_ANSWER_BYTES: usize = 256 * 1024 * 1024;
/// The most interactions a recording holds; past it, requests are forwarded and answered
/// as before but not recorded, and the log says so for each.
pub const MAX_RECORDED_INTERACTIONS: usize = 100_000;

/// The builds and interactions seen so far, and the secrets to keep out of the file.
pub struct Recorder {
    state: Mutex<State>,
    secrets: Mutex<Secrets>,
    anonymiser: Option<Mutex<Anonymiser>>,
    /// Held while the file is written: two writes at once (the periodic one and the last)
    /// would share one `.partial` file, and one's rename would find it gone.
    writing: Mutex<()>,
}

/// A build where it stands in the line of the answer that listed it.
type BuildInLine = (Arc<str>, Range<usize>);

/// What the file will hold, each line redacted and anonymised already.
#[derive(Default)]
struct State {
    /// Each build by id: where it stands in the line of the answer that listed it last (the
    /// build is not copied out of it).
    builds: BTreeMap<u64, BuildInLine>,
    interactions: Vec<Arc<str>>,
    changed: bool,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (builds, interactions) = self.counts();
        f.debug_struct("Recorder")
            .field("builds", &builds)
            .field("interactions", &interactions)
            .field("anonymise", &self.anonymiser.is_some())
            .finish_non_exhaustive()
    }
}

/// Whether a request is one a recording keeps: the read operations, never the token
/// exchange (its answer is a token) nor `POST /processes`.
pub(crate) fn is_recorded(method: &str, path: &str) -> bool {
    method == "GET"
        && operation::find(path).is_some_and(|operation| {
            matches!(
                operation.id,
                OperationId::ListBuilds | OperationId::GetBuildsSummary | OperationId::GetUsage
            )
        })
}

impl Recorder {
    /// An empty recorder; with `anonymise`, the recording it writes is mapped by an
    /// anonymiser of its own (see the [`recording`](crate::recording) module).
    pub fn new(anonymise: bool) -> Recorder {
        Recorder {
            state: Mutex::new(State::default()),
            secrets: Mutex::new(Secrets::new()),
            anonymiser: anonymise.then(|| Mutex::new(Anonymiser::new())),
            writing: Mutex::new(()),
        }
    }

    /// Learns the secrets of a request, recorded or not (its secret-looking headers and
    /// query parameters), or of an answer (a cookie it sets). False when they could not all
    /// be learned ([`MAX_LEARNED_SECRETS`](crate::recording::MAX_LEARNED_SECRETS) known, or a header
    /// with more than [`MAX_SECRETS_PER_HEADER`](crate::recording::MAX_SECRETS_PER_HEADER) values): the
    /// request must then not be recorded, since a secret it showed would not be redacted.
    #[must_use]
    pub fn learn_request<'a>(
        &self,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        query: &str,
    ) -> bool {
        let mut secrets = lock(&self.secrets);
        let headers_learned = headers
            .into_iter()
            .all(|(name, value)| secrets.learn_header(name, value).is_ok());
        headers_learned && secrets.learn_query(query).is_ok()
    }

    /// Learns a secret seen elsewhere: a token the exchange answered. False when it could
    /// not be learned, as for [`learn_request`](Recorder::learn_request).
    #[must_use]
    pub fn learn_secret(&self, secret: &str) -> bool {
        lock(&self.secrets).learn(secret).is_ok()
    }

    fn scrubber(&self) -> Scrubber {
        lock(&self.secrets).scrubber()
    }

    /// A query string as the recording writes it, and so as a log may show it: secret
    /// parameters and tokens redacted, every secret seen redacted, and with `--anonymise`
    /// its values mapped and every original learned replaced.
    pub fn shown_query(&self, query: &str) -> String {
        let scrubbed = self.scrubber().text(&redact_query(query)).into_owned();
        match &self.anonymiser {
            Some(anonymiser) if !scrubbed.is_empty() => {
                let mut anonymiser = lock(anonymiser);
                let mapped = anonymiser.query(&scrubbed);
                anonymiser.originals().text(&mapped).into_owned()
            }
            _ => scrubbed,
        }
    }

    /// Keeps a request and its answer when it is a read (`GET /builds`, `/builds/summary`,
    /// `/usage`; never the token exchange nor `POST /processes`) and the recording holds
    /// fewer than [`MAX_RECORDED_INTERACTIONS`], and the builds of a successful `GET
    /// /builds` (each replacing any seen before with its id). `headers` are the answer's;
    /// those not in [`KEPT_ANSWER_HEADERS`] are left out. Whether it was recorded.
    pub fn observe<'a>(
        &self,
        method: &str,
        path: &str,
        query: &str,
        status: u16,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        body: &[u8],
    ) -> bool {
        if !is_recorded(method, path) || lock(&self.state).interactions.len() >= MAX_RECORDED_INTERACTIONS {
            return false;
        }
        let scrubber = self.scrubber();
        let kept: BTreeMap<String, String> = headers
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), scrubber.text(value).into_owned()))
            .filter(|(name, _)| KEPT_ANSWER_HEADERS.contains(&name.as_str()))
            // A value a replay could not send again (a line break, say) is not kept.
            .filter(|(_, value)| nixbuild::reexports::reqwest::header::HeaderValue::from_str(value).is_ok())
            .collect();
        let query = self.shown_query(query);
        // Parsed once here; the redaction and the line trust it (a page of 1,000 builds was
        // parsed four times).
        let exact = std::str::from_utf8(body).ok().filter(|text| is_exact_json(text));
        let body: Cow<[u8]> = match exact {
            Some(text) => match scrubber.json(text) {
                Cow::Borrowed(_) => Cow::Borrowed(body),
                Cow::Owned(scrubbed) => Cow::Owned(scrubbed.into_bytes()),
            },
            None => scrubber.body(body),
        };
        let body = match &self.anonymiser {
            Some(anonymiser) => Cow::Owned(anonymised_body(&mut lock(anonymiser), &body)),
            None => body,
        };
        let (line, body_at) = interaction_line(method, path, &query, status, kept, &body, exact.is_some());
        drop(body);
        let line: Arc<str> = line.into();
        let builds = match body_at {
            Some(at) if status == 200 && path == "/builds" => listed_builds(&line, at),
            _ => Vec::new(),
        };
        let mut state = lock(&self.state);
        if state.interactions.len() >= MAX_RECORDED_INTERACTIONS {
            return false;
        }
        state.builds.extend(
            builds
                .into_iter()
                .map(|(id, range)| (id, (Arc::clone(&line), range))),
        );
        state.interactions.push(line);
        state.changed = true;
        true
    }

    /// `text` with every secret seen so far, and anything that reads as a token, redacted
    /// (for a log line).
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber().text(text).into_owned()
    }

    /// Whether anything was recorded since the last call.
    pub fn take_changed(&self) -> bool {
        std::mem::take(&mut lock(&self.state).changed)
    }

    /// How many builds and interactions it holds.
    pub fn counts(&self) -> (usize, usize) {
        let state = lock(&self.state);
        (state.builds.len(), state.interactions.len())
    }

    /// The recording as it would be written: anonymised when asked, every secret redacted.
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        // Writing into a vector of bytes fails never, and what is written is UTF-8.
        let _ = self.write_to(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Writes the recording as it is made, line by line, from a snapshot of its lines (shared,
    /// not copied: the lock is held while their pointers are copied). With `--anonymise`,
    /// each line passes the final pass: any original the field-by-field mapping did not
    /// recognise, replaced.
    fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let (builds, interactions): (Vec<BuildInLine>, Vec<Arc<str>>) = {
            let state = lock(&self.state);
            (
                state.builds.values().cloned().collect(),
                state.interactions.clone(),
            )
        };
        let originals = self
            .anonymiser
            .as_ref()
            .map(|anonymiser| lock(anonymiser).originals());
        fn pass<'l>(originals: Option<&Originals>, line: &'l str) -> Cow<'l, str> {
            match originals {
                Some(originals) => map_json_strings(line, |string| originals.text(string)),
                None => Cow::Borrowed(line),
            }
        }
        let originals = originals.as_ref();
        Recording::write_json_text(
            out,
            self.anonymiser.is_some(),
            builds
                .iter()
                .map(|(line, range)| pass(originals, &line[range.clone()])),
            interactions.iter().map(|line| pass(originals, line)),
        )
    }

    /// The recording as [`to_json`](Recorder::to_json) writes it.
    pub fn recording(&self) -> Recording {
        Recording::from_json(&self.to_json()).unwrap_or_else(|_| Recording::new(false))
    }

    /// Writes the recording to `path`, whole or not at all (a file beside it, renamed).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let _writing = lock(&self.writing);
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let mut file = std::io::BufWriter::new(std::fs::File::create(&partial)?);
        self.write_to(&mut file)?;
        std::io::Write::flush(&mut file)?;
        drop(file);
        std::fs::rename(&partial, path)
    }
}

/// The builds of a `GET /builds` answer (a JSON array of builds) whose body starts at `at`
/// in `line`: each id, and where the build stands in the line.
fn listed_builds(line: &str, at: usize) -> Vec<(u64, Range<usize>)> {
    #[derive(serde::Deserialize)]
    struct Id {
        build_id: u64,
    }
    let body = &line[at..line.len() - 1];
    let Ok(listed) = serde_json::from_str::<Vec<&RawValue>>(body) else {
        return Vec::new();
    };
    listed
        .into_iter()
        .filter_map(|build| {
            let Id { build_id } = serde_json::from_str(build.get()).ok()?;
            // A slice of `body`: its offset is the distance between their starts.
            let start = at + (build.get().as_ptr() as usize - body.as_ptr() as usize);
            Some((build_id, start..start + build.get().len()))
        })
        .collect()
}

/// An answer's body mapped by the anonymiser: a JSON one value by value, any other as text.
fn anonymised_body(anonymiser: &mut Anonymiser, body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            anonymiser.value(&mut value);
            value.to_string().into_bytes()
        }
        Err(_) => anonymiser.text(&String::from_utf8_lossy(body)).into_bytes(),
    }
}
