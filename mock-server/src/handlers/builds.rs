//! `GET /builds`, `/builds/summary` and `/usage`: answers from the store, over the filters.

use nixbuild::api::operation::Operation;
use wiremock::Request;

use super::filter;
use crate::answer::Answer;
use crate::state::State;
use crate::summary;

/// The matching builds, newest first, from each build's JSON encoded once.
pub(super) fn list(state: &State, operation: &Operation, request: &Request) -> Answer {
    match filter(operation, request) {
        Ok(filter) => Answer::json_bytes(200, state.store().select_json(&filter)),
        Err(answer) => answer,
    }
}

/// The summary of the matching builds.
pub(super) fn summary(state: &State, operation: &Operation, request: &Request) -> Answer {
    match filter(operation, request) {
        Ok(filter) => Answer::json(200, &summary::summarize(state.store().select(&filter))),
        Err(answer) => answer,
    }
}

/// The billable usage of the builds in the window.
pub(super) fn usage(state: &State, operation: &Operation, request: &Request) -> Answer {
    match filter(operation, request) {
        Ok(filter) => Answer::json(200, &summary::usage(state.store().select(&filter))),
        Err(answer) => answer,
    }
}
