//! [`BuildFilter`]: the query parameters of `GET /builds` and `GET /builds/summary`.
//!
//! One writer ([`BuildFilter::to_query_string`]) and one parser ([`BuildFilter::from_query`])
//! define the wire format; the client uses the first and the mock server the second, so the
//! two cannot disagree. The format, from NIXBUILD_API.md:
//!
//! | parameter | value |
//! |---|---|
//! | `derivation_path` | one `.drv` store path, matched exactly |
//! | `tags` | `NAME:VALUE,NAME:VALUE`: every pair must match; a pair splits at its first `:` |
//! | `status` | `built,build_failed`: any may match |
//! | `create_time_from` | a date (`2024-05-01`, meaning 00:00:00Z) or an RFC 3339 date-time; inclusive |
//! | `create_time_to` | the same; exclusive |
//! | `limit` | a positive integer |
//!
//! `/` and `:` are written raw in values, as the official client does, and the parser accepts
//! them raw or percent-encoded. A `+` in a query means a space, as in HTML forms, so the
//! writer percent-encodes a literal `+`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, DurationRound, NaiveDate, NaiveTime, TimeZone, Utc};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::models::{Build, BuildStatus, timestamp};
use crate::query_pairs::QueryPairs;

/// The query parameters a [`BuildFilter`] reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterParam {
    /// `derivation_path`
    DerivationPath,
    /// `tags`
    Tags,
    /// `status`
    Status,
    /// `create_time_from`
    CreateTimeFrom,
    /// `create_time_to`
    CreateTimeTo,
    /// `limit`
    Limit,
}

impl FilterParam {
    /// Every parameter, in the order the writer writes them.
    pub const ALL: [FilterParam; 6] = [
        FilterParam::DerivationPath,
        FilterParam::Tags,
        FilterParam::Status,
        FilterParam::CreateTimeFrom,
        FilterParam::CreateTimeTo,
        FilterParam::Limit,
    ];

    /// The parameter's name in a query string.
    pub const fn name(self) -> &'static str {
        match self {
            FilterParam::DerivationPath => "derivation_path",
            FilterParam::Tags => "tags",
            FilterParam::Status => "status",
            FilterParam::CreateTimeFrom => "create_time_from",
            FilterParam::CreateTimeTo => "create_time_to",
            FilterParam::Limit => "limit",
        }
    }

    /// What the parameter selects and how its value is written, for documentation (the
    /// OpenAPI document's parameter descriptions come from here).
    pub const fn description(self) -> &'static str {
        match self {
            FilterParam::DerivationPath => {
                "Only builds of this derivation: its full `.drv` store path, matched exactly."
            }
            FilterParam::Tags => {
                "Only builds carrying every one of these tags, written `NAME:VALUE` and separated by \
                 commas (`GITHUB_REPOSITORY:owner/repo,GITHUB_RUN_ID:42`). A pair splits at its \
                 first `:`, so a value may hold `:` and `/` (sent raw or percent-encoded); a name \
                 holds neither `:` nor `,`, and a value holds no `,`."
            }
            FilterParam::Status => {
                "Only builds in one of these statuses, separated by commas \
                 (`built,build_failed`). A status the service does not know is a 400."
            }
            FilterParam::CreateTimeFrom => {
                "Only builds created at or after this time (inclusive): a date (`2024-05-01`, \
                 meaning 00:00:00 UTC of that day) or an RFC 3339 date-time."
            }
            FilterParam::CreateTimeTo => {
                "Only builds created before this time (exclusive): a date (`2024-05-02`, meaning \
                 00:00:00 UTC of that day) or an RFC 3339 date-time."
            }
            FilterParam::Limit => {
                "At most this many builds, the newest first; a positive integer. Without it, every \
                 matching build is returned."
            }
        }
    }

    fn from_name(name: &str) -> Option<FilterParam> {
        // A match on the names rather than a search of `ALL` calling `name` on each: in a
        // debug build, where a test suite runs the mock (which reads every query's names
        // with this), each call and each comparison through it counts. A test holds it the
        // inverse of `name`.
        Some(match name {
            "derivation_path" => FilterParam::DerivationPath,
            "tags" => FilterParam::Tags,
            "status" => FilterParam::Status,
            "create_time_from" => FilterParam::CreateTimeFrom,
            "create_time_to" => FilterParam::CreateTimeTo,
            "limit" => FilterParam::Limit,
            _ => return None,
        })
    }
}

impl fmt::Display for FilterParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A filter value that cannot be written to, or was not read from, a query string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{parameter}` parameter: {message}")]
#[non_exhaustive]
pub struct FilterError {
    parameter: FilterParam,
    message: String,
}

impl FilterError {
    fn new(parameter: FilterParam, message: impl Into<String>) -> FilterError {
        FilterError {
            parameter,
            message: message.into(),
        }
    }

    /// The parameter at fault.
    pub fn parameter(&self) -> FilterParam {
        self.parameter
    }

    /// What is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A bound of the creation-time window: a whole day or an instant.
///
/// A date stands for 00:00:00 UTC of that day, both as the inclusive lower bound
/// (`create_time_from`) and the exclusive upper bound (`create_time_to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeBound {
    /// A calendar date, written `2024-05-01`.
    Date(NaiveDate),
    /// An instant, written as an RFC 3339 date-time in UTC.
    DateTime(DateTime<Utc>),
}

impl TimeBound {
    /// The instant `age` before now, rounded down to the minute: the same relative time
    /// (`7d`) asked twice within a minute is the same query, so that a recorded request
    /// replays (a timestamp to the microsecond never would) and a cache may answer it. An
    /// age past the calendar's start is its first instant.
    ///
    /// ```
    /// use chrono::Timelike;
    /// use nixbuild::TimeBound;
    ///
    /// let week_ago = TimeBound::ago(std::time::Duration::from_secs(7 * 24 * 3600)).instant();
    /// assert_eq!((week_ago.second(), week_ago.nanosecond()), (0, 0));
    /// ```
    pub fn ago(age: std::time::Duration) -> TimeBound {
        let now = Utc::now();
        let then = chrono::TimeDelta::from_std(age)
            .ok()
            .and_then(|age| now.checked_sub_signed(age))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let minute = then.duration_trunc(chrono::TimeDelta::minutes(1)).unwrap_or(then);
        TimeBound::DateTime(minute)
    }

    /// The instant the bound stands for.
    pub fn instant(&self) -> DateTime<Utc> {
        match self {
            TimeBound::Date(date) => date.and_time(NaiveTime::MIN).and_utc(),
            TimeBound::DateTime(t) => *t,
        }
    }
}

impl From<NaiveDate> for TimeBound {
    fn from(date: NaiveDate) -> TimeBound {
        TimeBound::Date(date)
    }
}

/// Any time zone: the instant is kept and written in UTC.
impl<Tz: TimeZone> From<DateTime<Tz>> for TimeBound {
    fn from(t: DateTime<Tz>) -> TimeBound {
        TimeBound::DateTime(t.with_timezone(&Utc))
    }
}

impl fmt::Display for TimeBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeBound::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            TimeBound::DateTime(t) => timestamp::write(t, f),
        }
    }
}

/// Reads `2024-05-01` or an RFC 3339 date-time (any offset, any number of fraction digits).
/// Text that is neither a date nor an RFC 3339 date-time, from [`TimeBound`]'s `FromStr`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{}` is neither a date (2024-05-01) nor an RFC 3339 date-time", crate::printable::escape_controls(.text))]
#[non_exhaustive]
pub struct InvalidTimeBound {
    /// The text, its first 80 characters.
    pub text: String,
}

impl FromStr for TimeBound {
    type Err = InvalidTimeBound;

    fn from_str(s: &str) -> Result<TimeBound, InvalidTimeBound> {
        if let Ok(t) = timestamp::parse(s) {
            return Ok(TimeBound::DateTime(t));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(TimeBound::Date)
            .map_err(|_| InvalidTimeBound {
                text: s.chars().take(80).collect(),
            })
    }
}

/// Which builds to select: the filters of `GET /builds` and `GET /builds/summary`.
///
/// Every field left empty selects everything; the fields together select the builds that
/// pass all of them.
///
/// ```
/// use nixbuild::{BuildFilter, BuildStatus};
///
/// let filter = BuildFilter::new()
///     .tag("GITHUB_REPOSITORY", "owner/repo")
///     .status(BuildStatus::BuildFailed)
///     .limit(10);
/// assert_eq!(
///     filter.to_query_string()?,
///     "tags=GITHUB_REPOSITORY:owner/repo&status=build_failed&limit=10"
/// );
/// assert_eq!(BuildFilter::from_query("tags=GITHUB_REPOSITORY:owner/repo&status=build_failed&limit=10")?, filter);
/// # Ok::<(), nixbuild::FilterError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "a filter does nothing until a request uses it"]
pub struct BuildFilter {
    /// Only builds of this derivation (exact store path).
    pub derivation_path: Option<String>,
    /// Only builds carrying every one of these `(name, value)` tags.
    pub tags: Vec<(String, String)>,
    /// Only builds in one of these statuses; empty for any.
    pub statuses: Vec<BuildStatus>,
    /// Only builds created at or after this bound.
    pub created_from: Option<TimeBound>,
    /// Only builds created before this bound.
    pub created_before: Option<TimeBound>,
    /// At most this many builds (the newest); must be positive.
    pub limit: Option<u64>,
}

/// The characters a value must not carry raw in a query: the separators `&`, `=`, `#`, `+`
/// (a space in form encoding), `%` itself, space, and what URLs never hold raw. `/`, `:` and
/// `,` stay raw: the service's official client sends them so.
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

impl BuildFilter {
    /// A filter that selects every build.
    pub fn new() -> BuildFilter {
        BuildFilter::default()
    }

    /// Only builds of this derivation (its `.drv` store path).
    pub fn derivation_path(mut self, path: impl Into<String>) -> Self {
        self.derivation_path = Some(path.into());
        self
    }

    /// Only builds tagged `name` = `value`; several tags must all match.
    pub fn tag(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((name.into(), value.into()));
        self
    }

    /// Also builds in this status; several statuses match any of them.
    pub fn status(mut self, status: BuildStatus) -> Self {
        self.statuses.push(status);
        self
    }

    /// Also builds in these statuses.
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = BuildStatus>) -> Self {
        self.statuses.extend(statuses);
        self
    }

    /// Only builds created at or after `bound` (a [`NaiveDate`] or a `DateTime<Utc>`).
    pub fn created_from(mut self, bound: impl Into<TimeBound>) -> Self {
        self.created_from = Some(bound.into());
        self
    }

    /// Only builds created before `bound` (exclusive).
    pub fn created_before(mut self, bound: impl Into<TimeBound>) -> Self {
        self.created_before = Some(bound.into());
        self
    }

    /// At most `limit` builds, the newest. Zero is refused when the filter is written.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Whether `build` passes every filter but `limit`.
    pub fn matches(&self, build: &Build) -> bool {
        self.derivation_path
            .as_ref()
            .is_none_or(|drv| *drv == build.derivation_path)
            && self
                .tags
                .iter()
                .all(|(name, value)| build.tag(name) == Some(value.as_str()))
            && (self.statuses.is_empty() || self.statuses.contains(&build.status))
            && self
                .created_from
                .is_none_or(|from| build.create_time >= from.instant())
            && self
                .created_before
                .is_none_or(|to| build.create_time < to.instant())
    }

    /// Checks that every value can be written and read back unchanged.
    pub fn validate(&self) -> Result<(), FilterError> {
        if self.derivation_path.as_deref() == Some("") {
            return Err(FilterError::new(FilterParam::DerivationPath, "must not be empty"));
        }
        for (name, value) in &self.tags {
            check_tag(name, value)?;
        }
        for status in &self.statuses {
            let s = status.as_str();
            if s.is_empty() || s.contains(',') {
                return Err(FilterError::new(
                    FilterParam::Status,
                    format!("`{s}` cannot be sent: a status must be non-empty and hold no `,`"),
                ));
            }
        }
        if self.limit == Some(0) {
            return Err(FilterError::new(
                FilterParam::Limit,
                "must be a positive integer, not 0",
            ));
        }
        Ok(())
    }

    /// The `(parameter, value)` pairs of this filter, unencoded, in a fixed order.
    pub fn to_pairs(&self) -> Result<Vec<(FilterParam, String)>, FilterError> {
        self.validate()?;
        let mut pairs = Vec::new();
        if let Some(drv) = &self.derivation_path {
            pairs.push((FilterParam::DerivationPath, drv.clone()));
        }
        if !self.tags.is_empty() {
            let tags = self
                .tags
                .iter()
                .map(|(n, v)| format!("{n}:{v}"))
                .collect::<Vec<_>>();
            pairs.push((FilterParam::Tags, tags.join(",")));
        }
        if !self.statuses.is_empty() {
            let statuses = self.statuses.iter().map(BuildStatus::as_str).collect::<Vec<_>>();
            pairs.push((FilterParam::Status, statuses.join(",")));
        }
        if let Some(from) = &self.created_from {
            pairs.push((FilterParam::CreateTimeFrom, from.to_string()));
        }
        if let Some(to) = &self.created_before {
            pairs.push((FilterParam::CreateTimeTo, to.to_string()));
        }
        if let Some(limit) = self.limit {
            pairs.push((FilterParam::Limit, limit.to_string()));
        }
        Ok(pairs)
    }

    /// The filter as a query string, without the leading `?`; empty for no filter.
    pub fn to_query_string(&self) -> Result<String, FilterError> {
        let pairs = self.to_pairs()?;
        let encoded = pairs
            .iter()
            .map(|(param, value)| format!("{param}={}", utf8_percent_encode(value, QUERY_VALUE)));
        Ok(encoded.collect::<Vec<_>>().join("&"))
    }

    /// Reads a query string (with or without the leading `?`).
    ///
    /// Values may be percent-encoded or carry `/` and `:` raw; `+` means a space. Unknown
    /// parameters are ignored. A malformed value, an unknown status, or a single-valued
    /// parameter given twice is an error naming the parameter.
    pub fn from_query(query: &str) -> Result<BuildFilter, FilterError> {
        Self::from_query_params(query, &FilterParam::ALL)
    }

    /// Reads only the parameters in `params`, as [`from_query`](Self::from_query) does,
    /// and ignores every other one as unknown (`GET /usage` reads only the time window).
    pub fn from_query_params(query: &str, params: &[FilterParam]) -> Result<BuildFilter, FilterError> {
        let mut filter = BuildFilter::new();
        // The parameters wanted and those read so far, a bit each (room for 32): a bit test
        // where a search of `params` for each name cost a debug build a few hundred
        // instructions (the mock reads every request's query with this).
        const _: () = assert!(FilterParam::ALL.len() <= 32);
        let mut wanted = 0u32;
        for param in params {
            wanted |= 1u32 << *param as u32;
        }
        let mut seen = 0u32;
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in QueryPairs::new(query) {
            let param = match decode(pair.name, pair.name_encoded) {
                Ok(name) => FilterParam::from_name(&name),
                Err(_) => None,
            };
            let Some(param) = param else {
                continue;
            };
            let bit = 1u32 << param as u32;
            if wanted & bit == 0 {
                continue;
            }
            let value = decode(pair.value, pair.value_encoded)
                .map_err(|_| FilterError::new(param, "is not valid percent-encoded UTF-8"))?;
            let repeatable = matches!(param, FilterParam::Tags | FilterParam::Status);
            if !repeatable && seen & bit != 0 {
                return Err(FilterError::new(param, "is given more than once"));
            }
            seen |= bit;
            filter.read_param(param, &value)?;
        }
        filter.validate()?;
        Ok(filter)
    }

    fn read_param(&mut self, param: FilterParam, value: &str) -> Result<(), FilterError> {
        let items = || value.split(',').filter(|item| !item.is_empty());
        match param {
            FilterParam::DerivationPath => self.derivation_path = Some(value.to_owned()),
            FilterParam::Tags => {
                for item in items() {
                    let (name, tag_value) = item
                        .split_once(':')
                        .ok_or_else(|| FilterError::new(param, format!("`{item}` is not NAME:VALUE")))?;
                    self.tags.push((name.to_owned(), tag_value.to_owned()));
                }
            }
            FilterParam::Status => {
                for item in items() {
                    match BuildStatus::from_wire(item) {
                        BuildStatus::Unknown(s) => {
                            let known = BuildStatus::KNOWN.map(|k| k.to_string()).join(", ");
                            return Err(FilterError::new(
                                param,
                                format!("`{s}` is not a build status (one of {known})"),
                            ));
                        }
                        status => self.statuses.push(status),
                    }
                }
            }
            FilterParam::CreateTimeFrom => self.created_from = Some(read_time(param, value)?),
            FilterParam::CreateTimeTo => self.created_before = Some(read_time(param, value)?),
            FilterParam::Limit => {
                let limit = match read_count(value) {
                    Some(Some(0)) => Err("`0` is not a positive integer".to_owned()),
                    Some(Some(n)) => Ok(n),
                    // All digits, yet no u64: past what the service can count to.
                    Some(None) => Err(format!("`{value}` is larger than {}", u64::MAX)),
                    None => Err(format!("`{value}` is not a positive integer")),
                }
                .map_err(|message| FilterError::new(param, message))?;
                self.limit = Some(limit);
            }
        }
        Ok(())
    }
}

/// `text` as a count: `None` unless it is one or more ASCII digits (Rust's parser would also
/// take a leading `+`), `Some(None)` when the digits are past `u64::MAX`. A plain loop: the
/// mock reads a limit with nearly every query, in a debug build.
fn read_count(text: &str) -> Option<Option<u64>> {
    let digits = text.as_bytes();
    if digits.is_empty() {
        return None;
    }
    let mut count = Some(0u64);
    let mut at = 0;
    while at < digits.len() {
        let digit = digits[at];
        if !digit.is_ascii_digit() {
            return None;
        }
        count = count
            .and_then(|n| n.checked_mul(10))
            .and_then(|n| n.checked_add(u64::from(digit - b'0')));
        at += 1;
    }
    Some(count)
}

fn check_tag(name: &str, value: &str) -> Result<(), FilterError> {
    let problem = if name.is_empty() {
        Some("a tag name must not be empty")
    } else if name.contains(':') || name.contains(',') {
        Some("a tag name cannot hold `:` or `,`")
    } else if value.contains(',') {
        Some("a tag value cannot hold `,` (the API separates tags with it)")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(FilterError::new(
            FilterParam::Tags,
            format!("{problem}: `{name}:{value}`"),
        )),
        None => Ok(()),
    }
}

fn read_time(param: FilterParam, value: &str) -> Result<TimeBound, FilterError> {
    // A `+02:00` offset sent without percent-encoding arrives as a space: read it back.
    value
        .parse::<TimeBound>()
        .or_else(|e| value.replace(' ', "+").parse().map_err(|_| e))
        .map_err(|e: InvalidTimeBound| FilterError::new(param, e.to_string()))
}

/// `raw` percent-decoded, `+` a space; itself when it holds neither (`encoded` says whether
/// it does, as [`QueryPairs`] found while cutting the query).
fn decode(raw: &str, encoded: bool) -> Result<Cow<'_, str>, std::str::Utf8Error> {
    if !encoded {
        return Ok(Cow::Borrowed(raw));
    }
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| Cow::Owned(s.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_is_found_by_its_name_and_by_nothing_else() {
        for param in FilterParam::ALL {
            assert_eq!(FilterParam::from_name(param.name()), Some(param));
            assert_eq!(FilterParam::from_name(&param.name().to_uppercase()), None);
        }
        for other in ["", "limits", "tag", "create_time", "derivation_path "] {
            assert_eq!(FilterParam::from_name(other), None, "{other:?}");
        }
    }
}
