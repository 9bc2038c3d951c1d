//! Lists builds and their summary.
//!
//! With `NIXBUILD_TOKEN` set, it asks the real nixbuild.net API (or `NIXBUILD_API_URL`).
//! Without it, it starts the in-process mock server with the builds of nixbuild.net's launch
//! announcement, so it runs anywhere with no account:
//!
//! ```sh
//! cargo run --example quickstart
//! ```

mod support;

use nixbuild::Build;
use nixbuild_mock::fixtures;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let service = support::connect(|mock| {
        mock.add_builds(fixtures::seed());
    })
    .await?;
    let client = &service.client;

    let builds = client.builds().list().limit(20).send().await?;
    println!("{} builds, newest first:", builds.len());
    for build in &builds {
        print_build(build);
    }

    let summary = client.builds().summary().send().await?;
    println!(
        "\nsummary: {} builds, {} successful, {} failed, {} restarted, {} billable CPU seconds, {} KiB of outputs",
        summary.build_count,
        summary.successful_build_count,
        summary.failed_build_count,
        summary.discarded_build_count,
        summary.billable_cpu_seconds,
        summary.total_output_nar_size_kilobytes,
    );
    Ok(())
}

fn print_build(build: &Build) {
    let duration = build
        .duration_seconds
        .map_or("-".to_owned(), |s| format!("{s:.0}s"));
    println!(
        "  {:>9}  {:<18} {:<17} {:>6}  {}",
        build.build_id,
        build.status.to_string(),
        build.name(),
        duration,
        build.system
    );
}
