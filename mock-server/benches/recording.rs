//! What recording costs a client: every one of 50,000 builds streamed page by page (as
//! `nixbuild builds --all` does) through `nixbuild-mock record`'s front and recorder, against
//! the same stream straight from the same mock (the baseline). Each request through the
//! recorder is forwarded, redacted and kept; the file is not written (the binary writes it
//! once a second, outside the recorder's lock).
//!
//! ```sh
//! cargo bench -p nixbuild-mock --features cli --bench recording [--profile dev]
//! ```
//!
//! Ends with a `ratio […]` line: through the recorder over direct.

#[path = "support/ratio.rs"]
mod ratio;
#[path = "support/runtime.rs"]
mod runtime;

use std::sync::Arc;
use std::time::Duration;

use criterion::Criterion;
use futures::TryStreamExt;
use nixbuild::Client;
use nixbuild_mock::front::Front;
use nixbuild_mock::recording::Recorder;
use nixbuild_mock::recording::proxy::RecordingProxy;
use nixbuild_mock::{MockNixbuild, fixtures};

const BUILDS: usize = 50_000;

async fn stream_all(client: &Client) -> usize {
    let builds: Vec<nixbuild::Build> = client
        .builds()
        .list()
        .page_size(1000)
        .stream()
        .try_collect()
        .await
        .unwrap();
    builds.len()
}

fn recording(c: &mut Criterion) {
    let rt = runtime::runtime();
    let upstream = rt.block_on(
        MockNixbuild::builder()
            .builds(fixtures::generate(BUILDS, 5))
            .start(),
    );
    let token = upstream
        .tokens()
        .rights(["build:read"])
        .mint()
        .expose_secret()
        .to_owned();
    let direct = Client::builder()
        .token(&token)
        .base_url(upstream.uri())
        .build()
        .unwrap();
    let group_name = "stream 50k builds, page of 1000";
    let mut group = c.benchmark_group(group_name);
    group.sample_size(10);
    group.bench_function("direct (baseline)", |b| {
        b.iter(|| assert_eq!(rt.block_on(stream_all(&direct)), BUILDS))
    });
    group.bench_function("through the recorder", |b| {
        b.iter_batched(
            || {
                // A fresh recorder each time: what one `record` session keeps.
                let recorder = Arc::new(Recorder::new(false));
                let proxy = RecordingProxy::new(&upstream.uri(), recorder).unwrap();
                let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                let address = listener.local_addr().unwrap();
                let server = rt.spawn(Front::recording(proxy, Duration::from_secs(30)).serve(listener));
                let client = Client::builder()
                    .token(&token)
                    .base_url(format!("http://{address}"))
                    .build()
                    .unwrap();
                (client, server)
            },
            |(client, server)| {
                assert_eq!(rt.block_on(stream_all(&client)), BUILDS);
                server.abort();
            },
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
    ratio::report(group_name, &[("through the recorder", "direct (baseline)")]);
}

fn main() {
    let mut criterion = ratio::criterion();
    recording(&mut criterion);
    criterion.final_summary();
}
