//! The committed `openapi/openapi.json`, `openapi/openapi.yaml` and `mock-server/openapi.json`
//! are what the code generates.

#[test]
fn the_committed_document_is_up_to_date() {
    let dir = nixbuild_openapi::directory();
    if let Err(staleness) = nixbuild_openapi::check(&dir).expect("the document renders") {
        panic!("{staleness}");
    }
}

#[test]
fn staleness_names_the_command_that_fixes_it() {
    let dir = std::env::temp_dir().join(format!("nixbuild-openapi-stale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(dir.join("openapi")).unwrap();
    std::fs::write(dir.join("openapi/openapi.json"), "{}").unwrap();
    let staleness = nixbuild_openapi::check(&dir).unwrap().unwrap_err();
    assert_eq!(
        staleness.stale.len(),
        3,
        "a wrong JSON file, a missing YAML file and a missing control API document"
    );
    assert!(
        staleness
            .to_string()
            .contains("run `cargo run -p nixbuild-openapi`"),
        "{staleness}"
    );
    nixbuild_openapi::write(&dir).unwrap();
    assert_eq!(nixbuild_openapi::check(&dir).unwrap(), Ok(()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_json_is_pretty_and_the_yaml_says_the_same() {
    let artifacts = nixbuild_openapi::artifacts().unwrap();
    let json: serde_json::Value = serde_json::from_str(&artifacts[0].content).unwrap();
    assert!(artifacts[0].content.starts_with("{\n  \"openapi\": \"3.1.0\""));
    assert_eq!(json, serde_json::to_value(nixbuild_openapi::document()).unwrap());
    assert!(
        artifacts[1].content.starts_with("openapi: 3.1.0\n"),
        "{}",
        &artifacts[1].content[..40]
    );
}

#[test]
fn the_control_document_is_the_mock_s_own() {
    let artifacts = nixbuild_openapi::artifacts().unwrap();
    let control = artifacts
        .iter()
        .find(|a| a.path == "mock-server/openapi.json")
        .expect("the control API's document is committed beside the mock");
    let json: serde_json::Value = serde_json::from_str(&control.content).unwrap();
    assert_eq!(
        json,
        serde_json::to_value(nixbuild_openapi::mock_control::document()).unwrap()
    );
    assert_eq!(json["info"]["title"], "nixbuild-mock control API");
}
