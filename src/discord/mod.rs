//! The gateway bot: serenity's client delivers events; every answer comes
//! from [`crate::transport::interaction::respond`] (slash commands, buttons,
//! autocomplete) or the search (free text), sent as our own JSON through the
//! shared REST client ([`crate::transport::rest`]). Only this module imports
//! serenity's gateway client; the REST side lives in `transport`.

mod cooldown;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context as _;
use serde_json::json;
use serenity::all::{
    ChannelId, Context, EventHandler, GatewayIntents, GuildId, Interaction as SerenityInteraction,
    Message as SerenityMessage, Ready,
};
use serenity::async_trait;
use serenity::gateway::GatewayError;
use serenity::http::Http;

use crate::config::Config;
use crate::respond::Responder;
use crate::transport::deferral::{self, answer_within, Call, Outgoing, Timely, DEFER_AFTER};
use crate::transport::interaction::{self, Interaction, Response};
use crate::transport::rest::{self, retrying};
use crate::transport::{commands, failure, shutdown};

use cooldown::Cooldowns;

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
    responder: Responder,
    guild_ids: Vec<u64>,
    search_channels: Vec<u64>,
    free_text: bool,
    reply_when_nothing: bool,
    me: OnceLock<u64>,
    cooldowns: Cooldowns,
}

/// Connects and serves until SIGINT/SIGTERM.
pub async fn run(config: &Config, responder: Responder) -> anyhow::Result<()> {
    let http = rest::client(&config.discord);
    let handler = Handler {
        responder,
        guild_ids: config.discord.guild_ids.iter().map(|g| g.0).collect(),
        search_channels: config.discord.search_channels.iter().map(|c| c.0).collect(),
        free_text: config.discord.free_text,
        reply_when_nothing: config.discord.reply_when_nothing,
        me: OnceLock::new(),
        cooldowns: Cooldowns::new(
            Duration::from_secs_f64(config.discord.cooldown.user_seconds),
            Duration::from_secs_f64(config.discord.cooldown.channel_seconds),
        ),
    };
    let mut client = serenity::all::ClientBuilder::new_with_http(http, intents(config))
        .event_handler(handler)
        .await
        .context("starting the Discord client")?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown::signal().await;
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

impl Handler {
    async fn register(&self, http: &Http) {
        let definitions = commands::definitions();
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
    /// interaction is deferred and the answer arrives through REST.
    async fn answer(&self, http: &Arc<Http>, raw: serde_json::Value) {
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
        let call = Call::new(&parsed);
        let responder = self.responder.clone();
        let job = move || {
            let mut response = interaction::respond(&responder, &parsed);
            let files = match &mut response {
                Response::Message(m) | Response::Update(m) => responder.files(m),
                _ => Vec::new(),
            };
            Outgoing { response, files }
        };
        match answer_within(Some(http.clone()), call.clone(), job, DEFER_AFTER).await {
            Timely::Now(out) => {
                let body = out.response.to_json();
                let send = || {
                    let files = out
                        .files
                        .iter()
                        .map(|f| {
                            serenity::all::CreateAttachment::bytes(
                                f.bytes.as_ref().clone(),
                                f.filename.clone(),
                            )
                        })
                        .collect();
                    http.create_interaction_response(id, &call.token, &body, files)
                };
                if let Err(e) = retrying("answering", send).await {
                    tracing::warn!(error = %e, kind = call.kind, "sending an interaction response failed");
                    return;
                }
                if out.response == Response::AckAndDelete {
                    deferral::deliver(Some(http.clone()), &call, out, false).await;
                }
            }
            Timely::Deferred { deferral, later } => {
                let defer = || http.create_interaction_response(id, &call.token, &deferral, vec![]);
                if let Err(e) = retrying("deferring", defer).await {
                    tracing::warn!(error = %e, "deferring failed");
                }
                later.deliver().await;
            }
        }
    }

    async fn free_text(&self, http: &Http, msg: &SerenityMessage) {
        if !self.free_text || msg.author.bot || msg.content.trim().is_empty() {
            return;
        }
        let me = self.me.get().copied();
        let mentioned = me.is_some_and(|me| msg.mentions.iter().any(|u| u.id.get() == me));
        // Addressed to the bot: a mention, or a direct message.
        let addressed = mentioned || msg.guild_id.is_none();
        if !(addressed || self.search_channels.contains(&msg.channel_id.get())) {
            return;
        }
        let question = strip_mentions(&msg.content);
        if question.is_empty() {
            return;
        }
        let responder = self.responder.clone();
        let q = question.clone();
        let reply_when_nothing = self.reply_when_nothing;
        let message = match tokio::task::spawn_blocking(move || {
            interaction::free_text(&responder, &q, addressed, reply_when_nothing)
        })
        .await
        {
            Ok(Some(m)) => m,
            Ok(None) => {
                tracing::debug!(
                    msg_id = msg.id.get(),
                    "free text: nothing in the notes, staying silent"
                );
                return;
            }
            Err(e) => {
                tracing::error!(error_id = %failure::error_id(), error = %e, "free-text search failed");
                return;
            }
        };
        // Only a reply counts against the cooldown: chatter the bot stays
        // silent on does not hold back the next real question.
        if !self
            .cooldowns
            .try_take(msg.author.id.get(), msg.channel_id.get())
        {
            tracing::debug!(user = msg.author.id.get(), "free-text cooldown");
            return;
        }
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
