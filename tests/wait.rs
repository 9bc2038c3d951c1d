//! Waiting as a CI job means it ("is my derivation built yet?") against a mock whose builds
//! move pending → running → built or failed: each derivation's newest build counts, restarts
//! are followed, a wait can be limited to new builds, and the change callback or the event
//! stream moves the builds, so the tests need no timing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use futures::{StreamExt, TryStreamExt};
use nixbuild::api::conditions::{all_finished, any_finished, latest_per_derivation};
use nixbuild::api::{Condition, WaitEvent};
use nixbuild::{BuildFilter, BuildId, BuildStatus, Error};
use nixbuild_mock::{BuildFixture, IntoBuild, MockNixbuild, fixtures};

/// Moves a build one step along each time a poll sees it, finishing it in `last`.
fn advance(mock: &MockNixbuild, id: BuildId, seen: &BuildStatus, last: &BuildStatus) {
    match seen {
        BuildStatus::Pending => mock.update_build(id, fixtures::mark_running).unwrap(),
        BuildStatus::Running => mock
            .update_build(id, |b| fixtures::mark_finished(b, last.clone()))
            .unwrap(),
        _ => {}
    }
}

fn ago(hours: i64) -> chrono::DateTime<Utc> {
    Utc::now() - TimeDelta::hours(hours)
}

#[tokio::test]
async fn waits_for_a_derivations_build_through_every_state_and_reports_each_change() {
    let mock = Arc::new(MockNixbuild::start().await);
    let id = mock.add_build(BuildFixture::pending("hello-2.12"));
    let drv = mock.build(id).unwrap().derivation_path;
    let changes = Arc::new(Mutex::new(Vec::new()));
    let (driver, log) = (Arc::clone(&mock), Arc::clone(&changes));

    let outcome = mock
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

    assert!(outcome.succeeded());
    assert_eq!(outcome.latest.len(), 1);
    assert_eq!(outcome.latest[0].outputs.len(), 1);
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
async fn the_seeds_disconnected_attempt_is_superseded_by_the_build_two_minutes_later() {
    // nixbuild.net's own announcement: `client_disconnect` at 07:31, `built` at 07:33.
    let mock = MockNixbuild::builder().builds(fixtures::seed()).start().await;
    let outcome = mock
        .client()
        .builds()
        .wait_for("/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv")
        .send()
        .await
        .unwrap();
    assert!(outcome.succeeded(), "{:?}", outcome.latest);
    assert_eq!(outcome.latest[0].build_id, BuildId(805823));
    assert_eq!(outcome.builds.len(), 2, "both attempts were seen");
    assert_eq!(outcome.failed().count(), 0);
}

#[tokio::test]
async fn a_failure_rebuilt_since_is_a_success_and_a_success_failed_since_is_a_failure() {
    let mock = MockNixbuild::start().await;
    mock.add_build(BuildFixture::failed("rebuilt-1.0").created_at(ago(3)));
    mock.add_build(BuildFixture::built("rebuilt-1.0").created_at(ago(2)));
    // Flapping: built, failed, built, then failed again; the newest decides.
    for (hours, status) in [
        (5, BuildStatus::Built),
        (4, BuildStatus::BuildFailed),
        (3, BuildStatus::Built),
        (1, BuildStatus::Timeout),
    ] {
        mock.add_build(
            BuildFixture::new("flapping-2.0", status)
                .created_at(ago(hours))
                .tag("run", "9"),
        );
    }
    let client = mock.client();
    let rebuilt = client
        .builds()
        .wait_for_filter(BuildFilter::new())
        .send()
        .await
        .unwrap();
    let by_name: Vec<(String, BuildStatus)> = rebuilt
        .latest
        .iter()
        .map(|b| (b.name().to_owned(), b.status.clone()))
        .collect();
    assert!(
        by_name.contains(&("rebuilt-1.0".into(), BuildStatus::Built)),
        "{by_name:?}"
    );
    assert!(
        by_name.contains(&("flapping-2.0".into(), BuildStatus::Timeout)),
        "{by_name:?}"
    );
    assert!(!rebuilt.succeeded());
    assert_eq!(
        rebuilt.built().map(|b| b.name()).collect::<Vec<_>>(),
        ["rebuilt-1.0"]
    );
    assert_eq!(
        rebuilt.failed().map(|b| b.name()).collect::<Vec<_>>(),
        ["flapping-2.0"]
    );
}

#[tokio::test]
async fn a_restarted_build_is_superseded_by_its_restart_never_final_until_the_restart_shows() {
    let mock = Arc::new(MockNixbuild::start().await);
    let restart = BuildId(5_000_002);
    let first = mock.add_build(
        BuildFixture::new("restarted-3.1", BuildStatus::InternalError)
            .created_at(ago(1))
            .restarted_as(restart)
            .tag("run", "r"),
    );
    // The restart is not there yet: the failed first attempt alone is not final.
    let err = mock
        .client()
        .builds()
        .wait_for_filter(BuildFilter::new().tag("run", "r"))
        .poll_interval(Duration::from_millis(5))
        .timeout(Duration::from_millis(60))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::WaitTimedOut {
                matching: 1,
                unfinished: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("newest build had not finished"), "{err}");

    mock.add_build(
        BuildFixture::pending("restarted-3.1")
            .id(restart)
            .restart_of(first)
            .tag("run", "r"),
    );
    let driver = Arc::clone(&mock);
    let outcome = mock
        .client()
        .builds()
        .wait_for_filter(BuildFilter::new().tag("run", "r"))
        .poll_interval(Duration::from_millis(5))
        .on_change(move |change| {
            advance(
                &driver,
                change.build.build_id,
                &change.build.status,
                &BuildStatus::Built,
            )
        })
        .send()
        .await
        .unwrap();
    assert!(outcome.succeeded(), "{:?}", outcome.latest);
    assert_eq!(
        outcome.latest.iter().map(|b| b.build_id).collect::<Vec<_>>(),
        [restart]
    );
}

#[tokio::test]
async fn created_from_leaves_last_weeks_success_out_and_waits_for_the_new_build() {
    let mock = Arc::new(MockNixbuild::start().await);
    mock.add_build(BuildFixture::built("hello-2.12").created_at(Utc::now() - TimeDelta::days(7)));
    let new = mock.add_build(BuildFixture::pending("hello-2.12"));
    let drv = mock.build(new).unwrap().derivation_path;
    let driver = Arc::clone(&mock);
    let outcome = mock
        .client()
        .builds()
        .wait_for(drv.clone())
        .created_from(ago(6))
        .poll_interval(Duration::from_millis(5))
        .on_change(move |change| {
            advance(
                &driver,
                change.build.build_id,
                &change.build.status,
                &BuildStatus::BuildFailed,
            )
        })
        .send()
        .await
        .unwrap();
    assert_eq!(outcome.builds.len(), 1, "the old success is not even seen");
    assert_eq!(outcome.failed().map(|b| b.build_id).collect::<Vec<_>>(), [new]);
    // Without the bound, last week's success alone would have ended the wait at once.
    let any_time = mock.client().builds().wait_for(drv).send().await.unwrap();
    assert!(
        any_time.failed().count() == 1,
        "the newest is the failure either way"
    );
}

#[tokio::test]
async fn any_finished_across_derivations_ends_at_the_first_and_says_what_is_still_running() {
    let mock = Arc::new(MockNixbuild::start().await);
    let fast = mock.add_build(BuildFixture::running("fast").tag("run", "1"));
    let slow = mock.add_build(BuildFixture::pending("slow").tag("run", "1"));
    let driver = Arc::clone(&mock);
    let outcome = mock
        .client()
        .builds()
        .wait_for_filter(BuildFilter::new().tag("run", "1"))
        .until(latest_per_derivation(any_finished()))
        .poll_interval(Duration::from_millis(5))
        .on_change(move |change| {
            if change.build.build_id == fast {
                advance(&driver, fast, &change.build.status, &BuildStatus::Built);
            }
        })
        .send()
        .await
        .unwrap();
    assert_eq!(outcome.built().map(|b| b.build_id).collect::<Vec<_>>(), [fast]);
    assert_eq!(
        outcome.unfinished().map(|b| b.build_id).collect::<Vec<_>>(),
        [slow]
    );
    assert!(!outcome.succeeded());
}

#[tokio::test]
async fn a_derivation_with_no_build_yet_is_waited_for_and_each_poll_says_so() {
    let mock = MockNixbuild::start().await;
    let later = BuildFixture::built("later-1.0");
    let drv = later.clone().into_build(BuildId(1), Utc::now()).derivation_path;
    let mut events = mock
        .client()
        .builds()
        .wait_for(drv)
        .poll_interval(Duration::from_millis(5))
        .events();
    let mut later = Some(later);
    let mut empty_polls = 0;
    let outcome = loop {
        match events
            .try_next()
            .await
            .unwrap()
            .expect("the stream ends with the outcome")
        {
            WaitEvent::Waiting { latest } if latest.is_empty() => {
                empty_polls += 1;
                if empty_polls == 2 {
                    mock.add_build(later.take().unwrap());
                }
            }
            WaitEvent::Done(outcome) => break outcome,
            _ => {}
        }
    };
    assert_eq!(empty_polls, 2);
    assert!(outcome.succeeded());
    assert!(events.next().await.is_none(), "nothing after the outcome");
}

#[tokio::test]
async fn a_build_that_never_finishes_times_out_with_a_clear_error() {
    let mock = MockNixbuild::start().await;
    mock.add_build(BuildFixture::running("stuck").tag("run", "2"));
    mock.add_build(BuildFixture::built("done").tag("run", "2"));
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
    assert_eq!((*matching, *unfinished), (2, 1));
    assert!(
        err.to_string()
            .contains("1 of 2 derivations' newest builds had not finished"),
        "{err}"
    );
}

#[tokio::test]
async fn waiting_for_builds_that_do_not_exist_yet_times_out_saying_none_matched() {
    let mock = MockNixbuild::start().await;
    let err = mock
        .client()
        .builds()
        .wait_for("/nix/store/00000000000000000000000000000000-never.drv")
        .poll_interval(Duration::from_millis(10))
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitTimedOut { matching: 0, .. }), "{err:?}");
    assert!(err.to_string().contains("no build matched yet"), "{err}");
    assert!(mock.request_count("/builds") >= 2, "it kept polling");
}

#[tokio::test]
async fn conditions_compose_and_a_closure_is_one() {
    let mock = MockNixbuild::start().await;
    mock.add_build(BuildFixture::running("a").tag("run", "c"));
    mock.add_build(BuildFixture::failed("b").tag("run", "c"));
    let any_failure =
        |builds: &[nixbuild::Build]| builds.iter().any(|b| b.status == BuildStatus::BuildFailed);
    let outcome = mock
        .client()
        .builds()
        .wait_for_filter(BuildFilter::new().tag("run", "c"))
        .until(latest_per_derivation(all_finished()).or(any_failure))
        .send()
        .await
        .unwrap();
    assert_eq!(outcome.failed().map(|b| b.name()).collect::<Vec<_>>(), ["b"]);
    assert!(!latest_per_derivation(all_finished()).is_met(&outcome.builds));
    assert!(
        latest_per_derivation(all_finished())
            .not()
            .is_met(&outcome.builds)
    );
    assert!(!all_finished().and(any_failure).is_met(&outcome.builds));
}

#[tokio::test]
async fn watch_streams_each_build_once_then_each_change() {
    let mock = Arc::new(MockNixbuild::start().await);
    let id = mock.add_build(BuildFixture::pending("watched").tag("run", "w"));
    let mut changes = mock
        .client()
        .builds()
        .watch(BuildFilter::new().tag("run", "w"))
        .poll_interval(Duration::from_millis(5))
        .stream();
    let mut seen = Vec::new();
    while let Some(change) = changes.try_next().await.unwrap() {
        seen.push((change.previous.clone(), change.build.status.clone()));
        advance(&mock, id, &change.build.status, &BuildStatus::Built);
        if change.build.status.is_finished() {
            break;
        }
    }
    assert_eq!(
        seen,
        [
            (None, BuildStatus::Pending),
            (Some(BuildStatus::Pending), BuildStatus::Running),
            (Some(BuildStatus::Running), BuildStatus::Built),
        ]
    );
}
