//! Dispatch: each request to its answer. The wiremock adapter ([`Responder`]) sends control
//! requests to the control API and every other through the pipeline (route, expectations,
//! fault, auth, a handler or the recording being replayed, journal).

mod pipeline;
mod responder;
pub(crate) mod routing;

pub(crate) use responder::Responder;
/// What the standalone front serves past wiremock.
#[cfg(feature = "cli")]
pub(crate) use responder::answer;
