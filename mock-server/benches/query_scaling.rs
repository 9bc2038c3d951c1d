//! One query over HTTP as the store grows: `GET /builds?tags=GITHUB_REPOSITORY:acme/web&limit=50`
//! with a `create_time_to` never asked before (anywhere in the builds' month, so each answer is
//! another 50 builds), one request at a time, from a mock of 10,000 builds and from one of
//! 1,000,000, auth off, in the same run.
//!
//! At 10k a build's JSON is soon kept (every build fits in the budget); at 1M most answers
//! are builds never served before, written from their records: the ratio is what a first-time
//! answer costs over a copied one, plus what the larger indexes cost.
//!
//! ```sh
//! cargo bench -p nixbuild-mock --bench query_scaling
//! ```
//!
//! Ends with a `ratio […]` line: the 1M mock's time a query over the 10k mock's.

#[path = "support/distinct.rs"]
mod distinct;
#[path = "support/ratio.rs"]
mod ratio;
#[path = "support/runtime.rs"]
mod runtime;

use std::hint::black_box;

use criterion::Criterion;
use distinct::distinct;
use nixbuild_mock::{MockNixbuild, fixtures};

const QUERY: &str = "/builds?tags=GITHUB_REPOSITORY:acme/web&limit=50";

async fn ask(http: &reqwest::Client, url: &str) -> usize {
    let answer = http.get(distinct(url)).send().await.expect("an answer");
    assert!(answer.status().is_success());
    answer.bytes().await.expect("a body").len()
}

fn query_scaling(c: &mut Criterion) {
    let rt = runtime::runtime();
    let http = nixbuild::http_client_builder()
        .expect("TLS")
        .no_proxy()
        .build()
        .expect("a client");
    let group_name = "a first-time tag query over HTTP";
    let mut group = c.benchmark_group(group_name);
    for (name, size) in [("10k builds", 10_000), ("1M builds", 1_000_000)] {
        let builds = fixtures::generate(size, 4);
        let mock = rt.block_on(MockNixbuild::builder().without_auth().builds(builds).start());
        let url = format!("{}{QUERY}", mock.uri());
        let answered = rt.block_on(ask(&http, &url));
        assert!(answered > 10_000, "{name}: an answer of 50 builds");
        group.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(ask(&http, &url).await) })
        });
        drop(mock);
    }
    group.finish();
    ratio::report(group_name, &[("1M builds", "10k builds")]);
}

fn main() {
    let mut criterion = ratio::criterion();
    query_scaling(&mut criterion);
    criterion.final_summary();
}
