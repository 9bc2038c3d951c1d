//! The verdict on a request's token: [`AuthOutcome`] for callers, [`Refusal`] for the answer.

/// The verdict on a request's token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthOutcome {
    /// Auth is switched off for this mock.
    Disabled,
    /// The token is genuine and allows the request.
    Allowed,
    /// 401: no token, not a Biscuit token, too costly to evaluate, revoked, or not signed by
    /// this mock's root key.
    Unauthorized(String),
    /// 403: a genuine token whose checks or the service's policies refuse the request.
    Forbidden(String),
}

/// Why a request's token was refused: the status and message of its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 401.
    Unauthorized(String),
    /// 403.
    Forbidden(String),
}

impl From<Refusal> for AuthOutcome {
    fn from(refusal: Refusal) -> AuthOutcome {
        match refusal {
            Refusal::Unauthorized(message) => AuthOutcome::Unauthorized(message),
            Refusal::Forbidden(message) => AuthOutcome::Forbidden(message),
        }
    }
}

impl AuthOutcome {
    /// Whether the request may proceed.
    pub fn passed(&self) -> bool {
        matches!(self, AuthOutcome::Disabled | AuthOutcome::Allowed)
    }
}
