//! The world the mock simulates: its builds (store), how they move (lifecycle), what they
//! add up to (summary), its clock, and the processes it was sent.

mod chunked;
pub(crate) mod clock;
mod id_map;
mod interner;
mod json_runs;
mod key_set;
pub(crate) mod lifecycle;
mod names;
pub(crate) mod process_log;
mod record;
mod sorted_blocks;
mod tag_table;

pub(crate) mod store;
pub mod summary;
