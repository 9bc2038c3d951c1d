//! The recording format and what reads and writes it: the file ([`format`]), its queries,
//! the recorder that writes one as requests pass, and the lookup replay answers from. No
//! server here: the tools that serve or check a recording are in `standalone`, and replay as
//! a way of serving the API in `api::replay`.

mod anonymise;
pub(crate) mod diff;
mod format;
mod query;
mod recorder;
mod replay;

#[cfg(feature = "cli")]
pub(crate) use format::request_line;
pub use format::{FORMAT, Interaction, KEPT_ANSWER_HEADERS, Recording, RecordingError, read_builds};
pub(crate) use query::Query;
#[cfg(feature = "cli")]
pub(crate) use recorder::is_recorded;
pub use recorder::{MAX_RECORDED_ANSWER_BYTES, MAX_RECORDED_INTERACTIONS, Recorder};
pub(crate) use replay::{Miss, Replayer};
