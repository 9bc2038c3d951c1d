//! [`ProcessLog`]: the processes `POST /processes` received, as the world the mock simulates
//! remembers them (the handler records; the Rust API reads).

use std::collections::VecDeque;

use nixbuild::Process;
use serde::Serialize;

/// How many processes the mock remembers: the most recent ones; ids keep counting.
pub(crate) const PROCESS_LOG_CAPACITY: usize = 10_000;

/// The processes `POST /processes` received: the most recent [`PROCESS_LOG_CAPACITY`], and
/// how many in all (which numbers the next).
#[derive(Debug, Default)]
pub(crate) struct ProcessLog {
    recent: VecDeque<Process>,
    received: u64,
}

impl ProcessLog {
    /// Records `processes` and numbers them.
    pub(crate) fn record(&mut self, processes: Vec<Process>) -> Vec<ScheduledProcess> {
        let mut scheduled = Vec::with_capacity(processes.len());
        for process in processes {
            self.received = self.received.saturating_add(1);
            scheduled.push(ScheduledProcess {
                id: self.received,
                installable: process.installable.clone(),
            });
            if self.recent.len() == PROCESS_LOG_CAPACITY {
                self.recent.pop_front();
            }
            self.recent.push_back(process);
        }
        scheduled
    }

    /// The processes remembered, oldest first.
    pub(crate) fn recent(&self) -> Vec<Process> {
        self.recent.iter().cloned().collect()
    }
}

/// What `POST /processes` answers for each process.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScheduledProcess {
    pub(crate) id: u64,
    pub(crate) installable: String,
}
