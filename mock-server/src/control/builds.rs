//! `/_mock/builds`: builds added (complete, or from a fixture spec), moved through their
//! statuses, listed and cleared.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use nixbuild::{Build, BuildId, BuildStatus};
use serde::{Deserialize, Serialize};
use wiremock::Request;

use super::body::json_object;
use crate::BuildFixture;
use crate::answer::Answer;
use crate::app::State;
use crate::limits::{MAX_BUILDS_PER_REQUEST, MAX_STORED_BUILDS};
use crate::world::lifecycle::{NoSuchBuild, StatusChangeError};

/// The longest name a Nix store path may have, less the `.drv` of a derivation.
const MAX_NAME_BYTES: usize = 211 - 4;

/// A build to add, described by its name and status and filled in realistically (store
/// paths, hashes, sizes, times, CPU figures, outputs when built), as the Rust API's
/// `BuildFixture` does. Fields left out are derived from the name; the creation time is the
/// mock's now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FixtureSpec {
    /// The derivation's name, such as `hello-2.12` (Nix store name characters only).
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 207,
            pattern = r"^[A-Za-z0-9+\-_?=][A-Za-z0-9+\-._?=]*$"
        )
    )]
    pub name: String,
    /// Its status (`built` when left out).
    #[serde(default = "built")]
    pub status: BuildStatus,
    /// Its Nix system (`x86_64-linux` when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Its tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// When it was created (the mock's now when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The build it restarts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_of: Option<BuildId>,
    /// The build that restarted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarted_as: Option<BuildId>,
    /// Its id (the next free one when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<BuildId>,
    /// Seconds it waited for a builder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000))]
    pub queue_seconds: Option<f64>,
    /// Seconds it ran, once finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000))]
    pub duration_seconds: Option<f64>,
    /// CPUs allocated (1 to 1024).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1024))]
    pub cpu_count: Option<u32>,
    /// Its status message (one that fits the status when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
}

fn built() -> BuildStatus {
    BuildStatus::Built
}

impl FixtureSpec {
    /// The fixture, or why the spec is not realistic.
    pub fn to_fixture(&self) -> Result<BuildFixture, String> {
        check_name(&self.name)?;
        if self.status.as_str().is_empty() {
            return Err("`status` is empty".into());
        }
        for (field, id) in [
            ("id", self.id),
            ("restart_of", self.restart_of),
            ("restarted_as", self.restarted_as),
        ] {
            check_id(field, id)?;
        }
        let seconds = |field: &str, value: Option<f64>| match value {
            Some(v) if !(v.is_finite() && (0.0..=1e9).contains(&v)) => {
                Err(format!("`{field}` must be a number of seconds from 0 to 1e9"))
            }
            _ => Ok(()),
        };
        seconds("queue_seconds", self.queue_seconds)?;
        seconds("duration_seconds", self.duration_seconds)?;
        let mut fixture = BuildFixture::new(self.name.clone(), self.status.clone());
        for (name, value) in &self.tags {
            fixture = fixture.tag(name, value);
        }
        if let Some(system) = &self.system {
            fixture = fixture.system(system);
        }
        if let Some(created) = self.created_at {
            fixture = fixture.created_at(created);
        }
        if let Some(id) = self.restart_of {
            fixture = fixture.restart_of(id);
        }
        if let Some(id) = self.restarted_as {
            fixture = fixture.restarted_as(id);
        }
        if let Some(id) = self.id {
            fixture = fixture.id(id);
        }
        if let Some(seconds) = self.queue_seconds {
            fixture = fixture.queue_seconds(seconds);
        }
        if let Some(seconds) = self.duration_seconds {
            fixture = fixture.duration_seconds(seconds);
        }
        if let Some(cpus) = self.cpu_count {
            if !(1..=1024).contains(&cpus) {
                return Err("`cpu_count` must be from 1 to 1024".into());
            }
            fixture = fixture.cpu_count(cpus);
        }
        if let Some(message) = &self.status_message {
            fixture = fixture.status_message(message);
        }
        Ok(fixture)
    }
}

/// An id within the document's `int64` (JSON numbers past it lose precision in many languages).
fn check_id(field: &str, id: Option<BuildId>) -> Result<(), String> {
    match id {
        Some(id) if id.0 > i64::MAX as u64 => Err(format!("`{field}` is at most {}", i64::MAX)),
        _ => Ok(()),
    }
}

/// A name Nix would accept in a store path: what a realistic fixture's paths are made of.
fn check_name(name: &str) -> Result<(), String> {
    let nix_char = |c: char| c.is_ascii_alphanumeric() || "+-._?=".contains(c);
    if name.is_empty() || name.len() > MAX_NAME_BYTES || name.starts_with('.') || !name.chars().all(nix_char)
    {
        return Err(format!(
            "`name` {:?} is not a Nix store name: 1 to {MAX_NAME_BYTES} of A-Z a-z 0-9 + - . _ ? =, \
             not starting with a dot",
            name.chars().take(80).collect::<String>()
        ));
    }
    Ok(())
}

/// The answer of `POST /_mock/builds`: the ids of the builds added, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BuildIds {
    /// The ids, in the order the builds were given.
    pub build_ids: Vec<BuildId>,
}

/// The body of `PATCH /_mock/builds/{id}`: the status to move the build to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// `running`, or a finished status such as `built` or `build_failed`.
    pub status: BuildStatus,
}

/// One element of `POST /_mock/builds`: a complete build (it has a `derivation_path`) or a
/// fixture spec.
enum NewBuild {
    Complete(Box<Build>),
    Fixture(Box<BuildFixture>),
}

impl crate::IntoBuild for NewBuild {
    fn into_build(self, next_id: BuildId, now: DateTime<Utc>) -> Build {
        match self {
            NewBuild::Complete(build) => *build,
            NewBuild::Fixture(fixture) => (*fixture).into_build(next_id, now),
        }
    }
}

/// Why a body's builds were refused: the status and the message.
type Refusal = (u16, String);

/// The query parameter that lets a test add or set a status the mock does not know, on
/// purpose: one newer than this release of the SDK, say.
pub const ALLOW_UNKNOWN_STATUS: &str = "allow_unknown_status";

/// Whether the request asks, with `?allow_unknown_status=true`, for statuses the mock does
/// not know; any other query parameter, or value, is refused.
fn unknown_statuses_allowed(request: &Request) -> Result<bool, Answer> {
    let mut allowed = false;
    for (name, value) in request.url.query_pairs() {
        let refusal = match (name.as_ref(), value.as_ref()) {
            (ALLOW_UNKNOWN_STATUS, "true" | "false") => {
                allowed = value == "true";
                continue;
            }
            (ALLOW_UNKNOWN_STATUS, other) => format!(
                "`{ALLOW_UNKNOWN_STATUS}` is true or false, not {}",
                crate::text::escaped(other)
            ),
            (other, _) => format!(
                "unknown query parameter {}: the only one is `{ALLOW_UNKNOWN_STATUS}`",
                crate::text::escaped(other)
            ),
        };
        return Err(Answer::error(400, refusal));
    }
    Ok(allowed)
}

/// A status the mock knows, or any when `allowed`: a typo such as `failed` (for
/// `build_failed`) would otherwise be stored, match no filter, and make a test check nothing.
fn check_status(status: &BuildStatus, allowed: bool) -> Result<(), String> {
    if status.is_known() || allowed {
        return Ok(());
    }
    let known: Vec<&str> = BuildStatus::KNOWN.iter().map(BuildStatus::as_str).collect();
    Err(format!(
        "{} is not a build status the mock knows ({}); to use a status newer than it on \
         purpose, add ?{ALLOW_UNKNOWN_STATUS}=true",
        crate::text::escaped(status.as_str()),
        known.join(", ")
    ))
}

fn read_new_build(
    index: usize,
    raw: &serde_json::value::RawValue,
    unknown_statuses: bool,
) -> Result<NewBuild, String> {
    /// Reads just enough of an element to tell a complete build from a spec.
    #[derive(Deserialize)]
    struct Shape {
        derivation_path: Option<serde::de::IgnoredAny>,
    }
    let at = |e: &dyn std::fmt::Display| format!("builds[{index}]: {e}");
    let json = raw.get();
    if !json.starts_with('{') {
        return Err(at(&"each element is a build or a fixture spec (a JSON object)"));
    }
    // One element as a tree (never the whole body): `4.0` reads as the integer it is.
    let mut element: serde_json::Value = serde_json::from_str(json).map_err(|e| at(&e))?;
    super::body::integral_numbers_as_integers(&mut element);
    let shape = Shape::deserialize(&element).map_err(|e| at(&e))?;
    if shape.derivation_path.is_some() {
        let build = Build::deserialize(&element).map_err(|e| at(&e))?;
        check_id("build_id", Some(build.build_id)).map_err(|e| at(&e))?;
        check_status(&build.status, unknown_statuses).map_err(|e| at(&e))?;
        return Ok(NewBuild::Complete(Box::new(build)));
    }
    let spec = FixtureSpec::deserialize(&element).map_err(|e| at(&e))?;
    check_status(&spec.status, unknown_statuses).map_err(|e| at(&e))?;
    spec.to_fixture()
        .map(|f| NewBuild::Fixture(Box::new(f)))
        .map_err(|e| at(&e))
}

/// Reads a JSON array of builds element by element, never more than
/// [`MAX_BUILDS_PER_REQUEST`] of them and never as a tree of `serde_json::Value`s: the
/// first refusal is kept in `refusal` (serde's own error would lose its status).
struct NewBuildsSeed<'r> {
    refusal: &'r mut Option<Refusal>,
    unknown_statuses: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for NewBuildsSeed<'_> {
    type Value = Vec<NewBuild>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Vec<NewBuild>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NewBuildsSeed<'_> {
    type Value = Vec<NewBuild>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of builds")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<NewBuild>, A::Error> {
        use serde::de::Error;
        let mut builds = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(raw) = seq.next_element::<&serde_json::value::RawValue>()? {
            if builds.len() == MAX_BUILDS_PER_REQUEST {
                let message =
                    format!("one request adds at most {MAX_BUILDS_PER_REQUEST} builds; send them in several");
                *self.refusal = Some((413, message.clone()));
                return Err(A::Error::custom(message));
            }
            match read_new_build(builds.len(), raw, self.unknown_statuses) {
                Ok(build) => builds.push(build),
                Err(message) => {
                    *self.refusal = Some((400, message.clone()));
                    return Err(A::Error::custom(message));
                }
            }
        }
        Ok(builds)
    }
}

/// The builds of a `POST /_mock/builds` body, or why they are refused.
fn read_new_builds(body: &[u8], unknown_statuses: bool) -> Result<Vec<NewBuild>, Refusal> {
    let mut refusal = None;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let read = serde::de::DeserializeSeed::deserialize(
        NewBuildsSeed {
            refusal: &mut refusal,
            unknown_statuses,
        },
        &mut deserializer,
    )
    .and_then(|builds| deserializer.end().map(|()| builds));
    read.map_err(|e| {
        refusal.unwrap_or_else(|| {
            (
                400,
                format!("bad request body: {e}; it is a JSON array of builds"),
            )
        })
    })
}

/// Whether a store of `stored` builds takes `adding` more through the control API.
fn room_for(stored: usize, adding: usize) -> Result<(), String> {
    if stored.saturating_add(adding) > MAX_STORED_BUILDS {
        return Err(format!(
            "the store holds {stored} builds, and the control API fills it to at most \
             {MAX_STORED_BUILDS}: {adding} more would pass that (DELETE /_mock/builds empties it)"
        ));
    }
    Ok(())
}

/// `POST /_mock/builds`.
pub(super) fn add(state: &State, request: &Request) -> Answer {
    let unknown_statuses = match unknown_statuses_allowed(request) {
        Ok(allowed) => allowed,
        Err(answer) => return answer,
    };
    let builds = match read_new_builds(&request.body, unknown_statuses) {
        Ok(builds) => builds,
        Err((status, message)) => return Answer::error(status, message),
    };
    if let Err(message) = room_for(state.build_count(), builds.len()) {
        return Answer::error(409, message);
    }
    Answer::json(
        201,
        &BuildIds {
            build_ids: state.add_builds(builds),
        },
    )
}

/// `GET /_mock/builds`: every stored build, newest first.
pub(super) fn list(state: &State) -> Answer {
    Answer::json(200, &state.builds())
}

/// `GET /_mock/builds/{id}`.
pub(super) fn get(state: &State, id: &str) -> Answer {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(answer) => return answer,
    };
    match state.build(id) {
        Some(build) => Answer::json(200, &build),
        None => Answer::error(404, NoSuchBuild(id).to_string()),
    }
}

/// `PATCH /_mock/builds/{id}`.
pub(super) fn patch(state: &State, id: &str, request: &Request) -> Answer {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(answer) => return answer,
    };
    let unknown_statuses = match unknown_statuses_allowed(request) {
        Ok(allowed) => allowed,
        Err(answer) => return answer,
    };
    let change: StatusChange = match json_object(request) {
        Ok(change) => change,
        Err(answer) => return answer,
    };
    if let Err(message) = check_status(&change.status, unknown_statuses) {
        return Answer::error(400, message);
    }
    match state.set_status(id, change.status) {
        Ok(build) => Answer::json(200, &build),
        Err(e @ StatusChangeError::NoSuchBuild(_)) => Answer::error(404, e.to_string()),
        Err(e @ StatusChangeError::AlreadyFinished(..)) => Answer::error(409, e.to_string()),
        Err(e) => Answer::error(400, e.to_string()),
    }
}

/// `DELETE /_mock/builds`.
pub(super) fn clear(state: &State) -> Answer {
    state.clear_builds();
    Answer::empty()
}

fn parse_id(text: &str) -> Result<BuildId, Answer> {
    // An integer, as the document says: digits, or an integral number such as `7.0` (how a
    // JSON client may write one). One past int64 names no build the store can hold: 404.
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let zero = |part: &str| digits(part) && part.bytes().all(|b| b == b'0');
    if !digits(whole) || fraction.is_some_and(|f| !zero(f)) {
        return Err(Answer::error(
            400,
            format!("{} is not a build id (an integer)", crate::text::escaped(text)),
        ));
    }
    match whole.parse::<i64>() {
        Ok(id) => Ok(BuildId(id as u64)),
        Err(_) => Err(Answer::error(
            404,
            format!(
                "the mock has no build {}: ids are at most {}",
                crate::text::escaped(whole),
                i64::MAX
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_an_integer_and_one_past_int64_names_no_build() {
        assert_eq!(parse_id("42").ok(), Some(BuildId(42)));
        assert_eq!(parse_id("13707.0").ok(), Some(BuildId(13707)));
        assert_eq!(parse_id("007").ok(), Some(BuildId(7)));
        for bad in ["", "-1", "1.5", "1e3", "x", ".0", "1.", "١٢"] {
            assert_eq!(parse_id(bad).err().map(|a| a.status), Some(400), "{bad:?}");
        }
        let past = (i64::MAX as u64 + 1).to_string();
        assert_eq!(parse_id(&past).err().map(|a| a.status), Some(404));
        assert_eq!(parse_id(&"9".repeat(400)).err().map(|a| a.status), Some(404));
    }

    #[test]
    fn the_store_is_filled_to_its_bound_and_no_further() {
        assert_eq!(room_for(0, MAX_BUILDS_PER_REQUEST), Ok(()));
        assert_eq!(room_for(MAX_STORED_BUILDS - 10, 10), Ok(()));
        let refused = room_for(MAX_STORED_BUILDS - 10, 11).unwrap_err();
        assert!(refused.contains("at most 1000000: 11 more"), "{refused}");
        assert!(room_for(usize::MAX, 1).is_err());
    }
}
