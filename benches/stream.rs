//! `list().stream()` against the mock, by page size, against one `list().send()` of every
//! build (the baseline: one request, no paging), in one run; with the requests each stream
//! sent. This is what chose `DEFAULT_PAGE_SIZE`.
//!
//! ```sh
//! cargo bench -p nixbuild-rs --bench stream
//! ```

#[path = "../mock-server/benches/support/ratio.rs"]
mod ratio;
#[path = "../mock-server/benches/support/runtime.rs"]
mod runtime;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion};
use futures::TryStreamExt;
use nixbuild::Build;
use nixbuild_mock::{MockNixbuild, fixtures};

const BUILDS: usize = 20_000;
const PAGE_SIZES: [u32; 6] = [100, 200, 500, 1000, 2000, 5000];

fn stream(c: &mut Criterion) {
    let rt = runtime::runtime();
    let mock = rt.block_on(
        MockNixbuild::builder()
            .builds(fixtures::generate(BUILDS, 8))
            .start(),
    );
    let client = mock.client();
    let group_name = "every build of 20k";
    let mut group = c.benchmark_group(group_name);
    group.sample_size(20);
    group.throughput(criterion::Throughput::Elements(BUILDS as u64));
    group.bench_function("list().send() (baseline)", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(client.builds().list().send().await.expect("builds")).len() })
    });
    let mut requests = Vec::new();
    for page_size in PAGE_SIZES {
        mock.clear_requests();
        let all: Vec<Build> = rt
            .block_on(client.builds().list().page_size(page_size).stream().try_collect())
            .expect("builds");
        assert_eq!(all.len(), BUILDS);
        requests.push((page_size, mock.request_count("/builds")));
        group.bench_with_input(
            BenchmarkId::new("stream, page size", page_size),
            &page_size,
            |b, size| {
                b.to_async(&rt).iter(|| async {
                    let all: Vec<Build> = client
                        .builds()
                        .list()
                        .page_size(*size)
                        .stream()
                        .try_collect()
                        .await
                        .expect("builds");
                    black_box(all.len())
                })
            },
        );
    }
    group.finish();
    let ids: Vec<String> = PAGE_SIZES
        .iter()
        .map(|s| format!("stream, page size/{s}"))
        .collect();
    let pairs: Vec<(&str, &str)> = ids
        .iter()
        .map(|id| (id.as_str(), "list().send() (baseline)"))
        .collect();
    ratio::report(group_name, &pairs);
    for (page_size, sent) in requests {
        let pages = BUILDS.div_ceil(page_size as usize);
        println!(
            "requests [page size {page_size}]: {sent} for {pages} pages ({:.2} a page, {:.4} a build)",
            sent as f64 / pages as f64,
            sent as f64 / BUILDS as f64
        );
    }
}

fn main() {
    let mut criterion = ratio::criterion();
    stream(&mut criterion);
    criterion.final_summary();
}
