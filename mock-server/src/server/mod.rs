//! The server: each request's answer (responder), where it goes (routing), what answers
//! look like and which are kept (answers, their cache), and the state every part shares.

pub(crate) mod answer;
pub(crate) mod answer_cache;
pub(crate) mod responder;
pub(crate) mod routing;
pub(crate) mod state;
