//! Walks every build (or every build with the given tags) as a stream, page by page, and
//! counts them by status: memory holds one page, however many builds there are.
//!
//! ```sh
//! cargo run --example stream_all_builds -- [NAME=VALUE …]
//! ```
//!
//! Without `NIXBUILD_TOKEN` it runs against the mock server with 5,000 synthetic builds.

mod support;

use std::collections::BTreeMap;

use futures::TryStreamExt;
use nixbuild::BuildFilter;
use nixbuild_mock::fixtures;

const SYNTHETIC_BUILDS: usize = 5000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut filter = BuildFilter::new();
    for arg in std::env::args().skip(1) {
        let (name, value) = arg
            .split_once('=')
            .ok_or_else(|| format!("`{arg}` is not NAME=VALUE"))?;
        filter = filter.tag(name, value);
    }
    let service = support::connect(|mock| {
        mock.add_builds(fixtures::generate(SYNTHETIC_BUILDS, 7));
    })
    .await?;

    let mut builds = service
        .client
        .builds()
        .list()
        .filter(filter)
        .page_size(500)
        .stream();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let (mut count, mut cpu_seconds) = (0u64, 0u64);
    while let Some(build) = builds.try_next().await? {
        *by_status.entry(build.status.to_string()).or_default() += 1;
        count += 1;
        cpu_seconds += build.cpu_seconds;
    }
    println!("{count} builds, {:.1} CPU hours", cpu_seconds as f64 / 3600.0);
    for (status, n) in &by_status {
        println!("  {status:<20} {n:>6}");
    }
    if service.mock.is_some() && count != SYNTHETIC_BUILDS as u64 {
        return Err(format!("streamed {count} of the mock's {SYNTHETIC_BUILDS} builds").into());
    }
    Ok(())
}
