//! Graceful shutdown for every serving mode: Ctrl-C or SIGTERM, and the
//! deliveries a stopping process still owes.

use std::future::Future;
use std::time::Duration;

/// How long a stopping process waits for the deliveries it owes.
pub const DRAIN_FOR: Duration = Duration::from_secs(10);

/// Deliveries under way after an interaction was answered (a deferred
/// answer, a delete): a stopping process waits for them, at most
/// [`DRAIN_FOR`], so nobody is left with a "thinking…" message that never
/// resolves.
#[derive(Clone, Debug, Default)]
pub struct Pending(tokio_util::task::TaskTracker);

impl Pending {
    pub fn spawn<F>(&self, delivery: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.0.spawn(delivery);
    }

    /// Takes no more, and waits for what is under way, at most `within`.
    pub async fn drain(&self, within: Duration) {
        self.0.close();
        let owed = self.0.len();
        if owed == 0 {
            return;
        }
        tracing::info!(owed, "stopping: delivering the answers still under way");
        if tokio::time::timeout(within, self.0.wait()).await.is_err() {
            tracing::warn!(
                left = self.0.len(),
                "stopping: answers still undelivered after {within:?}; their askers see \"thinking…\""
            );
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("Ctrl-C: stopping"),
        _ = terminate => tracing::info!("SIGTERM: stopping"),
    }
}
