//! The SDK's decoding and requests against their baselines, in one run:
//!
//! - decoding 100k builds (about 65 MB): the SDK's `Build` against a bare
//!   `#[derive(Deserialize)]` mirror of it and against `serde_json::Value`, with the peak heap
//!   each decoding takes;
//! - `list().send()` of those 100k builds against bare reqwest + the bare derive, both from one
//!   local server answering the same bytes;
//! - one small request, SDK against bare reqwest, one at a time and 64 at once.
//!
//! ```sh
//! cargo bench -p nixbuild --bench decode                  # release
//! cargo bench -p nixbuild --bench decode --profile dev    # debug
//! ```
//!
//! Each group ends with `ratio […]` lines: time of the SDK over time of its baseline (1.05x is
//! 0.95x the throughput).

#[path = "../../mock-server/benches/support/heap.rs"]
mod heap;
#[path = "../../mock-server/benches/support/ratio.rs"]
mod ratio;
#[path = "../../mock-server/benches/support/runtime.rs"]
mod runtime;

use std::collections::BTreeMap;
use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::Criterion;
use futures::future::join_all;
use nixbuild::{Build, BuildId, Client};
use serde::Deserialize;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

/// The baseline: the same fields with serde's derive and chrono's own serde support.
#[derive(Deserialize)]
#[allow(dead_code)]
struct BareBuild {
    build_id: u64,
    create_time: DateTime<Utc>,
    start_time: Option<DateTime<Utc>>,
    queue_time_seconds: Option<f64>,
    duration_seconds: Option<f64>,
    status: String,
    status_message: Option<String>,
    cpu_count: u32,
    allocated_megabytes: u64,
    cpu_seconds: u64,
    peak_memory_use_kilobytes: Option<u64>,
    peak_storage_use_kilobytes: Option<u64>,
    derivation_path: String,
    #[serde(default)]
    outputs: Vec<BareOutput>,
    system: String,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    restart_of_build_id: Option<u64>,
    restarted_as_build_id: Option<u64>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BareOutput {
    name: String,
    path: String,
    nar_hash: String,
    nar_size_bytes: u64,
}

const BUILDS: usize = 100_000;

/// `n` builds made from the seed builds, each with its own id, time and tags.
fn builds_json(n: usize) -> Vec<u8> {
    let seed = nixbuild::examples::seed_builds();
    let start = seed[0].create_time;
    let builds: Vec<Build> = (0..n)
        .map(|i| {
            let mut build = seed[i % seed.len()].clone();
            build.build_id = BuildId(10_000_000 + i as u64);
            build.create_time = start - TimeDelta::seconds(i as i64);
            build.tags.insert("GITHUB_RUN_ID", (i / 10).to_string());
            build.tags.insert("GITHUB_REPOSITORY", "acme/web");
            build
        })
        .collect();
    serde_json::to_vec(&builds).expect("builds encode")
}

/// A local server answering `body` to every request.
async fn static_server(body: Vec<u8>) -> MockServer {
    let server = MockServer::builder().disable_request_recording().start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

fn sdk_client(server: &MockServer) -> Client {
    Client::builder()
        .token("bench")
        .base_url(server.uri())
        .build()
        .expect("a client")
}

async fn bare_list(http: &reqwest::Client, url: &str) -> Vec<BareBuild> {
    let body = http
        .get(url)
        .header("authorization", "Bearer bench")
        .send()
        .await
        .expect("an answer")
        .bytes()
        .await
        .expect("a body");
    serde_json::from_slice(&body).expect("builds")
}

fn decode(c: &mut Criterion) {
    let json = builds_json(BUILDS);
    let group_name = "decode 100k builds";
    let mut group = c.benchmark_group(group_name);
    group.sample_size(10);
    group.throughput(criterion::Throughput::Bytes(json.len() as u64));
    group.bench_function("sdk Build", |b| {
        b.iter(|| black_box(serde_json::from_slice::<Vec<Build>>(&json).expect("builds")).len())
    });
    group.bench_function("bare derive", |b| {
        b.iter(|| black_box(serde_json::from_slice::<Vec<BareBuild>>(&json).expect("builds")).len())
    });
    group.bench_function("serde_json Value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(&json).expect("JSON")).is_array())
    });
    group.finish();
    ratio::report(
        group_name,
        &[("sdk Build", "bare derive"), ("serde_json Value", "bare derive")],
    );
    // The peak heap decoding takes besides the body, over the body's size.
    let peak_of = |decode: &dyn Fn(&[u8])| {
        let before = heap::in_use();
        heap::reset_peak();
        decode(&json);
        (heap::peak() - before) as f64 / json.len() as f64
    };
    let sdk = peak_of(&|body| {
        drop(black_box(
            serde_json::from_slice::<Vec<Build>>(body).expect("builds"),
        ))
    });
    let bare = peak_of(&|body| {
        drop(black_box(
            serde_json::from_slice::<Vec<BareBuild>>(body).expect("builds"),
        ))
    });
    println!(
        "peak heap decoding besides the body, over the body: sdk Build {sdk:.2}x, bare derive {bare:.2}x"
    );
}

fn list_over_http(c: &mut Criterion) {
    let rt = runtime::runtime();
    let json = builds_json(BUILDS);
    let body_bytes = json.len();
    let server = rt.block_on(static_server(json));
    let client = sdk_client(&server);
    let http = nixbuild::http_client_builder()
        .expect("TLS")
        .build()
        .expect("a client");
    let url = format!("{}/builds", server.uri());

    let group_name = "list 100k builds over HTTP";
    let mut group = c.benchmark_group(group_name);
    group.sample_size(10);
    group.throughput(criterion::Throughput::Bytes(body_bytes as u64));
    group.bench_function("sdk list().send()", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(client.builds().list().send().await.expect("builds")).len() })
    });
    group.bench_function("bare reqwest + derive", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(bare_list(&http, &url).await).len() })
    });
    group.finish();
    ratio::report(group_name, &[("sdk list().send()", "bare reqwest + derive")]);
}

fn request_overhead(c: &mut Criterion) {
    let rt = runtime::runtime();
    let one_build = serde_json::to_vec(&nixbuild::examples::seed_builds()[..1]).expect("a build");
    let server = rt.block_on(static_server(one_build));
    let client = sdk_client(&server);
    let http = nixbuild::http_client_builder()
        .expect("TLS")
        .build()
        .expect("a client");
    let url = format!("{}/builds", server.uri());
    for concurrency in [1usize, 64] {
        let group_name = format!("one small request, {concurrency} at once");
        let mut group = c.benchmark_group(&group_name);
        group.throughput(criterion::Throughput::Elements(concurrency as u64));
        group.bench_function("sdk", |b| {
            b.to_async(&rt).iter(|| async {
                let answers = join_all((0..concurrency).map(|_| client.builds().list().send())).await;
                black_box(answers.into_iter().filter(Result::is_ok).count())
            })
        });
        group.bench_function("bare reqwest + derive", |b| {
            b.to_async(&rt).iter(|| async {
                let answers = join_all((0..concurrency).map(|_| bare_list(&http, &url))).await;
                black_box(answers.len())
            })
        });
        group.finish();
        ratio::report(&group_name, &[("sdk", "bare reqwest + derive")]);
    }
}

fn main() {
    let mut criterion = ratio::criterion();
    decode(&mut criterion);
    list_over_http(&mut criterion);
    request_overhead(&mut criterion);
    criterion.final_summary();
}
