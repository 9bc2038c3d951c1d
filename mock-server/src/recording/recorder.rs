//! [`Recorder`]: what `nixbuild-mock record` keeps of the requests it forwards, and the
//! recording it writes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use nixbuild::api::operation::{self, OperationId};
use serde_json::value::RawValue;

use super::anonymise::Anonymiser;
use super::secrets::Secrets;
use super::{Interaction, KEPT_ANSWER_HEADERS, Recording};
use crate::sync::lock;
use crate::testing::journal::redact_query;

/// The largest answer a recorder reads (and so forwards and keeps): the SDK's own ceiling.
/// A larger one is answered 502.
pub const MAX_RECORDED_ANSWER_BYTES: usize = 256 * 1024 * 1024;

/// The builds and interactions seen so far, and the secrets to keep out of the file.
pub struct Recorder {
    inner: Mutex<Inner>,
}

struct Inner {
    builds: BTreeMap<u64, Box<RawValue>>,
    interactions: Vec<Interaction>,
    secrets: Secrets,
    anonymiser: Option<Anonymiser>,
    changed: bool,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = lock(&self.inner);
        f.debug_struct("Recorder")
            .field("builds", &inner.builds.len())
            .field("interactions", &inner.interactions.len())
            .field("anonymise", &inner.anonymiser.is_some())
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
    /// anonymiser of its own (see the [module](super)).
    pub fn new(anonymise: bool) -> Recorder {
        Recorder {
            inner: Mutex::new(Inner {
                builds: BTreeMap::new(),
                interactions: Vec::new(),
                secrets: Secrets::new(),
                anonymiser: anonymise.then(Anonymiser::new),
                changed: false,
            }),
        }
    }

    /// Learns the secrets of a request, recorded or not: its secret-looking headers and
    /// query parameters.
    pub fn learn_request<'a>(&self, headers: impl IntoIterator<Item = (&'a str, &'a str)>, query: &str) {
        let mut inner = lock(&self.inner);
        for (name, value) in headers {
            inner.secrets.learn_header(name, value);
        }
        inner.secrets.learn_query(query);
    }

    /// Learns a secret seen elsewhere: a token the exchange answered.
    pub fn learn_secret(&self, secret: &str) {
        lock(&self.inner).secrets.learn(secret);
    }

    /// Keeps a request and its answer when it is a read (`GET /builds`, `/builds/summary`,
    /// `/usage`; never the token exchange nor `POST /processes`), and the builds of a
    /// successful `GET /builds` (each replacing any seen before with its id). `headers` are
    /// the answer's; those not in [`KEPT_ANSWER_HEADERS`] are left out.
    pub fn observe<'a>(
        &self,
        method: &str,
        path: &str,
        query: &str,
        status: u16,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        body: &[u8],
    ) {
        if !is_recorded(method, path) {
            return;
        }
        let kept: BTreeMap<String, String> = headers
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .filter(|(name, _)| KEPT_ANSWER_HEADERS.contains(&name.as_str()))
            .collect();
        let interaction = Interaction::new(method, path, redact_query(query), status, kept, body);
        let mut inner = lock(&self.inner);
        if status == 200 && path == "/builds" {
            merge_builds(&mut inner.builds, body);
        }
        inner.interactions.push(interaction);
        inner.changed = true;
    }

    /// `text` with every secret seen so far, and anything that reads as a token, redacted
    /// (for a log line).
    pub fn scrub(&self, text: &str) -> String {
        lock(&self.inner).secrets.scrub(text)
    }

    /// Whether anything was recorded since the last call.
    pub fn take_changed(&self) -> bool {
        std::mem::take(&mut lock(&self.inner).changed)
    }

    /// How many builds and interactions it holds.
    pub fn counts(&self) -> (usize, usize) {
        let inner = lock(&self.inner);
        (inner.builds.len(), inner.interactions.len())
    }

    /// The recording as it would be written: anonymised when asked, every secret redacted.
    pub fn to_json(&self) -> String {
        let mut inner = lock(&self.inner);
        let Inner {
            builds,
            interactions,
            secrets,
            anonymiser,
            ..
        } = &mut *inner;
        let mut recording = Recording::new(anonymiser.is_some());
        for build in builds.values() {
            recording.push_build(match anonymiser.as_mut() {
                Some(anonymiser) => anonymised_json(anonymiser, build.get()),
                None => build.clone(),
            });
        }
        recording.interactions = interactions
            .iter()
            .map(|interaction| match anonymiser.as_mut() {
                Some(anonymiser) => anonymised_interaction(anonymiser, interaction),
                None => interaction.clone(),
            })
            .collect();
        secrets.scrub(&recording.to_json())
    }

    /// The recording as [`to_json`](Recorder::to_json) writes it.
    pub fn recording(&self) -> Recording {
        // Redacting happens in its text; the text is a recording still (a secret is always
        // inside a JSON string, and `[redacted]` needs no escaping).
        Recording::from_json(&self.to_json()).unwrap_or_else(|_| Recording::new(false))
    }

    /// Writes the recording to `path`, whole or not at all (a file beside it, renamed).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = self.to_json();
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, path)
    }
}

/// Adds the builds of a `GET /builds` answer (a JSON array of builds) by id.
fn merge_builds(builds: &mut BTreeMap<u64, Box<RawValue>>, body: &[u8]) {
    #[derive(serde::Deserialize)]
    struct Id {
        build_id: u64,
    }
    let Ok(listed) = serde_json::from_slice::<Vec<&RawValue>>(body) else {
        return;
    };
    for build in listed {
        if let Ok(Id { build_id }) = serde_json::from_str::<Id>(build.get()) {
            builds.insert(build_id, build.to_owned());
        }
    }
}

fn anonymised_json(anonymiser: &mut Anonymiser, json: &str) -> Box<RawValue> {
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    anonymiser.value(&mut value);
    serde_json::value::to_raw_value(&value).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

fn anonymised_interaction(anonymiser: &mut Anonymiser, interaction: &Interaction) -> Interaction {
    let query = if interaction.query.is_empty() {
        String::new()
    } else {
        anonymiser.query(&interaction.query)
    };
    let body = match interaction.body_json() {
        Some(mut value) => {
            anonymiser.value(&mut value);
            value.to_string().into_bytes()
        }
        None => anonymiser
            .text(&String::from_utf8_lossy(interaction.body()))
            .into_bytes(),
    };
    Interaction::new(
        interaction.method.clone(),
        interaction.path.clone(),
        query,
        interaction.status,
        interaction.headers.clone(),
        &body,
    )
}
