//! Helpers shared by the mock's tests: raw HTTP, to see exactly what the mock answers.
#![allow(dead_code)]

pub mod standalone;
pub mod tempdir;

use nixbuild::Token;

/// A raw answer.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `error` message of a JSON error body.
    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error field: {}", self.body))
            .to_owned()
    }
}

/// `GET base + path_and_query` exactly as written (no re-encoding), with an optional token.
pub async fn get(base: &str, path_and_query: &str, token: Option<&Token>) -> Answer {
    send(
        "GET",
        base,
        path_and_query,
        token.map(|t| format!("Bearer {}", t.expose_secret())),
    )
    .await
}

/// A request with a raw `Authorization` header value.
pub async fn send(method: &str, base: &str, path_and_query: &str, authorization: Option<String>) -> Answer {
    let client = nixbuild::http_client_builder().unwrap().build().unwrap();
    let url = format!("{base}{path_and_query}");
    let mut request = client.request(method.parse().unwrap(), &url);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    Answer {
        status: response.status().as_u16(),
        retry_after: response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: response.text().await.unwrap(),
    }
}
