//! How many connections the front serves at once: [`MAX_CONNECTIONS`], or fewer when the
//! process may open fewer files than they would take.
//!
//! The process must never run out of files: wiremock's server, behind the front on a loopback
//! port, stops accepting for good at the first error of its `accept` (wiremock 0.6.5), and out
//! of files that error is `EMFILE`. A front that took every file there was for its own
//! clients (a hundred idle connections under `ulimit -n 64`) left the mock unreachable once
//! the clients were gone, whenever one of the files they freed went to the front's next
//! client before wiremock's `accept`.

use super::MAX_CONNECTIONS;

/// Files the process keeps besides its connections: its standard streams, listeners, the
/// runtimes' polls and wakers (17 when it starts), and room for a recording's file.
const FILES_KEPT: u64 = 24;

/// Files each connection served may take: the client's, a connection to the mock behind (the
/// front's end and wiremock's), and one to the API when recording.
const FILES_PER_CONNECTION: u64 = 4;

/// How many connections the front serves at once in this process.
pub(super) fn connection_limit() -> usize {
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

/// The process's limit of open files: Windows counts handles without a limit this low.
#[cfg(not(unix))]
fn open_files_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_leave_files_for_the_rest_of_the_process() {
        assert_eq!(connections_within(None), MAX_CONNECTIONS);
        assert_eq!(connections_within(Some(64)), 10);
        assert_eq!(connections_within(Some(1024)), 250);
        assert_eq!(connections_within(Some(u64::MAX)), MAX_CONNECTIONS);
        assert_eq!(connections_within(Some(0)), 1, "at least one");
        assert_eq!(connections_within(Some(FILES_KEPT + 3)), 1);
        #[cfg(unix)]
        assert!(open_files_limit().is_some_and(|files| files > 0));
    }
}
