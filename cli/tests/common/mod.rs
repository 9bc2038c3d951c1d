//! Running the built `nixbuild` binary as a user runs it.
#![allow(dead_code)]

use std::time::Duration;

use assert_cmd::Command;
use nixbuild_mock::MockNixbuild;

/// What a run of the binary left.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `nixbuild ARGS` against `mock` with `token` (or the mock's own), with `stdin`, on a
/// blocking thread (the mock answers on this test's runtime).
pub async fn nixbuild(mock: Option<&MockNixbuild>, token: Option<&str>, args: &[&str], stdin: &str) -> Run {
    let mut command = clean_command(args);
    command.write_stdin(stdin.to_owned());
    if let Some(mock) = mock {
        let minted;
        let token = match token {
            Some(token) => token,
            None => {
                minted = mock
                    .tokens()
                    .rights(["build:read"])
                    .expires_in(Duration::from_secs(3600))
                    .mint();
                minted.expose_secret()
            }
        };
        command
            .env("NIXBUILD_API_URL", mock.uri())
            .env("NIXBUILD_TOKEN", token);
    }
    finish(command).await
}

/// Runs `nixbuild ARGS` against the API at `url` with `token`.
pub async fn nixbuild_at(url: &str, token: &str, args: &[&str]) -> Run {
    let mut command = clean_command(args);
    command.env("NIXBUILD_API_URL", url).env("NIXBUILD_TOKEN", token);
    finish(command).await
}

/// `nixbuild ARGS` with an empty environment but `NO_COLOR`.
fn clean_command(args: &[&str]) -> Command {
    let mut command = Command::cargo_bin("nixbuild").expect("the binary is built");
    command.env_clear().env("NO_COLOR", "1").args(args);
    command
}

/// Runs `command` on a blocking thread (the mock answers on the test's runtime).
async fn finish(mut command: Command) -> Run {
    let output = tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .expect("the run ends");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
