//! A replaying mock's start against the size of its recording: 10k and 100k distinct
//! requests (a poller's window moved each time), and the 100k recording's parse alone (the
//! floor). A start linear in the requests takes about 10× as long for 10× of them; the scan
//! per request it replaced took 100×, and 20 s at 40,000.
//!
//! ```sh
//! cargo bench -p nixbuild-mock --bench replay_start [--profile dev]
//! ```
//!
//! Ends with `ratio […]` lines: 100k over 10k, and the 100k start over its parse.

#[path = "support/ratio.rs"]
mod ratio;
#[path = "support/runtime.rs"]
mod runtime;

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use nixbuild_mock::MockNixbuild;
use nixbuild_mock::recording::{Interaction, Recording};

fn recording(distinct: usize) -> Recording {
    let mut recording = Recording::new(false);
    recording.interactions = (0..distinct)
        .map(|i| {
            let query = format!(
                "create_time_to=2026-01-01T{:02}%3A{:02}%3A{:02}Z&limit=50",
                i / 3600 % 24,
                i / 60 % 60,
                i % 60
            );
            let query = format!("{query}&page={}", i / 86_400);
            Interaction::new("GET", "/builds", query, 200, BTreeMap::new(), b"[]")
        })
        .collect();
    recording
}

fn replay_start(c: &mut Criterion) {
    let rt = runtime::runtime();
    let small = recording(10_000);
    let large = recording(100_000);
    let large_text = large.to_json();
    let group_name = "start a replaying mock";
    let mut group = c.benchmark_group(group_name);
    group.sample_size(10);
    for (id, recording) in [
        ("10k distinct requests", &small),
        ("100k distinct requests", &large),
    ] {
        group.bench_function(id, |b| {
            b.iter_batched(
                || recording.clone(),
                |recording| rt.block_on(MockNixbuild::builder().replay(recording).start()),
                BatchSize::PerIteration,
            )
        });
    }
    group.bench_function("parse the 100k recording (floor)", |b| {
        b.iter(|| black_box(Recording::from_json(&large_text).unwrap().interactions.len()))
    });
    group.finish();
    ratio::report(
        group_name,
        &[
            ("100k distinct requests", "10k distinct requests"),
            ("100k distinct requests", "parse the 100k recording (floor)"),
        ],
    );
}

fn main() {
    let mut criterion = ratio::criterion();
    replay_start(&mut criterion);
    criterion.final_summary();
}
