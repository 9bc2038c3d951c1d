//! One module per command.

pub mod builds;
pub mod summary;
pub mod token;
pub mod usage;
pub mod wait;

use nixbuild::BuildFilter;

use crate::args::{FilterArgs, WindowArgs};

/// The SDK filter the arguments describe.
pub fn filter(args: &FilterArgs) -> BuildFilter {
    let statuses = args.statuses.iter().chain(&args.other_statuses).cloned();
    let mut filter = window(BuildFilter::new(), &args.window).statuses(statuses);
    if let Some(drv) = &args.drv {
        filter = filter.derivation_path(drv);
    }
    for (name, value) in &args.tags {
        filter = filter.tag(name, value);
    }
    if let Some(limit) = args.limit {
        filter = filter.limit(limit);
    }
    filter
}

/// `filter` within the window.
pub fn window(mut filter: BuildFilter, window: &WindowArgs) -> BuildFilter {
    if let Some(since) = window.since {
        filter = filter.created_from(since);
    }
    if let Some(until) = window.until {
        filter = filter.created_before(until);
    }
    filter
}
