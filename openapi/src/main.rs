//! Writes `openapi/openapi.json`, `openapi/openapi.yaml` and `mock-server/openapi.json`; with `--check`,
//! only says whether they are up to date (exit status 1 when stale, naming the command that
//! regenerates them).

use std::process::ExitCode;

use nixbuild_openapi::directory;

fn main() -> ExitCode {
    let dir = directory();
    match std::env::args().nth(1).as_deref() {
        None => match nixbuild_openapi::write(&dir) {
            Ok(paths) => {
                paths.iter().for_each(|path| println!("wrote {}", path.display()));
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
        Some("--check") => match nixbuild_openapi::check(&dir) {
            Ok(Ok(())) => {
                println!("the OpenAPI documents under {} are up to date", dir.display());
                ExitCode::SUCCESS
            }
            Ok(Err(staleness)) => fail(&staleness.to_string()),
            Err(e) => fail(&e.to_string()),
        },
        Some(other) => {
            eprintln!("unknown argument `{other}`; usage: nixbuild-openapi [--check]");
            ExitCode::from(2)
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("nixbuild-openapi: {message}");
    ExitCode::FAILURE
}
