//! The dashboard over HTTP, as a browser meets it: the one-time login and its cookie, the
//! page and its headers, the control API from the page's own origin only, the events, and
//! hostile codes, cookies and hosts. (Driving the page itself is the browser tests' part.)

use nixbuild_mock::recording::{Interaction, Recording};
use nixbuild_mock::{BuildFixture, Expectation, MockNixbuild};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode, redirect};

fn browser() -> Client {
    nixbuild::http_client_builder()
        .unwrap()
        .redirect(redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// The mock's origin, `http://127.0.0.1:port`.
fn origin(mock: &MockNixbuild) -> String {
    mock.server().uri()
}

/// Logs in with a fresh login URL; the session cookie (`name=value`) and the whole
/// `Set-Cookie` header.
async fn log_in(mock: &MockNixbuild) -> (String, String) {
    log_in_with(&mock.dashboard_url()).await
}

/// Logs in with `url`: the 303 to the page, the session cookie and the `Set-Cookie` header.
async fn log_in_with(url: &str) -> (String, String) {
    let answer = browser().get(url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()["location"], "/_mock/ui/");
    let set_cookie = answer.headers()["set-cookie"].to_str().unwrap().to_owned();
    (set_cookie.split(';').next().unwrap().to_owned(), set_cookie)
}

/// The headers a page on `from` sends with its session cookie.
fn from_page(cookie: &str, from: &str, site: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("cookie", HeaderValue::from_str(cookie).unwrap());
    headers.insert("origin", HeaderValue::from_str(from).unwrap());
    headers.insert("sec-fetch-site", HeaderValue::from_str(site).unwrap());
    headers
}

#[tokio::test]
async fn a_login_url_opens_one_session_once_and_the_page_holds_no_secret() {
    let mock = MockNixbuild::start().await;
    let url = mock.dashboard_url();
    assert!(!url.contains(mock.admin_token().expose_secret()));
    let (cookie, set_cookie) = log_in_with(&url).await;
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/_mock"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let again = browser().get(&url).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "a login URL works once");

    let page = browser()
        .get(format!("{}/_mock/ui/", origin(&mock)))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    let session = cookie.split_once('=').unwrap().1;
    assert!(!html.contains(mock.admin_token().expose_secret()) && !html.contains(session));
    assert!(
        html.matches("<script").count() == html.matches("<script type=\"module\" src=").count(),
        "no inline script: {html}"
    );

    let without = browser()
        .get(format!("{}/_mock/ui/", origin(&mock)))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    assert!(
        without
            .text()
            .await
            .unwrap()
            .contains("NIXBUILD_MOCK_DASHBOARD_URL")
    );
    for (asset, kind) in [("app.js", "text/javascript"), ("app.css", "text/css")] {
        let answer = browser()
            .get(format!("{}/_mock/ui/{asset}", origin(&mock)))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        assert!(
            answer.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        assert_eq!(answer.headers()["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn the_session_drives_the_control_api_from_the_page_s_own_origin_only() {
    let mock = MockNixbuild::start().await;
    let (cookie, _) = log_in(&mock).await;
    let own = origin(&mock);
    let faults = format!("{own}/_mock/faults");
    let spec = serde_json::json!({"status": 503});

    let same = browser()
        .post(&faults)
        .headers(from_page(&cookie, &own, "same-origin"))
        .header("content-type", "application/json")
        .body(spec.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::CREATED);
    assert_eq!(mock.faults().len(), 1);

    // Another port of localhost is the same site to a browser: the cookie goes along.
    for (from, site) in [
        ("http://127.0.0.1:1", "same-site"),
        ("http://evil.example", "cross-site"),
        ("null", "cross-site"),
    ] {
        let foreign = browser()
            .post(&faults)
            .headers(from_page(&cookie, from, site))
            .header("content-type", "application/json")
            .body(spec.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN, "{from}");
        let read = browser()
            .get(format!("{own}/_mock/requests"))
            .headers(from_page(&cookie, from, site))
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::FORBIDDEN, "{from} reads nothing");
    }
    let unsaid = browser()
        .delete(&faults)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        unsaid.status(),
        StatusCode::FORBIDDEN,
        "a change must say its origin"
    );
    assert_eq!(mock.faults().len(), 1, "nothing was changed by a refused request");

    mock.clear_faults();
    let stranger = browser()
        .get(format!("{own}/_mock/requests"))
        .headers(from_page("nbmock_session=0123", &own, "same-origin"))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);
    let api = browser()
        .get(format!("{own}/builds"))
        .headers(from_page(&cookie, &own, "same-origin"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.status(),
        StatusCode::UNAUTHORIZED,
        "the session opens the control API only"
    );
}

#[tokio::test]
async fn events_carry_the_count_of_changes_and_ask_to_be_asked_again() {
    let mock = MockNixbuild::start().await;
    let (cookie, _) = log_in(&mock).await;
    let events = || async {
        let answer = browser()
            .get(format!("{}/_mock/ui/events", origin(&mock)))
            .headers(from_page(&cookie, &origin(&mock), "same-origin"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.headers()["content-type"], "text/event-stream");
        let text = answer.text().await.unwrap();
        assert!(text.starts_with("retry: 250\n"), "{text}");
        text.lines()
            .find_map(|line| line.strip_prefix("data: "))
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let before = events().await;
    mock.add_build(BuildFixture::built("hello-2.12"));
    let _ = mock.client().builds().list().send().await;
    assert!(
        events().await >= before + 2,
        "a build and a request are two changes"
    );
}

#[tokio::test]
async fn the_page_s_own_reads_answer_as_the_api_and_the_sdk_would() {
    let mock = MockNixbuild::start().await;
    mock.add_build(BuildFixture::built("hello-2.12").tag("ci", "1"));
    mock.add_build(BuildFixture::failed("<img src=x onerror=alert(1)>"));
    mock.expect(Expectation::path("/usage").times(1));
    let (cookie, _) = log_in(&mock).await;
    let own = origin(&mock);
    let read = |path: String| {
        let headers = from_page(&cookie, &own, "same-origin");
        async move { browser().get(path).headers(headers).send().await.unwrap() }
    };
    let filtered: serde_json::Value = read(format!("{own}/_mock/ui/builds?status=build_failed"))
        .await
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(filtered["builds"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["summary"]["failed_build_count"], 1);
    assert!(
        filtered["builds"][0]["derivation_path"]
            .as_str()
            .unwrap()
            .ends_with("-<img src=x onerror=alert(1)>.drv"),
        "kept as given, for the page to write as text"
    );
    let bad = read(format!("{own}/_mock/ui/builds?limit=-1")).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let overview: serde_json::Value = read(format!("{own}/_mock/ui/overview"))
        .await
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(overview["mode"], "serving");
    let known: Vec<&str> = nixbuild::BuildStatus::KNOWN.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        overview["known_statuses"],
        serde_json::json!(known),
        "the page offers the statuses the mock takes"
    );
    let replaying = MockNixbuild::builder()
        .replay(Recording::new(false))
        .start()
        .await;
    let (replay_cookie, _) = log_in(&replaying).await;
    let replay_origin = origin(&replaying);
    let replay_overview: serde_json::Value = browser()
        .get(format!("{replay_origin}/_mock/ui/overview"))
        .headers(from_page(&replay_cookie, &replay_origin, "same-origin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(replay_overview["mode"], "replaying 0 recorded requests");
    assert_eq!(overview["expectations"][0]["met"], false);

    let token = mock.tokens().rights(["build:read"]).mint();
    let inspected: serde_json::Value = browser()
        .post(format!("{own}/_mock/ui/inspect"))
        .headers(from_page(&cookie, &own, "same-origin"))
        .header("content-type", "application/json")
        .body(serde_json::json!({"token": token.expose_secret()}).to_string())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert!(
        inspected["text"].as_str().unwrap().contains("build:read"),
        "{inspected}"
    );
    let _ = mock.client().usage().send().await;
    mock.verify();
}

#[tokio::test]
async fn hostile_codes_cookies_and_hosts_get_plain_refusals() {
    let mock = MockNixbuild::start().await;
    let own = origin(&mock);
    for code in [
        "",
        "<script>alert(1)</script>",
        "%00%0d%0aset-cookie:x=1",
        &"a".repeat(4000),
    ] {
        let answer = browser()
            .get(format!("{own}/_mock/ui/login?code={code}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{code:.40}");
        assert!(answer.headers().get("set-cookie").is_none());
        let text = answer.text().await.unwrap();
        assert!(!text.contains("<script>alert"), "the code is not shown back");
    }
    for cookie in [
        "",
        ";;;",
        "nbmock_session=",
        &format!("nbmock_session={}", "f".repeat(8000)),
    ] {
        let answer = browser()
            .get(format!("{own}/_mock/ui/overview"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{cookie:.40}");
    }
    let admin = format!("Bearer {}", mock.admin_token().expose_secret());
    let login = |host: &'static str| {
        let admin = admin.clone();
        let own = own.clone();
        async move {
            let answer = browser()
                .post(format!("{own}/_mock/ui/login"))
                .header("authorization", admin)
                .header("host", host)
                .send()
                .await
                .unwrap();
            (answer.status(), answer.text().await.unwrap())
        }
    };
    let (status, body) = login("localhost:4321").await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        body.contains("\"http://localhost:4321/_mock/ui/login?code="),
        "{body}"
    );
    let (status, body) = login("evil.example/\"><script>").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(!body.contains("<script>"), "the host is not shown back: {body}");
    let unauthorized = browser()
        .post(format!("{own}/_mock/ui/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_journal_numbers_its_entries_and_a_replay_s_miss_names_the_nearest() {
    let mut recording = Recording::new(false);
    recording.interactions.push(Interaction::new(
        "GET",
        "/builds",
        "status=built",
        200,
        Default::default(),
        b"[]",
    ));
    let mock = MockNixbuild::builder().replay(recording).start().await;
    let admin = format!("Bearer {}", mock.admin_token().expose_secret());
    let client = mock.client();
    let _ = client.builds().list().send().await;
    let _ = client.usage().send().await;
    let journal = |query: &'static str| {
        let admin = admin.clone();
        let url = format!("{}/_mock/requests{query}", origin(&mock));
        async move {
            browser()
                .get(url)
                .header("authorization", admin)
                .send()
                .await
                .unwrap()
        }
    };
    let all: Vec<serde_json::Value> = journal("")
        .await
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0]["seq"].as_u64(), all[1]["seq"].as_u64()),
        (Some(1), Some(2))
    );
    assert!(all[1]["received_at"].is_string());
    assert!(
        all[0]["nearest"].as_str().unwrap().contains("/builds"),
        "the miss names the nearest: {}",
        all[0]
    );
    let newer: Vec<serde_json::Value> = journal("?after=1")
        .await
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(newer.len(), 1);
    assert_eq!(journal("?after=-1").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        journal("?after=99999999999999999999").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        journal("?after=9223372036854775808").await.status(),
        StatusCode::BAD_REQUEST,
        "past the document's int64"
    );
    assert_eq!(
        journal("?after=9223372036854775807").await.status(),
        StatusCode::OK
    );
}

/// The page is small enough to be compiled in and served from anywhere: its assets together,
/// uncompressed, stay within the 200 KB the issue allows gzipped.
#[test]
fn the_page_s_assets_stay_small() {
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let bytes: u64 = ["index.html", "app.js", "app.css", "favicon.svg"]
        .iter()
        .map(|asset| std::fs::metadata(ui.join(asset)).unwrap().len())
        .sum();
    assert!(bytes < 200 * 1024, "{bytes} bytes");
}

/// The page's own list of the journal: the newest few without headers and bodies, how many
/// it left out, and one entry whole when asked; hostile numbers are 400s.
#[tokio::test]
async fn the_page_lists_the_journal_lightly_and_reads_one_entry_whole() {
    let mock = MockNixbuild::start().await;
    let client = mock.client();
    for _ in 0..5 {
        let _ = client.usage().send().await;
    }
    let (cookie, _) = log_in(&mock).await;
    let own = origin(&mock);
    let read = |path: String| {
        let headers = from_page(&cookie, &own, "same-origin");
        async move {
            let answer = browser().get(path).headers(headers).send().await.unwrap();
            (answer.status(), answer.text().await.unwrap())
        }
    };
    let (status, body) = read(format!("{own}/_mock/ui/requests?after=1&limit=2")).await;
    assert_eq!(status, StatusCode::OK);
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let seqs: Vec<u64> = listed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!((seqs, listed["skipped"].as_u64()), (vec![4, 5], Some(2)));
    assert!(
        listed["entries"][0].get("headers").is_none(),
        "listed without headers"
    );
    let (status, body) = read(format!("{own}/_mock/ui/requests/5")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Bearer [redacted]"),
        "whole, as the journal redacts it: {body}"
    );
    for (path, expected) in [
        ("/_mock/ui/requests/99", StatusCode::NOT_FOUND),
        ("/_mock/ui/requests/-1", StatusCode::BAD_REQUEST),
        ("/_mock/ui/requests/1%2F..%2F2", StatusCode::BAD_REQUEST),
        ("/_mock/ui/requests?limit=x", StatusCode::BAD_REQUEST),
        ("/_mock/ui/requests?after=1&evil=1", StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(read(format!("{own}{path}")).await.0, expected, "{path}");
    }
}
