//! An entry point for the fuzzer in `fuzz/` (compiled only with `--cfg fuzzing`, which
//! cargo-fuzz sets): one request through the mock's whole handling, routing, faults, auth,
//! filters and answers, without a socket, so that millions of them run in minutes.

use std::sync::{Arc, OnceLock};

use wiremock::Respond;

use crate::app::{State, StateConfig};
use crate::auth::Authority;
use crate::dispatch::Responder;
use crate::recording_format::{Recorder, Recording, Replayer};

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
        let state = State::new(StateConfig {
            builds: builds.clone(),
            authority,
            auth_enabled: true,
            prefix: String::new(),
            observer: None,
            journal_capacity: 16,
            admin_token: nixbuild::Secret::from(ADMIN_TOKEN),
            replay: None,
        });
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
        fixture.state.clear_faults();
        if fixture.state.build_count() > MAX_FUZZ_BUILDS {
            fixture.state.clear_builds();
            fixture.state.add_builds(fixture.builds.iter().cloned());
        }
        return None;
    }
    fixture.state.last_status()
}

/// `code` appended to a genuine token of the mock as an attenuation block, as a holder
/// attenuates offline, and the token authorized as a request would be: the outcome, or
/// `None` when `code` is not Datalog the SDK can append. Whatever the code, the token's
/// cost is bounded before its Datalog runs (libFuzzer's `-timeout` finds what is slow).
pub fn authorize_attenuation(code: &str) -> Option<crate::AuthOutcome> {
    let fixture = fixture();
    let token = nixbuild::Token::new(fixture.bearer.trim_start_matches("Bearer "));
    let attenuated = token
        .attenuate()
        .datalog(code, Vec::<(&str, nixbuild::token::DatalogValue)>::new())
        .finish()
        .ok()?;
    Some(fixture.state.authority().authorize(
        Some(&format!("Bearer {}", attenuated.expose_secret())),
        nixbuild::api::operation::Permission::BuildRead,
        std::time::SystemTime::now(),
    ))
}

/// The same request, written as HTTP/1.1 bytes (`METHOD TARGET HTTP/1.1`, each header line,
/// an empty line, the body exactly as given: chunked when a header says so), through the
/// standalone server's [`Front`](crate::standalone::front::Front) and on to a mock behind it. Returns
/// the status of the first answer, or `None` when the front closed the connection without
/// one (a request HTTP cannot read, a body that never ends).
#[cfg(feature = "cli")]
pub fn respond_through_front(text: &[u8]) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    struct Served {
        runtime: tokio::runtime::Runtime,
        mock: crate::MockNixbuild,
        front: crate::standalone::front::Front,
        bearer: Vec<u8>,
    }
    static SERVED: OnceLock<Served> = OnceLock::new();
    let served = SERVED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the fuzzer");
        let mock = runtime.block_on(
            crate::MockNixbuild::builder()
                .builds(crate::fixtures::seed())
                .admin_token(ADMIN_TOKEN)
                .journal_capacity(16)
                .start(),
        );
        let token = mock
            .tokens()
            .rights(["build:read", "build:write"])
            .never_expires()
            .mint();
        let front = crate::standalone::front::Front::new(&mock, std::time::Duration::from_millis(500));
        Served {
            runtime,
            mock,
            front,
            bearer: format!("Bearer {}", token.expose_secret()).into_bytes(),
        }
    });
    let http = as_http(text, &served.bearer);
    let answer = served.runtime.block_on(async {
        let (mut client, server) = tokio::io::duplex(64 * 1024);
        tokio::spawn(served.front.clone().serve_connection(server));
        let (mut reader, mut writer) = tokio::io::split(&mut client);
        let write = async {
            // A front that stops reading (a body past its budget) leaves the rest unsent.
            let _ = writer.write_all(&http).await;
            let _ = writer.shutdown().await;
        };
        let mut answer = Vec::new();
        let read = async {
            let _ = (&mut reader).take(1 << 20).read_to_end(&mut answer).await;
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            tokio::join!(write, read);
        })
        .await;
        answer
    });
    served.mock.clear_faults();
    if served.mock.build_count() > MAX_FUZZ_BUILDS {
        served.mock.clear_builds();
    }
    let status_line = answer.split(|b| *b == b'\n').next()?;
    let status = std::str::from_utf8(status_line).ok()?.split(' ').nth(1)?;
    status.parse().ok()
}

/// `text` in the fuzzer's request format as HTTP/1.1 bytes, `Bearer VALID` made genuine.
#[cfg(feature = "cli")]
fn as_http(text: &[u8], bearer: &[u8]) -> Vec<u8> {
    let (head, body) = match text.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&text[..at], &text[at + 2..]),
        None => (text, &[][..]),
    };
    let mut http = Vec::with_capacity(text.len() + 64);
    for (i, line) in head.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.ends_with(b"Bearer VALID") {
            http.extend_from_slice(&line[..line.len() - b"Bearer VALID".len()]);
            http.extend_from_slice(bearer);
        } else {
            http.extend_from_slice(line);
        }
        if i == 0 {
            http.extend_from_slice(b" HTTP/1.1");
        }
        http.extend_from_slice(b"\r\n");
    }
    http.extend_from_slice(b"\r\n");
    http.extend_from_slice(body);
    http
}

/// Any bytes as a recording file, into `replay` and `check`'s reading of it, and as an
/// answer and a query through the redaction a recorder applies: never a panic; a recording
/// that reads is replayed (each of its requests answered as recorded); a JSON answer stays
/// JSON once redacted, and a recorder's file is always a recording it can read again.
pub fn recording(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(recording) = Recording::from_json(&text) {
        let requests: Vec<(String, String, String)> = recording
            .interactions
            .iter()
            .map(|i| (i.method.clone(), i.path.clone(), i.query.clone()))
            .collect();
        let _ = recording.builds();
        let mut replayer = Replayer::new(recording, Vec::new());
        for (method, path, query) in requests {
            assert!(
                replayer.answer(&method, &path, &query).is_ok(),
                "a recorded request is replayed: {method} {path}?{query}"
            );
        }
        let _ = replayer.answer("GET", "/builds", &text);
    }
    let body = crate::redaction::redact_body(data);
    if serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok() {
        assert!(
            serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok(),
            "a JSON body stays JSON once redacted: {text:?}"
        );
    }
    let _ = crate::redaction::redact_query(&text);
    let recorder = Recorder::new(data.first().is_some_and(|b| b % 2 == 0));
    let _ = recorder.learn_request([("cookie", text.as_ref())], &text);
    recorder.observe(
        "GET",
        "/builds",
        &text,
        200,
        [("content-type", "application/json")],
        data,
    );
    recorder.observe("GET", "/usage", "", 400, [("retry-after", text.as_ref())], data);
    let written = recorder.to_json();
    assert!(
        Recording::from_json(&written).is_ok(),
        "a recorder's file reads as a recording: {written}"
    );
}
