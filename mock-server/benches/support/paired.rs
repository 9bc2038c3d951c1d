//! A ratio measured in alternation: a round runs the subject, then its baseline (the order
//! swapped every other round), and the ratio is the median of the rounds' ratios.
//!
//! Criterion measures its benchmarks one after another, each for seconds: on a shared
//! machine a slow spell of a few seconds falls on one side of a ratio alone (the same
//! build measured 0.62 and 0.85 of its baseline ten minutes apart). A spell falls on both
//! sides of a round alike, and the median drops the rounds it split.
//!
//! A bench that includes it includes `support/ratio.rs` as `ratio` too.

use std::time::{Duration, Instant};

/// The median of the rounds' ratios of `subject`'s time over `baseline`'s, and the first
/// and third quartiles, over `rounds` rounds.
pub fn ratio(rounds: usize, mut subject: impl FnMut(), mut baseline: impl FnMut()) -> Quartiles {
    let time = |run: &mut dyn FnMut()| {
        let start = Instant::now();
        run();
        start.elapsed()
    };
    ratio_of_timed(rounds, || time(&mut subject), || time(&mut baseline))
}

/// As [`ratio`], of runs that time themselves: each returns the time of its measured part
/// alone (its setup, such as a copy of its input, left out).
pub fn ratio_of_timed(
    rounds: usize,
    mut subject: impl FnMut() -> Duration,
    mut baseline: impl FnMut() -> Duration,
) -> Quartiles {
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|round| {
            let (s, b): (Duration, Duration) = if round % 2 == 0 {
                let s = subject();
                (s, baseline())
            } else {
                let b = baseline();
                (subject(), b)
            };
            s.as_secs_f64() / b.as_secs_f64().max(f64::MIN_POSITIVE)
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| {
        ratios
            .get(((ratios.len() - 1) as f64 * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    Quartiles {
        first: at(0.25),
        median: at(0.5),
        third: at(0.75),
    }
}

/// Quartiles of a subject's time over its baseline's.
pub struct Quartiles {
    pub first: f64,
    pub median: f64,
    pub third: f64,
}

impl Quartiles {
    /// `paired ratio [profile] what: …` with the median as time and as throughput, and the
    /// quartiles of the throughput ratio.
    pub fn print(&self, what: &str, rounds: usize) {
        let profile = crate::ratio::profile();
        println!(
            "paired ratio [{profile}] {what} = {:.2}x the time, {:.2}x the throughput (median of {rounds} alternating rounds; quartiles {:.2}-{:.2}x the throughput)",
            self.median,
            1.0 / self.median,
            1.0 / self.third,
            1.0 / self.first,
        );
    }
}
