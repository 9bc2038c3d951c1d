//! Waits for the builds of a derivation to finish, printing each change as it happens.
//!
//! ```sh
//! cargo run --example wait_for_build -- /nix/store/…-hello-2.12.drv
//! ```
//!
//! Without `NIXBUILD_TOKEN` it runs against the mock server, where a build of `hello-2.12`
//! moves from pending to running to built while the example waits.

mod support;

use std::time::Duration;

use nixbuild::BuildStatus;
use nixbuild_mock::{BuildFixture, fixtures};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pending = None;
    let service = support::connect(|mock| {
        pending = Some(mock.add_build(BuildFixture::pending("hello-2.12")));
    })
    .await?;
    let derivation = match (std::env::args().nth(1), &service.mock, pending) {
        (Some(path), _, _) => path,
        (None, Some(mock), Some(id)) => mock.build(id).map(|b| b.derivation_path).unwrap_or_default(),
        _ => return Err("give the derivation's store path: wait_for_build /nix/store/…drv".into()),
    };

    // On the mock, play the service's part: start the build, then finish it.
    let mover = service.mock.as_ref().zip(pending);
    let waiting = service
        .client
        .builds()
        .wait_for(derivation)
        .poll_interval(Duration::from_millis(200))
        .timeout(Duration::from_secs(600))
        .on_change(|change| println!("{change}"))
        .send();
    let outcome = match mover {
        Some((mock, id)) => {
            let (outcome, ()) = tokio::join!(waiting, async {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let _ = mock.update_build(id, fixtures::mark_running);
                tokio::time::sleep(Duration::from_millis(700)).await;
                let _ = mock.update_build(id, |b| fixtures::mark_finished(b, BuildStatus::Built));
            });
            outcome?
        }
        None => waiting.await?,
    };
    // The newest build of the derivation, following rebuilds and restarts.
    for build in &outcome.latest {
        let outputs: Vec<&str> = build.outputs.iter().map(|o| o.path.as_str()).collect();
        println!(
            "{} finished: {} {}",
            build.build_id,
            build.status,
            outputs.join(" ")
        );
    }
    Ok(())
}
