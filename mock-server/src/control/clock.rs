//! `/_mock/clock`: the mock's now, frozen at an instant or moved, or real time again.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use wiremock::Request;

use super::body::json_object;
use crate::answer::Answer;
use crate::app::State;

/// The farthest one `advance_seconds` moves the clock: about 31,700 years.
const MAX_ADVANCE_SECONDS: f64 = 1e12;

/// The body of `PUT /_mock/clock`: exactly one of `now` and `advance_seconds`. Either
/// freezes the clock (it stays at that instant until moved again or reset with
/// `DELETE /_mock/clock`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClockChange {
    /// The instant to freeze the clock at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<DateTime<Utc>>,
    /// Seconds to move the clock by from its now (negative moves it back; fractions count
    /// to the microsecond).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = -1e12, maximum = 1e12))]
    pub advance_seconds: Option<f64>,
}

/// The mock's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockState {
    /// The mock's now.
    pub now: DateTime<Utc>,
    /// Whether a test froze it (else it is real time).
    pub frozen: bool,
}

fn state_of(state: &State) -> ClockState {
    ClockState {
        now: state.now(),
        frozen: state.clock_is_frozen(),
    }
}

/// `GET /_mock/clock`.
pub(super) fn get(state: &State) -> Answer {
    Answer::json(200, &state_of(state))
}

/// `PUT /_mock/clock`.
pub(super) fn set(state: &State, request: &Request) -> Answer {
    let change: ClockChange = match json_object(request) {
        Ok(change) => change,
        Err(answer) => return answer,
    };
    match (change.now, change.advance_seconds) {
        (Some(now), None) => {
            if let Err(overflow) = state.set_clock(now) {
                return Answer::error(400, overflow.to_string());
            }
        }
        (None, Some(seconds)) => {
            if !(seconds.is_finite() && seconds.abs() <= MAX_ADVANCE_SECONDS) {
                return Answer::error(
                    400,
                    format!("`advance_seconds` is a number of at most {MAX_ADVANCE_SECONDS:e}"),
                );
            }
            let by = TimeDelta::microseconds((seconds * 1e6).round() as i64);
            if let Err(overflow) = state.advance_clock(by) {
                return Answer::error(400, overflow.to_string());
            }
        }
        _ => return Answer::error(400, "give exactly one of `now` and `advance_seconds`"),
    }
    Answer::json(200, &state_of(state))
}

/// `DELETE /_mock/clock`: real time again.
pub(super) fn reset(state: &State) -> Answer {
    state.reset_clock();
    Answer::empty()
}
