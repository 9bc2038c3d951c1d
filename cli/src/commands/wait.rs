//! `nixbuild wait`: polls until the builds finish (the SDK's `wait_for`), showing progress:
//! a spinner with counts by status on a terminal, one line per change otherwise.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use nixbuild::api::WaitUntil;
use nixbuild::{BuildFilter, BuildId, Client};

use crate::args::WaitArgs;
use crate::output::clean;
use crate::{EXIT_BUILD_FAILED, EXIT_TIMED_OUT, Failure};

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// The statuses of the builds seen so far.
type Seen = Arc<Mutex<HashMap<BuildId, String>>>;

pub async fn run(client: &Client, args: WaitArgs) -> Result<(), Failure> {
    let mut filter = BuildFilter::new();
    if let Some(drv) = &args.drv {
        filter = filter.derivation_path(drv);
    }
    for (name, value) in &args.tags {
        filter = filter.tag(name, value);
    }
    let terminal = std::io::stderr().is_terminal();
    let seen: Seen = Arc::default();
    let observer = {
        let seen = Arc::clone(&seen);
        move |change: &nixbuild::api::BuildChange| {
            let status = change.build.status.as_str().to_owned();
            seen.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(change.build.build_id, status);
            if !terminal {
                eprintln!("{}", clean(&change.to_string()));
            }
        }
    };
    let spinner = terminal.then(|| tokio::spawn(spin(Arc::clone(&seen))));
    let until = if args.any {
        WaitUntil::AnyFinished
    } else {
        WaitUntil::AllFinished
    };
    let outcome = client
        .builds()
        .wait_for_filter(filter)
        .until(until)
        .timeout(args.timeout)
        .on_change(observer)
        .send()
        .await;
    if let Some(spinner) = spinner {
        spinner.abort();
        eprint!("\r\u{1b}[2K");
    }
    let builds = match outcome {
        Ok(builds) => builds,
        Err(error @ nixbuild::Error::WaitTimedOut { .. }) => {
            eprintln!("nixbuild: {error}");
            return Err(Failure::outcome(EXIT_TIMED_OUT));
        }
        Err(error) => return Err(error.into()),
    };
    let finished: Vec<_> = builds.iter().filter(|b| b.status.is_finished()).collect();
    let failed: Vec<_> = finished.iter().filter(|b| !b.status.is_success()).collect();
    eprintln!("{}", counts(&seen_statuses(&builds)));
    if failed.is_empty() {
        Ok(())
    } else {
        for build in failed {
            eprintln!(
                "failed: {} {} ({})",
                build.build_id,
                clean(build.name()),
                clean(build.status.as_str())
            );
        }
        Err(Failure::outcome(EXIT_BUILD_FAILED))
    }
}

fn seen_statuses(builds: &[nixbuild::Build]) -> HashMap<BuildId, String> {
    builds
        .iter()
        .map(|b| (b.build_id, b.status.as_str().to_owned()))
        .collect()
}

/// `3 built, 1 running, 2 pending`, statuses in name order.
fn counts(seen: &HashMap<BuildId, String>) -> String {
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for status in seen.values() {
        *by_status.entry(status).or_default() += 1;
    }
    if by_status.is_empty() {
        return "no matching builds yet".to_owned();
    }
    by_status
        .into_iter()
        .map(|(status, n)| format!("{n} {}", clean(status)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Redraws one line on stderr until aborted.
async fn spin(seen: Seen) {
    for frame in SPINNER.iter().cycle() {
        let line = counts(&seen.lock().unwrap_or_else(PoisonError::into_inner));
        eprint!("\r\u{1b}[2K{frame} waiting: {line}");
        let _ = std::io::stderr().flush();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
