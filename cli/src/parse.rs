//! Values from the command line: tags, statuses, times and durations. Each error says what
//! was expected; clap prints it as a usage error (exit code 2).

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use nixbuild::{BuildStatus, TimeBound};

/// The longest duration taken: ten years, past any wait or token a person means.
const MAX_SECONDS: u64 = 10 * 366 * 24 * 3600;

/// `NAME=VALUE` (the value may hold `=`; the API's own `NAME:VALUE` is taken too).
pub fn tag(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .or_else(|| text.split_once(':'))
        .ok_or_else(|| format!("`{}` is not NAME=VALUE", shown(text)))?;
    if name.is_empty() {
        return Err(format!("`{}` has no tag name before `=`", shown(text)));
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// A build status: one the API documents, or any other lower-case word it may add.
pub fn status(text: &str) -> Result<BuildStatus, String> {
    let status = BuildStatus::from_wire(text);
    let word = |c: char| c.is_ascii_lowercase() || c == '_';
    if status.is_known() || (!text.is_empty() && text.chars().all(word)) {
        return Ok(status);
    }
    let known: Vec<&str> = BuildStatus::KNOWN.iter().map(BuildStatus::as_str).collect();
    Err(format!(
        "`{}` is not a build status ({})",
        shown(text),
        known.join(", ")
    ))
}

/// A duration: `90s`, `30m`, `2h`, `7d`, or a number of seconds.
pub fn duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{}` is not a duration such as 90s, 30m, 2h or 7d", shown(text));
    let text = text.trim();
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let count: u64 = digits.parse().map_err(|_| bad())?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 24 * 3600,
        _ => return Err(bad()),
    };
    count
        .checked_mul(scale)
        .filter(|seconds| *seconds <= MAX_SECONDS)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("`{}` is longer than ten years", shown(text)))
}

/// A time: a date (`2024-05-01`), an RFC 3339 date-time, or an age (`90m`, `7d`: that long
/// before now).
pub fn time_bound(text: &str) -> Result<TimeBound, String> {
    if let Ok(bound) = text.parse::<TimeBound>() {
        return Ok(bound);
    }
    let age = duration(text).map_err(|_| {
        format!(
            "`{}` is neither a date (2024-05-01), an RFC 3339 time, nor an age (90m, 7d)",
            shown(text)
        )
    })?;
    let age = TimeDelta::from_std(age).map_err(|e| e.to_string())?;
    Ok(TimeBound::DateTime(Utc::now() - age))
}

/// `text` as an error may show it: its first 80 characters, control characters escaped.
fn shown(text: &str) -> String {
    text.chars()
        .take(80)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_statuses_durations_and_times_read_as_documented() {
        assert_eq!(
            tag("GITHUB_RUN_ID=42").unwrap(),
            ("GITHUB_RUN_ID".into(), "42".into())
        );
        assert_eq!(tag("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert_eq!(tag("repo:o/r").unwrap(), ("repo".into(), "o/r".into()));
        assert!(tag("=x").is_err() && tag("novalue").is_err());
        assert_eq!(status("build_failed").unwrap(), BuildStatus::BuildFailed);
        assert!(!status("future_status").unwrap().is_known());
        assert!(status("Built!").is_err() && status("").is_err());
        assert_eq!(duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(duration("15").unwrap(), Duration::from_secs(15));
        for bad in ["", "h", "1y", "-5m", "1.5h", "99999999999999999999d", "4000d"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
        assert!(matches!(time_bound("2024-05-01").unwrap(), TimeBound::Date(_)));
        assert!(matches!(time_bound("7d").unwrap(), TimeBound::DateTime(t) if t < Utc::now()));
        let error = time_bound("yesterday\u{1b}[2J").unwrap_err();
        assert!(!error.contains('\u{1b}'), "{error}");
    }
}
