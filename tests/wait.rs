//! `wait_for`: polling until builds finish, with progress, against a mock whose builds move
//! pending → running → built or failed. The change callback moves them, so the tests need
//! no timing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use nixbuild::api::WaitUntil;
use nixbuild::{BuildFilter, BuildStatus, Error};
use nixbuild_mock::{BuildFixture, MockNixbuild, fixtures};

/// Moves a build one step along each time a poll sees it, finishing it in `last`.
fn advance(mock: &MockNixbuild, id: nixbuild::BuildId, seen: &BuildStatus, last: &BuildStatus) {
    match seen {
        BuildStatus::Pending => mock.update_build(id, fixtures::mark_running).unwrap(),
        BuildStatus::Running => mock
            .update_build(id, |b| fixtures::mark_finished(b, last.clone()))
            .unwrap(),
        _ => {}
    }
}

#[tokio::test]
async fn waits_for_a_derivations_build_through_every_state_and_reports_each_change() {
    let mock = Arc::new(MockNixbuild::start().await);
    let id = mock.add_build(BuildFixture::pending("hello-2.12"));
    let drv = mock.build(id).unwrap().derivation_path;
    let changes = Arc::new(Mutex::new(Vec::new()));
    let (driver, log) = (Arc::clone(&mock), Arc::clone(&changes));

    let builds = mock
        .client()
        .builds()
        .wait_for(drv)
        .poll_interval(Duration::from_millis(5))
        .on_change(move |change| {
            log.lock().unwrap().push(change.to_string());
            advance(
                &driver,
                change.build.build_id,
                &change.build.status,
                &BuildStatus::Built,
            );
        })
        .send()
        .await
        .unwrap();

    assert_eq!(builds.len(), 1);
    assert_eq!(builds[0].status, BuildStatus::Built);
    assert_eq!(builds[0].outputs.len(), 1);
    let changes = changes.lock().unwrap().clone();
    assert_eq!(
        changes,
        [
            format!("{id} hello-2.12: pending"),
            format!("{id} hello-2.12: pending -> running"),
            format!("{id} hello-2.12: running -> built"),
        ]
    );
    assert_eq!(mock.request_count("/builds"), 3);
}

#[tokio::test]
async fn waits_for_every_build_of_a_run_to_finish_however_they_end() {
    let mock = Arc::new(MockNixbuild::start().await);
    let ok = mock.add_build(BuildFixture::pending("a").tag("GITHUB_RUN_ID", "7"));
    let bad = mock.add_build(BuildFixture::running("b").tag("GITHUB_RUN_ID", "7"));
    mock.add_build(BuildFixture::pending("other").tag("GITHUB_RUN_ID", "8"));
    let driver = Arc::clone(&mock);
    let builds = mock
        .client()
        .builds()
        .wait_for_filter(BuildFilter::new().tag("GITHUB_RUN_ID", "7"))
        .poll_interval(Duration::from_millis(5))
        .on_change(move |change| {
            let last = if change.build.build_id == ok {
                BuildStatus::Built
            } else {
                BuildStatus::BuildFailed
            };
            advance(&driver, change.build.build_id, &change.build.status, &last);
        })
        .send()
        .await
        .unwrap();
    let mut statuses: Vec<_> = builds.iter().map(|b| (b.build_id, b.status.clone())).collect();
    statuses.sort_by_key(|(id, _)| *id);
    assert_eq!(
        statuses,
        [(ok, BuildStatus::Built), (bad, BuildStatus::BuildFailed)]
    );
}

#[tokio::test]
async fn any_finished_returns_once_the_first_build_is_done() {
    let mock = Arc::new(MockNixbuild::start().await);
    let fast = mock.add_build(BuildFixture::running("fast").tag("run", "1"));
    mock.add_build(BuildFixture::pending("slow").tag("run", "1"));
    let driver = Arc::clone(&mock);
    let finished = mock
        .client()
        .builds()
        .wait_for_filter(BuildFilter::new().tag("run", "1"))
        .until(WaitUntil::AnyFinished)
        .poll_interval(Duration::from_millis(5))
        .on_change(move |change| {
            if change.build.build_id == fast {
                advance(&driver, fast, &change.build.status, &BuildStatus::Built);
            }
        })
        .send()
        .await
        .unwrap();
    assert_eq!(finished.iter().map(|b| b.build_id).collect::<Vec<_>>(), [fast]);
}

#[tokio::test]
async fn a_build_that_never_finishes_times_out_with_a_clear_error() {
    let mock = MockNixbuild::start().await;
    mock.add_build(BuildFixture::running("stuck").tag("run", "2"));
    let err = mock
        .client()
        .builds()
        .wait_for_filter(BuildFilter::new().tag("run", "2"))
        .poll_interval(Duration::from_millis(10))
        .max_poll_interval(Duration::from_millis(40))
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    let Error::WaitTimedOut {
        matching, unfinished, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*matching, *unfinished), (1, 1));
    assert!(
        err.to_string().contains("1 of 1 matching builds unfinished"),
        "{err}"
    );
}

#[tokio::test]
async fn waiting_for_builds_that_do_not_exist_yet_waits_for_them_to_appear() {
    let mock = MockNixbuild::start().await;
    let err = mock
        .client()
        .builds()
        .wait_for("/nix/store/00000000000000000000000000000000-later.drv")
        .poll_interval(Duration::from_millis(10))
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitTimedOut { matching: 0, .. }), "{err:?}");
    assert!(mock.request_count("/builds") >= 2, "it kept polling");
}
