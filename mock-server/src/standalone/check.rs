//! [`check()`]: the mock asked every query of a recording, over the recorded builds, and each
//! answer compared with the recorded one.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use nixbuild::report::human::count;

use crate::mock::MockNixbuild;
use crate::recording_format::diff::json_differences;
use crate::recording_format::{Interaction, Query, Recording, RecordingError};

/// What [`check()`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckReport {
    /// How many builds the mock served.
    pub builds: usize,
    /// How many distinct requests were asked.
    pub checked: usize,
    /// The requests whose recorded answer the mock cannot be expected to give, and the
    /// recorded status: 401 and 403 (they depend on the recorder's token, which a
    /// recording never holds), 408, 413, 429 and 5xx (faults of the moment).
    pub skipped: Vec<(String, u16)>,
    /// Each request the mock answered otherwise.
    pub differences: Vec<Difference>,
}

/// One request the mock answered otherwise than the recording.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Difference {
    /// The request: `GET /builds?status=built`.
    pub request: String,
    /// Where the answers differ, one line each: `$[2].status: recorded "cancelled", served
    /// "built"` (at most 20, then how many more).
    pub lines: Vec<String>,
}

impl CheckReport {
    /// Whether every checked answer agreed.
    pub fn agrees(&self) -> bool {
        self.differences.is_empty()
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for difference in &self.differences {
            writeln!(f, "differs: {}", difference.request)?;
            for line in &difference.lines {
                writeln!(f, "  {line}")?;
            }
        }
        for (request, status) in &self.skipped {
            writeln!(f, "skipped: {request} (recorded {status})")?;
        }
        write!(
            f,
            "{} checked over {}: {} agree, {} differ, {} skipped",
            count(self.checked as u64, "request"),
            count(self.builds as u64, "build"),
            self.checked - self.differences.len(),
            self.differences.len(),
            self.skipped.len()
        )
    }
}

/// Whether a recorded status is one the mock cannot be held to (see
/// [`CheckReport::skipped`]).
fn not_reproducible(status: u16) -> bool {
    matches!(status, 401 | 403 | 408 | 413 | 429) || status >= 500
}

/// Starts a mock (auth off) serving the recording's builds, asks it each distinct recorded
/// request, and compares its answer with the last one recorded for that request (the
/// builds are the last seen, too): the status, then for a success the JSON, place by place.
/// For a client error (400, 404, 405) only the status is compared: the messages are each
/// service's own prose.
///
/// The builds a summary or usage covers must have been listed too (a `GET /builds` with the
/// same filters), or the mock does not have them.
pub async fn check(recording: &Recording) -> Result<CheckReport, RecordingError> {
    let builds = recording.builds()?;
    let mut report = CheckReport {
        builds: builds.len(),
        checked: 0,
        skipped: Vec::new(),
        differences: Vec::new(),
    };
    let mock = MockNixbuild::builder()
        .without_auth()
        .builds(builds)
        .start()
        .await;
    // Straight to the local mock: a proxy from the environment (`http_proxy` on a CI runner)
    // would see every recorded query.
    let client = nixbuild::reexports::reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| RecordingError::Malformed(format!("cannot make an HTTP client: {e}")))?;
    for interaction in last_of_each(&recording.interactions) {
        let line = interaction.request_line();
        if not_reproducible(interaction.status) {
            report.skipped.push((line, interaction.status));
            continue;
        }
        report.checked += 1;
        let method = nixbuild::reexports::reqwest::Method::from_bytes(interaction.method.as_bytes())
            .unwrap_or(nixbuild::reexports::reqwest::Method::GET);
        let mut url = format!("{}{}", mock.uri(), interaction.path);
        if !interaction.query.is_empty() {
            url = format!("{url}?{}", interaction.query);
        }
        let lines = match client.request(method, url).send().await {
            Err(e) => vec![format!("the mock did not answer: {}", e.without_url())],
            Ok(answer) => {
                let status = answer.status().as_u16();
                let body = answer.bytes().await.unwrap_or_default();
                compare(interaction, status, &body)
            }
        };
        if !lines.is_empty() {
            report.differences.push(Difference { request: line, lines });
        }
    }
    Ok(report)
}

/// The last interaction of each distinct request, in the order the requests first came.
fn last_of_each(interactions: &[Interaction]) -> Vec<&Interaction> {
    let mut place: HashMap<(&str, &str, Query), usize> = HashMap::new();
    let mut last: Vec<&Interaction> = Vec::new();
    for interaction in interactions {
        let key = (
            interaction.method.as_str(),
            interaction.path.as_str(),
            interaction.parsed_query(),
        );
        match place.entry(key) {
            Entry::Occupied(at) => last[*at.get()] = interaction,
            Entry::Vacant(at) => {
                at.insert(last.len());
                last.push(interaction);
            }
        }
    }
    last
}

fn compare(recorded: &Interaction, status: u16, body: &[u8]) -> Vec<String> {
    if status != recorded.status {
        return vec![format!("status: recorded {}, served {status}", recorded.status)];
    }
    if !(200..300).contains(&status) {
        return Vec::new();
    }
    match (
        recorded.body_json(),
        serde_json::from_slice::<serde_json::Value>(body),
    ) {
        (Some(recorded), Ok(served)) => json_differences(&recorded, &served),
        _ if recorded.body() == body => Vec::new(),
        _ => vec![format!(
            "body: recorded {} bytes, served {} bytes, not both JSON",
            recorded.body().len(),
            body.len()
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_line_counts_in_words_a_person_reads() {
        let report = |checked, builds| {
            CheckReport {
                builds,
                checked,
                skipped: Vec::new(),
                differences: Vec::new(),
            }
            .to_string()
        };
        assert_eq!(
            report(1, 1),
            "1 request checked over 1 build: 1 agree, 0 differ, 0 skipped"
        );
        assert_eq!(
            report(2, 0),
            "2 requests checked over 0 builds: 2 agree, 0 differ, 0 skipped"
        );
    }
}
