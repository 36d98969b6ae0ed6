//! The gateway bot: serenity's client delivers events; every answer comes
//! from [`crate::interaction::respond`] (slash commands, buttons,
//! autocomplete) or the engine's search (free text), sent as our own JSON
//! through serenity's HTTP client. Only this module imports serenity.

mod cooldown;

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context as _;
use serde_json::json;
use serenity::all::CreateAttachment;
use serenity::all::{
    ChannelId, Context, EventHandler, GatewayIntents, GuildId, Interaction as SerenityInteraction,
    Message as SerenityMessage, Ready,
};
use serenity::async_trait;
use serenity::gateway::GatewayError;
use serenity::http::{Http, HttpBuilder};

use crate::config::{Config, DiscordConfig, DISCORD_API_URL};
use crate::engine::{Engine, Locale};
use crate::interaction::{self, Interaction, Response};

use cooldown::Cooldowns;

/// Further tries for a REST call that Discord (or the proxy) refused for now.
const RETRIES: u32 = 3;

/// Sends, and on 429 (rate limited) or 5xx tries again after 250 ms, 500 ms,
/// 1 s. serenity's own ratelimiter honours `Retry-After` when it talks to
/// Discord directly; behind a proxy it is off (serenity ignores a proxy
/// otherwise), and its error no longer carries `retry_after`, so the wait is
/// this bounded backoff — well inside an interaction's 3 s for the first two.
async fn retrying<T, F, Fut>(what: &'static str, mut send: F) -> serenity::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = serenity::Result<T>>,
{
    let mut delay = Duration::from_millis(250);
    let mut attempt = 0;
    loop {
        match send().await {
            Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)))
                if attempt < RETRIES
                    && (r.status_code.as_u16() == 429 || r.status_code.is_server_error()) =>
            {
                attempt += 1;
                tracing::warn!(
                    status = r.status_code.as_u16(),
                    attempt,
                    what,
                    "Discord refused for now; trying again"
                );
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            other => return other,
        }
    }
}

/// The REST client: Discord itself, or another base (a rate-limit proxy, a
/// test fake), in which case serenity's own ratelimiter must be off or it
/// ignores the proxy. The gateway bot and the HTTP endpoint both use it.
pub fn rest_client(discord: &DiscordConfig) -> Http {
    let builder = HttpBuilder::new(discord.token.expose());
    let base = discord.api_url.trim().trim_end_matches('/');
    if base == DISCORD_API_URL {
        builder.build()
    } else {
        builder.proxy(base).ratelimiter_disabled(true).build()
    }
}

pub fn intents(config: &Config) -> GatewayIntents {
    let mut i = GatewayIntents::GUILDS;
    if config.discord.free_text {
        i |= GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::MESSAGE_CONTENT
            | GatewayIntents::DIRECT_MESSAGES;
    }
    i
}

struct Handler {
    engine: Engine,
    guild_ids: Vec<u64>,
    search_channels: Vec<u64>,
    free_text: bool,
    me: OnceLock<u64>,
    cooldowns: Cooldowns,
}

/// Connects and serves until SIGINT/SIGTERM.
pub async fn run(config: &Config, engine: Engine) -> anyhow::Result<()> {
    let http = rest_client(&config.discord);
    // The config's validation bounds these; a value it missed is still an
    // error, not a panic.
    let cooldown = |key: &str, seconds: f64| {
        Duration::try_from_secs_f64(seconds)
            .with_context(|| format!("discord.cooldown.{key} = {seconds}"))
    };
    let handler = Handler {
        engine,
        guild_ids: config.discord.guild_ids.iter().map(|g| g.0).collect(),
        search_channels: config.discord.search_channels.iter().map(|c| c.0).collect(),
        free_text: config.discord.free_text,
        me: OnceLock::new(),
        cooldowns: Cooldowns::new(
            cooldown("user_seconds", config.discord.cooldown.user_seconds)?,
            cooldown("channel_seconds", config.discord.cooldown.channel_seconds)?,
        ),
    };
    let mut client = serenity::all::ClientBuilder::new_with_http(http, intents(config))
        .event_handler(handler)
        .await
        .context("starting the Discord client")?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });
    tracing::info!(api = %config.discord.api_url, free_text = config.discord.free_text, "connecting to Discord");
    let started = match config.discord.shards {
        Some(s) => client.start_shard_range(s.first..s.last, s.total).await,
        None => client.start_autosharded().await,
    };
    match started {
        Ok(()) => Ok(()),
        Err(serenity::Error::Gateway(GatewayError::DisallowedGatewayIntents)) => anyhow::bail!(
            "Discord refused the MESSAGE CONTENT intent (close code 4014). Enable it in the developer portal: \
             Applications → your app → Bot → Privileged Gateway Intents → \"Message Content Intent\", \
             or set discord.free_text = false to run with slash commands only"
        ),
        Err(e) => Err(e).context("Discord gateway"),
    }
}

/// Resolves on Ctrl-C or SIGTERM: graceful shutdown for every serving mode.
pub async fn shutdown_signal() {
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

impl Handler {
    async fn register(&self, http: &Http) {
        let definitions = interaction::definitions();
        if self.guild_ids.is_empty() {
            match retrying("registering commands", || {
                http.create_global_commands(&definitions)
            })
            .await
            {
                Ok(c) => tracing::info!(
                    commands = c.len(),
                    "registered global commands (they may take up to an hour to appear)"
                ),
                Err(e) => tracing::error!(error = %e, "registering global commands failed"),
            }
        }
        for &g in &self.guild_ids {
            match retrying("registering commands", || {
                http.create_guild_commands(GuildId::new(g), &definitions)
            })
            .await
            {
                Ok(c) => tracing::info!(guild = g, commands = c.len(), "registered guild commands"),
                Err(e) => {
                    tracing::error!(guild = g, error = %e, "registering guild commands failed")
                }
            }
        }
    }

    /// Computes the response off the async runtime; past [`DEFER_AFTER`] the
    /// interaction is deferred and the answer arrives as an edit.
    async fn answer(&self, http: &Http, raw: serde_json::Value) {
        let parsed: Interaction = match serde_json::from_value(raw) {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(error = %e, "an interaction we cannot read");
                return;
            }
        };
        let Ok(id) = parsed.id.parse::<u64>() else {
            return;
        };
        let id = serenity::all::InteractionId::new(id);
        let engine = self.engine.clone();
        let job = {
            let parsed = parsed.clone();
            tokio::task::spawn_blocking(move || interaction::respond(&engine, &parsed))
        };
        let mut job = Box::pin(job);
        let response = match tokio::time::timeout(interaction::DEFER_AFTER, &mut job).await {
            Ok(done) => done,
            Err(_) => {
                let deferred = if parsed.kind == interaction::MESSAGE_COMPONENT {
                    json!({"type": 6})
                } else {
                    json!({"type": 5})
                };
                let defer =
                    || http.create_interaction_response(id, &parsed.token, &deferred, vec![]);
                if let Err(e) = retrying("deferring", defer).await {
                    tracing::warn!(error = %e, "deferring failed");
                }
                let done = job.await;
                let mut files = Vec::new();
                let message = match done {
                    Ok(Response::Message(mut m) | Response::Update(mut m)) => {
                        files = self.files(&mut m);
                        serde_json::to_value(m).unwrap_or_default()
                    }
                    Ok(_) => return,
                    Err(e) => {
                        let eid = interaction::error_id();
                        tracing::error!(error_id = %eid, error = %e, "answering an interaction failed");
                        interaction::failure(parsed.locale(), &eid).to_json()["data"].clone()
                    }
                };
                let edit = || {
                    http.edit_original_interaction_response(&parsed.token, &message, files.clone())
                };
                if let Err(e) = retrying("editing a deferred answer", edit).await {
                    tracing::warn!(error = %e, "editing a deferred answer failed");
                }
                return;
            }
        };
        let response = response.unwrap_or_else(|e| {
            let eid = interaction::error_id();
            tracing::error!(error_id = %eid, error = %e, "answering an interaction failed");
            interaction::failure(parsed.locale(), &eid)
        });
        let mut response = response;
        let files = match &mut response {
            Response::Message(m) | Response::Update(m) => self.files(m),
            _ => Vec::new(),
        };
        let body = response.to_json();
        let send = || http.create_interaction_response(id, &parsed.token, &body, files.clone());
        if let Err(e) = retrying("answering", send).await {
            tracing::warn!(error = %e, kind = parsed.kind, "sending an interaction response failed");
            return;
        }
        if response == Response::AckAndDelete {
            let delete = || http.delete_original_interaction_response(&parsed.token);
            if let Err(e) = retrying("deleting an answer", delete).await {
                tracing::warn!(error = %e, "deleting an answer failed");
            }
        }
    }

    /// The files a message names, as serenity uploads them.
    fn files(&self, m: &mut crate::render::Message) -> Vec<CreateAttachment> {
        self.engine
            .files(m)
            .into_iter()
            .map(|f| CreateAttachment::bytes(f.bytes.as_ref().clone(), f.filename))
            .collect()
    }

    async fn free_text(&self, http: &Http, msg: &SerenityMessage) {
        if !self.free_text || msg.author.bot || msg.content.trim().is_empty() {
            return;
        }
        let me = self.me.get().copied();
        let mentioned = me.is_some_and(|me| msg.mentions.iter().any(|u| u.id.get() == me));
        if !(mentioned || self.search_channels.contains(&msg.channel_id.get())) {
            return;
        }
        let question = strip_mentions(&msg.content);
        if question.is_empty() {
            return;
        }
        if !self
            .cooldowns
            .try_take(msg.author.id.get(), msg.channel_id.get())
        {
            tracing::debug!(user = msg.author.id.get(), "free-text cooldown");
            return;
        }
        let locale = if question
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        {
            Locale::Zh
        } else {
            Locale::En
        };
        let engine = self.engine.clone();
        let q = question.clone();
        let message = match tokio::task::spawn_blocking(move || {
            interaction::free_text(&engine, &q, locale)
        })
        .await
        {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error_id = %interaction::error_id(), error = %e, "free-text search failed");
                return;
            }
        };
        let mut body = serde_json::to_value(&message).unwrap_or_default();
        body["message_reference"] =
            json!({"message_id": msg.id.get().to_string(), "fail_if_not_exists": false});
        let channel = ChannelId::new(msg.channel_id.get());
        if let Err(e) = retrying("answering free text", || {
            http.send_message(channel, vec![], &body)
        })
        .await
        {
            tracing::warn!(error = %e, "sending a free-text answer failed");
        }
    }
}

/// The question without the mentions that addressed it to the bot.
fn strip_mentions(content: &str) -> String {
    let re = regex::Regex::new(r"<@[!&]?\d+>").expect("regex");
    re.replace_all(content, " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.me.set(ready.user.id.get());
        tracing::info!(user = %ready.user.name, shard = ?ready.shard.map(|s| s.id.0), guilds = ready.guilds.len(), "connected");
        // Every shard gets READY; register once (shard 0, or the only one).
        if ready.shard.is_none_or(|s| s.id.0 == 0) {
            self.register(&ctx.http).await;
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: SerenityInteraction) {
        // serenity's typed interaction, back to Discord's JSON (the variant
        // carries the type, so it is put back) for the shared parser.
        match serde_json::to_value(&interaction) {
            Ok(mut raw) => {
                raw["type"] = json!(u8::from(interaction.kind()));
                self.answer(&ctx.http, raw).await
            }
            Err(e) => tracing::warn!(error = %e, "an interaction we cannot read"),
        }
    }

    async fn message(&self, ctx: Context, msg: SerenityMessage) {
        self.free_text(&ctx.http, &msg).await;
    }
}

#[cfg(test)]
mod tests {
    use super::strip_mentions;

    #[test]
    fn mentions_are_stripped() {
        assert_eq!(strip_mentions("<@1000> 对齐税是什么"), "对齐税是什么");
        assert_eq!(
            strip_mentions("hey <@!1000>   what is RLHF <@&5>"),
            "hey what is RLHF"
        );
        assert_eq!(strip_mentions("<@1000>"), "");
    }
}
