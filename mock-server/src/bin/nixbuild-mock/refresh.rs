//! `nixbuild-mock record --refresh FILE`: a recording's requests asked of the upstream
//! again, through the same recording proxy a live recording uses (so the same secret rules),
//! and written as a new recording: what a scheduled drift check compares the mock with.

use std::collections::HashSet;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use nixbuild_mock::REDACTED;
use nixbuild_mock::front::Front;
use nixbuild_mock::recording::proxy::RecordingProxy;
use nixbuild_mock::recording::{Recorder, Recording};

/// Asks `upstream` each distinct read request of the recording at `old`, in the order they
/// first came, with the token in `NIXBUILD_TOKEN`, and writes what it answers to `out`.
pub(crate) async fn run(
    old: &Path,
    upstream: &str,
    out: &Path,
    anonymise: bool,
    read_timeout: Duration,
) -> Result<(), String> {
    let token = std::env::var(nixbuild::TOKEN_ENV)
        .ok()
        .filter(|token| !token.trim().is_empty())
        .ok_or_else(|| {
            format!(
                "record --refresh asks the upstream with the token in {} (a read-only one will \
                 do), and it is not set",
                nixbuild::TOKEN_ENV
            )
        })?;
    let recording = Recording::read(old).map_err(|e| e.to_string())?;
    let recorder = Arc::new(Recorder::new(anonymise));
    let proxy = RecordingProxy::new(upstream, Arc::clone(&recorder))?;
    // A file that cannot be written is found before the upstream is asked anything.
    recorder
        .write(out)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot listen on a loopback port: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let serving = tokio::spawn(Front::recording(proxy, read_timeout).serve(listener));
    // Straight to the loopback proxy: an `http_proxy` from the environment would otherwise
    // see the token.
    let client = nixbuild::http_client_builder()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))?
        .no_proxy()
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
    let (mut asked, mut not_asked) = (0, 0);
    let mut seen = HashSet::new();
    for interaction in recording.interactions.iter().filter(|i| i.method == "GET") {
        let line = interaction.request_line();
        if !seen.insert(line.clone()) {
            continue;
        }
        // The file's text, shown on a terminal: its control characters written out, never obeyed.
        let shown = nixbuild::printable::escape_controls(&line);
        if interaction.query.contains(REDACTED) {
            eprintln!("not asked (the recording redacted a value of its query): {shown}");
            not_asked += 1;
            continue;
        }
        let mut url = format!("http://{address}{}", interaction.path);
        if !interaction.query.is_empty() {
            url = format!("{url}?{}", interaction.query);
        }
        let answer = client
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| format!("{line}: {}", e.without_url()))?;
        let status = answer.status().as_u16();
        answer
            .bytes()
            .await
            .map_err(|e| format!("{line}: {}", e.without_url()))?;
        eprintln!("{shown} -> {status}");
        asked += 1;
    }
    serving.abort();
    recorder
        .write(out)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let (builds, interactions) = recorder.counts();
    eprintln!(
        "nixbuild-mock: refreshed {asked} requests ({not_asked} not asked): {builds} builds and \
         {interactions} requests recorded into {}",
        out.display()
    );
    Ok(())
}
