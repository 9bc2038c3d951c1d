//! [`check()`]: the mock asked every query of a recording, over the recorded builds, and each
//! answer compared with the recorded one, or said to be not comparable, and why.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use nixbuild::report::human::count;
use serde::Serialize;
use serde_json::Value;

use crate::mock::MockNixbuild;
use crate::recording_format::diff::{Finding, json_differences};
use crate::recording_format::{Interaction, Query, Recording, RecordingError};

/// What [`check()`] found, request by request (`--format json` writes it as it is).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CheckReport {
    /// How many builds the mock served (the recording's).
    pub builds: usize,
    /// Each distinct recorded request, in the order the requests first came.
    pub requests: Vec<Checked>,
}

/// One request of the recording, and how the mock's answer compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Checked {
    /// The request: `GET /builds?status=built`.
    pub request: String,
    /// The status recorded.
    pub recorded_status: u16,
    /// The status the mock answered, when it was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub served_status: Option<u16>,
    /// The comparison's outcome.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// How a request's answers compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// The mock answered as recorded.
    Agrees,
    /// The mock answered otherwise: each place (at most 20), and how many more.
    Differs {
        /// Where the answers differ.
        differences: Vec<Finding>,
        /// How many more places differ than are listed.
        #[serde(skip_serializing_if = "is_zero")]
        more: usize,
    },
    /// Not compared, and why: an answer no mock can be held to (a 401, a 503), or one the
    /// recording cannot be compared with (a summary over builds it does not hold).
    Skipped {
        /// Why, in a sentence.
        reason: String,
    },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl CheckReport {
    /// Whether every compared answer agreed (skipped ones do not count against it).
    pub fn agrees(&self) -> bool {
        !self
            .requests
            .iter()
            .any(|r| matches!(r.outcome, Outcome::Differs { .. }))
    }

    /// How many requests were compared (not skipped).
    pub fn checked(&self) -> usize {
        self.requests.len() - self.skipped().count()
    }

    /// The requests whose answers differ.
    pub fn differing(&self) -> impl Iterator<Item = &Checked> {
        self.requests
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Differs { .. }))
    }

    /// The requests not compared.
    pub fn skipped(&self) -> impl Iterator<Item = &Checked> {
        self.requests
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Skipped { .. }))
    }

    /// The report as one JSON document: the counts, and an object per request (its
    /// outcome; the differences as JSON pointers with the recorded and served values; the
    /// reason for a skip).
    pub fn to_json(&self) -> Value {
        let differ = self.differing().count();
        serde_json::json!({
            "agrees": self.agrees(),
            "builds": self.builds,
            "checked": self.checked(),
            "agree": self.checked() - differ,
            "differ": differ,
            "skipped": self.skipped().count(),
            "requests": self.requests,
        })
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for checked in self.differing() {
            writeln!(f, "differs: {}", checked.request)?;
            if let Outcome::Differs { differences, more } = &checked.outcome {
                for finding in differences {
                    writeln!(f, "  {finding}")?;
                }
                if *more > 0 {
                    writeln!(f, "  … and {more} more")?;
                }
            }
        }
        for checked in self.skipped() {
            if let Outcome::Skipped { reason } = &checked.outcome {
                writeln!(f, "skipped: {} ({reason})", checked.request)?;
            }
        }
        let differ = self.differing().count();
        write!(
            f,
            "{} checked over {}: {} agree, {} differ, {} skipped",
            count(self.checked() as u64, "request"),
            count(self.builds as u64, "build"),
            self.checked() - differ,
            differ,
            self.skipped().count()
        )
    }
}

/// Why a recorded status is one the mock cannot be held to, if it is: 401 and 403 depend
/// on the recorder's token, which a recording never holds; 408, 413, 429 and 5xx are faults
/// of the moment.
fn not_reproducible(status: u16) -> Option<&'static str> {
    match status {
        401 | 403 => Some("an answer to the recorder's token, which a recording does not hold"),
        408 | 413 | 429 => Some("a refusal of the moment"),
        500.. => Some("a fault of the moment"),
        _ => None,
    }
}

/// Starts a mock (auth off) serving the recording's builds, asks it each distinct recorded
/// request, and compares its answer with the last one recorded for that request (the
/// builds are the last seen, too): the status, then for a success the kept headers and the
/// JSON (lists of builds by id, other arrays by position; see [`Finding`]). For a
/// client error (400, 404, 405) only the status is compared: the messages are each
/// service's own prose.
///
/// A summary or usage answer counts builds the recording may not hold (it lists only what
/// was asked for). When no recorded list answer covers its filter (one with the same
/// filter that came back whole) and the
/// mock, over the recorded builds, counts fewer than the recorded answer does, the request
/// is skipped as not comparable, saying how many it holds; when one does, it is compared,
/// and a count that differs is a difference.
pub async fn check(recording: &Recording) -> Result<CheckReport, RecordingError> {
    let builds = recording.builds()?;
    let mut report = CheckReport {
        builds: builds.len(),
        requests: Vec::new(),
    };
    let mock = MockNixbuild::builder()
        .without_auth()
        .builds(builds)
        .start()
        .await;
    // Straight to the local mock: a proxy from the environment (`http_proxy` on a CI runner)
    // would see every recorded query.
    let client = nixbuild::http_client_builder()
        .map_err(|e| RecordingError::Malformed(format!("cannot make an HTTP client: {e}")))?
        .no_proxy()
        .build()
        .map_err(|e| RecordingError::Malformed(format!("cannot make an HTTP client: {e}")))?;
    let lists = ListAnswers::of(&recording.interactions);
    for interaction in last_of_each(&recording.interactions) {
        let mut checked = Checked {
            request: interaction.request_line(),
            recorded_status: interaction.status,
            served_status: None,
            outcome: Outcome::Agrees,
        };
        if let Some(why) = not_reproducible(interaction.status) {
            checked.outcome = Outcome::Skipped {
                reason: format!("recorded {}: {why}", interaction.status),
            };
            report.requests.push(checked);
            continue;
        }
        let method = nixbuild::reexports::reqwest::Method::from_bytes(interaction.method.as_bytes())
            .unwrap_or(nixbuild::reexports::reqwest::Method::GET);
        let mut url = format!("{}{}", mock.uri(), interaction.path);
        if !interaction.query.is_empty() {
            url = format!("{url}?{}", interaction.query);
        }
        checked.outcome = match client.request(method, url).send().await {
            // The mock failing to answer is the mock's fault: a difference, never a skip.
            Err(e) => Outcome::Differs {
                differences: vec![Finding::no_answer(&e.without_url().to_string())],
                more: 0,
            },
            Ok(answer) => {
                let status = answer.status().as_u16();
                checked.served_status = Some(status);
                let content_type = answer
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = answer.bytes().await.unwrap_or_default();
                let covered = counts_builds(&interaction.path) && lists.cover(&interaction.parsed_query());
                compare(interaction, status, content_type.as_deref(), &body, covered)
            }
        };
        report.requests.push(checked);
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

/// Whether an answer to `path` counts builds (a summary, usage): one the recording may not
/// hold every build of.
fn counts_builds(path: &str) -> bool {
    matches!(path, "/builds/summary" | "/usage")
}

/// The recording's successful `GET /builds` answers, each read once: its filter (the query
/// without `limit`), that filter without `create_time_to` too (a page of a walk), its
/// `limit`, and whether it came back whole (no `limit`, which means no ceiling, or fewer
/// builds than its `limit`).
struct ListAnswers(Vec<ListAnswer>);

struct ListAnswer {
    filter: Query,
    walked_filter: Query,
    limit: Option<String>,
    whole: bool,
}

impl ListAnswers {
    fn of(interactions: &[Interaction]) -> ListAnswers {
        let lists = interactions
            .iter()
            .filter(|i| i.method == "GET" && i.path == "/builds" && i.status == 200)
            .map(|list| {
                let query = list.parsed_query();
                let limit = query.value("limit").map(str::to_owned);
                let returned = list.body_json().and_then(|body| body.as_array().map(Vec::len));
                let whole = match (limit.as_deref().map(str::parse::<usize>), returned) {
                    (None, Some(_)) => true,
                    (Some(Ok(limit)), Some(returned)) => returned < limit,
                    _ => false,
                };
                ListAnswer {
                    filter: query.without(&["limit"]),
                    walked_filter: query.without(&["limit", "create_time_to"]),
                    limit,
                    whole,
                }
            })
            .collect();
        ListAnswers(lists)
    }

    /// Whether they hold every build a summary or usage request with `query` counts: a list
    /// with the same filter that came back whole or had the request's own `limit`, or the
    /// last, short page of a walk over that filter (`nixbuild builds --all` pages back by
    /// `create_time_to`).
    fn cover(&self, query: &Query) -> bool {
        let filter = query.without(&["limit"]);
        let may_be_walked = query.value("create_time_to").is_none();
        let ceiling = query.value("limit");
        self.0.iter().any(|list| {
            let same_ceiling = list.limit.is_some() && list.limit.as_deref() == ceiling;
            (list.filter == filter && (list.whole || same_ceiling))
                || (may_be_walked && list.whole && list.walked_filter == filter)
        })
    }
}

fn compare(
    recorded: &Interaction,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    covered: bool,
) -> Outcome {
    let differs = |differences: Vec<Finding>, more: usize| Outcome::Differs { differences, more };
    if status != recorded.status {
        return differs(vec![Finding::status(recorded.status, status)], 0);
    }
    if !(200..300).contains(&status) {
        return Outcome::Agrees;
    }
    let mut findings = Vec::new();
    // Of the headers a recording keeps, Content-Type is the one every answer has (a client
    // decides by it how to read the body); Retry-After comes with skipped statuses only.
    let recorded_type = recorded.headers.get("content-type").map(String::as_str);
    if recorded_type.is_some() && recorded_type != content_type {
        findings.push(Finding::header("content-type", recorded_type, content_type));
    }
    match (recorded.body_json(), serde_json::from_slice::<Value>(body)) {
        (Some(recorded_json), Ok(served)) => {
            if !covered && let Some(reason) = not_comparable(&recorded.path, &recorded_json, &served) {
                return Outcome::Skipped { reason };
            }
            let found = json_differences(&recorded_json, &served);
            findings.extend(found.listed);
            match findings.is_empty() {
                true => Outcome::Agrees,
                false => differs(findings, found.more),
            }
        }
        _ if recorded.body() == body && findings.is_empty() => Outcome::Agrees,
        _ if recorded.body() == body => differs(findings, 0),
        _ => {
            findings.push(Finding::body(recorded.body().len(), body.len()));
            differs(findings, 0)
        }
    }
}

/// Why a summary or usage answer whose builds no recorded list covers cannot be compared,
/// if it cannot: the mock, over the recorded builds, counts fewer builds than the recorded
/// answer (the recording holds what the recorder's list queries returned, not all).
fn not_comparable(path: &str, recorded: &Value, served: &Value) -> Option<String> {
    let (field, what, scope) = match path {
        "/builds/summary" => ("build_count", "this summary counts", "with the same filter"),
        "/usage" => (
            "billable_build_count",
            "this usage counts",
            "over the same window",
        ),
        _ => return None,
    };
    let (held, counted) = (served.get(field)?.as_u64()?, recorded.get(field)?.as_u64()?);
    (held < counted).then(|| {
        format!(
            "not comparable: the recording holds {held} of the {counted} builds {what}; \
             record `nixbuild builds --all` {scope} to compare it"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_line_counts_in_words_a_person_reads() {
        let report = |agreeing: usize, builds| {
            let request = |n: usize| Checked {
                request: format!("GET /builds?limit={n}"),
                recorded_status: 200,
                served_status: Some(200),
                outcome: Outcome::Agrees,
            };
            CheckReport {
                builds,
                requests: (0..agreeing).map(request).collect(),
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

    #[test]
    fn a_summary_over_builds_the_recording_lacks_is_not_comparable() {
        let recorded = serde_json::json!({"build_count": 3000});
        let served = serde_json::json!({"build_count": 80});
        assert_eq!(
            not_comparable("/builds/summary", &recorded, &served).as_deref(),
            Some(
                "not comparable: the recording holds 80 of the 3000 builds this summary counts; \
                 record `nixbuild builds --all` with the same filter to compare it"
            )
        );
        assert_eq!(not_comparable("/builds/summary", &served, &served), None);
        assert_eq!(not_comparable("/builds", &recorded, &served), None);
    }
}
