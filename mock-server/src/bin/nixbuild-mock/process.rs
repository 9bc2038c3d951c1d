//! How the process ends: a signal, or its standard input closing.

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
