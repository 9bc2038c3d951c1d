//! [`RetryPolicy`]: when and how long to wait before sending a request again.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How the client retries requests the server did not process.
///
/// Only idempotent requests are retried, and only after a connection could not be made or an
/// answer of 429, 502, 503 or 504 ([`Error::is_retryable`](crate::Error::is_retryable)).
/// Between attempts the client waits an exponentially growing, jittered backoff (each wait
/// drawn between half and all of `initial_backoff × 2ⁿ`, never more than `max_backoff`), or
/// what the server's `Retry-After` asks for. A `Retry-After` longer than `max_retry_after` is
/// not waited for: the error is returned at once, carrying the wait the server asked for.
///
/// ```
/// use std::time::Duration;
/// use nixbuild::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_attempts(6).max_backoff(Duration::from_secs(30));
/// let never = RetryPolicy::disabled();
/// # let _ = (patient, never);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a policy does nothing until given to `ClientBuilder::retry`"]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Up to 4 attempts, backoff from 200 ms up to 10 s, `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent once.
    pub fn disabled() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// How many times a request is sent at most, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry; it doubles for each later one.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` the client waits for before retrying.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The configured number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before attempt `attempt + 1` after attempt `attempt` (counted from 1)
    /// failed retryably, or `None` to give up. `retry_after` is what the server asked for.
    pub(crate) fn wait_before_retry(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(attempt)),
        }
    }

    /// The jittered exponential backoff after the `attempt`-th failure.
    fn backoff(&self, attempt: u32) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_backoff);
        // "Equal jitter": at least half the ceiling, so the backoff still grows, plus a random
        // share of the rest, so that many clients failing together do not retry together.
        (ceiling / 2).saturating_add(ceiling.mul_f64(fastrand::f64() / 2.0))
    }
}

/// Reads `Retry-After` as delay-seconds or an HTTP date; a date in the past means no wait.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        headers
    }

    #[test]
    fn backoff_grows_within_its_jitter_band_and_stops_at_the_cap() {
        let policy = RetryPolicy::default()
            .max_attempts(10)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(500));
        for _ in 0..200 {
            let first = policy.wait_before_retry(1, None).unwrap();
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&first));
            let third = policy.wait_before_retry(3, None).unwrap();
            assert!((Duration::from_millis(200)..=Duration::from_millis(400)).contains(&third));
            let ninth = policy.wait_before_retry(9, None).unwrap();
            assert!((Duration::from_millis(250)..=Duration::from_millis(500)).contains(&ninth));
        }
    }

    #[test]
    fn gives_up_after_the_last_attempt() {
        let policy = RetryPolicy::default().max_attempts(3);
        assert!(policy.wait_before_retry(2, None).is_some());
        assert_eq!(policy.wait_before_retry(3, None), None);
        assert_eq!(RetryPolicy::disabled().wait_before_retry(1, None), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_cap() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        assert_eq!(
            policy.wait_before_retry(1, Some(Duration::from_secs(5))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(policy.wait_before_retry(1, Some(Duration::from_secs(6))), None);
    }

    #[test]
    fn huge_attempt_numbers_do_not_overflow() {
        let policy = RetryPolicy::default().max_attempts(u32::MAX);
        assert!(policy.wait_before_retry(u32::MAX - 1, None).unwrap() <= Duration::from_secs(10));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(parse_retry_after(&headers("7")), Some(Duration::from_secs(7)));
        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        let wait = parse_retry_after(&headers(&in_a_minute)).unwrap();
        assert!(
            wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert_eq!(
            parse_retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(&headers("soon")), None);
        assert_eq!(parse_retry_after(&HeaderMap::new()), None);
    }
}
