//! `nixbuild-mock record`: a recording proxy in front of the real service.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use nixbuild_mock::front::Front;
use nixbuild_mock::recording::Recorder;
use nixbuild_mock::recording::proxy::{DEFAULT_UPSTREAM, RecordingProxy};

use crate::ListenArgs;
use crate::process::{parent_ended, shutdown_signal, stdin_closed};

/// How often a changed recording is written to its file while recording: a recorder killed
/// outright loses at most this much.
const WRITE_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Args)]
pub(crate) struct RecordArgs {
    /// The service to forward to: its base URL, with a self-hosted deployment's path prefix.
    #[arg(long, value_name = "URL", default_value = DEFAULT_UPSTREAM)]
    upstream: String,
    /// The recording to write (replaced whole, each second while something changes, and on
    /// exit).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Refresh this recording instead of serving: ask the upstream each of its read
    /// requests again, in the order they first came, with the token in NIXBUILD_TOKEN (never
    /// on the command line), record the answers into --out by the same rules as a live
    /// recording, and exit. A request whose query the recording redacted is not asked.
    #[arg(long, value_name = "FILE")]
    refresh: Option<PathBuf>,
    /// Map store-path hashes and names, tag values, NAR hashes and account ids to stand-ins,
    /// the same one for the same input (see `nixbuild_mock::recording::anonymise`).
    #[arg(long, visible_alias = "anonymize")]
    anonymise: bool,
    #[command(flatten)]
    listen: ListenArgs,
}

pub(crate) async fn run(args: RecordArgs) -> Result<(), String> {
    if let Some(old) = &args.refresh {
        let read_timeout = args.listen.read_timeout();
        return crate::refresh::run(old, &args.upstream, &args.out, args.anonymise, read_timeout).await;
    }
    let recorder = Arc::new(Recorder::new(args.anonymise));
    let proxy =
        RecordingProxy::new(&args.upstream, Arc::clone(&recorder))?.on_request(|line| eprintln!("{line}"));
    let out = args.out.clone();
    // A file that cannot be written is found now, not after an hour of recording.
    recorder
        .write(&out)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let listener = args.listen.bind()?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let serving = tokio::spawn(Front::recording(proxy.clone(), args.listen.read_timeout()).serve(listener));
    println!(
        "# nixbuild-mock record: forwarding to {}, recording into {}",
        proxy.upstream(),
        out.display()
    );
    println!("NIXBUILD_API_URL=http://{address}");
    println!("NIXBUILD_MOCK_PORT={}", address.port());
    println!("NIXBUILD_MOCK_PID={}", std::process::id());
    println!("export NIXBUILD_API_URL NIXBUILD_MOCK_PORT NIXBUILD_MOCK_PID");
    let writing = {
        let recorder = Arc::clone(&recorder);
        let out = out.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(WRITE_EVERY);
            loop {
                every.tick().await;
                if recorder.take_changed() {
                    let recorder = Arc::clone(&recorder);
                    let out = out.clone();
                    let written = tokio::task::spawn_blocking(move || recorder.write(&out)).await;
                    if let Ok(Err(e)) = written {
                        eprintln!("nixbuild-mock: cannot write the recording: {e}");
                    }
                }
            }
        })
    };
    let stopped = tokio::select! {
        _ = shutdown_signal() => Ok(()),
        _ = stdin_closed(), if args.listen.exit_with_stdin => Ok(()),
        _ = parent_ended(), if args.listen.exit_with_parent => Ok(()),
        served = serving => Err(match served {
            Ok(Err(e)) => format!("the server stopped: {e}"),
            _ => "the server stopped".to_owned(),
        }),
    };
    writing.abort();
    recorder
        .write(&out)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let (builds, interactions) = recorder.counts();
    eprintln!(
        "nixbuild-mock: recorded {builds} builds and {interactions} requests into {}",
        out.display()
    );
    stopped
}
