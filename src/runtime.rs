//! The one process-wide tokio runtime. Every operation runs on it; nothing else starts threads.

use std::sync::LazyLock;
use tokio::runtime::{Builder, Runtime};

static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("exokit-rt")
        .enable_all()
        .build()
        // Without a runtime no cmdlet can work at all; there is nothing to degrade to.
        .expect("exokit: cannot start the async runtime")
});

/// The shared runtime (created on first use).
pub fn handle() -> &'static Runtime {
    &RUNTIME
}
