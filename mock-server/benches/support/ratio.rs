//! Ratios between benchmarks of one run: criterion reports each benchmark's time; the claims
//! this project makes are ratios to a baseline measured beside it, which hold on a noisy
//! machine where absolute times drift.

use std::path::{Path, PathBuf};

use criterion::Criterion;

/// Where criterion writes its results: `<target>/criterion/<profile>`, found from this
/// binary's path (`<target>/<profile>/deps/<bench>`), so any `CARGO_TARGET_DIR` works and a
/// debug run never reads a release run's results.
pub fn output_directory() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench binary knows its path");
    let profile_dir = exe.ancestors().nth(2);
    match (
        profile_dir.and_then(Path::parent),
        profile_dir.and_then(Path::file_name),
    ) {
        (Some(target), Some(profile)) => target.join("criterion").join(profile),
        _ => PathBuf::from("target/criterion"),
    }
}

/// A criterion configured to write where [`ratio`] reads.
pub fn criterion() -> Criterion {
    Criterion::default()
        .output_directory(&output_directory())
        .configure_from_args()
}

/// The median time of `group/id` in the run that just ended, in nanoseconds.
fn median(dir: &Path, group: &str, id: &str) -> Option<f64> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// `numerator`'s median time over `denominator`'s in the run that just ended.
#[allow(dead_code)] // Not every bench that includes this module reads ratios itself.
pub fn of(group: &str, numerator: &str, denominator: &str) -> Option<f64> {
    let dir = output_directory();
    match (median(&dir, group, numerator), median(&dir, group, denominator)) {
        (Some(n), Some(d)) if d > 0.0 && n > 0.0 => Some(n / d),
        _ => None,
    }
}

/// The profile this bench was built in, as the `ratio` lines name it.
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// Prints `group: numerator / denominator = R× the time, 1/R× the throughput` for each pair,
/// from this run's medians.
pub fn report(group: &str, pairs: &[(&str, &str)]) {
    let dir = output_directory();
    let profile = profile();
    for (numerator, denominator) in pairs {
        match (median(&dir, group, numerator), median(&dir, group, denominator)) {
            (Some(n), Some(d)) if d > 0.0 && n > 0.0 => println!(
                "ratio [{profile}] {group}: {numerator} / {denominator} = {:.2}x the time, {:.2}x the throughput ({:.1} us / {:.1} us)",
                n / d,
                d / n,
                n / 1e3,
                d / 1e3
            ),
            _ => println!("ratio [{profile}] {group}: {numerator} / {denominator}: not measured in this run"),
        }
    }
}
