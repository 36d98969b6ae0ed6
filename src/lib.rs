//! lineage-bot: answers questions about how GPT-3 became ChatGPT from a
//! curator's bilingual notes. The layers, each importing only those before
//! it (ARCHITECTURE.md; `tests/integration/architecture.rs` keeps it true):
//! domain → knowledge, config → search → engine → picture → render →
//! curation → respond → transport, web → adapters (discord, http, console). A command is
//! answered in `engine` (start at `engine/mod.rs`) and drawn in `render`.

pub mod config;
pub mod console;
pub mod curation;
pub mod discord;
pub mod domain;
pub mod engine;
pub mod http;
pub mod knowledge;
pub mod picture;
pub mod render;
pub mod respond;
pub mod search;
pub mod transport;
pub mod web;
