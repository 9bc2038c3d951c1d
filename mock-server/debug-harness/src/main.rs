//! First-time `GET /builds?limit=50` from the mock against static wiremock serving the same
//! body, in a debug build with no profile lines, as the held-out harness measures:
//! 10,000 generated builds, 64 requests at once from a reqwest client in the same process,
//! each with a `create_time_to` never asked before, in alternating rounds (mock, static,
//! static, mock, …) so that a slow spell of a shared machine falls on both sides.
//!
//! Prints the share of static wiremock's throughput the mock reaches: the ratio of the two
//! sides' total times, and the median round's. `AUTH=0` switches auth off; `ROUNDS` (20) and
//! `SIDE_MS` (200) set the rounds' number and length.

#[path = "../../benches/support/burst.rs"]
mod burst;
#[path = "../../benches/support/distinct.rs"]
mod distinct;

use std::time::{Duration, Instant};

use burst::{CONCURRENCY, answer_body, burst};
use nixbuild_mock::{MockNixbuild, fixtures};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let auth = setting("AUTH", 1) != 0;
    let rounds = setting("ROUNDS", 20).max(1) as usize;
    let side = Duration::from_millis(setting("SIDE_MS", 200));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let http = nixbuild::http_client_builder()
        .expect("TLS")
        .build()
        .expect("a client");
    let (mock, stat, authorization) = runtime.block_on(async {
        let builder = MockNixbuild::builder().builds(fixtures::generate(10_000, 1));
        let mock = if auth { builder } else { builder.without_auth() }.start().await;
        let authorization = if auth {
            let token = mock.tokens().rights(["build:read"]).mint();
            format!("Bearer {}", token.expose_secret())
        } else {
            String::new()
        };
        let body = answer_body(&http, &format!("{}/builds?limit=50", mock.uri()), &authorization).await;
        let stat = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&stat)
            .await;
        (mock, stat, authorization)
    });
    let mock_url = format!("{}/builds?limit=50", mock.uri());
    let static_url = format!("{}/builds?limit=50", stat.uri());
    // Seconds a burst, over bursts for `side`.
    let side_of = |url: &str| {
        let start = Instant::now();
        let mut bursts = 0;
        while start.elapsed() < side {
            assert_eq!(
                runtime.block_on(burst(&http, url, &authorization, true)),
                CONCURRENCY,
                "{url}"
            );
            bursts += 1;
        }
        start.elapsed().as_secs_f64() / f64::from(bursts)
    };
    side_of(&mock_url);
    side_of(&static_url);
    let (mut mock_total, mut static_total, mut shares) = (0.0, 0.0, Vec::new());
    for round in 0..rounds {
        let (mock_time, static_time) = if round % 2 == 0 {
            let m = side_of(&mock_url);
            (m, side_of(&static_url))
        } else {
            let s = side_of(&static_url);
            (side_of(&mock_url), s)
        };
        mock_total += mock_time;
        static_total += static_time;
        shares.push(static_time / mock_time);
    }
    shares.sort_by(f64::total_cmp);
    println!(
        "auth {}: mock {:.0} µs a burst of {CONCURRENCY}, static wiremock {:.0} µs; the mock serves \
         {:.3}× static wiremock's throughput (median round {:.3}, {rounds} rounds)",
        if auth { "on" } else { "off" },
        mock_total / rounds as f64 * 1e6,
        static_total / rounds as f64 * 1e6,
        static_total / mock_total,
        shares[rounds / 2],
    );
}
