//! lineage-bot: answers questions about how GPT-3 became ChatGPT from a
//! curator's bilingual notes. The flow is knowledge → domain → search →
//! engine → render → adapters (discord, http, console); a command is
//! answered in `engine` (start at `engine/mod.rs`).

pub mod config;
pub mod console;
pub mod discord;
pub mod domain;
pub mod engine;
pub mod http;
pub mod interaction;
pub mod knowledge;
pub mod picture;
pub mod render;
pub mod search;
