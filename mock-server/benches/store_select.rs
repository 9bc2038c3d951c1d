//! What a query that answers 50 builds costs as the store grows from 10k to 1M builds, for
//! each kind of filter, as `GET /builds` answers it (`select_json`: the walk, and the 50
//! builds' JSON, kept after the first time): with lazy index walks it stays flat. A scan of
//! every build (the baseline) grows with the store.
//!
//! ```sh
//! cargo bench -p nixbuild-mock --bench store_select
//! ```
//!
//! Ends with `ratio […]` lines: each query's time at 1M builds over its time at 10k.

#[path = "support/ratio.rs"]
mod ratio;

use std::hint::black_box;

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion};
use nixbuild::{Build, BuildFilter, BuildStatus};
use nixbuild_mock::{BuildFixture, BuildStore, fixtures};

/// Builds answered by every query below, whatever the store's size.
const ANSWER: usize = 50;
const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

/// A store of `size` generated builds and 50 needles, with the needles' derivation path.
fn store_of(size: usize) -> (BuildStore, Vec<Build>, String) {
    let mut builds = fixtures::generate(size, 3);
    let at = Utc.with_ymd_and_hms(2024, 1, 15, 0, 0, 0).unwrap();
    let needles: Vec<Build> = (0..ANSWER)
        .map(|i| {
            BuildFixture::built("needle-1.0")
                .id(90_000_000 + i as u64)
                .created_at(at + TimeDelta::seconds(i as i64))
                .tag("bench", "needle")
                .build()
        })
        .collect();
    let drv = needles[0].derivation_path.clone();
    builds.extend(needles);
    let store = builds.iter().cloned().collect();
    (store, builds, drv)
}

/// Each kind of query, answering 50 builds at every size.
fn queries(drv: &str) -> Vec<(&'static str, BuildFilter)> {
    let at = Utc.with_ymd_and_hms(2024, 1, 15, 0, 0, 0).unwrap();
    vec![
        ("tag", BuildFilter::new().tag("bench", "needle")),
        ("derivation", BuildFilter::new().derivation_path(drv)),
        (
            "status",
            BuildFilter::new()
                .status(BuildStatus::Pending)
                .limit(ANSWER as u64),
        ),
        (
            "tag + status",
            BuildFilter::new()
                .tag("GITHUB_REPOSITORY", "acme/web")
                .status(BuildStatus::BuildFailed)
                .limit(ANSWER as u64),
        ),
        (
            "two statuses",
            BuildFilter::new()
                .status(BuildStatus::Timeout)
                .status(BuildStatus::Cancelled)
                .limit(ANSWER as u64),
        ),
        (
            "time window",
            BuildFilter::new()
                .created_before(at + TimeDelta::days(5))
                .limit(ANSWER as u64),
        ),
        (
            "time window + tag + status",
            BuildFilter::new()
                .created_from(at)
                .created_before(at + TimeDelta::days(5))
                .tag("GITHUB_REPOSITORY", "acme/infra")
                .status(BuildStatus::Built)
                .limit(ANSWER as u64),
        ),
    ]
}

fn select(c: &mut Criterion) {
    let group_name = "select 50 of n builds";
    let mut group = c.benchmark_group(group_name);
    let mut names = Vec::new();
    for size in SIZES {
        let (store, all, drv) = store_of(size);
        for (name, filter) in queries(&drv) {
            assert_eq!(store.select(&filter).len(), ANSWER, "{name} at {size}");
            group.bench_with_input(BenchmarkId::new(name, size), &filter, |b, f| {
                b.iter(|| black_box(store.select_json(f)).len())
            });
            if size == SIZES[0] {
                names.push(name);
            }
        }
        let by_tag = BuildFilter::new().tag("bench", "needle");
        group.bench_with_input(BenchmarkId::new("scan tag (baseline)", size), &by_tag, |b, f| {
            b.iter(|| black_box(all.iter().filter(|build| f.matches(build)).count()))
        });
    }
    group.finish();
    names.push("scan tag (baseline)");
    let pairs: Vec<(String, String)> = names
        .iter()
        .map(|name| (format!("{name}/{}", SIZES[2]), format!("{name}/{}", SIZES[0])))
        .collect();
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    ratio::report(group_name, &pairs);
}

fn main() {
    let mut criterion = ratio::criterion();
    select(&mut criterion);
    criterion.final_summary();
}
