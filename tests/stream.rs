//! `list().stream()`: every build, newest first, none lost or repeated at page boundaries.

use chrono::{TimeZone, Utc};
use futures::{StreamExt, TryStreamExt};
use nixbuild::{Build, BuildFilter, BuildId, BuildStatus};
use nixbuild_mock::{BuildFixture, Fault, MockNixbuild, fixtures};

/// Thousands of builds, with a crowd of 150 and a group of 20 created at the same instants.
async fn crowded_mock() -> MockNixbuild {
    // Auth is not what these tests are about, and verifying a Biscuit token per request is
    // most of the time thousands of page requests would take in a debug build.
    let mock = MockNixbuild::builder()
        .without_auth()
        .builds(fixtures::generate(2500, 21))
        .start()
        .await;
    let crowd_time = Utc.with_ymd_and_hms(2024, 1, 15, 12, 0, 0).unwrap();
    for i in 0..150 {
        let status = if i % 3 == 0 {
            BuildStatus::BuildFailed
        } else {
            BuildStatus::Built
        };
        mock.add_build(
            BuildFixture::new(format!("crowd-{i}"), status)
                .created_at(crowd_time)
                .tag("GITHUB_RUN_ID", "crowd"),
        );
    }
    let group_time =
        Utc.with_ymd_and_hms(2024, 1, 20, 8, 30, 0).unwrap() + chrono::TimeDelta::nanoseconds(123);
    for i in 0..20 {
        mock.add_build(BuildFixture::built(format!("group-{i}")).created_at(group_time));
    }
    mock
}

fn ids(builds: &[Build]) -> Vec<BuildId> {
    builds.iter().map(|b| b.build_id).collect()
}

#[tokio::test]
async fn the_stream_equals_the_full_list_whatever_the_page_size() {
    let mock = crowded_mock().await;
    let client = mock.client();
    let everything = client.builds().list().send().await.unwrap();
    assert_eq!(everything.len(), 2670);
    for page_size in [1, 7, 150, 1000] {
        let streamed: Vec<Build> = client
            .builds()
            .list()
            .page_size(page_size)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids(&streamed), ids(&everything), "page size {page_size}");
    }
}

#[tokio::test]
async fn the_stream_sends_one_request_a_page_unless_an_instant_spans_pages() {
    let start = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
    let distinct: Vec<Build> = (0..1000)
        .map(|i| {
            BuildFixture::built(format!("b-{i}"))
                .id(i + 1)
                .created_at(start + chrono::TimeDelta::seconds(i as i64))
                .build()
        })
        .collect();
    let mock = MockNixbuild::builder()
        .without_auth()
        .builds(distinct)
        .start()
        .await;
    for (page_size, requests) in [(100, 10), (300, 4), (1000, 1), (999, 2)] {
        mock.clear_requests();
        let streamed: Vec<Build> = mock
            .client()
            .builds()
            .list()
            .page_size(page_size)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(streamed.len(), 1000);
        assert_eq!(mock.request_count("/builds"), requests, "page size {page_size}");
    }
    // A caller's limit within the first page: exactly what it asks, in one request.
    mock.clear_requests();
    let first: Vec<Build> = mock
        .client()
        .builds()
        .list()
        .limit(42)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!((first.len(), mock.request_count("/builds")), (42, 1));

    // Where an instant does span two pages, one more request fetches the rest of it.
    let crowded = crowded_mock().await;
    let streamed: Vec<Build> = crowded
        .client()
        .builds()
        .list()
        .page_size(100)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let pages = streamed.len().div_ceil(100);
    let requests = crowded.request_count("/builds");
    assert!(
        requests >= pages && requests <= pages + 27,
        "{requests} requests for {pages} pages"
    );
}

#[tokio::test]
async fn filters_and_the_callers_limit_apply_to_the_stream() {
    let mock = crowded_mock().await;
    let client = mock.client();
    let filter = BuildFilter::new()
        .tag("GITHUB_RUN_ID", "crowd")
        .status(BuildStatus::Built);
    let expected = client
        .builds()
        .list()
        .filter(filter.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(expected.len(), 100);
    let streamed: Vec<Build> = client
        .builds()
        .list()
        .filter(filter.clone())
        .page_size(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&streamed), ids(&expected));
    let capped: Vec<Build> = client
        .builds()
        .list()
        .filter(filter)
        .limit(30)
        .page_size(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&capped), ids(&expected[..30]));
    let before = expected[50].create_time;
    let windowed: Vec<Build> = client
        .builds()
        .list()
        .created_before(before)
        .page_size(13)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let all_before = client
        .builds()
        .list()
        .created_before(before)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&windowed), ids(&all_before));
}

#[tokio::test]
async fn an_error_mid_stream_is_yielded_and_ends_the_stream() {
    let mock = crowded_mock().await;
    let client = mock.client();
    let mut stream = client.builds().list().page_size(10).stream();
    for _ in 0..10 {
        stream.next().await.unwrap().unwrap();
    }
    mock.inject_fault(Fault::status(500).times(5));
    let err = loop {
        match stream.next().await {
            Some(Ok(_)) => continue,
            Some(Err(err)) => break err,
            None => panic!("the stream ended without the error"),
        }
    };
    assert_eq!(err.status().unwrap(), 500);
    assert!(stream.next().await.is_none(), "an error ends the stream");
}

#[tokio::test]
async fn an_invalid_filter_is_the_streams_only_item() {
    let mock = MockNixbuild::start().await;
    let items: Vec<_> = mock
        .client()
        .builds()
        .list()
        .tag("a", "x,y")
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(matches!(items[0], Err(nixbuild::Error::Filter(_))));
    assert_eq!(mock.request_count("/builds"), 0);
}
