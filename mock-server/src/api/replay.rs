//! Replay, the other way of serving the API: each request answered as a recording answered
//! it ([`MockNixbuildBuilder::replay`](crate::MockNixbuildBuilder::replay)), in place of the
//! store and its handlers.

use crate::answer::Answer;
use crate::recording_format::{Miss, Replayer};

/// The recorded answer to a request (its status, kept headers and body, byte for byte), or
/// the 404 that names the nearest recorded request, and that message.
pub(crate) fn answer(
    replayer: &mut Replayer,
    method: &str,
    path: &str,
    query: &str,
) -> Result<Answer, (Answer, String)> {
    match replayer.answer(method, path, query) {
        Ok(recorded) => {
            let mut answer = Answer::bytes(recorded.status, recorded.body().to_vec());
            for (name, value) in &recorded.headers {
                answer = answer.header(name.as_str(), value.as_str());
            }
            Ok(answer)
        }
        Err(Miss(message)) => Err((Answer::error(404, message.as_str()), message)),
    }
}
