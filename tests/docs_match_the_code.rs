//! The figures the guides restate (a bound, a default) are the code's: each is read from its
//! constant here and looked for in the guide, so changing a constant without its guide
//! fails this test, naming the guide and the sentence. (The API docs link the constants.)

use nixbuild::api::{DEFAULT_MAX_POLL_INTERVAL, DEFAULT_PAGE_SIZE, DEFAULT_POLL_INTERVAL};
use nixbuild_mock::front::{
    ADMIN_BODY_BYTES_RESERVED, DEFAULT_READ_TIMEOUT, MAX_BODY_BYTES_IN_FLIGHT, MAX_CONNECTIONS,
};
use nixbuild_mock::limits::{
    MAX_BUILDS_PER_REQUEST, MAX_CONTROL_BODY_BYTES, MAX_COST, MAX_ID_TOKEN_BYTES, MAX_JWT_CLAIMS,
    MAX_REQUEST_BODY_BYTES, MAX_STORED_BUILDS,
};
use nixbuild_mock::recording::proxy::MAX_ANSWER_BYTES_IN_FLIGHT;
use nixbuild_mock::recording::{
    MAX_LEARNED_SECRETS, MAX_RECORDED_ANSWER_BYTES, MAX_RECORDED_INTERACTIONS, MAX_SECRETS_PER_HEADER,
};

/// `1234567` as `1,234,567`.
fn thousands(n: impl Into<u64>) -> String {
    let digits = n.into().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mib(bytes: usize) -> usize {
    bytes / (1024 * 1024)
}

/// A guide's text with every run of white space one space: sentences wrap anywhere.
fn guide(path: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_figure_a_guide_restates_is_its_constants() {
    let as_usize = |n: usize| n as u64;
    let expected = [
        (
            "sdk/README.md",
            format!(
                "({} s, doubling while nothing changes, up to {} s)",
                DEFAULT_POLL_INTERVAL.as_secs(),
                DEFAULT_MAX_POLL_INTERVAL.as_secs()
            ),
        ),
        (
            "README.md",
            format!("stream 20k builds, page of {DEFAULT_PAGE_SIZE}"),
        ),
        (
            "mock-server/README.md",
            format!(
                "filling the store past {} builds (`limits::MAX_STORED_BUILDS`), 413 for a `POST /_mock/builds` of more than {} builds (`limits::MAX_BUILDS_PER_REQUEST`) or {} MiB, or any other control body over {} MiB",
                thousands(as_usize(MAX_STORED_BUILDS)),
                thousands(as_usize(MAX_BUILDS_PER_REQUEST)),
                mib(MAX_CONTROL_BODY_BYTES),
                mib(MAX_REQUEST_BODY_BYTES)
            ),
        ),
        (
            "mock-server/README.md",
            format!(
                "`--read-timeout` ({} s by default",
                DEFAULT_READ_TIMEOUT.as_secs()
            ),
        ),
        (
            "mock-server/README.md",
            format!(
                "one budget of {} MiB of bodies held at once (a request waits for room within its read timeout), half of it kept for requests with the admin token, so stalled anonymous bodies never hold up a test's control requests; at most {} connections",
                mib(MAX_BODY_BYTES_IN_FLIGHT),
                thousands(as_usize(MAX_CONNECTIONS))
            ),
        ),
        (
            "mock-server/README.md",
            format!(
                "At most {} MiB of answers held at once (an answer past it waits for room, then is answered 503 with `Retry-After: 1`), {} MiB for one answer (502 past it), {} interactions (later requests are forwarded, not recorded, and the log says so), {} secrets learned and {} from one header",
                mib(MAX_ANSWER_BYTES_IN_FLIGHT),
                mib(MAX_RECORDED_ANSWER_BYTES),
                thousands(as_usize(MAX_RECORDED_INTERACTIONS)),
                thousands(as_usize(MAX_LEARNED_SECRETS)),
                MAX_SECRETS_PER_HEADER
            ),
        ),
        (
            "mock-server/README.md",
            format!(
                "ID tokens of at most {} KiB with at most {} claims",
                MAX_ID_TOKEN_BYTES / 1024,
                MAX_JWT_CLAIMS
            ),
        ),
        (
            "mock-server/README.md",
            format!("against a bound of {}.", thousands(MAX_COST)),
        ),
        (
            "mock-server/README.md",
            format!(
                "A request body over {} MiB is answered 413",
                mib(MAX_REQUEST_BODY_BYTES)
            ),
        ),
    ];
    // "half of it kept for requests with the admin token"
    assert_eq!(ADMIN_BODY_BYTES_RESERVED * 2, MAX_BODY_BYTES_IN_FLIGHT);
    for (path, sentence) in expected {
        assert!(
            guide(path).contains(&sentence),
            "{path} should say, as the code does: {sentence:?}"
        );
    }
    assert_eq!(thousands(1_000_000u64), "1,000,000");
    assert_eq!(thousands(999u64), "999");
}

/// The README's demo lines name the demo's own run and the path of its running build.
#[test]
fn the_readme_s_demo_lines_are_the_demo_s_builds() {
    let readme = guide("README.md");
    let builds = nixbuild_mock::fixtures::demo(chrono::Utc::now());
    let running = builds
        .iter()
        .find(|build| build.name() == nixbuild_mock::fixtures::DEMO_RUNNING)
        .expect("the demo has a running build");
    for line in [
        format!(
            "nixbuild --demo summary --tag GITHUB_RUN_ID={}",
            nixbuild_mock::fixtures::DEMO_RUN_ID
        ),
        format!("nixbuild --demo wait {}", running.derivation_path),
    ] {
        assert!(readme.contains(&line), "README.md should show `{line}`");
    }
}
