//! `nixbuild builds`: one request for the API's answer, or with `--all` every matching build
//! page by page, each printed as its page arrives: however many builds match, memory stays
//! that of one page, in every format.

use std::io::IsTerminal;

use futures::TryStreamExt;
use nixbuild::{Build, Client};

use crate::Failure;
use crate::args::{BuildsArgs, BuildsFormat};
use crate::output::{self, Out};

pub async fn run(client: &Client, args: BuildsArgs, colour: bool) -> Result<(), Failure> {
    let list = client.builds().list().filter(super::filter(&args.filter));
    let format = match args.format {
        BuildsFormat::Table => Format::Table { colour },
        // Indented on a terminal, as every JSON the command prints (output::json).
        BuildsFormat::Json => Format::Json {
            indented: std::io::stdout().is_terminal(),
        },
        BuildsFormat::Ndjson => Format::Ndjson,
    };
    if args.all {
        return print_stream(list.stream(), format).await;
    }
    let builds: Vec<Build> = list.send().await?;
    print_stream(futures::stream::iter(builds.into_iter().map(Ok)), format).await
}

#[derive(Clone, Copy)]
enum Format {
    Table { colour: bool },
    Json { indented: bool },
    Ndjson,
}

/// Prints each build as the stream yields it; a JSON array is opened before the first and
/// closed after the last. A reader that goes away (`| head`) ends the walk.
async fn print_stream(
    mut builds: impl futures::Stream<Item = nixbuild::Result<Build>> + Unpin,
    format: Format,
) -> Result<(), Failure> {
    let mut out = Out::new();
    // The table's heading waits for its first row: no build, no table.
    let opening = match format {
        Format::Json { .. } => "[",
        Format::Table { .. } | Format::Ndjson => "",
    };
    let mut open = out.write(opening)?;
    let mut first = true;
    while open {
        let Some(build) = builds.try_next().await? else {
            break;
        };
        let text = match format {
            Format::Table { colour } if first => output::table_header() + &output::table_row(&build, colour),
            Format::Table { colour } => output::table_row(&build, colour),
            Format::Ndjson => output::json_line(&build)?,
            Format::Json { indented } => {
                let line = output::json_line(&build)?;
                let (item, before) = match indented {
                    true => (output::indented(&line, 1), "\n  "),
                    false => (line.trim_end().to_owned(), ""),
                };
                let separator = if first { "" } else { "," };
                format!("{separator}{before}{item}")
            }
        };
        first = false;
        open = out.write(&text)?;
    }
    match format {
        Format::Json { indented: true } if !first => _ = out.write("\n]\n")?,
        Format::Json { .. } => _ = out.write("]\n")?,
        // Said to the person, as gh and kubectl do; stdout stays empty for a script.
        Format::Table { .. } if first => eprintln!("nixbuild: no build matched"),
        Format::Table { .. } | Format::Ndjson => {}
    }
    out.finish()
}
