//! What the mock costs to serve against a static server answering the same bytes, in one
//! run: `GET /builds?limit=50` (50 of 10,000 builds, about 35 KB) from the mock with auth on
//! and off, and from a wiremock server with one static mock (as tests start it, recording
//! requests, and with recording off), 64 requests at once from one client in the same
//! process.
//!
//! Each mock is asked twice over: the same query again (what a test that polls does), and a
//! query never asked before on every request: a distinct `create_time_to` anywhere in the
//! builds' month, so that each answer is another 50 builds, as a tool paging through history
//! asks. No answer cache can serve those.
//!
//! ```sh
//! cargo bench -p nixbuild-mock --bench serving                  # release
//! cargo bench -p nixbuild-mock --bench serving --profile dev    # debug, where users' tests run
//! ```
//!
//! The group ends with `ratio […]` lines: time per 64 requests over the static server's, and
//! its inverse, the share of the static server's requests per second; then `paired ratio
//! […]` lines for the first-time queries, each mock and the static server measured in
//! alternating rounds, which a noisy machine moves far less (the figures the docs give).

#[path = "support/burst.rs"]
mod burst;
#[path = "support/distinct.rs"]
mod distinct;
#[path = "support/paired.rs"]
mod paired;
#[path = "support/ratio.rs"]
mod ratio;
#[path = "support/runtime.rs"]
mod runtime;

use std::hint::black_box;

use burst::{CONCURRENCY, answer_body, burst};
use criterion::Criterion;
use distinct::distinct;
use nixbuild_mock::{MockNixbuild, fixtures};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const QUERY: &str = "/builds?limit=50";

fn serving(c: &mut Criterion) {
    let rt = runtime::runtime();
    let builds = fixtures::generate(10_000, 1);
    let (with_auth, without_auth, stat, token, body) = rt.block_on(async {
        let with_auth = MockNixbuild::builder().builds(builds.clone()).start().await;
        let without_auth = MockNixbuild::builder()
            .without_auth()
            .builds(builds)
            .start()
            .await;
        let token = with_auth
            .tokens()
            .rights(["build:read"])
            .expires_in(std::time::Duration::from_secs(3600))
            .mint();
        let client = nixbuild::http_client_builder()
            .expect("TLS")
            .build()
            .expect("a client");
        let body = answer_body(&client, &format!("{}{QUERY}", without_auth.uri()), "").await;
        // wiremock as a test starts it (recording requests), and with recording off as the
        // mock runs it: the mock keeps a journal of its own.
        let stat = MockServer::start().await;
        let quiet = MockServer::builder().disable_request_recording().start().await;
        for server in [&stat, &quiet] {
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
                .mount(server)
                .await;
        }
        (with_auth, without_auth, (stat, quiet), token, body)
    });
    let builds_in_answer = serde_json::from_slice::<Vec<serde_json::Value>>(&body)
        .map(|b| b.len())
        .unwrap_or(0);
    assert_eq!(builds_in_answer, 50, "the query answers 50 builds");
    let http = nixbuild::http_client_builder()
        .expect("TLS")
        .build()
        .expect("a client");
    let bearer = format!("Bearer {}", token.expose_secret());
    let servers = [
        ("mock, auth on", format!("{}{QUERY}", with_auth.uri()), false),
        ("mock, auth off", format!("{}{QUERY}", without_auth.uri()), false),
        (
            "mock, auth on, distinct queries",
            format!("{}{QUERY}", with_auth.uri()),
            true,
        ),
        (
            "mock, auth off, distinct queries",
            format!("{}{QUERY}", without_auth.uri()),
            true,
        ),
        (
            "static wiremock (baseline)",
            format!("{}{QUERY}", stat.0.uri()),
            false,
        ),
        (
            "static wiremock, no recording",
            format!("{}{QUERY}", stat.1.uri()),
            false,
        ),
        // The same distinct URLs, made the same way: the client's share of the work is the
        // same on both sides of the ratio.
        (
            "static wiremock, distinct queries (baseline)",
            format!("{}{QUERY}", stat.0.uri()),
            true,
        ),
    ];
    let group_name = "serve 64 requests of 50 builds";
    let mut group = c.benchmark_group(group_name);
    group.throughput(criterion::Throughput::Elements(CONCURRENCY as u64));
    for (name, url, fresh) in &servers {
        // Warm: the first answer encodes the builds' JSON and verifies the token.
        assert_eq!(
            rt.block_on(burst(&http, url, &bearer, *fresh)),
            CONCURRENCY,
            "{name}"
        );
        if *fresh {
            let answered = rt.block_on(async {
                http.get(distinct(url))
                    .header("authorization", &bearer)
                    .send()
                    .await?
                    .bytes()
                    .await
            });
            let answered = answered.expect("an answer");
            let builds = serde_json::from_slice::<Vec<serde_json::Value>>(&answered).map(|b| b.len());
            assert_eq!(builds.ok(), Some(50), "a distinct query, another 50 builds");
        }
        group.bench_function(*name, |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(burst(&http, url, &bearer, *fresh).await) })
        });
    }
    group.finish();
    ratio::report(
        group_name,
        &[
            ("mock, auth off", "static wiremock (baseline)"),
            ("mock, auth on", "static wiremock (baseline)"),
            (
                "mock, auth off, distinct queries",
                "static wiremock, distinct queries (baseline)",
            ),
            (
                "mock, auth on, distinct queries",
                "static wiremock, distinct queries (baseline)",
            ),
            ("mock, auth off", "static wiremock, no recording"),
            ("mock, auth on", "mock, auth off"),
        ],
    );
    // The first-time queries again, each mock and the static server in alternation (see
    // support/paired.rs): the figure the docs give.
    let baseline = format!("{}{QUERY}", stat.0.uri());
    // Rounds of about a tenth of a second a side: long enough to hold many requests, short
    // enough that a slow spell spans both sides.
    let one_burst = {
        let start = std::time::Instant::now();
        rt.block_on(burst(&http, &baseline, &bearer, true));
        start.elapsed()
    };
    let bursts_per_round =
        (ROUND_SIDE.as_secs_f64() / one_burst.as_secs_f64().max(1e-6)).clamp(1.0, 100.0) as usize;
    for (name, mock) in [("mock, auth off", &without_auth), ("mock, auth on", &with_auth)] {
        let url = format!("{}{QUERY}", mock.uri());
        let bursts = |url: &str| {
            for _ in 0..bursts_per_round {
                black_box(rt.block_on(burst(&http, url, &bearer, true)));
            }
        };
        paired::ratio(ROUNDS, || bursts(&url), || bursts(&baseline)).print(
            &format!("{group_name}: {name}, distinct queries / static wiremock, distinct queries (baseline)"),
            ROUNDS,
        );
    }
    drop((with_auth, without_auth, stat));
}

/// Alternating rounds of the paired ratio, and about how long each side of a round runs.
const ROUNDS: usize = 41;
const ROUND_SIDE: std::time::Duration = std::time::Duration::from_millis(100);

fn main() {
    let mut criterion = ratio::criterion();
    serving(&mut criterion);
    criterion.final_summary();
}
