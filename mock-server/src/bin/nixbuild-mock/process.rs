//! How the process ends: a signal, its standard input closing, or its parent ending.

/// Returns once standard input reaches its end (or fails). Read on a detached thread, not
/// tokio's blocking pool, whose shutdown would wait for a read that may never end.
pub(crate) async fn stdin_closed() {
    let (closed, on_close) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = [0u8; 1024];
        let mut stdin = std::io::stdin().lock();
        while let Ok(1..) = std::io::Read::read(&mut stdin, &mut sink) {}
        let _ = closed.send(());
    });
    let _ = on_close.await;
}

/// How often the parent watch looks: a dead test runner's mock is gone within this.
const PARENT_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// Returns once the process that started this one has ended: on Unix the kernel then gives
/// this process another parent (init, or a subreaper), so a changed parent id says so.
/// Standard input alone does not: a child the test runner forked before it died holds the
/// same pipe open. Never returns where the parent cannot be watched (Windows).
pub(crate) async fn parent_ended() {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        loop {
            tokio::time::sleep(PARENT_POLL).await;
            if std::os::unix::process::parent_id() != parent {
                return;
            }
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>().await
}

pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
