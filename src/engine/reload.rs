//! Hot reload: a watcher that notices edits to the knowledge directory and
//! swaps in the new knowledge once the edits have settled. Invalid notes keep
//! the last good knowledge serving; the errors go to the log.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::knowledge::Listed;

use super::Engine;

/// Stops the watcher when dropped.
pub struct Watcher {
    stop: Arc<AtomicBool>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// What the loader would read: the same listing, with sizes and times (a
/// link's target's). A listing that fails (a link out of the directory) is a
/// state too: the reload that follows reports it.
fn stamp(dir: &Path) -> Result<Vec<Listed>, String> {
    crate::knowledge::listing(dir).map_err(|e| e.to_string())
}

impl Watcher {
    pub(super) fn start(engine: Engine, dir: PathBuf, every: Duration) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        // Taken before the thread starts, so an edit made right after this
        // returns is not mistaken for the starting state.
        let mut seen = stamp(&dir);
        std::thread::Builder::new()
            .name("knowledge-watch".into())
            .spawn(move || {
                let mut changed_at: Option<Instant> = None;
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(every);
                    let now = stamp(&dir);
                    if now != seen {
                        // Still being edited: wait until it has been quiet for a beat.
                        seen = now;
                        changed_at = Some(Instant::now());
                        continue;
                    }
                    if changed_at.take().is_some() {
                        match engine.reload() {
                            Ok(summary) => tracing::info!(%summary, "knowledge reloaded"),
                            Err(e) => tracing::error!(
                                "knowledge not reloaded, still serving the last good notes:\n{e}"
                            ),
                        }
                    }
                }
            })
            .expect("a watcher thread");
        Watcher { stop }
    }
}
