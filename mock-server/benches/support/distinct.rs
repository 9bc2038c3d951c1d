//! Queries never asked before: what a tool paging through history with a moving window
//! asks, and what no answer cache can serve.

use std::sync::atomic::{AtomicU64, Ordering};

static DISTINCT: AtomicU64 = AtomicU64::new(0);

/// `url` (which has a query already) with a `create_time_to` no call gave before: somewhere
/// in the month `fixtures::generate` spreads its builds over (from 2024-01-01), stepping a
/// prime number of seconds so that none repeats for millions of calls, and at least a day in,
/// so that 50 builds come before it.
pub fn distinct(url: &str) -> String {
    const SPAN_SECONDS: u64 = 28 * 24 * 3600;
    let n = DISTINCT.fetch_add(1, Ordering::Relaxed);
    let offset = (n.wrapping_mul(6151) % SPAN_SECONDS) as i64;
    let month = chrono::DateTime::from_timestamp(1_704_067_200, 0).unwrap_or_default();
    let to = month + chrono::TimeDelta::days(1) + chrono::TimeDelta::seconds(offset);
    format!("{url}&create_time_to={}", to.format("%Y-%m-%dT%H:%M:%SZ"))
}
