//! What a tag or derivation query costs as the store grows while its answer stays the same
//! size: with the indexes it should stay flat; a scan of every build (the baseline) grows
//! with the store.
//!
//! ```sh
//! cargo bench -p nixbuild-mock --bench store_select
//! ```

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nixbuild::{Build, BuildFilter};
use nixbuild_mock::{BuildFixture, BuildStore, fixtures};

/// Builds answered by every query below, whatever the store's size.
const ANSWER: usize = 50;

fn store_of(size: usize) -> (BuildStore, Vec<Build>, String) {
    let mut builds = fixtures::generate(size, 3);
    let at = Utc.with_ymd_and_hms(2024, 1, 15, 0, 0, 0).unwrap();
    let needles: Vec<Build> = (0..ANSWER)
        .map(|i| {
            BuildFixture::built("needle-1.0")
                .id(90_000_000 + i as u64)
                .created_at(at + chrono::TimeDelta::seconds(i as i64))
                .tag("bench", "needle")
                .build()
        })
        .collect();
    let drv = needles[0].derivation_path.clone();
    builds.extend(needles);
    let mut store = BuildStore::default();
    builds.iter().cloned().for_each(|b| store.insert(b));
    (store, builds, drv)
}

fn select(c: &mut Criterion) {
    let mut group = c.benchmark_group("select 50 of n builds");
    for size in [1_000, 10_000, 100_000] {
        let (store, all, drv) = store_of(size);
        let by_tag = BuildFilter::new().tag("bench", "needle");
        let by_drv = BuildFilter::new().derivation_path(drv);
        assert_eq!(store.select(&by_tag).len(), ANSWER);
        group.bench_with_input(BenchmarkId::new("indexed tag", size), &by_tag, |b, f| {
            b.iter(|| black_box(store.select(f)).len())
        });
        group.bench_with_input(BenchmarkId::new("indexed derivation", size), &by_drv, |b, f| {
            b.iter(|| black_box(store.select(f)).len())
        });
        group.bench_with_input(BenchmarkId::new("scan tag (baseline)", size), &by_tag, |b, f| {
            b.iter(|| black_box(all.iter().filter(|build| f.matches(build)).count()))
        });
    }
    group.finish();
}

criterion_group!(benches, select);
criterion_main!(benches);
