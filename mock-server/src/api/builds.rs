//! `GET /builds`, `/builds/summary` and `/usage`: answers from the store, over the filters,
//! each computed once per store generation and query asked more than once (see
//! [`AnswerCache`](crate::app::answer_cache)).

use std::sync::Arc;

use nixbuild::BuildFilter;
use nixbuild::api::operation::Operation;
use wiremock::Request;

use super::request::filter;
use crate::answer::Answer;
use crate::app::State;
use crate::world::store::BuildStore;
use crate::world::summary;

/// The matching builds, newest first, from each build's JSON encoded once.
pub(super) fn list(state: &State, operation: &Operation, request: &Request) -> Answer {
    cached(state, operation, request, |store, filter| {
        store.select_json(filter)
    })
}

/// The summary of the matching builds.
pub(super) fn summary(state: &State, operation: &Operation, request: &Request) -> Answer {
    cached(state, operation, request, |store, filter| {
        encode(&summary::summarize(&store.select(filter)))
    })
}

/// The billable usage of the builds in the window.
pub(super) fn usage(state: &State, operation: &Operation, request: &Request) -> Answer {
    cached(state, operation, request, |store, filter| {
        encode(&summary::usage(&store.select(filter)))
    })
}

/// The answer to `request`: from the cache when the store has not changed since it was
/// computed, else computed by `compute` from the request's filter (a bad filter is a 400).
fn cached(
    state: &State,
    operation: &Operation,
    request: &Request,
    compute: impl FnOnce(&BuildStore, &BuildFilter) -> Vec<u8>,
) -> Answer {
    let query = request.url.query().unwrap_or("");
    let store = state.store();
    let generation = store.generation();
    let keep = {
        let mut answers = state.answers();
        if let Some(body) = answers.get(operation.id, query, generation) {
            return Answer::json_bytes(200, body.to_vec());
        }
        answers.worth_keeping(operation.id, query)
    };
    let filter = match filter(operation, request) {
        Ok(filter) => filter,
        Err(answer) => return answer,
    };
    let body = compute(&store, &filter);
    drop(store);
    if !keep {
        // Asked for the first time: answered without a copy, and not kept.
        return Answer::json_bytes(200, body);
    }
    let body = Arc::new(body);
    state
        .answers()
        .put(operation.id, query, generation, Arc::clone(&body));
    Answer::json_bytes(200, Arc::unwrap_or_clone(body))
}

/// A summary or usage as JSON (their fields are numbers: they always encode).
fn encode(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec())
}
