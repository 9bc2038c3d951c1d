//! What a test uses to check the code under test: expectations, the journal of requests,
//! and faults on demand.

pub(crate) mod expectation;
pub(crate) mod faults;
pub(crate) mod journal;
pub(crate) mod journaled;
pub(crate) mod recorded_request;
