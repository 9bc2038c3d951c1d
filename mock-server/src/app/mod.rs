//! The mock's application layer: [`State`], everything a mock knows, with every change and
//! query the Rust API and the control API make as one method each, and the cache of read
//! answers it keeps.

pub(crate) mod answer_cache;
mod state;

pub(crate) use state::{RequestObserver, State, StateConfig};
