//! The runtime benches run their servers and clients on: two worker threads, as the
//! project's 2-core machine has.

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}
