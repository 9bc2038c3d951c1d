//! The aggregates of `GET /builds/summary` and `GET /usage`, as NIXBUILD_API.md decides them.

use nixbuild::{Build, BuildsSummary, Usage};

/// Whether a build's CPU time is billed: it was not discarded (restarted) and did not fail
/// because of the service.
pub fn is_billable(build: &Build) -> bool {
    !build.is_discarded() && !build.status.is_service_failure()
}

/// The summary of `builds`.
///
/// build_count = all; successful = `built`; discarded = restarted; failed = finished, not
/// built, not discarded; running = `pending` or `running`; billable CPU = that of billable
/// builds; wall time = from the earliest start to the latest finish; output size = the sum of
/// the outputs' NAR sizes in KiB, rounded up.
pub fn summarize<'a>(builds: impl IntoIterator<Item = &'a Build>) -> BuildsSummary {
    let mut summary = BuildsSummary::default();
    let mut running = 0;
    let mut total_cpu: u64 = 0;
    let mut total_duration = 0.0;
    let mut output_bytes: u128 = 0;
    let mut earliest_start = None;
    let mut latest_finish = None;
    for build in builds {
        summary.build_count += 1;
        let discarded = build.is_discarded();
        if build.status.is_success() {
            summary.successful_build_count += 1;
        }
        if discarded {
            summary.discarded_build_count += 1;
        } else if build.status.is_finished() && !build.status.is_success() {
            summary.failed_build_count += 1;
        }
        if build.status.is_in_progress() {
            running += 1;
        }
        if is_billable(build) {
            summary.billable_cpu_seconds = summary.billable_cpu_seconds.saturating_add(build.cpu_seconds);
        }
        total_cpu = total_cpu.saturating_add(build.cpu_seconds);
        total_duration += build.duration_seconds.unwrap_or(0.0);
        output_bytes += build
            .outputs
            .iter()
            .map(|o| u128::from(o.nar_size_bytes))
            .sum::<u128>();
        if let Some(start) = build.start_time {
            earliest_start = Some(
                earliest_start.map_or(start, |earliest: chrono::DateTime<chrono::Utc>| {
                    earliest.min(start)
                }),
            );
        }
        // `None` sorts before any finish, so `max` keeps the latest one seen.
        latest_finish = latest_finish.max(build.finish_time());
    }
    summary.total_output_nar_size_kilobytes = u64::try_from(output_bytes.div_ceil(1024)).unwrap_or(u64::MAX);
    summary.running_build_count = Some(running);
    summary.total_cpu_seconds = Some(total_cpu);
    summary.total_duration_seconds = Some(total_duration);
    summary.wall_time_seconds = Some(match (earliest_start, latest_finish) {
        (Some(start), Some(finish)) if finish > start => (finish - start).as_seconds_f64(),
        _ => 0.0,
    });
    summary
}

/// The usage of `builds`: their billable CPU seconds and how many are billable.
pub fn usage<'a>(builds: impl IntoIterator<Item = &'a Build>) -> Usage {
    builds
        .into_iter()
        .filter(|b| is_billable(b))
        .fold(Usage::default(), |usage, build| {
            Usage::new(
                usage.billable_cpu_seconds.saturating_add(build.cpu_seconds),
                usage.billable_build_count + 1,
            )
        })
}
