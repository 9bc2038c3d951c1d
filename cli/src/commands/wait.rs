//! `nixbuild wait`: the SDK's wait, consumed as one stream of events: each change (a line
//! when stderr is not a terminal), the state after each poll (a spinner with counts by
//! status on a terminal, a line when nothing matches yet), and the outcome per derivation.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use futures::StreamExt;
use nixbuild::api::WaitEvent;
use nixbuild::api::conditions::{all_finished, any_finished, latest_per_derivation};
use nixbuild::report::human;
use nixbuild::{Build, BuildFilter, Client};

use crate::args::WaitArgs;
use crate::output::clean;
use crate::{EXIT_BUILD_FAILED, EXIT_TIMED_OUT, Failure};

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

pub async fn run(client: &Client, args: WaitArgs, colour: bool) -> Result<(), Failure> {
    let mut filter = BuildFilter::new().created_from(args.since);
    if let Some(drv) = &args.drv {
        filter = filter.derivation_path(drv);
    }
    for (name, value) in &args.tags {
        filter = filter.tag(name, value);
    }
    let wait = client.builds().wait_for_filter(filter).timeout(args.timeout);
    let wait = if args.any {
        wait.until(latest_per_derivation(any_finished()))
    } else {
        wait.until(latest_per_derivation(all_finished()))
    };
    let mut events = wait.events();
    let mut progress = Progress::new(std::io::stderr().is_terminal());
    let mut ticks = tokio::time::interval(Duration::from_millis(100));
    let outcome = loop {
        let event = tokio::select! {
            event = events.next() => event,
            _ = ticks.tick(), if progress.terminal => {
                progress.draw();
                continue;
            }
        };
        match event {
            Some(Ok(WaitEvent::Changed(change))) => progress.changed(&change),
            Some(Ok(WaitEvent::Waiting { latest })) => progress.waiting(latest),
            Some(Ok(WaitEvent::Done(outcome))) => break outcome,
            Some(Ok(_)) => {}
            Some(Err(error @ nixbuild::Error::WaitTimedOut { .. })) => {
                progress.clear();
                report(&progress.latest, colour);
                eprintln!("nixbuild: {error}");
                return Err(Failure::outcome(EXIT_TIMED_OUT));
            }
            Some(Err(error)) => {
                progress.clear();
                return Err(error.into());
            }
            None => return Err(Failure::error("the wait ended without an outcome")),
        }
    };
    progress.clear();
    report(&outcome.latest, colour);
    if outcome.failed().next().is_some() {
        Err(Failure::outcome(EXIT_BUILD_FAILED))
    } else {
        Ok(())
    }
}

/// What the user sees while waiting.
struct Progress {
    terminal: bool,
    frame: usize,
    /// Each derivation's newest build at the last poll.
    latest: Vec<Build>,
    polled: bool,
}

impl Progress {
    fn new(terminal: bool) -> Progress {
        Progress {
            terminal,
            frame: 0,
            latest: Vec::new(),
            polled: false,
        }
    }

    fn changed(&mut self, change: &nixbuild::api::BuildChange) {
        if !self.terminal {
            eprintln!("{}", clean(&change.to_string()));
        }
    }

    /// After a poll that did not end the wait: when nothing matches, it says so every time,
    /// piped or not (a typo in a path waits the whole timeout otherwise, silently).
    fn waiting(&mut self, latest: Vec<Build>) {
        self.latest = latest;
        self.polled = true;
        if self.latest.is_empty() && !self.terminal {
            eprintln!("no matching build yet");
        }
    }

    fn draw(&mut self) {
        let line = if self.polled {
            counts(&self.latest)
        } else {
            "asking".to_owned()
        };
        self.frame = (self.frame + 1) % SPINNER.len();
        eprint!("\r\u{1b}[2K{} waiting: {line}", SPINNER[self.frame]);
        let _ = std::io::stderr().flush();
    }

    fn clear(&self) {
        if self.terminal {
            eprint!("\r\u{1b}[2K");
        }
    }
}

/// `3 built, 1 running, 2 pending`: each derivation's newest build by status, in name order.
fn counts(latest: &[Build]) -> String {
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for build in latest {
        *by_status.entry(build.status.as_str()).or_default() += 1;
    }
    if by_status.is_empty() {
        return "no matching build yet".to_owned();
    }
    by_status
        .into_iter()
        .map(|(status, n)| format!("{n} {}", clean(status)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per derivation: which built, which failed (with the status message), which are
/// still running, and which wait for a restart; the word in its status's colour, the time
/// it ran in the same style as every table.
fn report(latest: &[Build], colour: bool) {
    for build in latest {
        let (word, detail) = if nixbuild::api::is_final(build) {
            if build.status.is_success() {
                ("built", String::new())
            } else {
                let message = build
                    .status_message
                    .as_deref()
                    .map(|m| format!(": {}", clean(m)))
                    .unwrap_or_default();
                ("failed", format!(" ({}){message}", clean(build.status.as_str())))
            }
        } else if let Some(restart) = build.restarted_as_build_id {
            ("restarted", format!(" as build {restart}, not seen yet"))
        } else {
            ("unfinished", format!(" ({})", clean(build.status.as_str())))
        };
        let word = if colour {
            human::paint(&build.status, word)
        } else {
            word.to_owned()
        };
        let ran = build
            .duration_seconds
            .map(|seconds| format!(", {}", human::duration(seconds)))
            .unwrap_or_default();
        eprintln!(
            "{word}: {} (build {}{ran}){detail}",
            clean(&build.derivation_path),
            build.build_id
        );
    }
}
