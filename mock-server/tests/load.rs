//! Load on the standalone binary with auth on: 10,000 requests, 256 at a time, every one
//! answered in full. The time is printed, never asserted:
//!
//! ```sh
//! cargo test -p nixbuild-mock --features cli --test load -- --nocapture
//! ```

mod common;

use std::time::Instant;

use common::standalone::Standalone;
use futures::StreamExt;

const REQUESTS: usize = 10_000;
const CONCURRENCY: usize = 256;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_at_concurrency_256_all_answered() {
    let mock = Standalone::start(&["--generate", "500", "--seed", "3"]);
    let http = nixbuild::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let url = format!("{}/builds?limit=50&status=built,build_failed", mock.url());
    let authorization = format!("Bearer {}", mock.token());
    let expected = http
        .get(&url)
        .header("authorization", &authorization)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Vec<nixbuild::Build>>(&expected)
            .unwrap()
            .len(),
        50
    );

    let started = Instant::now();
    let outcomes: Vec<Result<(), String>> = futures::stream::iter(0..REQUESTS)
        .map(|i| {
            let (http, url, authorization, expected) = (&http, &url, &authorization, &expected);
            async move {
                let response = http
                    .get(url)
                    .header("authorization", authorization)
                    .send()
                    .await
                    .map_err(|e| format!("request {i}: {e}"))?;
                let status = response.status();
                let body = response.bytes().await.map_err(|e| format!("request {i}: {e}"))?;
                if status != 200 || body != *expected {
                    return Err(format!("request {i}: HTTP {status}, {} bytes", body.len()));
                }
                Ok(())
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let elapsed = started.elapsed();

    let errors: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert_eq!(outcomes.len(), REQUESTS, "no answer lost");
    assert!(
        errors.is_empty(),
        "{} errors, the first: {:?}",
        errors.len(),
        errors.first()
    );
    eprintln!(
        "load: {REQUESTS} requests at concurrency {CONCURRENCY}, auth on, 50-build answers: {:.2} s, {:.0} requests/s ({} build)",
        elapsed.as_secs_f64(),
        REQUESTS as f64 / elapsed.as_secs_f64(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    );
    let (clean, log) = mock.terminate();
    assert!(clean);
    assert_eq!(
        log.lines().filter(|l| l.contains(" -> 200")).count(),
        REQUESTS + 1,
        "every request logged"
    );
}
