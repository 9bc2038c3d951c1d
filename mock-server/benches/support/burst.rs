//! A burst of requests at once, as a tool or a test suite with many tasks sends them: what
//! the serving bench and the debug harness (`debug-harness/`) both time.

use futures::future::join_all;

use super::distinct::distinct;

/// How many requests a burst sends at once.
pub const CONCURRENCY: usize = 64;

/// `CONCURRENCY` requests to `url` at once (each with a query never asked before when
/// `fresh`); how many were answered 200.
pub async fn burst(http: &reqwest::Client, url: &str, authorization: &str, fresh: bool) -> usize {
    let answers = join_all((0..CONCURRENCY).map(|_| async {
        let url = if fresh { distinct(url) } else { url.to_owned() };
        let response = http
            .get(url)
            .header("authorization", authorization)
            .send()
            .await
            .ok()?;
        let ok = response.status().is_success();
        response.bytes().await.ok().filter(|_| ok)
    }))
    .await;
    answers.into_iter().flatten().count()
}

/// The body of one answer to `url` (the bytes a static server is then given to serve).
pub async fn answer_body(http: &reqwest::Client, url: &str, authorization: &str) -> Vec<u8> {
    http.get(url)
        .header("authorization", authorization)
        .send()
        .await
        .expect("an answer")
        .bytes()
        .await
        .expect("a body")
        .to_vec()
}
