//! [`Responder`]: the wiremock responder that is the fake nixbuild.net, the one place the
//! mock meets wiremock's request type on the way in.

use std::sync::Arc;

use wiremock::{Request, Respond, ResponseTemplate};

use super::pipeline;
use crate::app::State;
use crate::control;

/// The wiremock responder that is the fake nixbuild.net.
pub(crate) struct Responder(pub(crate) Arc<State>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        if control::is_control_path(request.url.path()) {
            return control::handle(state, request).into_template();
        }
        pipeline::answer(state, request).into_template()
    }
}
