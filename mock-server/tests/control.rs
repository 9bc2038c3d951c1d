//! The control API under `/_mock`, driven over HTTP as a test in another language drives it:
//! every route, its admin token, and hostile bodies.

mod common;

use nixbuild::{BuildId, BuildStatus, Client};
use nixbuild_mock::{BuildFixture, MockNixbuild};
use serde_json::{Value, json};

/// A test's view of a mock from outside: its root URL and admin token.
struct Control {
    root: String,
    admin: String,
    http: reqwest::Client,
}

struct Reply {
    status: u16,
    allow: Option<String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn error(&self) -> String {
        self.json()["error"].as_str().unwrap().to_owned()
    }
}

impl Control {
    fn of(mock: &MockNixbuild) -> Control {
        Control {
            root: mock.server().uri(),
            admin: mock.admin_token().expose_secret().to_owned(),
            http: nixbuild::http_client_builder().unwrap().build().unwrap(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let bearer = format!("Bearer {}", self.admin);
        self.raw(method, path, Some(&bearer), body.map(|b| b.to_string()))
            .await
    }

    /// Sends `body`, which the route must refuse with a one-line 400.
    async fn assert_refused(&self, method: &str, path: &str, body: Value) {
        let refused = self.call(method, path, Some(body.clone())).await;
        assert_eq!(refused.status, 400, "{method} {path} {body}: {}", refused.body);
        assert!(!refused.error().contains('\n'), "one line: {}", refused.body);
    }

    async fn raw(
        &self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.root));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        let response = request.send().await.unwrap();
        Reply {
            status: response.status().as_u16(),
            allow: response
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_owned()),
            body: response.text().await.unwrap(),
        }
    }
}

/// A mock serving the seed builds.
async fn seeded() -> MockNixbuild {
    MockNixbuild::builder()
        .builds(nixbuild_mock::fixtures::seed())
        .start()
        .await
}

#[tokio::test]
async fn health_is_open_and_everything_else_takes_the_admin_token_only() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    let health = control.raw("GET", "/_mock/health", None, None).await;
    assert_eq!((health.status, health.json()), (200, json!({"status": "ok"})));

    let api_token = format!("Bearer {}", mock.tokens().mint().expose_secret());
    for authorization in [
        None,
        Some("Bearer nope"),
        Some(api_token.as_str()),
        Some("Basic Zm9vOmJhcg=="),
    ] {
        let refused = control.raw("GET", "/_mock/requests", authorization, None).await;
        assert_eq!(refused.status, 401, "{authorization:?}");
        assert!(refused.error().contains("admin token"), "{}", refused.body);
    }
    let almost = format!("Bearer {}x", control.admin);
    assert_eq!(
        control
            .raw("GET", "/_mock/clock", Some(&almost), None)
            .await
            .status,
        401
    );

    // The admin token opens nothing of the API, even with auth off.
    let admin = mock.admin_token();
    let with_admin = Client::builder()
        .token(admin.expose_secret())
        .base_url(mock.uri())
        .build()
        .unwrap();
    let error = with_admin.builds().list().send().await.unwrap_err();
    assert!(error.is_unauthorized());
    assert!(!error.to_string().contains(admin.expose_secret()), "{error}");
    let open = MockNixbuild::builder().without_auth().start().await;
    let admin_on_open = Client::builder()
        .token(open.admin_token().expose_secret())
        .base_url(open.uri())
        .build()
        .unwrap();
    assert!(
        admin_on_open
            .builds()
            .list()
            .send()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    assert!(!format!("{mock:?}").contains(admin.expose_secret()));
}

#[tokio::test]
async fn builds_are_added_from_fixture_specs_and_complete_builds() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    let complete = serde_json::to_value(BuildFixture::built("coreutils-9.4").id(77).build()).unwrap();
    let added = control
        .call(
            "POST",
            "/_mock/builds",
            Some(json!([
                {"name": "hello-2.12", "status": "build_failed", "tags": {"GITHUB_RUN_ID": "42"}},
                {"name": "hello-2.12", "system": "aarch64-linux", "tags": {"GITHUB_RUN_ID": "42"},
                 "created_at": "2024-05-01T10:00:00Z", "restart_of": 77},
                complete,
            ])),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let ids: Vec<u64> = serde_json::from_value(added.json()["build_ids"].clone()).unwrap();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[2], 77);

    let run = mock
        .client()
        .builds()
        .list()
        .tag("GITHUB_RUN_ID", "42")
        .send()
        .await
        .unwrap();
    assert_eq!(run.len(), 2);
    let failed = run.iter().find(|b| b.status == BuildStatus::BuildFailed).unwrap();
    assert!(failed.outputs.is_empty() && failed.derivation_path.ends_with("-hello-2.12.drv"));
    let restarted = run.iter().find(|b| b.system == "aarch64-linux").unwrap();
    assert_eq!(restarted.restart_of_build_id, Some(BuildId(77)));
    assert_eq!(restarted.outputs.len(), 1, "built by default, with its output");
    assert_eq!(restarted.create_time.to_rfc3339(), "2024-05-01T10:00:00+00:00");

    let one = control
        .call("GET", &format!("/_mock/builds/{}", ids[0]), None)
        .await;
    assert_eq!(one.json()["status"], "build_failed");
    assert_eq!(
        control
            .call("GET", "/_mock/builds", None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(control.call("DELETE", "/_mock/builds", None).await.status, 204);
    assert_eq!(mock.build_count(), 0);
}

#[tokio::test]
async fn bad_build_specs_are_refused_with_what_is_wrong() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    let long_name = "a".repeat(300);
    let cases: [(Value, &str); 9] = [
        (json!({"name": "x"}), "invalid type"),
        (json!([{"name": "x"}, 3]), "builds[1]"),
        (json!([{"name": "../../etc/passwd"}]), "not a Nix store name"),
        (json!([{"name": "a\nb\u{202e}"}]), "not a Nix store name"),
        (json!([{"name": long_name}]), "not a Nix store name"),
        (json!([{"name": "x", "colour": "red"}]), "unknown field `colour`"),
        (json!([{"name": "x", "cpu_count": 100000}]), "cpu_count"),
        (json!([{"name": "x", "duration_seconds": -1}]), "duration_seconds"),
        (json!([{"derivation_path": "/nix/store/x.drv"}]), "builds[0]"),
    ];
    for (body, expected) in cases {
        let refused = control.call("POST", "/_mock/builds", Some(body.clone())).await;
        assert_eq!(refused.status, 400, "{body}");
        assert!(refused.error().contains(expected), "{body}: {}", refused.body);
        assert!(!refused.error().contains('\n'), "one line: {}", refused.body);
    }
    let not_json = control
        .raw(
            "POST",
            "/_mock/builds",
            Some(&format!("Bearer {}", control.admin)),
            Some("[{".into()),
        )
        .await;
    assert_eq!(not_json.status, 400);
    assert_eq!(mock.build_count(), 0, "nothing of a refused request is added");
}

#[tokio::test]
async fn an_unknown_status_is_a_typo_unless_asked_for_on_purpose() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    let seed = serde_json::to_value(nixbuild_mock::fixtures::seed()).unwrap();
    let mut complete = seed[0].clone();
    complete["status"] = json!("succeeded");
    for body in [json!([{"name": "x-1", "status": "failed"}]), json!([complete])] {
        let refused = control.call("POST", "/_mock/builds", Some(body.clone())).await;
        assert_eq!(refused.status, 400, "{body}");
        let error = refused.error();
        assert!(
            error.contains("build_failed") && error.contains("?allow_unknown_status=true"),
            "{error}"
        );
    }
    assert_eq!(mock.build_count(), 0);
    for bad_query in ["?allow_unknown_status=yes", "?colour=red"] {
        let body = json!([{"name": "x-1", "status": "quarantined"}]);
        let refused = control
            .call("POST", &format!("/_mock/builds{bad_query}"), Some(body))
            .await;
        assert_eq!(refused.status, 400, "{bad_query}");
    }
    let added = control
        .call(
            "POST",
            "/_mock/builds?allow_unknown_status=true",
            Some(json!([{"name": "x-1", "status": "quarantined"}, {"name": "x-2", "status": "pending"}])),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let ids = added.json()["build_ids"].clone();
    let stored = mock.build(BuildId(ids[0].as_u64().unwrap())).unwrap();
    assert_eq!(stored.status.as_str(), "quarantined");
    let pending = format!("/_mock/builds/{}", ids[1]);
    control
        .assert_refused("PATCH", &pending, json!({"status": "done"}))
        .await;
    let moved = control
        .call(
            "PATCH",
            &format!("{pending}?allow_unknown_status=true"),
            Some(json!({"status": "evicted"})),
        )
        .await;
    assert_eq!(
        (moved.status, moved.json()["status"].clone()),
        (200, json!("evicted"))
    );
}

#[tokio::test]
async fn a_right_nixbuild_net_does_not_grant_is_a_typo_unless_asked_for() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    let refused = control
        .call("POST", "/_mock/tokens", Some(json!({"rights": ["build:raed"]})))
        .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.error().contains("build:read, build:write"),
        "{}",
        refused.body
    );
    for rights in [
        json!({"rights": ["store:write"]}),
        json!({"rights": ["run:write"], "allow_unknown_rights": true}),
    ] {
        let minted = control.call("POST", "/_mock/tokens", Some(rights.clone())).await;
        assert_eq!(minted.status, 201, "{rights}: {}", minted.body);
    }
}

#[tokio::test]
async fn a_pending_build_moves_to_running_then_built_and_never_back() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    let id = mock.add_build(BuildFixture::pending("hello-2.12"));
    let path = format!("/_mock/builds/{id}");
    let running = control
        .call("PATCH", &path, Some(json!({"status": "running"})))
        .await;
    assert_eq!(
        (running.status, running.json()["status"].clone()),
        (200, json!("running"))
    );
    assert!(running.json()["start_time"].is_string());
    let built = control
        .call("PATCH", &path, Some(json!({"status": "built"})))
        .await;
    assert_eq!(built.json()["status"], "built");
    assert_eq!(built.json()["outputs"].as_array().unwrap().len(), 1);
    assert_eq!(mock.build(id).unwrap().status, BuildStatus::Built);

    let again = control
        .call("PATCH", &path, Some(json!({"status": "build_failed"})))
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    let other = mock.add_build(BuildFixture::running("x"));
    let back = control
        .call(
            "PATCH",
            &format!("/_mock/builds/{other}"),
            Some(json!({"status": "pending"})),
        )
        .await;
    assert_eq!(back.status, 400);
    assert_eq!(
        control
            .call("PATCH", "/_mock/builds/1", Some(json!({"status": "built"})))
            .await
            .status,
        404
    );
    // Not an integer: 400. An integer past int64: no such build, 404.
    for (hostile, status) in [
        ("abc", 400),
        ("-1", 400),
        ("1.5", 400),
        ("%0a", 400),
        ("99999999999999999999999", 404),
    ] {
        let reply = control
            .call(
                "PATCH",
                &format!("/_mock/builds/{hostile}"),
                Some(json!({"status": "built"})),
            )
            .await;
        assert_eq!(reply.status, status, "{hostile}");
    }
    assert_eq!(
        control
            .call("PATCH", &path, Some(json!({"state": "built"})))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn minted_tokens_work_and_revoked_ones_get_401() {
    let mock = seeded().await;
    let control = Control::of(&mock);
    let minted = control
        .call(
            "POST",
            "/_mock/tokens",
            Some(json!({"rights": ["build:read"], "owner": 9, "expires_in_seconds": 600})),
        )
        .await;
    assert_eq!(minted.status, 201, "{}", minted.body);
    let token = minted.json()["token"].as_str().unwrap().to_owned();
    let info = nixbuild::Token::new(token.clone()).inspect().unwrap();
    assert_eq!(info.owner, Some(9));
    let client = |token: &str| mock.client_builder().token(token).build().unwrap();
    assert_eq!(client(&token).builds().list().send().await.unwrap().len(), 2);

    let default = control.call("POST", "/_mock/tokens", None).await.json()["token"].clone();
    let legacy = control
        .call("POST", "/_mock/tokens", Some(json!({"legacy": true})))
        .await;
    let legacy = legacy.json()["token"].as_str().unwrap().to_owned();
    assert!(client(&legacy).builds().list().send().await.is_ok());
    assert!(
        client(default.as_str().unwrap())
            .builds()
            .list()
            .send()
            .await
            .is_ok()
    );

    let revoked = control
        .call("POST", "/_mock/tokens/revoke", Some(json!({"token": token})))
        .await;
    assert_eq!(revoked.status, 204);
    assert!(
        client(&token)
            .builds()
            .list()
            .send()
            .await
            .unwrap_err()
            .is_unauthorized()
    );

    let expired = control
        .call("POST", "/_mock/tokens", Some(json!({"expires_in_seconds": 0})))
        .await;
    let expired = expired.json()["token"].as_str().unwrap().to_owned();
    // Sent raw: the SDK itself refuses to send a token it can see has expired.
    let refused = common::get(&mock.uri(), "/builds", Some(&nixbuild::Token::new(expired))).await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    for bad in [
        json!({"rights": [""]}),
        json!({"rights": ["x".repeat(500)]}),
        json!({"expires_in_seconds": 1, "expires_at": "2030-01-01T00:00:00Z"}),
        json!({"owner": "nine"}),
        json!({"expires_in_seconds": -5}),
    ] {
        control.assert_refused("POST", "/_mock/tokens", bad).await;
    }
    let garbage = control
        .call(
            "POST",
            "/_mock/tokens/revoke",
            Some(json!({"token": "not a token"})),
        )
        .await;
    assert_eq!(garbage.status, 400);
    assert!(!garbage.body.contains("not a token") || garbage.body.len() < 200);
}

#[tokio::test]
async fn faults_are_queued_listed_used_and_cleared() {
    let mock = seeded().await;
    let control = Control::of(&mock);
    let queued = control
        .call(
            "POST",
            "/_mock/faults",
            Some(json!({"status": 503, "retry_after_seconds": 2, "times": 1, "path": "/builds"})),
        )
        .await;
    assert_eq!(queued.status, 201, "{}", queued.body);
    assert_eq!(queued.json()["times"], 1);
    assert_eq!(
        control
            .call("GET", "/_mock/faults", None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let token = mock.tokens().mint();
    let first = common::get(&mock.uri(), "/builds", Some(&token)).await;
    assert_eq!((first.status, first.retry_after.as_deref()), (503, Some("2")));
    assert_eq!(
        common::get(&mock.uri(), "/builds", Some(&token)).await.status,
        200
    );

    control
        .call(
            "POST",
            "/_mock/faults",
            Some(json!({"malformed_body": true, "times": 5})),
        )
        .await;
    assert_eq!(control.call("DELETE", "/_mock/faults", None).await.status, 204);
    assert_eq!(
        common::get(&mock.uri(), "/builds", Some(&token)).await.status,
        200
    );

    for bad in [
        json!({}),
        json!({"status": 503, "delay_ms": 10}),
        json!({"status": 42}),
        json!({"status": 503, "times": 0}),
        json!({"delay_ms": 100000000}),
        json!({"delay_ms": 5, "retry_after_seconds": 1}),
        json!({"drop_connection": true, "path": "builds"}),
        json!({"status": 503, "forever": true}),
    ] {
        control.assert_refused("POST", "/_mock/faults", bad).await;
    }
}

#[tokio::test]
async fn the_journal_keeps_headers_redacted_and_bodies() {
    let mock = seeded().await;
    let control = Control::of(&mock);
    let client = mock.client_builder().user_agent("acme-ci/1.0").build().unwrap();
    client.builds().list().limit(1).send().await.unwrap();
    let token = mock.tokens().rights(["build:write"]).mint();
    let body = r#"[{"id":"p1"}]"#;
    let raw = nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .post(format!("{}/processes", mock.uri()))
        .header("authorization", format!("Bearer {}", token.expose_secret()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let _ = raw.status();

    let all = control.call("GET", "/_mock/requests", None).await.json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2, "control requests are not journaled: {all:?}");
    let user_agent = all[0]["headers"]["user-agent"].as_str().unwrap();
    assert!(user_agent.starts_with("acme-ci/1.0 nixbuild-rs/"), "{user_agent}");
    assert_eq!(all[0]["headers"]["authorization"], "Bearer [redacted]");
    assert_eq!(all[0]["auth"], "passed");
    assert_eq!(all[0]["query"], "limit=1");
    assert_eq!(all[1]["body"], body);
    let text = serde_json::to_string(all).unwrap();
    assert!(!text.contains(token.expose_secret()));

    let builds_only = control
        .call("GET", "/_mock/requests?path=/builds", None)
        .await
        .json();
    assert_eq!(builds_only.as_array().unwrap().len(), 1);
    let posts = control
        .call("GET", "/_mock/requests?method=post", None)
        .await
        .json();
    assert_eq!(posts.as_array().unwrap().len(), 1);
    assert_eq!(
        control
            .call("GET", "/_mock/requests?colour=red", None)
            .await
            .status,
        400
    );

    let in_rust = &mock.received_requests()[0];
    assert_eq!(in_rust.header("User-Agent"), Some(user_agent));
    assert_eq!(in_rust.header("authorization"), Some("Bearer [redacted]"));

    assert_eq!(control.call("DELETE", "/_mock/requests", None).await.status, 204);
    assert!(
        control
            .call("GET", "/_mock/requests", None)
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_large_body_is_kept_cut_and_marked() {
    let mock = MockNixbuild::builder().without_auth().start().await;
    let big = format!("[{}]", vec![r#"{"id":"p"}"#; 20_000].join(","));
    nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .post(format!("{}/processes", mock.uri()))
        .header("x-filler", "v".repeat(20_000))
        .body(big.clone())
        .send()
        .await
        .unwrap();
    let entry = &mock.received_requests()[0];
    assert!(big.len() > nixbuild_mock::limits::MAX_RECORDED_BODY_BYTES);
    assert_eq!(entry.body.len(), nixbuild_mock::limits::MAX_RECORDED_BODY_BYTES);
    assert!(entry.truncated);
    assert!(
        entry.header("x-filler").is_none(),
        "headers past the budget are left out"
    );
}

#[tokio::test]
async fn the_clock_drives_expiry_and_new_builds_until_reset() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    let set = control
        .call(
            "PUT",
            "/_mock/clock",
            Some(json!({"now": "2030-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json(), json!({"now": "2030-01-01T00:00:00Z", "frozen": true}));

    let token = control
        .call("POST", "/_mock/tokens", Some(json!({"expires_in_seconds": 3600})))
        .await;
    let token = token.json()["token"].as_str().unwrap().to_owned();
    let client = mock.client_builder().token(token.as_str()).build().unwrap();
    // Valid at the mock's now, although in the real future.
    assert!(client.builds().list().send().await.is_ok());

    let added = control
        .call(
            "POST",
            "/_mock/builds",
            Some(json!([{"name": "hello", "status": "pending"}])),
        )
        .await;
    let id = added.json()["build_ids"][0].as_u64().unwrap();
    assert_eq!(
        mock.build(BuildId(id)).unwrap().create_time.to_rfc3339(),
        "2030-01-01T00:00:00+00:00"
    );

    let moved = control
        .call("PUT", "/_mock/clock", Some(json!({"advance_seconds": 3601})))
        .await;
    assert_eq!(moved.json()["now"], "2030-01-01T01:00:01Z");
    let expired = client.builds().list().send().await.unwrap_err();
    assert!(expired.is_forbidden(), "{expired}");
    let finished = control
        .call(
            "PATCH",
            &format!("/_mock/builds/{id}"),
            Some(json!({"status": "built"})),
        )
        .await;
    // Never started: it started a second after its creation, and ran until the mock's now.
    assert_eq!(finished.json()["start_time"], "2030-01-01T00:00:01Z");
    assert_eq!(finished.json()["duration_seconds"], 3600.0);

    assert_eq!(control.call("DELETE", "/_mock/clock", None).await.status, 204);
    let real = control.call("GET", "/_mock/clock", None).await.json();
    assert_eq!(real["frozen"], false);
    assert!(real["now"].as_str().unwrap() < "2030");

    for bad in [
        json!({}),
        json!({"now": "2030-01-01T00:00:00Z", "advance_seconds": 1}),
        json!({"now": "yesterday"}),
        json!({"advance_seconds": 1e300}),
    ] {
        control.assert_refused("PUT", "/_mock/clock", bad).await;
    }
}

#[tokio::test]
async fn the_mocks_own_client_works_whichever_way_its_clock_was_moved() {
    let mock = seeded().await;
    for now in ["2019-03-01T00:00:00Z", "2040-03-01T00:00:00Z"] {
        mock.set_clock(now.parse().unwrap()).unwrap();
        let builds = mock.client().builds().list().send().await;
        assert_eq!(builds.map(|b| b.len()).ok(), Some(2), "clock at {now}");
    }
}

#[tokio::test]
async fn unknown_control_paths_and_methods_say_so() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    let missing = control.call("GET", "/_mock/nothing", None).await;
    assert_eq!(missing.status, 404);
    let wrong = control.call("PUT", "/_mock/builds", None).await;
    assert_eq!(
        (wrong.status, wrong.allow.as_deref()),
        (405, Some("GET, POST, DELETE"))
    );
    let hostile = control.call("GET", "/_mock/%1b%5b31m%0a", None).await;
    assert_eq!(hostile.status, 404);
    assert!(!hostile.body.contains('\u{1b}'));
    // `/_mockery` is not the control API: the API answers it (404, no such path).
    assert_eq!(control.call("GET", "/_mockery", None).await.status, 404);
}

#[tokio::test]
async fn what_the_document_allows_the_mock_takes_and_what_it_refuses_it_refuses() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    // JSON Schema (and JavaScript) count 2.0 as an integer.
    let fault = control
        .call(
            "POST",
            "/_mock/faults",
            Some(json!({"status": 503.0, "times": 2.0})),
        )
        .await;
    assert_eq!(
        (fault.status, fault.json()["times"].clone()),
        (201, json!(2)),
        "{}",
        fault.body
    );
    control
        .assert_refused("POST", "/_mock/faults", json!({"times": 2.5, "status": 503}))
        .await;
    // The bounds the document states.
    control
        .assert_refused(
            "POST",
            "/_mock/faults",
            json!({"status": 503, "retry_after_seconds": 86_401}),
        )
        .await;
    control
        .assert_refused("POST", "/_mock/tokens", json!({"expires_in_seconds": u64::MAX}))
        .await;
    control
        .assert_refused(
            "POST",
            "/_mock/tokens",
            json!({"rights": ["x".repeat(129)], "allow_unknown_rights": true}),
        )
        .await;
    let long_but_allowed = control
        .call(
            "POST",
            "/_mock/tokens",
            Some(json!({"rights": ["é".repeat(128)], "allow_unknown_rights": true})),
        )
        .await;
    assert_eq!(
        long_but_allowed.status, 201,
        "128 characters, whatever their bytes"
    );
}

#[tokio::test]
async fn what_schemathesis_found_is_refused() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    // serde reads a struct from an array of its fields; the control API takes objects only.
    let array = control
        .call("POST", "/_mock/tokens", Some(json!([null, null])))
        .await;
    assert_eq!(array.status, 400, "{}", array.body);
    assert_eq!(
        control.call("GET", "/_mock/requests?path=", None).await.status,
        400
    );
    // An id past int64 names no build the store can hold.
    let past_int64 = format!("/_mock/builds/{}", i64::MAX as u64 + 1);
    assert_eq!(control.call("GET", &past_int64, None).await.status, 404);
    let big_id = control
        .call(
            "POST",
            "/_mock/builds",
            Some(json!([{"name": "x", "id": i64::MAX as u64 + 1}])),
        )
        .await;
    assert_eq!(big_id.status, 400, "{}", big_id.body);
    let empty_status = control
        .call(
            "POST",
            "/_mock/builds",
            Some(json!([{"name": "x", "status": ""}])),
        )
        .await;
    assert_eq!(empty_status.status, 400);
    // Past 9999 a date has no RFC 3339 form: the clock stays short of it.
    control
        .call(
            "PUT",
            "/_mock/clock",
            Some(json!({"now": "9999-12-31T00:00:00Z"})),
        )
        .await;
    let past = control
        .call("PUT", "/_mock/clock", Some(json!({"advance_seconds": 86400 * 2})))
        .await;
    assert_eq!(past.status, 400, "{}", past.body);
    assert_eq!(
        control.call("GET", "/_mock/clock", None).await.json()["now"],
        "9999-12-31T00:00:00Z"
    );
}

#[tokio::test]
async fn one_request_adds_a_bounded_number_of_builds() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    // The attack's shape: tiny specs by the hundred thousand (1.95 MB of them).
    let specs = format!("[{}]", vec![r#"{"name":"a"}"#; 150_000].join(","));
    let bearer = format!("Bearer {}", control.admin);
    let refused = control
        .raw("POST", "/_mock/builds", Some(&bearer), Some(specs))
        .await;
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert!(
        refused.error().contains("at most 100000 builds"),
        "{}",
        refused.body
    );
    assert_eq!(mock.build_count(), 0, "nothing of a refused request is added");
    // An element that is not a build is named by its index, and nothing is added either.
    let mixed = format!("[{}, 7]", [r#"{"name":"a"}"#; 3].join(","));
    let refused = control
        .raw("POST", "/_mock/builds", Some(&bearer), Some(mixed))
        .await;
    assert_eq!(refused.status, 400);
    assert!(refused.error().starts_with("builds[3]:"), "{}", refused.body);
    assert_eq!(mock.build_count(), 0);
    // Any other control body is held to the API's budget.
    let huge = json!({ "rights": vec!["build:read"; 200_000] }).to_string();
    let refused = control
        .raw("POST", "/_mock/tokens", Some(&bearer), Some(huge))
        .await;
    assert_eq!(refused.status, 413, "{}", refused.body);
}

#[tokio::test]
async fn every_clock_input_keeps_to_the_years_rfc3339_can_write() {
    let mock = MockNixbuild::start().await;
    let control = Control::of(&mock);
    let before = control.call("GET", "/_mock/clock", None).await.json();
    for now in [
        "+262142-12-31T23:59:59Z",
        "-0001-12-31T23:59:59Z",
        "+10000-01-01T00:00:00Z",
    ] {
        let refused = control
            .call("PUT", "/_mock/clock", Some(json!({ "now": now })))
            .await;
        assert_eq!(refused.status, 400, "{now}: {}", refused.body);
        assert!(refused.error().contains("0000 to 9999"), "{}", refused.body);
    }
    assert_eq!(
        control.call("GET", "/_mock/clock", None).await.json()["frozen"],
        before["frozen"]
    );
    let edge = control
        .call(
            "PUT",
            "/_mock/clock",
            Some(json!({ "now": "9999-12-31T23:59:59Z" })),
        )
        .await;
    assert_eq!(edge.status, 200, "{}", edge.body);
    let past = control
        .call("PUT", "/_mock/clock", Some(json!({ "advance_seconds": 1 })))
        .await;
    assert_eq!(past.status, 400, "{}", past.body);
    let far = "+262142-12-31T23:59:59Z".parse().unwrap();
    assert!(mock.set_clock(far).is_err(), "the Rust API keeps the same range");
}

#[tokio::test]
async fn headers_and_query_parameters_that_look_secret_are_redacted_in_journal_and_log() {
    let logged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mock = {
        let logged = std::sync::Arc::clone(&logged);
        MockNixbuild::builder()
            .without_auth()
            .on_request(move |request| logged.lock().unwrap().push(request.line()))
            .start()
            .await
    };
    let control = Control::of(&mock);
    let secrets = [
        "k3y-VALUE",
        "t0ken-VALUE",
        "s3ssion-VALUE",
        "pa55-VALUE",
        "c00kie-VALUE",
    ];
    let answer = nixbuild::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .get(format!(
            "{}/builds?access_token={}&limit=2&Session%5FId={}",
            mock.uri(),
            secrets[1],
            secrets[2]
        ))
        .header("X-Api-Key", secrets[0])
        .header("Authorization-Token", format!("Token {}", secrets[1]))
        .header("X-Auth-Password", secrets[3])
        .header("Set-Cookie", secrets[4])
        .header("User-Agent", "probe/1")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let journal = control.call("GET", "/_mock/requests", None).await;
    let log = logged.lock().unwrap().join("\n");
    for secret in secrets {
        assert!(!journal.body.contains(secret), "{secret} in {}", journal.body);
        assert!(!log.contains(secret), "{secret} in {log}");
    }
    let entry = &journal.json()[0];
    assert_eq!(entry["headers"]["x-api-key"], "[redacted]");
    assert_eq!(entry["headers"]["authorization-token"], "Token [redacted]");
    assert_eq!(entry["headers"]["user-agent"], "probe/1");
    assert_eq!(
        entry["query"],
        "access_token=[redacted]&limit=2&Session%5FId=[redacted]"
    );
}
