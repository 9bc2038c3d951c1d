//! `POST /processes` (experimental): the processes received, numbered and remembered.

use nixbuild::Process;
use wiremock::Request;

use super::request::id_token;
use crate::answer::Answer;
use crate::app::State;

/// The handler.
pub(crate) fn create(state: &State, request: &Request) -> Answer {
    if let Err(message) = id_token(request) {
        return Answer::error(400, message);
    }
    let processes = match parse(&request.body) {
        Ok(processes) => processes,
        Err(message) => return Answer::error(400, message),
    };
    let scheduled = state.submit_processes(processes);
    Answer::json(200, &scheduled)
}

/// The processes of a request body, or the message of a 400.
fn parse(body: &[u8]) -> Result<Vec<Process>, String> {
    serde_json::from_slice(body).map_err(|e| format!("the body is not a JSON array of processes: {e}"))
}
