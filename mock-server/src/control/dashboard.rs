//! `/_mock/ui`: the dashboard, a page in the browser that shows what the code under test
//! sent and steers the mock through the control API.
//!
//! Getting in: `POST /_mock/ui/login` (admin token) answers a one-time login URL, which the
//! binary also prints as `NIXBUILD_MOCK_DASHBOARD_URL`. Opening it exchanges its code for a
//! session cookie (`HttpOnly`, `SameSite=Strict`, path `/_mock`) and redirects to the page,
//! whose URL holds no secret. With the cookie, the page calls the control API as the admin
//! token would, but only from its own origin: a request whose `Origin` or `Sec-Fetch-Site`
//! says another origin sent it is refused, and a request that changes anything must say its
//! origin. A page on another port of localhost (the same site to a browser, so the cookie
//! goes along) can therefore neither read nor change the mock.
//!
//! Every answer here forbids inline script, other origins, framing and caching; the page
//! writes whatever came from outside as text, never as HTML.
//!
//! Following changes: `GET /_mock/ui/events` is a Server-Sent Events stream whose events
//! carry the mock's count of changes. Served in process it answers the current count and
//! ends, asking the browser to come back within a quarter second; the standalone binary's
//! front holds it open and sends each change as it happens.

use serde::{Deserialize, Serialize};
use wiremock::Request;

use super::body::json_object;
use super::requests::JournalEntry;
use super::routes::CONTROL_PREFIX;
use crate::answer::Answer;
use crate::app::State;
use crate::auth::dashboard::{LOGIN_CODE_LIFETIME, SESSION_COOKIE};
use crate::instruments::recorded_request::AuthStatus;
use crate::world::summary;

/// Where the dashboard lives.
pub const DASHBOARD_PATH: &str = "/_mock/ui";

/// How soon the browser asks again for changes when an events answer ends, in milliseconds.
pub(crate) const EVENTS_RETRY_MS: u64 = 250;

/// What the page is made of, compiled into the binary: no CDN, no network, nothing built at
/// install time.
const PAGE: &str = include_str!("../../ui/index.html");
const SCRIPT: &str = include_str!("../../ui/app.js");
const STYLE: &str = include_str!("../../ui/app.css");
/// Its icon: without one, the browser asks for `/favicon.ico`, which the API would journal.
const ICON: &str = include_str!("../../ui/favicon.svg");

/// The headers of every dashboard answer: no inline script or style, nothing from another
/// origin, no framing, no caching, no referrer (a login URL's code must not leak).
const SECURITY_HEADERS: [(&str, &str); 6] = [
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
    ("cross-origin-resource-policy", "same-origin"),
];

/// The answer of `POST /_mock/ui/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardLogin {
    /// A one-time URL that opens the dashboard: its code is exchanged for a session cookie on
    /// first use, and expires unused after ten minutes.
    pub url: String,
}

/// The dashboard's own answer to a request under [`DASHBOARD_PATH`] (the page, its assets,
/// the login link, the events, the overview), or `None` for a request the control table
/// routes (`POST /_mock/ui/login`).
pub(super) fn serve(state: &State, request: &Request) -> Option<Answer> {
    let path = request.url.path().strip_prefix(DASHBOARD_PATH)?;
    let get = request.method.as_str() == "GET";
    let answer = match path {
        "/app.js" if get => Answer::text_as(200, SCRIPT, "text/javascript; charset=utf-8"),
        "/app.css" if get => Answer::text_as(200, STYLE, "text/css; charset=utf-8"),
        "/favicon.svg" if get => Answer::text_as(200, ICON, "image/svg+xml"),
        "/login" if get => log_in(state, request),
        "" | "/" if get => match admitted(state, request) {
            Ok(()) => Answer::text_as(200, PAGE, "text/html; charset=utf-8"),
            Err(_) => login_needed(),
        },
        "/events" if get => match admitted(state, request) {
            Ok(()) => events(state.change_count()),
            Err(answer) => answer,
        },
        "/overview" if get => match admitted(state, request) {
            Ok(()) => overview(state),
            Err(answer) => answer,
        },
        "/builds" if get => match admitted(state, request) {
            Ok(()) => builds(state, request),
            Err(answer) => answer,
        },
        "/requests" if get => match admitted(state, request) {
            Ok(()) => requests(state, request),
            Err(answer) => answer,
        },
        detail if get && detail.starts_with("/requests/") => match admitted(state, request) {
            Ok(()) => request_detail(state, &detail["/requests/".len()..]),
            Err(answer) => answer,
        },
        "/inspect" if request.method.as_str() == "POST" => match admitted(state, request) {
            Ok(()) => inspect(request),
            Err(answer) => answer,
        },
        _ => return None,
    };
    Some(secured(answer))
}

/// `POST /_mock/ui/login`, with the admin token: a one-time login URL for the origin the
/// request was sent to.
pub(super) fn login_url(state: &State, request: &Request) -> Answer {
    let Some(origin) = origin_of(request) else {
        return Answer::error(
            400,
            "the Host header is not a host and port, so the mock cannot say where its dashboard is",
        );
    };
    let code = state.dashboard_login_code();
    let url = format!("{origin}{DASHBOARD_PATH}/login?code={code}");
    secured(Answer::json(201, &DashboardLogin { url }))
}

/// Whether a request comes from a dashboard session on the mock's own origin; the 401 or
/// 403 that says why not.
pub(super) fn admitted(state: &State, request: &Request) -> Result<(), Answer> {
    let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
    let origin = origin_of(request).unwrap_or_default();
    check_access(state, request.method.as_str(), &header, &origin)
        .map_err(|Refused(status, message)| Answer::error(status, message))
}

/// Why a dashboard request is refused: its status and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refused(pub(crate) u16, pub(crate) &'static str);

/// Whether a request (its method and headers, and the origin it was sent to) comes from a
/// dashboard session on the mock's own origin: the one rule for the page, its control
/// requests and the events the standalone front streams.
pub(crate) fn check_access<'h>(
    state: &State,
    method: &str,
    header: &dyn Fn(&str) -> Option<&'h str>,
    origin: &str,
) -> Result<(), Refused> {
    if !state.dashboard_admits(header("cookie")) {
        return Err(Refused(
            401,
            "no dashboard session: open the login URL the mock printed (NIXBUILD_MOCK_DASHBOARD_URL), or \
             one from POST /_mock/ui/login",
        ));
    }
    let cross_site = header("sec-fetch-site").is_some_and(|site| site != "same-origin" && site != "none");
    let foreign = header("origin").is_some_and(|sent| sent != origin);
    let changes = !matches!(method, "GET" | "HEAD");
    if cross_site || foreign || (changes && header("origin").is_none()) {
        return Err(Refused(
            403,
            "the dashboard's session works from the dashboard's own page only: this request came \
             from another origin, or did not say which",
        ));
    }
    Ok(())
}

/// `http://host:port` as a `Host` header names the mock, when it is a plain host and port.
pub(crate) fn origin_from_host(host: Option<&str>) -> Option<String> {
    let plain = |host: &&str| {
        !host.is_empty()
            && host.len() <= 255
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
    };
    host.filter(plain).map(|host| format!("http://{host}"))
}

/// `http://host:port` as the request names the mock, when its `Host` header is a plain host
/// and port (a request with no such header matches no `Origin`).
fn origin_of(request: &Request) -> Option<String> {
    origin_from_host(request.headers.get("host").and_then(|v| v.to_str().ok()))
}

/// One Server-Sent Event with the count of changes, asking the browser to come back within
/// `retry_ms` if the stream ends.
pub(crate) fn change_event(count: u64, retry_ms: u64) -> String {
    format!("retry: {retry_ms}\nid: {count}\nevent: changes\ndata: {count}\n\n")
}

/// `GET /_mock/ui/login?code=…`: the session cookie and the page, or why not.
fn log_in(state: &State, request: &Request) -> Answer {
    let code = request
        .url
        .query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, code)| code.into_owned())
        .unwrap_or_default();
    match state.open_dashboard_session(&code) {
        Some(session) => Answer::empty_with(303)
            .header("location", format!("{DASHBOARD_PATH}/"))
            .header(
                "set-cookie",
                format!("{SESSION_COOKIE}={session}; Path={CONTROL_PREFIX}; HttpOnly; SameSite=Strict"),
            ),
        None => {
            let minutes = LOGIN_CODE_LIFETIME.as_secs() / 60;
            Answer::text_as(
                401,
                &notice(&format!(
                    "This login link is unknown, used already, or older than {minutes} minutes. Ask \
                     the mock for another: POST /_mock/ui/login with the admin token, or the \
                     dashboard helper of your language."
                )),
                "text/html; charset=utf-8",
            )
        }
    }
}

/// The page shown to a browser without a session.
fn login_needed() -> Answer {
    Answer::text_as(
        401,
        &notice(
            "Open the login URL the mock printed (NIXBUILD_MOCK_DASHBOARD_URL), or one from POST \
             /_mock/ui/login with the admin token, or the dashboard helper of your language.",
        ),
        "text/html; charset=utf-8",
    )
}

/// A page of one fixed message (never text from a request).
fn notice(message: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nixbuild-mock \
         dashboard</title><link rel=\"icon\" href=\"{DASHBOARD_PATH}/favicon.svg\" \
         type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"{DASHBOARD_PATH}/app.css\"></head>\n<body><main \
         class=\"notice\"><h1>nixbuild-mock dashboard</h1><p>{message}</p></main></body></html>\n"
    )
}

/// The count of changes as one event, after which the stream ends: in process, wiremock
/// cannot hold an answer open, so the browser asks again within [`EVENTS_RETRY_MS`].
fn events(count: u64) -> Answer {
    Answer::text_as(200, &change_event(count, EVENTS_RETRY_MS), "text/event-stream")
}

/// What the page shows besides what the control API answers.
#[derive(Serialize)]
struct Overview {
    /// `serving`, or `replaying N recorded requests`.
    mode: String,
    /// The path prefix the API is served under.
    prefix: String,
    /// The count of changes so far.
    changes: u64,
    /// Each expectation, its count and whether it is met.
    expectations: Vec<ExpectationState>,
    /// The rights a minted token may name.
    known_rights: &'static [&'static str],
    /// The statuses a build may be added in or moved to, in the API's order: the page's
    /// lists are these, so that it offers nothing the mock would refuse.
    known_statuses: Vec<&'static str>,
}

#[derive(Serialize)]
struct ExpectationState {
    description: String,
    received: u64,
    met: bool,
}

/// `GET /_mock/ui/overview`.
fn overview(state: &State) -> Answer {
    let expectations = state
        .expectations()
        .into_iter()
        .map(|(expectation, received, met)| ExpectationState {
            description: expectation.to_string(),
            received,
            met,
        })
        .collect();
    Answer::json(
        200,
        &Overview {
            mode: match state.replays() {
                Some(1) => "replaying 1 recorded request".to_owned(),
                Some(recorded) => format!("replaying {recorded} recorded requests"),
                None => "serving".to_owned(),
            },
            prefix: state.prefix().to_owned(),
            changes: state.change_count(),
            expectations,
            known_rights: nixbuild::token::KNOWN_RIGHTS,
            known_statuses: nixbuild::BuildStatus::KNOWN
                .iter()
                .map(nixbuild::BuildStatus::as_str)
                .collect(),
        },
    )
}

/// `GET /_mock/ui/builds?<the API's filter>`: the builds `GET /builds` would answer, and the
/// summary `GET /builds/summary` would, for the same query (a bad one is the API's 400).
fn builds(state: &State, request: &Request) -> Answer {
    #[derive(Serialize)]
    struct Filtered {
        builds: Vec<nixbuild::Build>,
        summary: nixbuild::BuildsSummary,
    }
    let params = nixbuild::api::operation::OperationId::ListBuilds
        .operation()
        .params;
    let filter = match nixbuild::BuildFilter::from_query_params(request.url.query().unwrap_or(""), params) {
        Ok(filter) => filter,
        Err(e) => return Answer::error(400, e.to_string()),
    };
    let store = state.store();
    let builds = store.select(&filter);
    let summary = summary::summarize(&builds);
    Answer::json(200, &Filtered { builds, summary })
}

/// The most entries one read of `GET /_mock/ui/requests` answers: the newest, when more
/// arrived since the page last asked (it says how many it left out).
const MAX_REQUESTS_READ: usize = 10_000;

/// A journal entry as the page lists it: no headers, no body (those come one entry at a
/// time, when asked for), so that following a busy mock costs it little.
#[derive(Serialize)]
struct Listed<'a> {
    seq: u64,
    received_at: chrono::DateTime<chrono::Utc>,
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    operation: Option<&'static str>,
    status: u16,
    auth: AuthStatus,
    unmatched: bool,
}

/// `GET /_mock/ui/requests?after=N&limit=M`: the newest `limit` (at most
/// [`MAX_REQUESTS_READ`]) journal entries numbered after `after`, oldest first, listed
/// without headers and bodies, and how many newer ones were left out.
fn requests(state: &State, request: &Request) -> Answer {
    #[derive(Serialize)]
    struct Page<'a> {
        entries: Vec<Listed<'a>>,
        skipped: usize,
    }
    let mut after = 0;
    let mut limit = MAX_REQUESTS_READ;
    for (name, value) in request.url.query_pairs() {
        let number = value.parse::<u64>().ok();
        match (name.as_ref(), number) {
            ("after", Some(n)) => after = n,
            ("limit", Some(n)) => limit = usize::try_from(n).unwrap_or(usize::MAX).min(MAX_REQUESTS_READ),
            _ => return Answer::error(400, "this path takes `after` and `limit`, each a number"),
        }
    }
    let newer = state.received_requests(None, None, after);
    let skipped = newer.len().saturating_sub(limit);
    let entries = newer[skipped..]
        .iter()
        .map(|entry| entry.request())
        .map(|entry| Listed {
            seq: entry.seq,
            received_at: entry.received_at,
            method: entry.method.as_str(),
            path: &entry.path,
            query: entry.query.as_deref(),
            operation: entry.operation().map(|id| id.operation().name),
            status: entry.status.as_u16(),
            auth: entry.auth,
            unmatched: entry.unmatched,
        })
        .collect();
    Answer::json(200, &Page { entries, skipped })
}

/// `GET /_mock/ui/requests/{seq}`: one journal entry whole, as `GET /_mock/requests` gives it.
fn request_detail(state: &State, seq: &str) -> Answer {
    let Ok(seq) = seq.parse::<u64>() else {
        return Answer::error(400, "a journal entry's number is a number");
    };
    match state.received_request(seq) {
        Some(entry) => Answer::json(200, &JournalEntry::from(entry.request())),
        None => Answer::error(404, "the journal no longer holds this request"),
    }
}

/// The body of `POST /_mock/ui/inspect`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToInspect {
    token: String,
}

/// `POST /_mock/ui/inspect`: what a token says, as `nixbuild token inspect` shows it (its
/// signature unchecked, as there).
fn inspect(request: &Request) -> Answer {
    #[derive(Serialize)]
    struct Inspection {
        text: String,
    }
    let body: ToInspect = match json_object(request) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    match nixbuild::Token::new(body.token.trim()).inspect() {
        Ok(info) => Answer::json(
            200,
            &Inspection {
                text: info.to_string(),
            },
        ),
        Err(e) => Answer::error(400, format!("not a readable token: {e}")),
    }
}

/// `answer` with the dashboard's security headers.
pub(super) fn secured(mut answer: Answer) -> Answer {
    for (name, value) in SECURITY_HEADERS {
        answer = answer.header(name, value);
    }
    answer
}
