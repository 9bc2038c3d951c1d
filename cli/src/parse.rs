//! Values from the command line: tags, statuses, store paths, times and durations. Each
//! error says what was expected; clap prints it as a usage error (exit code 2).

use std::time::Duration;

use clap::builder::{PossibleValuesParser, TypedValueParser};
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

/// The statuses `--status` takes: those this release knows, listed in `--help`, offered by
/// completions, and suggested for a typo (`failed` → `build_failed`); the error also says
/// how to ask for a status newer than this release.
#[derive(Clone)]
pub struct KnownStatus(PossibleValuesParser);

pub fn known_status() -> KnownStatus {
    KnownStatus(PossibleValuesParser::new(
        BuildStatus::KNOWN.iter().map(|s| s.as_str().to_owned()),
    ))
}

impl TypedValueParser for KnownStatus {
    type Value = BuildStatus;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<BuildStatus, clap::Error> {
        use clap::error::{ContextKind, ContextValue};
        let mut error = match self.0.parse_ref(command, arg, value) {
            Ok(status) => return Ok(BuildStatus::from_wire(&status)),
            Err(error) => error,
        };
        // clap suggests a value spelled alike; a status that holds the word given (`failed`
        // in `build_failed`) is as likely meant.
        let given = value.to_string_lossy().to_lowercase();
        let holding = BuildStatus::KNOWN
            .iter()
            .map(BuildStatus::as_str)
            .filter(|known| given.len() >= 3 && known.contains(given.as_str()))
            .map(str::to_owned)
            .collect::<Vec<_>>();
        if error.get(ContextKind::SuggestedValue).is_none() && !holding.is_empty() {
            error.insert(ContextKind::SuggestedValue, ContextValue::Strings(holding));
        }
        error.insert(
            ContextKind::Suggested,
            ContextValue::StyledStrs(vec![
                "a status newer than this nixbuild is asked for with --other-status".into(),
            ]),
        );
        Err(error)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        self.0.possible_values()
    }
}

/// A status newer than this release (`--other-status`): a lower-case word the API may add.
/// One this release knows belongs to `--status`, which checks it.
pub fn other_status(text: &str) -> Result<BuildStatus, String> {
    let status = BuildStatus::from_wire(text);
    if status.is_known() {
        return Err(format!(
            "`{text}` is a status this nixbuild knows: give it with --status"
        ));
    }
    let word = |c: char| c.is_ascii_lowercase() || c == '_';
    if text.is_empty() || !text.chars().all(word) || text.len() > 64 {
        return Err(format!(
            "`{}` is not a status: statuses are lower-case words such as build_failed",
            shown(text)
        ));
    }
    Ok(status)
}

/// The characters of a Nix store path's hash: Nix's base 32 (no e, o, u or t).
const NIX_BASE32: &str = "0123456789abcdfghijklmnpqrsvwxyz";

/// A derivation's store path, `/nix/store/<32-character hash>-<name>.drv`: what the API's
/// `derivation_path` holds, so anything else (a name, a file, an output path) would match
/// no build and wait or search in vain.
pub fn derivation_path(text: &str) -> Result<String, String> {
    let hint = "a derivation's store path, /nix/store/<hash>-<name>.drv \
                (`nix path-info --derivation .#hello` or `nix eval --raw .#hello.drvPath` prints it)";
    let rest = text
        .strip_prefix("/nix/store/")
        .ok_or_else(|| format!("`{}` is not {hint}", shown(text)))?;
    let (hash, name) = rest.split_at_checked(32).unwrap_or((rest, ""));
    let name_char = |c: char| c.is_ascii_alphanumeric() || "+-._?=".contains(c);
    if hash.len() != 32 || !hash.chars().all(|c| NIX_BASE32.contains(c)) {
        return Err(format!(
            "`{}` has no 32-character Nix hash: it is not {hint}",
            shown(text)
        ));
    }
    let name = name.strip_prefix('-').unwrap_or("");
    if !name.ends_with(".drv") || name.len() <= 4 || !name.chars().all(name_char) {
        return Err(format!("`{}` is not {hint}", shown(text)));
    }
    Ok(text.to_owned())
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

/// `NAME=VALUE` of `--oidc-claim`: a claim's name (no `=`, not empty) and the value it must
/// have (any text, `=` included; not empty).
pub fn oidc_claim(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() && !value.is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!(
            "`{}` is not NAME=VALUE with both given (repository=acme/web)",
            shown(text)
        )),
    }
}

/// A time: a date (`2024-05-01`), an RFC 3339 date-time, or an age (`90m`, `7d`: that long
/// before now, rounded down to the minute, `TimeBound::ago`).
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
    Ok(TimeBound::ago(age))
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
    fn only_a_derivations_store_path_is_taken() {
        let good = "/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv";
        assert_eq!(derivation_path(good).unwrap(), good);
        for bad in [
            "hello",
            "hello.drv",
            "/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0",
            "/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5r-x.drv",
            "/nix/store/ekrh838n9rkc6xwjd9diimhssihfx5rx-x.drv",
            "/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-.drv",
            "/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-a/b.drv",
            "/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx",
            "/nix/store/é",
            "",
        ] {
            let error = derivation_path(bad).unwrap_err();
            assert!(error.contains("/nix/store/<hash>-<name>.drv"), "{bad}: {error}");
        }
    }

    #[test]
    fn tags_statuses_durations_and_times_read_as_documented() {
        assert_eq!(
            tag("GITHUB_RUN_ID=42").unwrap(),
            ("GITHUB_RUN_ID".into(), "42".into())
        );
        assert_eq!(tag("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert_eq!(tag("repo:o/r").unwrap(), ("repo".into(), "o/r".into()));
        assert!(tag("=x").is_err() && tag("novalue").is_err());
        assert!(!other_status("future_status").unwrap().is_known());
        assert!(other_status("build_failed").unwrap_err().contains("--status"));
        assert!(other_status("Built!").is_err() && other_status("").is_err());
        assert_eq!(duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(duration("15").unwrap(), Duration::from_secs(15));
        for bad in ["", "h", "1y", "-5m", "1.5h", "99999999999999999999d", "4000d"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
        assert!(matches!(time_bound("2024-05-01").unwrap(), TimeBound::Date(_)));
        // An age is from now, rounded down to the minute: the same query within a minute.
        let week_ago = time_bound("7d").unwrap().instant();
        let exact = chrono::Utc::now() - chrono::TimeDelta::days(7);
        assert!(week_ago <= exact && exact - week_ago < chrono::TimeDelta::minutes(1));
        assert_eq!(week_ago.timestamp() % 60, 0);
        assert_eq!(week_ago.timestamp_subsec_nanos(), 0);
        let error = time_bound("yesterday\u{1b}[2J").unwrap_err();
        assert!(!error.contains('\u{1b}'), "{error}");
    }
}
