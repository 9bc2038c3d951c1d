//! Figures as a person reads them on a terminal: one style for every place that shows
//! them ([`text`](super::text), and the `nixbuild` command's tables, waits and usage). The
//! Markdown summary keeps the official Action's own style instead, byte for byte.

use super::numbers::to_precision;
use crate::models::BuildStatus;

/// A duration, compact for a table column: `12s`, `3m07s`, `1h02m` (rounded to the second;
/// nothing measurable is `0s`).
///
/// ```
/// use nixbuild::report::human;
///
/// assert_eq!(human::duration(23.7), "24s");
/// assert_eq!(human::duration(460.0), "7m40s");
/// assert_eq!(human::duration(3720.0), "1h02m");
/// ```
pub fn duration(seconds: f64) -> String {
    let total = if seconds.is_finite() {
        seconds.max(0.0).round() as u64
    } else {
        0
    };
    match (total / 3600, total % 3600 / 60, total % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// A count and its noun, singular for one: `1 build`, `3 builds`, `0 requests` (the noun
/// takes an `s`; every noun these tools count does).
///
/// ```
/// use nixbuild::report::human;
///
/// assert_eq!(human::count(1, "build"), "1 build");
/// assert_eq!(human::count(0, "request"), "0 requests");
/// ```
pub fn count(n: u64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// CPU time as it is billed, in CPU hours with three significant digits: `0.537 CPU hours`.
///
/// ```
/// assert_eq!(nixbuild::report::human::cpu_hours(1933), "0.537 CPU hours");
/// assert_eq!(nixbuild::report::human::cpu_hours(115), "0.0319 CPU hours");
/// ```
pub fn cpu_hours(cpu_seconds: u64) -> String {
    format!("{} CPU hours", to_precision(cpu_seconds as f64 / 3600.0, 3))
}

/// `text`, in the ANSI colour of `status`: green for success, yellow while in progress, red
/// for a failure; a status this crate does not know stays uncoloured.
pub fn paint(status: &BuildStatus, text: &str) -> String {
    let code = if status.is_success() {
        "32"
    } else if status.is_in_progress() {
        "33"
    } else if status.is_known() {
        "31"
    } else {
        return text.to_owned();
    };
    format!("\u{1b}[{code}m{text}\u{1b}[0m")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_hours_and_colours_read_at_a_glance() {
        assert_eq!(duration(12.4), "12s");
        assert_eq!(duration(187.0), "3m07s");
        assert_eq!(duration(f64::NAN), "0s");
        assert_eq!(duration(-3.0), "0s");
        assert_eq!(duration(f64::INFINITY), "0s");
        assert_eq!(cpu_hours(0), "0.00 CPU hours");
        assert_eq!(paint(&BuildStatus::Built, "built"), "\u{1b}[32mbuilt\u{1b}[0m");
        assert_eq!(paint(&BuildStatus::Running, "x"), "\u{1b}[33mx\u{1b}[0m");
        assert_eq!(paint(&BuildStatus::BuildFailed, "x"), "\u{1b}[31mx\u{1b}[0m");
        assert_eq!(paint(&BuildStatus::from_wire("new"), "new"), "new");
    }
}
