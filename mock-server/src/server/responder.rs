//! The fake nixbuild.net's answer to one request, in the order it is decided: the control
//! API apart, then route, expectations, fault, auth, handler, journal. Each step is a module
//! of its own.

use std::sync::Arc;

use wiremock::{Request, Respond, ResponseTemplate};

use crate::auth::Refusal;
use crate::recording::Miss;
use crate::server::answer::Answer;
use crate::server::state::{State, lock};
use crate::testing::faults::{self, FaultKind};
use crate::testing::journal::{AuthStatus, RecordedRequest};
use crate::{auth::admin, control, handlers, server::routing};

/// The largest request body the mock takes (a `POST /processes` of thousands of processes
/// is a few hundred KB); a larger one is answered 413.
pub const MAX_REQUEST_BODY_BYTES: usize = 1024 * 1024;

/// The wiremock responder that is the fake nixbuild.net.
pub(crate) struct Responder(pub(crate) Arc<State>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        if control::is_control_path(request.url.path()) {
            return control::handle(state, request).into_template();
        }
        let mut record = RecordedRequest::of(request, &state.prefix);
        let template = answer(state, request, &mut record);
        if let Some(observe) = &state.observer {
            observe(&record);
        }
        lock(&state.journal).record(record);
        template
    }
}

/// The answer to `request`, noting its status and auth verdict in `record`.
fn answer(state: &State, request: &Request, record: &mut RecordedRequest) -> ResponseTemplate {
    let routed = routing::route(&state.prefix, request);
    record.operation = routed.as_ref().ok().map(|operation| operation.id);
    let mut finish = |answer: Answer| {
        record.status = status_code(answer.status);
        answer.into_template()
    };
    count_for_expectations(state, request, routed.as_ref().ok().copied());
    // wiremock has read the body whole by now; the mock keeps none this large.
    if request.body.len() > MAX_REQUEST_BODY_BYTES {
        return finish(Answer::error(
            413,
            // "More than": behind the standalone server's front, what arrives is cut one
            // byte past the cap.
            format!(
                "the request body has more than {MAX_REQUEST_BODY_BYTES} bytes; this mock takes at most \
                 {MAX_REQUEST_BODY_BYTES}"
            ),
        ));
    }
    if let Some(replay) = &state.replay {
        return replayed(state, replay, request, record);
    }
    let operation = match routed {
        Ok(operation) => operation,
        Err(answer) => return finish(answer),
    };
    let fault = lock(&state.faults).take(operation.path);
    if let Some((template, status)) = fault.as_ref().and_then(faults::replacement) {
        record.status = status_code(status);
        return template;
    }
    let authorization = crate::auth::authorization(request);
    if admin::carries(authorization, &state.admin_token).is_ok() {
        // Refused even with auth off: a test that sends it here has mixed up its tokens.
        record.auth = AuthStatus::Refused;
        return finish(Answer::error(
            401,
            "this is the mock's admin token, for the control API under /_mock; the API takes an API token",
        ));
    }
    let verified = if state.auth_enabled {
        match state.authority.verify_and_authorize(
            authorization,
            operation.permission,
            state.clock.system_now(),
        ) {
            Ok(verified) => Some(verified),
            Err(refusal) => {
                record.auth = AuthStatus::Refused;
                return finish(match refusal {
                    Refusal::Unauthorized(message) => Answer::error(401, message),
                    Refusal::Forbidden(message) => Answer::error(403, message),
                });
            }
        }
    } else {
        None
    };
    record.auth = if verified.is_some() {
        AuthStatus::Passed
    } else {
        AuthStatus::Disabled
    };
    let template = finish(handlers::handle(state, operation, request, verified.as_deref()));
    match fault.as_ref().map(|f| &f.kind) {
        Some(FaultKind::Delay(delay)) => template.set_delay(*delay),
        _ => template,
    }
}

/// The recorded answer to `request`, or the 404 that names the nearest recorded request;
/// an injected fault first, as for any request.
fn replayed(
    state: &State,
    replay: &std::sync::Mutex<crate::recording::Replayer>,
    request: &Request,
    record: &mut RecordedRequest,
) -> ResponseTemplate {
    let path = record.path.clone();
    let fault = lock(&state.faults).take(&path);
    if let Some((template, status)) = fault.as_ref().and_then(faults::replacement) {
        record.status = status_code(status);
        return template;
    }
    let query = request.url.query().unwrap_or("");
    let answered = lock(replay)
        .answer(request.method.as_str(), &path, query)
        .map(|recorded| {
            let mut template =
                ResponseTemplate::new(recorded.status).set_body_bytes(recorded.body().to_vec());
            for (name, value) in &recorded.headers {
                template = template.insert_header(name.as_str(), value.as_str());
            }
            (recorded.status, template)
        });
    let (status, template) = match answered {
        Ok(answered) => answered,
        Err(Miss(message)) => {
            record.unmatched = true;
            (404, Answer::error(404, message).into_template())
        }
    };
    record.status = status_code(status);
    match fault.as_ref().map(|f| &f.kind) {
        Some(FaultKind::Delay(delay)) => template.set_delay(*delay),
        _ => template,
    }
}

/// `status` as a status code (every status the mock answers is one).
fn status_code(status: u16) -> nixbuild::StatusCode {
    nixbuild::StatusCode::from_u16(status).unwrap_or(nixbuild::StatusCode::INTERNAL_SERVER_ERROR)
}

/// Counts `request` for every expectation it meets.
fn count_for_expectations(
    state: &State,
    request: &Request,
    operation: Option<&nixbuild::api::operation::Operation>,
) {
    let mut expectations = lock(&state.expectations);
    if expectations.is_empty() {
        return;
    }
    let full_path = request.url.path();
    let path = full_path.strip_prefix(state.prefix.as_str()).unwrap_or(full_path);
    let query = request.url.query().unwrap_or("");
    for counted in expectations.iter_mut() {
        if counted.expectation.counts(path, operation, query) {
            counted.received += 1;
        }
    }
}
