//! What a dashboard left open costs the API: bursts of `GET /builds?…&limit=50` (64 at once)
//! through the standalone front, with no dashboard, and with one connected that does what the
//! page does (holds the event stream open and, at each event, reads the overview and the
//! list of journal entries it has not seen, the newest 500 at most), in one run.
//!
//! ```sh
//! cargo bench -p nixbuild-mock --features cli --bench dashboard
//! ```
//!
//! Without and with, in [`ROUNDS`] rounds (ABAB…), each phase on a fresh mock: a shared
//! machine drifts within a run by more than the cost sought (baselines of one run have
//! differed by a fifth), so one pair proves nothing and the median of the rounds' ratios is
//! the figure. The group ends with `ratio […]` lines: time per burst with the dashboard over
//! without, for each round, then their median and range, and the last baseline over the
//! first (how far the machine drifted within the run).

#[path = "support/ratio.rs"]
mod ratio;
#[path = "support/runtime.rs"]
mod runtime;

use std::hint::black_box;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use criterion::Criterion;
use futures::future::join_all;
use nixbuild_mock::front::Front;
use nixbuild_mock::{MockNixbuild, fixtures};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const QUERY: &str = "/builds?tags=GITHUB_REPOSITORY:acme/web&limit=50";
const CONCURRENCY: usize = 64;
/// How many times the pair (without, with) is measured.
const ROUNDS: usize = 4;

async fn burst(http: &reqwest::Client, url: &str) -> usize {
    let answers = join_all((0..CONCURRENCY).map(|_| async {
        let response = http.get(url).send().await.ok()?;
        let ok = response.status().is_success();
        response.bytes().await.ok().filter(|_| ok)
    }))
    .await;
    answers.into_iter().flatten().count()
}

/// A page left open on the dashboard of the front at `host`: the event stream, and at each
/// event the overview and the journal's new entries, until `stop`. Returns how many events
/// it followed.
async fn dashboard(host: String, cookie: String, stop: Arc<AtomicBool>, followed: Arc<AtomicU64>) {
    let http = nixbuild::http_client_builder()
        .expect("TLS")
        .no_proxy()
        .build()
        .expect("a client");
    let page = |path: String| {
        http.get(format!("http://{host}{path}"))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin")
            .send()
    };
    let mut stream = tokio::net::TcpStream::connect(&host).await.expect("the front");
    stream
        .write_all(
            format!(
                "GET /_mock/ui/events HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nSec-Fetch-Site: same-origin\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .expect("a request");
    let mut lines = BufReader::new(stream).lines();
    let mut last_seq = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let Ok(Ok(Some(line))) = tokio::time::timeout(Duration::from_millis(500), lines.next_line()).await
        else {
            continue;
        };
        if !line.starts_with("data: ") {
            continue;
        }
        followed.fetch_add(1, Ordering::Relaxed);
        let _ = page("/_mock/ui/overview".into()).await.map(|r| r.bytes());
        if let Ok(answer) = page(format!("/_mock/ui/requests?after={last_seq}&limit=500")).await
            && let Ok(body) = answer.bytes().await
            && let Ok(listed) = serde_json::from_slice::<serde_json::Value>(&body)
            && let Some(seq) = listed["entries"]
                .as_array()
                .and_then(|entries| entries.last())
                .and_then(|e| e["seq"].as_u64())
        {
            last_seq = seq;
        }
    }
}

/// A fresh mock of 10,000 builds behind a front that streams its dashboard's events, and a
/// dashboard session's cookie: each phase starts from the same state, so that what a long
/// run accumulates (a full journal, the sockets of earlier phases) weighs on none more.
fn serving_front(rt: &tokio::runtime::Runtime, http: &reqwest::Client) -> (MockNixbuild, String, String) {
    let (mock, host) = rt.block_on(async {
        let mock = MockNixbuild::builder()
            .without_auth()
            .builds(fixtures::generate(10_000, 1))
            .journal_capacity(10_000)
            .start()
            .await;
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let host = listener.local_addr().expect("an address").to_string();
        let front = Front::new(&mock, Duration::from_secs(30));
        tokio::spawn(front.serve(listener));
        (mock, host)
    });
    let login = mock.dashboard_url();
    let target = login.split_once(&mock.server().uri()).expect("the mock's URL").1;
    let cookie = rt.block_on(async {
        let answer = http
            .get(format!("http://{host}{target}"))
            .send()
            .await
            .expect("the login");
        let set = answer.headers()["set-cookie"].to_str().expect("text").to_owned();
        set.split(';').next().expect("a cookie").to_owned()
    });
    (mock, host, cookie)
}

fn dashboard_cost(c: &mut Criterion) {
    let rt = runtime::runtime();
    let http = nixbuild::http_client_builder()
        .expect("TLS")
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let group_name = "serve 64 requests through the front";
    let mut group = c.benchmark_group(group_name);
    group.throughput(criterion::Throughput::Elements(CONCURRENCY as u64));
    // Without and with, round after round, each on a fresh mock (see the module's docs).
    let name = |open: bool, round: usize| match open {
        false => format!("no dashboard (baseline), round {round}"),
        true => format!("a dashboard open, round {round}"),
    };
    let mut followed_in_all = 0;
    let phases = (1..=ROUNDS).flat_map(|round| [(round, false), (round, true)]);
    for (round, open) in phases {
        let name = name(open, round);
        let (mock, host, cookie) = serving_front(&rt, &http);
        let url = format!("http://{host}{QUERY}");
        assert_eq!(
            rt.block_on(burst(&http, &url)),
            CONCURRENCY,
            "served through the front"
        );
        let stop = Arc::new(AtomicBool::new(false));
        let followed = Arc::new(AtomicU64::new(0));
        // The page runs apart, as a browser does: a thread and a runtime of its own.
        let page = open.then(|| {
            let (stop, followed) = (Arc::clone(&stop), Arc::clone(&followed));
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime")
                    .block_on(dashboard(host, cookie, stop, followed));
            })
        });
        if open {
            rt.block_on(async { tokio::time::sleep(Duration::from_millis(300)).await });
        }
        group.bench_function(&name, |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(burst(&http, &url).await) })
        });
        stop.store(true, Ordering::Relaxed);
        if let Some(page) = page {
            let _ = page.join();
            let events = followed.load(Ordering::Relaxed);
            assert!(
                events > 1,
                "the dashboard followed the requests ({events} events)"
            );
            followed_in_all += events;
        }
        drop(mock);
    }
    group.finish();
    println!("{group_name}: the dashboard followed {followed_in_all} events");
    let names: Vec<(String, String)> = (1..=ROUNDS)
        .map(|round| (name(true, round), name(false, round)))
        .chain([(name(false, ROUNDS), name(false, 1))])
        .collect();
    let pairs: Vec<(&str, &str)> = names.iter().map(|(n, d)| (n.as_str(), d.as_str())).collect();
    ratio::report(group_name, &pairs);
    let mut ratios: Vec<f64> = pairs[..ROUNDS]
        .iter()
        .filter_map(|(n, d)| ratio::of(group_name, n, d))
        .collect();
    ratios.sort_by(f64::total_cmp);
    if let (Some(low), Some(high)) = (ratios.first(), ratios.last()) {
        let mid = ratios.len() / 2;
        let median = if ratios.len().is_multiple_of(2) {
            (ratios[mid - 1] + ratios[mid]) / 2.0
        } else {
            ratios[mid]
        };
        println!(
            "ratio {group_name}: a dashboard open / none, median of {} rounds = {median:.3}x the time (range {low:.2}x to {high:.2}x)",
            ratios.len()
        );
    }
}

fn main() {
    let mut criterion = ratio::criterion();
    dashboard_cost(&mut criterion);
    criterion.final_summary();
}
