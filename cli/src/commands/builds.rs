//! `nixbuild builds`: one request for the API's answer, or with `--all` every matching build
//! page by page (`--ndjson` writes each page as it comes, in constant memory).

use futures::TryStreamExt;
use nixbuild::{Build, Client};

use crate::Failure;
use crate::args::BuildsArgs;
use crate::output;

pub async fn run(client: &Client, args: BuildsArgs) -> Result<(), Failure> {
    let list = client.builds().list().filter(super::filter(&args.filter));
    if args.all && args.ndjson {
        let mut builds = list.stream();
        while let Some(build) = builds.try_next().await? {
            output::print(&output::json_line(&build)?)?;
        }
        return Ok(());
    }
    let builds: Vec<Build> = if args.all {
        list.stream().try_collect().await?
    } else {
        list.send().await?
    };
    if args.ndjson {
        let lines: Result<String, Failure> = builds.iter().map(output::json_line).collect();
        output::print(&lines?)
    } else if args.json {
        output::print(&output::json_line(&builds)?)
    } else {
        output::print(&output::table(&builds, output::colour()))
    }
}
