//! `nixbuild builds`: one request for the API's answer, or with `--all` every matching build
//! page by page, each printed as its page arrives: however many builds match, memory stays
//! that of one page, in every format.

use futures::TryStreamExt;
use nixbuild::{Build, Client};

use crate::Failure;
use crate::args::{BuildsArgs, BuildsFormat};
use crate::output::{self, Out};

pub async fn run(client: &Client, args: BuildsArgs, colour: bool) -> Result<(), Failure> {
    let list = client.builds().list().filter(super::filter(&args.filter));
    let format = match args.format {
        BuildsFormat::Table => Format::Table { colour },
        BuildsFormat::Json => Format::Json,
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
    Json,
    Ndjson,
}

/// Prints each build as the stream yields it; a JSON array is opened before the first and
/// closed after the last. A reader that goes away (`| head`) ends the walk.
async fn print_stream(
    mut builds: impl futures::Stream<Item = nixbuild::Result<Build>> + Unpin,
    format: Format,
) -> Result<(), Failure> {
    let mut out = Out::new();
    let opening = match format {
        Format::Table { .. } => output::table_header(),
        Format::Json => "[".to_owned(),
        Format::Ndjson => String::new(),
    };
    let mut open = out.write(&opening)?;
    let mut first = true;
    while open {
        let Some(build) = builds.try_next().await? else {
            break;
        };
        let text = match format {
            Format::Table { colour } => output::table_row(&build, colour),
            Format::Ndjson => output::json_line(&build)?,
            Format::Json => {
                let line = output::json_line(&build)?;
                let item = line.trim_end();
                if first {
                    item.to_owned()
                } else {
                    format!(",{item}")
                }
            }
        };
        first = false;
        open = out.write(&text)?;
    }
    if let Format::Json = format {
        out.write("]\n")?;
    }
    out.finish()
}
