//! [`Clock`]: the mock's idea of now. Real time until a test sets it; then frozen at the
//! instant it was set to, so that what a test asserts about times is exact.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Datelike, SubsecRound, TimeDelta, Utc};

use crate::sync::lock;

/// Real time, or an instant a test froze it at.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    frozen: Mutex<Option<DateTime<Utc>>>,
}

/// A clock moved outside the years RFC 3339 can write (0000 to 9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockOverflow;

impl std::fmt::Display for ClockOverflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the mock's clock stays within the years 0000 to 9999, which RFC 3339 can write")
    }
}

impl std::error::Error for ClockOverflow {}

impl Clock {
    /// Now, to the microsecond (the API's precision).
    pub(crate) fn now(&self) -> DateTime<Utc> {
        lock(&self.frozen).unwrap_or_else(|| Utc::now().trunc_subsecs(6))
    }

    /// Now, for what counts in [`SystemTime`] (token expiry): [`now`](Self::now), read
    /// without chrono when the clock runs (every request with auth on asks, and chrono's
    /// reading and conversion were 2,000 instructions of it in a debug build).
    pub(crate) fn system_now(&self) -> SystemTime {
        if let Some(frozen) = *lock(&self.frozen) {
            return frozen.into();
        }
        let since_epoch = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
        // To the microsecond, as `now` is.
        match since_epoch
            .ok()
            .and_then(|since| u64::try_from(since.as_micros()).ok())
        {
            Some(micros) => SystemTime::UNIX_EPOCH + Duration::from_micros(micros),
            None => self.now().into(),
        }
    }

    /// Whether a test has frozen the clock.
    pub(crate) fn is_frozen(&self) -> bool {
        lock(&self.frozen).is_some()
    }

    /// Freezes the clock at `now`, if it is within the years the clock keeps to.
    pub(crate) fn set(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, ClockOverflow> {
        let now = within_range(now)?;
        *lock(&self.frozen) = Some(now);
        Ok(now)
    }

    /// Moves the clock by `by` (backwards when negative) and freezes it there; returns the
    /// new now.
    pub(crate) fn advance(&self, by: TimeDelta) -> Result<DateTime<Utc>, ClockOverflow> {
        let mut frozen = lock(&self.frozen);
        let from = frozen.unwrap_or_else(|| Utc::now().trunc_subsecs(6));
        let to = from.checked_add_signed(by).ok_or(ClockOverflow)?;
        *frozen = Some(within_range(to)?);
        Ok(to)
    }

    /// Real time again.
    pub(crate) fn reset(&self) {
        *lock(&self.frozen) = None;
    }
}

/// The one range check of every instant the clock is set to, however it is given: the years
/// 0000 to 9999, which RFC 3339 (and so every listing and token the mock writes) can hold.
fn within_range(instant: DateTime<Utc>) -> Result<DateTime<Utc>, ClockOverflow> {
    if (0..=9999).contains(&instant.year()) {
        Ok(instant)
    } else {
        Err(ClockOverflow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_clock_reads_system_time_to_the_microsecond_as_now_does() {
        let clock = Clock::default();
        for _ in 0..1000 {
            let before = SystemTime::from(clock.now());
            let read = clock.system_now();
            let after = SystemTime::from(clock.now());
            assert!(before <= read && read <= after, "{before:?} {read:?} {after:?}");
            let since = read.duration_since(SystemTime::UNIX_EPOCH).unwrap();
            assert_eq!(since.subsec_nanos() % 1000, 0, "{since:?}");
        }
    }

    #[test]
    fn a_frozen_clock_stays_put_and_moves_only_when_told() {
        let clock = Clock::default();
        assert!(!clock.is_frozen());
        let start = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(clock.set(start), Ok(start));
        assert_eq!(clock.now(), start);
        assert_eq!(clock.system_now(), SystemTime::from(start));
        assert_eq!(
            clock.advance(TimeDelta::seconds(90)).unwrap(),
            start + TimeDelta::seconds(90)
        );
        assert_eq!(clock.advance(TimeDelta::MAX), Err(ClockOverflow));
        assert_eq!(
            clock.advance(TimeDelta::days(366 * 8000)),
            Err(ClockOverflow),
            "past 9999"
        );
        assert_eq!(
            clock.now(),
            start + TimeDelta::seconds(90),
            "an overflow leaves it"
        );
        for outside in [
            "+262142-12-31T23:59:59Z",
            "-0001-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
        ] {
            let instant: DateTime<Utc> = outside.parse().unwrap();
            assert_eq!(clock.set(instant), Err(ClockOverflow), "{outside}");
        }
        assert_eq!(
            clock.now(),
            start + TimeDelta::seconds(90),
            "a refused instant leaves it"
        );
        clock.reset();
        assert!(clock.now() < start);
    }
}
