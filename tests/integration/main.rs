//! All integration tests in one binary (ripgrep's layout): one module per area.

mod architecture;
mod browser;
mod cli;
mod config;
mod deadlines;
mod discord_e2e;
mod http_endpoint;
mod http_flood;
mod interactions;
mod knowledge;
mod labelled;
mod openapi;
mod progress;
mod reload;
mod render;
mod robustness;
mod scale_corpus;
mod search;
mod web;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use lineage_bot::engine::Engine;
use lineage_bot::respond::Responder;

/// One engine over the bundled notes for the whole test binary (jieba loads once).
pub static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::load(Path::new("knowledge"), None).expect("the bundled notes load"));

/// The engine with its presentation, as every transport answers.
pub static RESPONDER: LazyLock<Responder> = LazyLock::new(|| Responder::new(ENGINE.clone()));

/// A path under the crate root, as the tests see it (cargo runs them there).
pub fn crate_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}
