//! How many connections the front serves at once: [`MAX_CONNECTIONS`], or fewer when the
//! process may open fewer files than they would take.
//!
//! The process must never run out of files: wiremock's server, behind the front on a loopback
//! port, stops accepting for good at the first error of its `accept` (wiremock 0.6.5), and out
//! of files that error is `EMFILE`. A front that took every file there was for its own
//! clients (a hundred idle connections under `ulimit -n 64`) left the mock unreachable once
//! the clients were gone, whenever one of the files they freed went to the front's next
//! client before wiremock's `accept`. (The mock behind the front is now answered in
//! process, past wiremock's server; the count still leaves the process its own files, and
//! room for the recording front's connections to the API.)

use super::MAX_CONNECTIONS;

/// Files the process keeps besides its connections: its standard streams, listeners, the
/// runtimes' polls and wakers (17 when it starts), and room for a recording's file.
const FILES_KEPT: u64 = 24;

/// Files each connection served may take: the client's, and when recording one to the API.
/// (It was four while the front forwarded to wiremock's server behind it, a connection with
/// both ends in this process; the mock is now answered in process.)
const FILES_PER_CONNECTION: u64 = 2;

/// The most files the front can use: its connections', and the rest of the process's.
const FILES_WANTED: u64 = FILES_KEPT + MAX_CONNECTIONS as u64 * FILES_PER_CONNECTION;

/// How many connections the front serves at once in this process, once the process's soft
/// limit of open files is raised toward its hard limit, as far as the front can use
/// ([`FILES_WANTED`]): a soft limit of 1,024 (Linux's usual) or 256 (macOS's) would hold the
/// front to 500 or 116 connections where the hard limit allows its 1,024.
pub(crate) fn connection_limit() -> usize {
    raise_open_files_limit();
    connections_within(open_files_limit())
}

/// How many connections fit in `files` open files (no limit when `None`), at least one.
fn connections_within(files: Option<u64>) -> usize {
    let Some(files) = files else {
        return MAX_CONNECTIONS;
    };
    let fit = files.saturating_sub(FILES_KEPT) / FILES_PER_CONNECTION;
    usize::try_from(fit).map_or(MAX_CONNECTIONS, |fit| fit.clamp(1, MAX_CONNECTIONS))
}

/// The process's limit of open files, if it has one.
#[cfg(unix)]
fn open_files_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// Raises the soft limit of open files to the hard limit or [`FILES_WANTED`], whichever is
/// lower, when it is lower than that; a limit the system will not raise stays as it was.
#[cfg(unix)]
fn raise_open_files_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let wanted = limit.maximum.map_or(FILES_WANTED, |hard| hard.min(FILES_WANTED));
    if limit.current.is_some_and(|soft| soft < wanted) {
        let raised = Rlimit {
            current: Some(wanted),
            maximum: limit.maximum,
        };
        // Refused (a sandbox, a system's own cap): the front serves what the limit allows.
        let _ = setrlimit(Resource::Nofile, raised);
    }
}

/// The process's limit of open files: Windows counts handles without a limit this low.
#[cfg(not(unix))]
fn open_files_limit() -> Option<u64> {
    None
}

#[cfg(not(unix))]
fn raise_open_files_limit() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_leave_files_for_the_rest_of_the_process() {
        assert_eq!(connections_within(None), MAX_CONNECTIONS);
        assert_eq!(connections_within(Some(64)), 20);
        assert_eq!(connections_within(Some(1024)), 500);
        assert_eq!(connections_within(Some(u64::MAX)), MAX_CONNECTIONS);
        assert_eq!(connections_within(Some(0)), 1, "at least one");
        assert_eq!(connections_within(Some(FILES_KEPT + 1)), 1);
        #[cfg(unix)]
        assert!(open_files_limit().is_some_and(|files| files > 0));
    }
}
