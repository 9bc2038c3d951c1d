//! The `nixbuild` binary recorded through `nixbuild-mock record`'s proxy (in process), then
//! run again against the replay: what it prints is the same, and the mock agrees with every
//! answer it was given.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::nixbuild_at;
use nixbuild_mock::front::Front;
use nixbuild_mock::recording::proxy::RecordingProxy;
use nixbuild_mock::recording::{Recorder, check};
use nixbuild_mock::{MockNixbuild, fixtures};

#[tokio::test(flavor = "multi_thread")]
async fn what_the_cli_printed_is_printed_again_from_the_replay() {
    let upstream = MockNixbuild::builder()
        .builds(fixtures::generate(800, 4))
        .start()
        .await;
    let token = upstream
        .tokens()
        .rights(["build:read"])
        .expires_in(Duration::from_secs(3600))
        .mint();
    let token = token.expose_secret();
    let recorder = Arc::new(Recorder::new(false));
    let proxy = RecordingProxy::new(&upstream.uri(), Arc::clone(&recorder)).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let through = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(Front::recording(proxy, Duration::from_secs(5)).serve(listener));

    let drv = fixtures::generate(800, 4)[3].derivation_path.clone();
    let commands: Vec<Vec<&str>> = vec![
        vec!["builds", "--limit", "20"],
        vec!["builds", "--status", "built", "--limit", "5", "--format", "json"],
        vec!["builds", "--drv", &drv, "--format", "json"],
        vec!["builds", "--all", "--format", "ndjson"],
        vec!["summary", "--format", "json"],
        vec!["usage", "--format", "json"],
    ];
    let mut printed = Vec::new();
    for args in &commands {
        let run = nixbuild_at(&through, token, args).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        printed.push(run.stdout);
    }

    let recording = recorder.recording();
    assert!(!recorder.to_json().contains(token), "the token is never recorded");
    assert_eq!(recording.build_count(), 800, "--all listed every build");
    let report = check(&recording).await.unwrap();
    assert!(report.agrees(), "{report}");
    assert!(report.checked() >= commands.len(), "{report}");

    let replay = MockNixbuild::builder().replay(recording).start().await;
    for (args, expected) in commands.iter().zip(&printed) {
        let run = nixbuild_at(&replay.uri(), "any token: a replay checks none", args).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(&run.stdout, expected, "{args:?}");
    }
    assert!(replay.received_requests().iter().all(|r| !r.unmatched));
    let run = nixbuild_at(&replay.uri(), "t", &["builds", "--limit", "21"]).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the nearest recorded request is GET /builds?limit=20"),
        "{}",
        run.stderr
    );
    assert!(replay.received_requests().last().unwrap().unmatched);
}
