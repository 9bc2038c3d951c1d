//! Publishes the nixbuild.net summary of a CI run, as the official GitHub Action does.
//!
//! ```sh
//! cargo run --example ci_summary -- GITHUB_REPOSITORY=owner/repo GITHUB_RUN_ID=42
//! ```
//!
//! The tags to select builds by come from the arguments (`NAME=VALUE`), else from the GitHub
//! Actions environment (`GITHUB_REPOSITORY`, `GITHUB_RUN_ID`, `GITHUB_RUN_ATTEMPT`). The
//! Markdown goes to `$GITHUB_STEP_SUMMARY` when set (appended, as GitHub expects), else to
//! standard output; a plain-text table goes to standard error. Without `NIXBUILD_TOKEN` it
//! runs against the mock server with a synthetic CI run.

mod support;

use std::io::Write;

use nixbuild::BuildFilter;
use nixbuild::report::{self, Scope};
use nixbuild_mock::{BuildFixture, fixtures};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tags = tags_to_select()?;
    let service = support::connect(|mock| {
        // The synthetic run: every build tagged like one GitHub Actions workflow run.
        for mut build in fixtures::generate(60, 42) {
            build.tags.retain(|name, _| !name.starts_with("GITHUB_"));
            build.tags.extend(tags.iter().cloned());
            mock.add_build(build);
        }
        mock.add_build(BuildFixture::built("unrelated-1.0").tag("GITHUB_RUN_ID", "other"));
    })
    .await?;

    let filter = tags.iter().fold(BuildFilter::new(), |f, (name, value)| {
        f.tag(name.clone(), value.clone())
    });
    let summary = service
        .client
        .builds()
        .summary()
        .filter(filter.clone())
        .send()
        .await?;
    let builds = if summary.build_count > 0 {
        service.client.builds().list().filter(filter).send().await?
    } else {
        Vec::new()
    };

    let markdown = report::markdown(&summary, &builds, Scope::Workflow);
    match std::env::var_os("GITHUB_STEP_SUMMARY") {
        Some(path) => {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?
                .write_all(markdown.as_bytes())?;
            eprintln!("wrote the summary to {}", path.to_string_lossy());
        }
        None => print!("{markdown}"),
    }
    eprint!("{}", report::text(&summary, &builds));
    if builds.len() as u64 != summary.build_count {
        return Err(format!(
            "the summary counts {} builds but {} were listed",
            summary.build_count,
            builds.len()
        )
        .into());
    }
    Ok(())
}

/// `NAME=VALUE` arguments, else the GitHub Actions run's tags, else a demo run's.
fn tags_to_select() -> Result<Vec<(String, String)>, String> {
    let from_args: Vec<(String, String)> = std::env::args()
        .skip(1)
        .map(|arg| {
            arg.split_once('=')
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .ok_or_else(|| format!("`{arg}` is not NAME=VALUE"))
        })
        .collect::<Result<_, _>>()?;
    if !from_args.is_empty() {
        return Ok(from_args);
    }
    let from_env: Vec<(String, String)> = ["GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"]
        .iter()
        .filter_map(|name| std::env::var(name).ok().map(|value| (name.to_string(), value)))
        .collect();
    if !from_env.is_empty() {
        return Ok(from_env);
    }
    Ok(vec![
        ("GITHUB_REPOSITORY".into(), "acme/web".into()),
        ("GITHUB_RUN_ID".into(), "42".into()),
    ])
}
