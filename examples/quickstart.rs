//! Lists builds and their summary.
//!
//! With `NIXBUILD_TOKEN` set, it asks the real nixbuild.net API (or `NIXBUILD_API_URL`).
//! Without it, it starts a local HTTP server that answers with the builds from nixbuild.net's
//! launch announcement, so it runs anywhere with no account:
//!
//! ```sh
//! cargo run --example quickstart
//! ```

use nixbuild::{Build, Client};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SEED_BUILDS: &str = include_str!("../mock-server/fixtures/seed-builds.json");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end of `main`: the local server stops when dropped.
    let mut local_server = None;
    let client = if std::env::var_os(nixbuild::TOKEN_ENV).is_some() {
        Client::from_env()?
    } else {
        let server = serve_seed_builds().await?;
        let client = Client::builder()
            .token("local-demo-token")
            .base_url(server.uri())
            .build()?;
        println!(
            "NIXBUILD_TOKEN is not set: using a local server at {}\n",
            server.uri()
        );
        local_server = Some(server);
        client
    };

    let builds = client.builds().list().limit(20).send().await?;
    println!("{} builds, newest first:", builds.len());
    for build in &builds {
        print_build(build);
    }

    let summary = client.builds().summary().send().await?;
    println!(
        "\nsummary: {} builds, {} successful, {} failed, {} billable CPU seconds",
        summary.build_count,
        summary.successful_build_count,
        summary.failed_build_count,
        summary.billable_cpu_seconds
    );
    drop(local_server);
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

/// A stand-in for nixbuild.net answering `GET /builds` and `GET /builds/summary`.
async fn serve_seed_builds() -> Result<MockServer, Box<dyn std::error::Error>> {
    let builds: Vec<Build> = serde_json::from_str(SEED_BUILDS)?;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/builds"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SEED_BUILDS, "application/json"))
        .mount(&server)
        .await;
    let summary = serde_json::json!({
        "build_count": builds.len(),
        "successful_build_count": builds.iter().filter(|b| b.status.is_success()).count(),
        "failed_build_count": builds.iter().filter(|b| b.status.is_finished() && !b.status.is_success()).count(),
        "discarded_build_count": 0,
        "billable_cpu_seconds": builds.iter().map(|b| b.cpu_seconds).sum::<u64>(),
        "total_output_nar_size_kilobytes":
            builds.iter().flat_map(|b| &b.outputs).map(|o| o.nar_size_bytes).sum::<u64>().div_ceil(1024),
    });
    Mock::given(method("GET"))
        .and(path("/builds/summary"))
        .respond_with(ResponseTemplate::new(200).set_body_json(summary))
        .mount(&server)
        .await;
    Ok(server)
}
