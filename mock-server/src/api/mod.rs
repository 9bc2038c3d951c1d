//! The API as the mock serves it: one handler per operation of the SDK's table over the
//! store, and replay, which answers from a recording instead.

use nixbuild::api::operation::{Operation, OperationId};
use wiremock::Request;

use crate::answer::Answer;
use crate::app::State;
use crate::auth::VerifiedToken;

mod builds;
mod exchange;
pub(crate) mod oidc;
mod processes;
pub(crate) mod replay;
mod request;

pub use exchange::EXCHANGED_TOKEN_LIFETIME;

/// The answer to `request` for `operation`, once routing, faults and auth let it through
/// (`verified` is the request's token, `None` with auth off).
pub(crate) fn handle(
    state: &State,
    operation: &Operation,
    request: &Request,
    verified: Option<&VerifiedToken>,
) -> Answer {
    match operation.id {
        OperationId::ListBuilds => builds::list(state, operation, request),
        OperationId::GetBuildsSummary => builds::summary(state, operation, request),
        OperationId::GetUsage => builds::usage(state, operation, request),
        OperationId::ExchangeOidcToken => exchange::handle(state, request, verified),
        OperationId::CreateProcesses => processes::create(state, request),
        // Outside the workspace the enum is non-exhaustive: a row added to the SDK's table
        // before this mock's release handles it is said plainly, never answered as
        // something else. Inside it, the match is exhaustive and a new row fails to compile.
        #[cfg(not(nixbuild_workspace))]
        _ => Answer::error(501, format!("this mock has no handler for {}", operation.name)),
    }
}
