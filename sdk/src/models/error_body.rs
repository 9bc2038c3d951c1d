//! [`ErrorBody`]: the body of every error the API answers, `{"error": message}`.

use serde::{Deserialize, Serialize};

/// The body of an error answer: `{"error": "<human message>"}`.
///
/// The service documents no error format; this is the one the mock server writes and the
/// OpenAPI document describes. The client does not rely on it: it keeps any error body raw
/// and reads the message from an `error` or `message` field when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong, for a person to read.
    pub error: String,
}

impl ErrorBody {
    /// An error body with this message.
    pub fn new(message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: message.into(),
        }
    }
}
