//! [`Responder`]: the wiremock responder that is the fake nixbuild.net, and [`answer`], what
//! it answers, which the standalone front also serves past wiremock.

use std::sync::Arc;

use wiremock::{Request, Respond, ResponseTemplate};

use super::pipeline;
use crate::answer::Answer;
use crate::app::State;
use crate::control;

/// The wiremock responder that is the fake nixbuild.net.
pub(crate) struct Responder(pub(crate) Arc<State>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        answer(&self.0, request).into_template()
    }
}

/// The fake nixbuild.net's answer to `request`: the control API's under `/_mock`, the
/// pipeline's otherwise.
pub(crate) fn answer(state: &State, request: &Request) -> Answer {
    if control::is_control_path(request.url.path()) {
        return control::handle(state, request);
    }
    pipeline::answer(state, request)
}
