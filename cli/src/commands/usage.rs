//! `nixbuild usage`: what the account is billed for, in a window.

use nixbuild::Client;
use nixbuild::report::human;

use crate::Failure;
use crate::args::{TextFormat, UsageArgs};
use crate::output;

pub async fn run(client: &Client, args: UsageArgs) -> Result<(), Failure> {
    let mut request = client.usage();
    if let Some(since) = args.window.since {
        request = request.created_from(since);
    }
    if let Some(until) = args.window.until {
        request = request.created_before(until);
    }
    let usage = request.send().await?;
    if args.format == TextFormat::Json {
        return output::print(&output::json(&usage)?);
    }
    output::print(&format!(
        "billable CPU time: {} ({} CPU seconds)\nbillable builds:   {}\n",
        human::cpu_hours(usage.billable_cpu_seconds),
        usage.billable_cpu_seconds,
        usage.billable_build_count
    ))
}
