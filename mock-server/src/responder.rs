//! The HTTP side: routing each request, applying faults and auth, and answering from the
//! store with the semantics of NIXBUILD_API.md.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::SystemTime;

use nixbuild::{BuildFilter, ErrorBody, FilterParam};
use serde::Serialize;
use wiremock::{Request, Respond, ResponseTemplate};

use crate::auth::{Authority, Permission, Refusal, VerifiedToken};
use crate::experimental::{self, ProcessLog};
use crate::faults::{Fault, FaultKind, FaultQueue};
use crate::journal::{AuthStatus, Journal, RecordedRequest};
use crate::store::BuildStore;
use crate::summary;

/// The largest request body the mock takes (a `POST /processes` of thousands of processes
/// is a few hundred KB); a larger one is answered 413.
pub const MAX_REQUEST_BODY_BYTES: usize = 1024 * 1024;

/// Called with each request once it is answered (the standalone binary logs them).
pub(crate) type RequestObserver = Box<dyn Fn(&RecordedRequest) + Send + Sync>;

/// Everything a mock knows, shared between its handle and its responder.
pub(crate) struct State {
    pub(crate) store: RwLock<BuildStore>,
    pub(crate) authority: Authority,
    pub(crate) auth_enabled: bool,
    pub(crate) faults: Mutex<FaultQueue>,
    pub(crate) journal: Mutex<Journal>,
    pub(crate) prefix: String,
    pub(crate) observer: Option<RequestObserver>,
    /// The processes `POST /processes` received, the most recent ones.
    pub(crate) processes: Mutex<ProcessLog>,
}

/// Locks a mutex, carrying on after a panic elsewhere poisoned it: the data stays usable
/// and a mock server must keep answering.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The request's `Authorization` header value (empty when it is not text).
fn authorization(request: &Request) -> Option<&str> {
    request
        .headers
        .get("authorization")
        .map(|v| v.to_str().unwrap_or(""))
}

/// The endpoints the mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    ListBuilds,
    BuildsSummary,
    Usage,
    OidcTokenExchange,
    Processes,
}

impl Route {
    fn find(path: &str) -> Option<Route> {
        match path {
            "/builds" => Some(Route::ListBuilds),
            "/builds/summary" => Some(Route::BuildsSummary),
            "/usage" => Some(Route::Usage),
            "/auth/oidc-token-exchange" => Some(Route::OidcTokenExchange),
            "/processes" => Some(Route::Processes),
            _ => None,
        }
    }

    fn method(self) -> &'static str {
        match self {
            Route::Processes => "POST",
            _ => "GET",
        }
    }

    fn permission(self) -> Permission {
        match self {
            Route::Processes => Permission::BuildWrite,
            Route::OidcTokenExchange => Permission::TokenExchange,
            Route::ListBuilds | Route::BuildsSummary | Route::Usage => Permission::BuildRead,
        }
    }
}

/// An answer before it becomes a wiremock response.
struct Answer {
    status: u16,
    body: Vec<u8>,
    content_type: &'static str,
    retry_after: Option<u64>,
    allow: Option<&'static str>,
}

impl Answer {
    fn json(status: u16, value: &impl Serialize) -> Answer {
        match serde_json::to_vec(value) {
            Ok(body) => Answer {
                status,
                body,
                content_type: "application/json",
                retry_after: None,
                allow: None,
            },
            Err(e) => Answer::error(500, format!("the mock could not encode its answer: {e}")),
        }
    }

    fn error(status: u16, message: impl Into<String>) -> Answer {
        Answer::json(status, &ErrorBody::new(message))
    }

    fn text(status: u16, text: String) -> Answer {
        Answer {
            status,
            body: text.into_bytes(),
            content_type: "text/plain",
            retry_after: None,
            allow: None,
        }
    }

    fn into_template(self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status).set_body_raw(self.body, self.content_type);
        if let Some(seconds) = self.retry_after {
            template = template.insert_header("retry-after", seconds.to_string().as_str());
        }
        if let Some(allow) = self.allow {
            template = template.insert_header("allow", allow);
        }
        template
    }
}

/// The wiremock responder that is the fake nixbuild.net.
pub(crate) struct Responder(pub(crate) Arc<State>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        let full_path = request.url.path().to_owned();
        let path = full_path
            .strip_prefix(state.prefix.as_str())
            .filter(|p| p.starts_with('/'));
        let mut record = RecordedRequest::new(request.method.to_string(), &full_path, request.url.query());
        let fault = path.and_then(|p| lock(&state.faults).take(p));
        let replacement = fault.as_ref().and_then(replacement_answer);
        let mut template = match (path, replacement) {
            // wiremock has read the body whole by now; the mock keeps none this large.
            _ if request.body.len() > MAX_REQUEST_BODY_BYTES => {
                let answer = Answer::error(
                    413,
                    format!(
                        "the request body has {} bytes; this mock takes at most {MAX_REQUEST_BODY_BYTES}",
                        request.body.len()
                    ),
                );
                record.status = answer.status;
                answer.into_template()
            }
            (None, _) => {
                let answer = Answer::error(404, format!("no such path: {full_path}"));
                record.status = answer.status;
                answer.into_template()
            }
            (Some(_), Some((template, status))) => {
                record.status = status;
                template
            }
            (Some(path), None) => {
                let (answer, auth) = self.answer(request, path);
                record.auth = auth;
                record.status = answer.status;
                answer.into_template()
            }
        };
        if let Some(FaultKind::Delay(delay)) = fault.as_ref().map(Fault::kind) {
            template = template.set_delay(*delay);
        }
        if let Some(observe) = &state.observer {
            observe(&record);
        }
        lock(&state.journal).record(record);
        template
    }
}

impl Responder {
    /// The normal answer to `request` for `path` (the prefix removed), and how auth fared.
    fn answer(&self, request: &Request, path: &str) -> (Answer, AuthStatus) {
        let Some(route) = Route::find(path) else {
            return (
                Answer::error(404, format!("no such path: {path}")),
                AuthStatus::NotChecked,
            );
        };
        if request.method.as_str() != route.method() {
            let mut answer = Answer::error(
                405,
                format!("{path} answers {}, not {}", route.method(), request.method),
            );
            answer.allow = Some(route.method());
            return (answer, AuthStatus::NotChecked);
        }
        match self.authorize(request, route.permission()) {
            Ok(verified) => {
                let status = if verified.is_some() {
                    AuthStatus::Passed
                } else {
                    AuthStatus::Disabled
                };
                (self.serve(route, request, verified), status)
            }
            Err(Refusal::Unauthorized(message)) => (Answer::error(401, message), AuthStatus::Refused),
            Err(Refusal::Forbidden(message)) => (Answer::error(403, message), AuthStatus::Refused),
        }
    }

    /// The request's verified token when auth allows it (`None` with auth off), or the
    /// refusal.
    fn authorize(
        &self,
        request: &Request,
        permission: Permission,
    ) -> Result<Option<Arc<VerifiedToken>>, Refusal> {
        if !self.0.auth_enabled {
            return Ok(None);
        }
        self.0
            .authority
            .verify_and_authorize(authorization(request), permission, SystemTime::now())
            .map(Some)
    }

    fn serve(&self, route: Route, request: &Request, verified: Option<Arc<VerifiedToken>>) -> Answer {
        let params: &[FilterParam] = match route {
            Route::Usage => &[FilterParam::CreateTimeFrom, FilterParam::CreateTimeTo],
            Route::ListBuilds | Route::BuildsSummary => &FilterParam::ALL,
            Route::OidcTokenExchange => return self.exchange(request, verified.as_deref()),
            Route::Processes => return self.schedule(request),
        };
        let query = request.url.query().unwrap_or("");
        let filter = match BuildFilter::from_query_params(query, params) {
            Ok(filter) => filter,
            Err(e) => return Answer::error(400, e.to_string()),
        };
        let store = self.0.store.read().unwrap_or_else(PoisonError::into_inner);
        let builds = store.select(&filter);
        match route {
            Route::ListBuilds => Answer::json(200, &builds),
            Route::BuildsSummary => Answer::json(200, &summary::summarize(builds)),
            _ => Answer::json(200, &summary::usage(builds)),
        }
    }

    fn exchange(&self, request: &Request, verified: Option<&VerifiedToken>) -> Answer {
        let jwt = match experimental::id_token(request) {
            Ok(jwt) => jwt,
            Err(message) => return Answer::error(400, message),
        };
        let Some(presented) = verified else {
            return Answer::error(
                403,
                "this mock runs with auth off, so it has no verified token to exchange; it \
                 signs nothing it has not verified",
            );
        };
        match experimental::exchange(&self.0.authority, presented, jwt, SystemTime::now()) {
            Ok(token) => Answer::text(200, token.expose_secret().to_owned()),
            Err(message) => Answer::error(403, message),
        }
    }

    fn schedule(&self, request: &Request) -> Answer {
        if let Err(message) = experimental::id_token(request) {
            return Answer::error(400, message);
        }
        let processes = match experimental::processes(&request.body) {
            Ok(processes) => processes,
            Err(message) => return Answer::error(400, message),
        };
        let scheduled = lock(&self.0.processes).record(processes);
        Answer::json(200, &scheduled)
    }
}

/// The answer of a fault that replaces the normal one, and the status to record; `None` for a
/// fault that only delays the normal answer.
fn replacement_answer(fault: &Fault) -> Option<(ResponseTemplate, u16)> {
    let replacement = match &fault.kind {
        FaultKind::Status(status) => {
            let status = if (100..=999).contains(status) {
                *status
            } else {
                500
            };
            let mut answer = Answer::error(status, format!("injected fault: HTTP {status}"));
            if matches!(status, 429 | 503) {
                answer.retry_after = Some(fault.retry_after.as_secs());
            }
            (answer.into_template(), status)
        }
        FaultKind::MalformedBody => (
            ResponseTemplate::new(200).set_body_raw("[{\"build_id\": 1, \"create_ti", "application/json"),
            200,
        ),
        // A Content-Length longer than the body: the server closes the connection when the
        // body ends short, and the client sees the connection drop mid-answer.
        FaultKind::DropConnection => (
            ResponseTemplate::new(200)
                .set_body_raw("[{\"build_id\"", "application/json")
                .insert_header("content-length", "1048576"),
            200,
        ),
        FaultKind::Delay(_) => return None,
    };
    Some(replacement)
}
