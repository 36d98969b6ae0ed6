//! All integration tests in one binary (ripgrep's layout): one module per area.

mod cli;
mod config;
mod knowledge;
mod search;

use std::path::PathBuf;

/// A path under the crate root, as the tests see it (cargo runs them there).
pub fn crate_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}
