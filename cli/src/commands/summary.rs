//! `nixbuild summary`: the official GitHub Action's job summary, from the SDK's
//! `nixbuild::report`, for any CI; or a table for a terminal; or the figures.

use nixbuild::Client;
use nixbuild::report::{self, Scope};

use crate::Failure;
use crate::args::{SummaryArgs, SummaryFormat};
use crate::output;

pub async fn run(client: &Client, args: SummaryArgs, colour: bool) -> Result<(), Failure> {
    if (args.job || args.workflow) && args.format != SummaryFormat::Markdown {
        return Err(Failure::usage(
            "--job and --workflow choose the Markdown's heading: give --format markdown",
        ));
    }
    let filter = super::filter(&args.filter);
    let summary = client.builds().summary().filter(filter.clone()).send().await?;
    if args.format == SummaryFormat::Json {
        return output::print(&output::json(&summary)?);
    }
    // The Action lists the builds only when there are some.
    let builds = if summary.build_count > 0 {
        client.builds().list().filter(filter).send().await?
    } else {
        Vec::new()
    };
    if args.format == SummaryFormat::Markdown {
        let scope = if args.job { Scope::Job } else { Scope::Workflow };
        output::print(&report::markdown(&summary, &builds, scope))
    } else {
        let colour = if colour {
            report::Colour::Ansi
        } else {
            report::Colour::Never
        };
        output::print(&report::text_with(&summary, &builds, colour))
    }
}
