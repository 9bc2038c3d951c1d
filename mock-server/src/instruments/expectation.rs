//! [`Expectation`]: how many requests a test expects an operation or path to receive,
//! checked when the mock is dropped (or on [`MockNixbuild::verify`](crate::MockNixbuild::verify)),
//! the way wiremock's `Mock::expect` is.

use std::fmt;
use std::ops::{Range, RangeFrom, RangeInclusive, RangeTo, RangeToInclusive};

use nixbuild::api::operation::{Operation, OperationId};

/// How many requests are expected: an exact count or a range.
///
/// Made from a `u64` (`2`) or a range of them (`1..=3`, `2..`, `..5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    min: u64,
    max: Option<u64>,
}

impl Times {
    /// What an empty range (`3..3`, `..0`) asks for: no count satisfies it, so it fails loudly.
    const NEVER: Times = Times { min: 1, max: Some(0) };

    fn contains(&self, n: u64) -> bool {
        n >= self.min && self.max.is_none_or(|max| n <= max)
    }
}

impl fmt::Display for Times {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) if max < self.min => write!(f, "an empty range of"),
            Some(max) if max == self.min => write!(f, "exactly {max}"),
            Some(max) if self.min == 0 => write!(f, "at most {max}"),
            Some(max) => write!(f, "between {} and {max}", self.min),
            None => write!(f, "at least {}", self.min),
        }
    }
}

impl From<u64> for Times {
    fn from(n: u64) -> Times {
        Times { min: n, max: Some(n) }
    }
}

impl From<RangeInclusive<u64>> for Times {
    fn from(range: RangeInclusive<u64>) -> Times {
        Times {
            min: *range.start(),
            max: Some(*range.end()),
        }
    }
}

impl From<Range<u64>> for Times {
    fn from(range: Range<u64>) -> Times {
        match range.end.checked_sub(1) {
            Some(max) if max >= range.start => Times {
                min: range.start,
                max: Some(max),
            },
            _ => Times::NEVER,
        }
    }
}

impl From<RangeFrom<u64>> for Times {
    fn from(range: RangeFrom<u64>) -> Times {
        Times {
            min: range.start,
            max: None,
        }
    }
}

impl From<RangeTo<u64>> for Times {
    fn from(range: RangeTo<u64>) -> Times {
        match range.end.checked_sub(1) {
            Some(max) => Times {
                min: 0,
                max: Some(max),
            },
            None => Times::NEVER,
        }
    }
}

impl From<RangeToInclusive<u64>> for Times {
    fn from(range: RangeToInclusive<u64>) -> Times {
        Times {
            min: 0,
            max: Some(range.end),
        }
    }
}

/// What requests an expectation counts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Operation(OperationId),
    /// A path without the mock's prefix.
    Path(String),
}

/// Requests a test expects the mock to receive, whatever it answered them: for an operation
/// of the SDK's table or a path, a count or a range (at least one by default).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), nixbuild::Error> {
/// use nixbuild::api::operation::OperationId;
/// use nixbuild_mock::{Expectation, MockNixbuild};
///
/// let mock = MockNixbuild::start().await;
/// mock.expect(Expectation::operation(OperationId::ListBuilds).times(1));
/// mock.expect(Expectation::path("/usage").times(0));
/// mock.client().builds().list().send().await?;
/// // Checked here, as the mock is dropped: a failing expectation panics, naming what was
/// // expected and what arrived.
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "an expectation does nothing until given to `MockNixbuild::expect`"]
pub struct Expectation {
    target: Target,
    times: Times,
    name: Option<String>,
    /// The query parameters a request must have, as `filter` writes them; an error for a
    /// filter no request can carry (the SDK refuses to write it), which nothing matches.
    filter: Option<Result<Vec<(String, String)>, String>>,
}

impl Expectation {
    /// Requests for `operation` (`GET /builds` for [`OperationId::ListBuilds`]).
    pub fn operation(operation: OperationId) -> Expectation {
        Expectation::new(Target::Operation(operation))
    }

    /// Requests to `path` (`/builds`, `/usage`, …; relative to the API's root, and one
    /// written with the mock's prefix is read without it), any method.
    pub fn path(path: impl Into<String>) -> Expectation {
        Expectation::new(Target::Path(path.into()))
    }

    /// The same expectation with its path, if it has one, made relative by `relative`.
    pub(crate) fn with_relative_path(mut self, relative: impl FnOnce(&str) -> &str) -> Expectation {
        if let Target::Path(path) = &self.target {
            self.target = Target::Path(relative(path).to_owned());
        }
        self
    }

    fn new(target: Target) -> Expectation {
        Expectation {
            target,
            times: Times { min: 1, max: None },
            name: None,
            filter: None,
        }
    }

    /// Only requests whose filter sets every parameter `filter` sets, to the same value
    /// (others may come with more: a stream's page `limit`, say).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), nixbuild::Error> {
    /// use nixbuild::BuildFilter;
    /// use nixbuild::api::operation::OperationId;
    /// use nixbuild_mock::{Expectation, MockNixbuild};
    ///
    /// let mock = MockNixbuild::start().await;
    /// let run_42 = BuildFilter::new().tag("GITHUB_RUN_ID", "42");
    /// mock.expect(Expectation::operation(OperationId::ListBuilds).filter(run_42).times(1));
    /// mock.client().builds().list().tag("GITHUB_RUN_ID", "42").limit(5).send().await?;
    /// mock.client().builds().list().tag("GITHUB_RUN_ID", "7").send().await?;
    /// mock.verify();
    /// # Ok(())
    /// # }
    /// ```
    pub fn filter(mut self, filter: nixbuild::BuildFilter) -> Self {
        self.filter = Some(
            filter
                .to_query_string()
                .map(|query| query_pairs(&query))
                .map_err(|e| e.to_string()),
        );
        self
    }

    /// How many requests: `2`, `1..=3`, `2..`, `..5`.
    pub fn times(mut self, times: impl Into<Times>) -> Self {
        self.times = times.into();
        self
    }

    /// A name to show when it fails.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Whether a request to `path` (without the prefix), routed to `operation` if any, with
    /// `query`, counts.
    pub(crate) fn counts(&self, path: &str, operation: Option<&Operation>, query: &str) -> bool {
        let target = match &self.target {
            Target::Operation(id) => operation.is_some_and(|op| op.id == *id),
            Target::Path(expected) => expected == path,
        };
        target
            && self.filter.as_ref().is_none_or(|expected| {
                let Ok(expected) = expected else {
                    return false;
                };
                // The request's filter as the mock reads it, written back the same way.
                let written = operation
                    .and_then(|op| nixbuild::BuildFilter::from_query_params(query, op.params).ok())
                    .and_then(|filter| filter.to_query_string().ok());
                written.is_some_and(|written| {
                    let sent = query_pairs(&written);
                    expected.iter().all(|pair| sent.contains(pair))
                })
            })
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            write!(f, "`{name}`: ")?;
        }
        write!(f, "{} request(s) ", self.times)?;
        match &self.target {
            Target::Operation(id) => {
                let op = id.operation();
                write!(f, "for {} ({} {})", op.name, op.method, op.path)
            }
            Target::Path(path) => write!(f, "to {path}"),
        }?;
        match &self.filter {
            Some(Ok(pairs)) if !pairs.is_empty() => {
                let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                write!(f, " with {}", query.join("&"))
            }
            Some(Err(why)) => write!(f, " with a filter no request can carry ({why})"),
            _ => Ok(()),
        }
    }
}

/// The parameters of a query string the SDK wrote, decoded.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// An expectation and the requests it has counted.
#[derive(Debug)]
pub(crate) struct Counted {
    pub(crate) expectation: Expectation,
    pub(crate) received: u64,
}

impl Counted {
    /// Whether what it received is what it expects.
    pub(crate) fn is_met(&self) -> bool {
        self.expectation.times.contains(self.received)
    }
}

/// The expectations of a mock that were not met, as [`MockNixbuild::verify`](crate::MockNixbuild::verify)
/// reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnmetExpectations {
    /// Each unmet expectation and how many requests it counted.
    pub unmet: Vec<(Expectation, u64)>,
    /// The most recent requests the mock received, one line each, oldest first.
    pub recent_requests: Vec<String>,
}

impl fmt::Display for UnmetExpectations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} expectation(s) of the nixbuild mock not met:",
            self.unmet.len()
        )?;
        for (expectation, received) in &self.unmet {
            writeln!(f, "  - expected {expectation}; received {received}")?;
        }
        if self.recent_requests.is_empty() {
            write!(f, "the mock received no requests (or its journal was cleared)")
        } else {
            writeln!(f, "the mock's most recent requests:")?;
            let lines: Vec<String> = self.recent_requests.iter().map(|l| format!("  {l}")).collect();
            write!(f, "{}", lines.join("\n"))
        }
    }
}

impl std::error::Error for UnmetExpectations {}

/// Which of `counted` are unmet.
pub(crate) fn unmet(counted: &[Counted]) -> Vec<(Expectation, u64)> {
    counted
        .iter()
        .filter(|c| !c.is_met())
        .map(|c| (c.expectation.clone(), c.received))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_no_request_can_carry_matches_nothing_and_says_so() {
        let unwritable =
            Expectation::operation(OperationId::ListBuilds).filter(nixbuild::BuildFilter::new().limit(0));
        let list = OperationId::ListBuilds.operation();
        assert!(!unwritable.counts("/builds", Some(list), ""));
        assert!(!unwritable.counts("/builds", Some(list), "limit=0"));
        assert!(
            unwritable.to_string().contains("no request can carry"),
            "{unwritable}"
        );
        let any = Expectation::operation(OperationId::ListBuilds).filter(nixbuild::BuildFilter::new());
        assert!(any.counts("/builds", Some(list), "limit=3"));
    }

    #[test]
    fn counts_and_ranges_read_as_written() {
        assert!(Times::from(2).contains(2) && !Times::from(2).contains(3));
        assert!(Times::from(1..=3).contains(3) && !Times::from(1..=3).contains(0));
        assert!(Times::from(1..3).contains(2) && !Times::from(1..3).contains(3));
        assert!(Times::from(2..).contains(u64::MAX) && !Times::from(2..).contains(1));
        assert!(Times::from(..2).contains(1) && !Times::from(..2).contains(2));
        assert!(Times::from(..=2).contains(2));
        assert!(!Times::from(3..3).contains(3) && !Times::from(0..0).contains(0));
        assert!(!Times::from(..0).contains(0));
        assert_eq!(Times::from(2).to_string(), "exactly 2");
        assert_eq!(Times::from(1..=3).to_string(), "between 1 and 3");
        assert_eq!(Times::from(2..).to_string(), "at least 2");
        assert_eq!(Times::from(..=4).to_string(), "at most 4");
    }
}
