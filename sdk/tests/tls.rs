//! The TLS backend the features chose: a client for an https URL builds, and other reqwest
//! clients in the same process still build afterwards (with `rustls-ring` alone, reqwest
//! panics without a process-wide crypto provider; the client installs ring when none is).

#[test]
fn an_https_client_builds_and_leaves_reqwest_usable() {
    let client = nixbuild::Client::builder()
        .token("a-token")
        .base_url("https://api.nixbuild.net")
        .build()
        .unwrap();
    assert_eq!(client.base_url().scheme(), "https");
    reqwest::Client::builder()
        .build()
        .expect("another reqwest client builds");
}
