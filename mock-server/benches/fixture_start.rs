//! What a test fixture pays to have a mock: the binary started, its first health answer,
//! and stopped (as the Python fixture and the npm package do it), against a spawn of the same
//! binary for `--version` (the floor: a process that starts and exits).
//!
//! ```sh
//! cargo bench -p nixbuild-mock --features cli --bench fixture_start
//! ```
//!
//! Ends with a `ratio […]` line: the fixture's start over the bare spawn.

#[path = "support/ratio.rs"]
mod ratio;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use criterion::Criterion;

const BINARY: &str = env!("CARGO_BIN_EXE_nixbuild-mock");

/// Starts the mock as a fixture does, asks `/_mock/health` once, and stops it by closing its
/// standard input; the health answer's status line.
fn fixture_cycle() -> String {
    let mut child = Command::new(BINARY)
        .args([
            "--empty",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--exit-with-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut port = None;
    let mut lines = BufReader::new(child.stdout.take().expect("its stdout"));
    let mut line = String::new();
    while lines.read_line(&mut line).expect("a line") > 0 {
        if let Some(value) = line.trim().strip_prefix("NIXBUILD_MOCK_PORT=") {
            port = value.parse::<u16>().ok();
        }
        if line.starts_with("export ") {
            break;
        }
        line.clear();
    }
    let port = port.expect("the port is printed");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("it listens");
    stream
        .write_all(b"GET /_mock/health HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
        .expect("a request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    drop(child.stdin.take());
    child.wait().expect("it exits");
    answer.lines().next().unwrap_or_default().to_owned()
}

fn start(c: &mut Criterion) {
    assert!(
        fixture_cycle().starts_with("HTTP/1.1 200"),
        "the health probe answers"
    );
    let group_name = "start a mock fixture";
    let mut group = c.benchmark_group(group_name);
    group.sample_size(30);
    group.bench_function("started, health answered, stopped", |b| b.iter(fixture_cycle));
    group.bench_function("spawn --version (baseline)", |b| {
        b.iter(|| {
            Command::new(BINARY)
                .arg("--version")
                .output()
                .expect("the binary runs")
        })
    });
    group.finish();
    ratio::report(
        group_name,
        &[("started, health answered, stopped", "spawn --version (baseline)")],
    );
}

fn main() {
    let mut criterion = ratio::criterion();
    start(&mut criterion);
    criterion.final_summary();
}
