//! SDK ⇄ mock ⇄ spec: the SDK gets what the contract says for every endpoint and filter, and
//! every answer the mock gives, errors included, is what `openapi/openapi.json` describes.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use chrono::{NaiveDate, TimeDelta};
use nixbuild::{Build, BuildFilter, BuildStatus, Client};
use nixbuild_mock::{Fault, MockNixbuild, fixtures};
use serde_json::Value;

/// The committed document, as other languages read it.
fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    })
}

/// Sends `GET path_and_query` raw and checks the answer against the document: a described
/// status, a body that validates against that status's schema, `Retry-After` where promised.
async fn conforming_get(
    mock: &MockNixbuild,
    path_and_query: &str,
    token: Option<&nixbuild::Token>,
) -> (u16, Value) {
    let mut request = nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .get(format!("{}{path_and_query}", mock.uri()));
    if let Some(token) = token {
        request = request.bearer_auth(token.expose_secret());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").cloned();
    let content_type = response.headers().get("content-type").cloned();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("GET {path_and_query}: not JSON ({e}): {text}"));
    let path = path_and_query.split('?').next().unwrap();
    let schema = nixbuild_openapi::json_schema::response(document(), "GET", path, status)
        .unwrap_or_else(|| panic!("GET {path_and_query}: status {status} is not in the document"));
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "GET {path_and_query} -> {status}: {errors:#?}");
    assert_eq!(content_type.unwrap(), "application/json", "GET {path_and_query}");
    if matches!(status, 429 | 503) {
        assert!(
            retry_after.is_some(),
            "GET {path_and_query} -> {status} without Retry-After"
        );
    }
    (status, body)
}

async fn mock() -> MockNixbuild {
    let mock = MockNixbuild::builder()
        .builds(fixtures::generate(1500, 4))
        .start()
        .await;
    mock.add_builds(fixtures::seed());
    mock
}

/// What the contract says `filter` selects from `builds`: filter, newest first, cut at limit.
fn expected(builds: &[Build], filter: &BuildFilter) -> Vec<Build> {
    let mut selected: Vec<Build> = builds.iter().filter(|b| filter.matches(b)).cloned().collect();
    selected.sort_by_key(|b| std::cmp::Reverse((b.create_time, b.build_id)));
    selected.truncate(filter.limit.map_or(usize::MAX, |l| l as usize));
    selected
}

fn filters(builds: &[Build]) -> Vec<BuildFilter> {
    let sample = &builds[builds.len() / 3];
    let (repo, run) = builds
        .iter()
        .find_map(|b| Some((b.tag("GITHUB_REPOSITORY")?, b.tag("GITHUB_RUN_ID")?)))
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2024, 1, 10).unwrap();
    vec![
        BuildFilter::new(),
        BuildFilter::new().derivation_path(sample.derivation_path.clone()),
        BuildFilter::new().tag("GITHUB_REPOSITORY", repo),
        BuildFilter::new().tag("GITHUB_REPOSITORY", "octo org/säge"),
        BuildFilter::new()
            .tag("GITHUB_REPOSITORY", repo)
            .tag("GITHUB_RUN_ID", run),
        BuildFilter::new().status(BuildStatus::BuildFailed),
        BuildFilter::new().statuses([BuildStatus::Pending, BuildStatus::Running]),
        BuildFilter::new().created_from(day),
        BuildFilter::new().created_before(day),
        BuildFilter::new()
            .created_from(sample.create_time)
            .created_before(sample.create_time + TimeDelta::days(2)),
        BuildFilter::new().limit(7),
        BuildFilter::new()
            .tag("GITHUB_REPOSITORY", repo)
            .status(BuildStatus::Built)
            .created_from(day)
            .limit(25),
    ]
}

#[tokio::test]
async fn the_sdk_lists_and_summarises_exactly_what_each_filter_selects() {
    let mock = mock().await;
    let client = mock.client();
    let builds = mock.builds();
    for filter in filters(&builds) {
        let expected = expected(&builds, &filter);
        let listed = client
            .builds()
            .list()
            .filter(filter.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(listed, expected, "{filter:?}");
        let summary = client
            .builds()
            .summary()
            .filter(filter.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            summary,
            nixbuild_mock::summary::summarize(&expected),
            "{filter:?}"
        );
    }
    let mut window = BuildFilter::new().created_from(NaiveDate::from_ymd_opt(2024, 1, 5).unwrap());
    window.created_before = Some(NaiveDate::from_ymd_opt(2024, 1, 20).unwrap().into());
    let usage = client
        .usage()
        .created_from(window.created_from.unwrap())
        .created_before(window.created_before.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(usage, nixbuild_mock::summary::usage(&expected(&builds, &window)));
}

#[tokio::test]
async fn every_answer_of_every_endpoint_conforms_to_the_document() {
    let mock = mock().await;
    let token = mock.tokens().mint();
    let builds = mock.builds();
    for filter in filters(&builds) {
        let query = filter.to_query_string().unwrap();
        for path in ["/builds", "/builds/summary"] {
            let (status, _) = conforming_get(&mock, &format!("{path}?{query}"), Some(&token)).await;
            assert_eq!(status, 200, "{path}?{query}");
        }
    }
    for query in [
        "",
        "?create_time_from=2024-01-05",
        "?create_time_from=2024-01-05&create_time_to=2024-01-06T12:00:00Z",
    ] {
        assert_eq!(
            conforming_get(&mock, &format!("/usage{query}"), Some(&token))
                .await
                .0,
            200
        );
    }
}

#[tokio::test]
async fn error_answers_conform_to_the_document_too() {
    let mock = mock().await;
    let token = mock.tokens().mint();
    let expired = mock
        .tokens()
        .expires_at(SystemTime::now() - Duration::from_secs(5))
        .mint();
    let write_only = mock.tokens().rights(["build:write"]).mint();
    for path in ["/builds", "/builds/summary", "/usage"] {
        assert_eq!(conforming_get(&mock, path, None).await.0, 401);
        assert_eq!(conforming_get(&mock, path, Some(&expired)).await.0, 403);
        assert_eq!(conforming_get(&mock, path, Some(&write_only)).await.0, 403);
        assert_eq!(
            conforming_get(&mock, &format!("{path}?create_time_to=never"), Some(&token))
                .await
                .0,
            400
        );
        for status in [429, 503] {
            // The document describes the header these answers carry when the service asks
            // for a pause; the mock sends it when a test asks for one.
            mock.inject_fault(Fault::status(status).retry_after(std::time::Duration::from_secs(1)));
            assert_eq!(conforming_get(&mock, path, Some(&token)).await.0, status);
        }
    }
    for bad in ["limit=0", "status=nope", "tags=x", "create_time_from=1"] {
        assert_eq!(
            conforming_get(&mock, &format!("/builds?{bad}"), Some(&token))
                .await
                .0,
            400,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn a_client_against_a_prefixed_mock_keeps_the_prefix() {
    let mock = MockNixbuild::builder()
        .path_prefix("/api/v1")
        .builds(fixtures::seed())
        .start()
        .await;
    let client = Client::builder()
        .token(mock.tokens().mint())
        .base_url(mock.uri())
        .build()
        .unwrap();
    assert_eq!(client.builds().list().send().await.unwrap(), fixtures::seed());
    // Paths are relative to the API's root, whatever the prefix.
    assert_eq!(mock.request_count("/builds"), 1);
}

/// Every row of the SDK's operation table is served by the mock (not 404, 405 or 501) and
/// documented in the committed document with its method and operation id: a row added
/// without its handler or its description fails here.
#[tokio::test]
async fn every_operation_of_the_table_is_served_and_documented() {
    use nixbuild::api::operation::{OIDC_ID_TOKEN_HEADER, OPERATIONS};
    let mock = MockNixbuild::builder().builds(fixtures::seed()).start().await;
    let token = mock.tokens().rights(["build:read", "build:write"]).mint();
    let http = nixbuild::http_client_builder().unwrap().build().unwrap();
    for op in OPERATIONS {
        let mut request = http
            .request(op.method.clone(), format!("{}{}", mock.uri(), op.path))
            .bearer_auth(token.expose_secret());
        for header in op.headers {
            assert_eq!(
                *header, OIDC_ID_TOKEN_HEADER,
                "a header this test knows how to fill"
            );
            request = request.header(*header, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
        }
        if op.method == reqwest::Method::POST {
            request = request.body("[]");
        }
        let status = request.send().await.unwrap().status().as_u16();
        assert_eq!(status, 200, "{} {}", op.method, op.path);

        let documented = &document()["paths"][op.path][op.method.as_str().to_lowercase()];
        assert_eq!(documented["operationId"], op.name, "{}", op.path);
        assert_eq!(
            documented["x-experimental"].as_bool().unwrap_or(false),
            op.experimental,
            "{}",
            op.path
        );
    }
    assert_eq!(document()["paths"].as_object().unwrap().len(), OPERATIONS.len());
}
