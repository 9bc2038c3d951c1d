//! An entry point for the fuzzer in `fuzz/` (compiled only with `--cfg fuzzing`, which
//! cargo-fuzz sets): one request through the mock's whole handling, routing, faults, auth,
//! filters and answers, without a socket, so that millions of them run in minutes.

use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use wiremock::Respond;

use crate::auth::Authority;
use crate::faults::FaultQueue;
use crate::handlers::processes::ProcessLog;
use crate::journal::Journal;
use crate::responder::Responder;
use crate::state::State;

struct Fixture {
    state: Arc<State>,
    bearer: String,
    /// The builds it starts with, to go back to.
    builds: Vec<nixbuild::Build>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let authority = Authority::generate();
        let token = authority
            .tokens()
            .rights(["build:read", "build:write"])
            .never_expires()
            .mint();
        let builds: Vec<nixbuild::Build> = crate::fixtures::seed()
            .into_iter()
            .chain(crate::fixtures::generate(300, 1))
            .collect();
        let state = State {
            store: RwLock::new(builds.iter().cloned().collect()),
            authority,
            auth_enabled: true,
            faults: Mutex::new(FaultQueue::default()),
            journal: Mutex::new(Journal::new(16)),
            prefix: String::new(),
            observer: None,
            processes: Mutex::new(ProcessLog::default()),
            clock: crate::clock::Clock::default(),
            admin_token: nixbuild::Secret::from(ADMIN_TOKEN),
            expectations: Mutex::new(Vec::new()),
            answers: Mutex::new(crate::answer_cache::AnswerCache::default()),
        };
        Fixture {
            state: Arc::new(state),
            bearer: format!("Bearer {}", token.expose_secret()),
            builds,
        }
    })
}

/// The fuzzing mock's admin token: `Bearer ADMIN` in a request opens the control API.
const ADMIN_TOKEN: &str = "ADMIN";

/// The most builds the control API may add before the store is put back as it was: a long
/// fuzzing run must stay within its memory limit.
const MAX_FUZZ_BUILDS: usize = 5_000;

/// Handles a request written as text: `METHOD TARGET`, header lines `name: value`, an empty
/// line, the body. A header value `Bearer VALID` stands for a genuine token, `Bearer ADMIN`
/// for the admin token. Returns the status the mock answered, or `None` when the text is no
/// request or a control request (the journal keeps API requests only).
pub fn respond(text: &[u8]) -> Option<u16> {
    let fixture = fixture();
    let (head, body) = match text.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&text[..at], &text[at + 2..]),
        None => (text, &[][..]),
    };
    let mut lines = head.split(|b| *b == b'\n');
    let request_line = std::str::from_utf8(lines.next()?).ok()?;
    let (method, target) = request_line.split_once(' ')?;
    let method = wiremock::http::Method::from_bytes(method.as_bytes()).ok()?;
    let url = nixbuild::reexports::reqwest::Url::parse("http://127.0.0.1:1")
        .ok()?
        .join(target)
        .ok()?;
    let mut headers = wiremock::http::HeaderMap::new();
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        let value = if value == b"Bearer VALID" {
            fixture.bearer.as_bytes()
        } else {
            value
        };
        let (Ok(name), Ok(value)) = (
            wiremock::http::HeaderName::from_bytes(name),
            wiremock::http::HeaderValue::from_bytes(value),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    let request = wiremock::Request {
        url,
        method,
        headers,
        body: body.to_vec(),
    };
    let control = crate::control::is_control_path(request.url.path());
    let _ = Responder(Arc::clone(&fixture.state)).respond(&request);
    if control {
        // The control API's effects are what it was asked for: the faults it queued would
        // answer the next inputs with statuses the fuzzer does not expect of the API, and
        // the builds it adds must stay within the fuzzer's memory.
        crate::state::lock(&fixture.state.faults).clear();
        if fixture.state.store().len() > MAX_FUZZ_BUILDS {
            *fixture.state.store_mut() = fixture.builds.iter().cloned().collect();
        }
        return None;
    }
    let journal = fixture
        .state
        .journal
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    journal.last_status()
}
