//! Where the commands are registered, and the stale ones cleared.
//!
//! The read-only commands and "Ask the notes" are always global:
//! `integration_types` and `contexts` (user install, DMs) apply only to
//! global commands, so a user who installs the app to their account sees
//! only those. `/reload` and `/gaps` go to the configured guilds (with
//! none, globally too). Registration runs once per process, on shard 0.
//!
//! The guilds given commands are remembered in the data dir: a guild taken
//! out of `discord.guild_ids` is cleared at the next start, once, without a
//! look at any other guild. Only without that record (a first start, or one
//! after an older version that kept none) are the guilds of each shard read
//! for stale commands, once per process, never at every READY.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{json, Value};
use serenity::http::{Http, LightMethod, Route};
use serenity::model::id::{ApplicationId, GuildId};

use crate::transport::{commands, rest};

use super::SETUP_DEADLINE;

/// The record of the guilds given commands, in `data.dir`.
pub const RECORD_FILE: &str = "registered-commands.json";

/// What the last registration left, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Record {
    application_id: u64,
    /// The guilds holding our (owner) commands.
    guilds: Vec<u64>,
}

pub struct Registration {
    guild_ids: Vec<u64>,
    record: PathBuf,
    /// The record as this process found it; `None` when there was none.
    previous: Option<Record>,
    /// Shard 0 registered in this process.
    registered: AtomicBool,
    /// The shards whose guilds were read for stale commands (no record).
    swept: Mutex<HashSet<u32>>,
}

impl Registration {
    pub fn new(guild_ids: Vec<u64>, data_dir: &Path) -> Registration {
        let record = data_dir.join(RECORD_FILE);
        let previous = std::fs::read(&record)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        Registration {
            guild_ids,
            record,
            previous,
            registered: AtomicBool::new(false),
            swept: Mutex::new(HashSet::new()),
        }
    }

    /// At a shard's READY: registers (shard 0, once per process) and, with
    /// no record to go by, clears this shard's guilds of stale commands
    /// (once per shard and process).
    pub async fn on_ready(&self, http: &Http, shard: u32, guilds_here: &[u64]) {
        let Some(application_id) = http.application_id().map(|a| a.get()) else {
            tracing::error!("no application id after READY: commands not registered");
            return;
        };
        let previous = self
            .previous
            .as_ref()
            .filter(|p| p.application_id == application_id);
        if shard == 0 && !self.registered.swap(true, Ordering::SeqCst) {
            self.register(http, application_id, previous).await;
        }
        let first_look = self
            .swept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(shard);
        if previous.is_none() && first_look {
            self.sweep(http, guilds_here).await;
        }
        tracing::debug!(shard, "commands checked at READY");
    }

    async fn register(&self, http: &Http, application_id: u64, previous: Option<&Record>) {
        let app = ApplicationId::new(application_id);
        let deadline = Instant::now() + SETUP_DEADLINE;
        let mut all_done = true;
        let global = if self.guild_ids.is_empty() {
            commands::definitions()
        } else {
            commands::global_definitions()
        };
        match put(
            http,
            deadline,
            Route::Commands {
                application_id: app,
            },
            &global,
        )
        .await
        {
            Ok(n) => tracing::info!(
                commands = n,
                "registered global commands (they may take up to an hour to appear)"
            ),
            Err(e) => {
                all_done = false;
                tracing::error!(error = %e, "registering global commands failed")
            }
        }
        let owners = commands::owner_definitions();
        for &g in &self.guild_ids {
            match put(http, deadline, in_guild(app, g), &owners).await {
                Ok(n) => tracing::info!(guild = g, commands = n, "registered guild commands"),
                Err(e) => {
                    all_done = false;
                    tracing::error!(guild = g, error = %e, "registering guild commands failed")
                }
            }
        }
        let dropped = previous
            .map(|p| p.guilds.as_slice())
            .unwrap_or_default()
            .iter()
            .filter(|g| !self.guild_ids.contains(g));
        for &g in dropped {
            match put(http, deadline, in_guild(app, g), &json!([])).await {
                Ok(_) => tracing::info!(
                    guild = g,
                    "cleared guild commands (the guild is no longer in discord.guild_ids)"
                ),
                Err(e) => {
                    all_done = false;
                    tracing::warn!(guild = g, error = %e, "clearing guild commands failed")
                }
            }
        }
        // Recorded only when it all held, so that a failure is tried again.
        if all_done {
            self.remember(Record {
                application_id,
                guilds: self.guild_ids.clone(),
            });
        }
    }

    /// Reads each guild of this shard that should hold no commands and
    /// clears those that still do (left by an older registration).
    async fn sweep(&self, http: &Http, guilds_here: &[u64]) {
        let Some(app) = http.application_id() else {
            return;
        };
        let deadline = Instant::now() + SETUP_DEADLINE;
        for &g in guilds_here.iter().filter(|g| !self.guild_ids.contains(g)) {
            let listed = rest::call(
                http,
                "reading guild commands",
                deadline,
                LightMethod::Get,
                in_guild(app, g),
                None,
                &[],
            )
            .await
            .map(|bytes| count(&bytes));
            match listed {
                Ok(0) => {}
                Ok(stale) => match put(http, deadline, in_guild(app, g), &json!([])).await {
                    Ok(_) => tracing::info!(guild = g, stale, "cleared guild commands"),
                    Err(e) => {
                        tracing::warn!(guild = g, error = %e, "clearing guild commands failed")
                    }
                },
                Err(e) => tracing::warn!(guild = g, error = %e, "reading guild commands failed"),
            }
        }
    }

    fn remember(&self, record: Record) {
        let written = self
            .record
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let bytes = serde_json::to_vec(&record).unwrap_or_default();
                std::fs::write(&self.record, bytes)
            });
        if let Err(e) = written {
            tracing::warn!(
                file = %self.record.display(),
                error = %e,
                "could not remember where commands are registered: the next start reads every guild once"
            );
        }
    }
}

fn in_guild(application_id: ApplicationId, guild: u64) -> Route<'static> {
    Route::GuildCommands {
        application_id,
        guild_id: GuildId::new(guild),
    }
}

/// A bulk overwrite (`PUT`): the commands Discord now lists there.
async fn put(
    http: &Http,
    deadline: Instant,
    route: Route<'_>,
    body: &Value,
) -> Result<usize, rest::RestError> {
    let what = if body.as_array().is_some_and(Vec::is_empty) {
        "clearing commands"
    } else {
        "registering commands"
    };
    rest::call(
        http,
        what,
        deadline,
        LightMethod::Put,
        route,
        Some(body),
        &[],
    )
    .await
    .map(|bytes| count(&bytes))
}

fn count(bytes: &[u8]) -> usize {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| v.as_array().map(Vec::len))
        .unwrap_or(0)
}
