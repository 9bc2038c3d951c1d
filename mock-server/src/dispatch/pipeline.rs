//! The fake nixbuild.net's answer to one API request, in the order it is decided: route,
//! expectations, fault, then serving (the body's size, then a recording being replayed, or
//! auth and the operation's handler), and the journal last.
//!
//! A fault applies to the next API request, whatever serves it and whatever its path: the
//! same request uses it up whether the mock serves its store or replays a recording.

use nixbuild::api::operation::Operation;
use wiremock::Request;

use super::routing;
use crate::answer::Answer;
use crate::api;
use crate::app::State;
use crate::auth::{Refusal, admin, authorization};
use crate::instruments::journaled::AsReceived;
use crate::instruments::recorded_request::{AuthStatus, RecordedRequest};
use crate::limits::MAX_REQUEST_BODY_BYTES;

/// The answer to an API request (not the control API's), journaled.
pub(super) fn answer(state: &State, request: &Request) -> Answer {
    let mut record = RecordedRequest::of(request, state.prefix());
    let routed = routing::route(state.prefix(), request);
    record.operation = routed.as_ref().ok().map(|operation| operation.id);
    state.count_for_expectations(
        &record.path,
        routed.as_ref().ok().copied(),
        request.url.query().unwrap_or(""),
    );
    let fault = state.take_fault(&record.path);
    let serve = || serve(state, request, routed, &mut record);
    let answer = match fault {
        Some(fault) => fault.apply(serve),
        None => serve(),
    };
    record.status = status_code(answer.status);
    state.record_request(record, AsReceived::of(request));
    answer
}

/// The answer the mock serves, no fault in the way.
fn serve(
    state: &State,
    request: &Request,
    routed: Result<&'static Operation, Answer>,
    record: &mut RecordedRequest,
) -> Answer {
    // wiremock has read the body whole by now; the mock keeps none this large.
    if request.body.len() > MAX_REQUEST_BODY_BYTES {
        return Answer::error(
            413,
            // "More than": behind the standalone server's front, what arrives is cut one
            // byte past the cap.
            format!(
                "the request body has more than {MAX_REQUEST_BODY_BYTES} bytes; this mock takes at most \
                 {MAX_REQUEST_BODY_BYTES}"
            ),
        );
    }
    if let Some(mut replayer) = state.replayer() {
        let query = request.url.query().unwrap_or("");
        return match api::replay::answer(&mut replayer, request.method.as_str(), &record.path, query) {
            Ok(answer) => answer,
            Err((answer, nearest)) => {
                record.unmatched = true;
                record.nearest = Some(nearest);
                answer
            }
        };
    }
    let operation = match routed {
        Ok(operation) => operation,
        Err(answer) => return answer,
    };
    let authorization = authorization(request);
    if admin::is_carried(authorization, state.admin_token()) {
        // Refused even with auth off: a test that sends it here has mixed up its tokens.
        record.auth = AuthStatus::Refused;
        return Answer::error(
            401,
            "this is the mock's admin token, for the control API under /_mock; the API takes an API token",
        );
    }
    let verified = if state.auth_enabled() {
        // An OIDC ID token beside the token: its claims are facts for the authorizer, so
        // that a token bound to a repository works beside that repository's ID token.
        let claims = match api::oidc::claims_of(request) {
            Ok(claims) => claims.unwrap_or_default(),
            Err(answer) => {
                record.auth = AuthStatus::Refused;
                return answer;
            }
        };
        match state.authority().verify_and_authorize(
            authorization,
            operation.permission,
            state.system_now(),
            &claims,
        ) {
            Ok(verified) => Some(verified),
            Err(refusal) => {
                record.auth = AuthStatus::Refused;
                return match refusal {
                    Refusal::Unauthorized(message) => Answer::error(401, message),
                    Refusal::Forbidden(message) => Answer::error(403, message),
                };
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
    api::handle(state, operation, request, verified.as_deref())
}

/// `status` as a status code (every status the mock answers is one).
fn status_code(status: u16) -> nixbuild::StatusCode {
    nixbuild::StatusCode::from_u16(status).unwrap_or(nixbuild::StatusCode::INTERNAL_SERVER_ERROR)
}
