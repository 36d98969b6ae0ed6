//! The gateway bot: serenity's client delivers events; every answer comes
//! from [`crate::transport::interaction::respond`] (slash commands, buttons,
//! autocomplete) or the search (free text), sent as our own JSON through the
//! shared REST client ([`crate::transport::rest`]). Only this module imports
//! serenity's gateway client; the REST side lives in `transport`.

mod cooldown;
mod parents;
mod registration;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{json, Value};
use serenity::all::{
    ChannelId, Context, EventHandler, GatewayIntents, GuildId, Interaction as SerenityInteraction,
    Message as SerenityMessage, ReactionType, Ready,
};
use serenity::async_trait;
use serenity::gateway::GatewayError;
use serenity::http::{Http, LightMethod, Route};

use crate::config::Config;
use crate::respond::Responder;
use crate::transport::deferral::{self, Call, Outgoing, DEFER_AFTER};
use crate::transport::interaction::{self, Interaction};
use crate::transport::rest::{self, retrying};
use crate::transport::{failure, shutdown};

use cooldown::Cooldowns;
use registration::Registration;

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
    registration: Registration,
    search_channels: Vec<u64>,
    free_text: bool,
    /// Answer every direct message, not only those that mention the bot.
    dm: bool,
    reply_when_nothing: bool,
    me: OnceLock<u64>,
    cooldowns: Cooldowns,
    /// Each channel's parent (a thread's or forum post's channel), read once.
    parents: Mutex<parents::Parents>,
    /// Deferred answers under way, delivered before the process ends.
    pending: shutdown::Pending,
    /// Each guild's role for the bot (its managed role), read once.
    bot_roles: Mutex<HashMap<u64, Option<u64>>>,
}

/// Registration and channel reads give up after this.
const SETUP_DEADLINE: Duration = Duration::from_secs(60);
/// The gateway's first answer: a POST to the interaction's callback URL,
/// with its files, tried again within the callback's deadline.
struct Callback {
    http: Arc<Http>,
    id: serenity::all::InteractionId,
}

impl deferral::Sink for Callback {
    type Sent = ();
    const IN_FLIGHT: Duration = Duration::ZERO;

    async fn first(&self, call: &Call, first: deferral::First<'_>) -> Option<()> {
        let (what, body, files) = match first {
            deferral::First::Answer(out) => ("answering", out.response.to_json(), &out.files[..]),
            deferral::First::Deferral(v) => ("deferring", v.clone(), &[][..]),
        };
        let route = Route::InteractionResponse {
            interaction_id: self.id,
            token: &call.token,
        };
        let send = || {
            rest::send(
                &self.http,
                rest::request(route, LightMethod::Post, Some(&body), files),
            )
        };
        match retrying(what, call.callback_deadline(), send).await {
            Ok(_) => Some(()),
            Err(e) => {
                tracing::warn!(interaction = %call.id, error = %crate::config::redact_url(&e.to_string()), kind = ?call.kind, what, "sending an interaction response failed");
                None
            }
        }
    }
}

/// Discord's code for a reply refused: the bot may not read the channel's history.
const CANNOT_REPLY: u64 = 160_002;
/// Discord's code for a permission the bot lacks (Embed Links, for an embed).
const MISSING_PERMISSIONS: u64 = 50_013;
/// The reaction on a question addressed to the bot that its cooldown held back.
const WAITING: &str = "⏳";

/// Connects and serves until SIGINT/SIGTERM.
pub async fn run(config: &Config, responder: Responder) -> anyhow::Result<()> {
    let http = rest::client(&config.discord);
    // The config's validation bounds these; a value it missed is still an
    // error, not a panic.
    let cooldown = |key: &str, seconds: f64| {
        Duration::try_from_secs_f64(seconds)
            .with_context(|| format!("discord.cooldown.{key} = {seconds}"))
    };
    let pending = shutdown::Pending::default();
    let handler = Handler {
        responder,
        registration: Registration::new(
            config.discord.guild_ids.iter().map(|g| g.0).collect(),
            &config.data.dir,
        ),
        search_channels: config.discord.search_channels.iter().map(|c| c.0).collect(),
        free_text: config.discord.free_text,
        dm: config.discord.dm,
        reply_when_nothing: config.discord.reply_when_nothing,
        me: OnceLock::new(),
        parents: Mutex::default(),
        pending: pending.clone(),
        bot_roles: Mutex::new(HashMap::new()),
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
        shutdown::signal().await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });
    tracing::info!(api = %config.discord.api_url_for_logs(), free_text = config.discord.free_text, "connecting to Discord");
    let started = match config.discord.shards {
        Some(s) => client.start_shard_range(s.first..s.last, s.total).await,
        None => client.start_autosharded().await,
    };
    // The gateway is closed: the answers still owed go out first.
    pending.drain(shutdown::DRAIN_FOR).await;
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
        let call = Call::new(&parsed);
        let responder = self.responder.clone();
        let job = move || Outgoing::answer(&responder, &parsed);
        let sink = Callback {
            http: http.clone(),
            id: serenity::all::InteractionId::new(id),
        };
        deferral::answer(
            &sink,
            Some(http.clone()),
            call,
            job,
            DEFER_AFTER,
            &self.pending,
        )
        .await;
    }

    /// Free text that asks the bot: in a search channel or a thread or
    /// forum post under one, a mention in its text, or any direct message
    /// with `discord.dm`. A mention in a reply to someone else's message asks
    /// about that message; a reply to the bot's own answer ("thanks!") is not
    /// a question unless its text mentions the bot.
    async fn free_text(&self, ctx: &Context, msg: &SerenityMessage) {
        let http = ctx.http.as_ref();
        if !self.free_text || msg.author.bot || msg.content.trim().is_empty() {
            return;
        }
        let me = self.me.get().copied();
        // In the text: a reply with ping lists the bot in `mentions` without
        // addressing it.
        // The bot's managed role stands for the bot: people pick either
        // from the mention list.
        let mentioned = match me {
            None => false,
            Some(me) if mentions(&msg.content, me) => true,
            Some(me) => match msg.guild_id {
                Some(guild) if msg.content.contains("<@&") => self
                    .bot_role(ctx, guild.get(), me)
                    .await
                    .is_some_and(|role| mentions_role(&msg.content, role)),
                _ => false,
            },
        };
        let replied = msg.referenced_message.as_deref();
        let reply_to_me = replied.is_some_and(|r| Some(r.author.id.get()) == me);
        if reply_to_me && !mentioned {
            tracing::debug!(
                message = msg.id.get(),
                "not a question: a reply to the bot's answer"
            );
            return;
        }
        // Addressed to the bot (a mention, a direct message): answered even
        // when the notes have nothing; in a search channel, only with an answer.
        let addressed = mentioned || msg.guild_id.is_none();
        let asked = mentioned
            || (msg.guild_id.is_none() && self.dm)
            || self.in_search_channel(ctx, msg).await;
        if !asked {
            tracing::debug!(
                msg_id = msg.id.get(),
                "free text: not a search channel, not addressed"
            );
            return;
        }
        let question = match replied {
            Some(r) if mentioned && !reply_to_me && !r.content.trim().is_empty() => {
                strip_mentions(&r.content)
            }
            _ => strip_mentions(&msg.content),
        };
        if question.is_empty() {
            return;
        }
        let (user, channel) = (msg.author.id.get(), msg.channel_id.get());
        // The cooldown before any work: a message it holds back costs no
        // search, no record and no kept button.
        if !self.cooldowns.ready(user, channel, addressed) {
            self.held_back(http, msg, addressed).await;
            return;
        }
        let responder = self.responder.clone();
        let q = question.clone();
        let reply_when_nothing = self.reply_when_nothing;
        let (message, posting) = match tokio::task::spawn_blocking(move || {
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
        // silent on does not hold back the next real question. Another reply
        // may have taken the turn while this one was searched.
        if !self.cooldowns.try_take(user, channel, addressed) {
            self.held_back(http, msg, addressed).await;
            return;
        }
        // Where it was asked: a thread's answer stays in the thread.
        let route = Route::ChannelMessages {
            channel_id: ChannelId::new(channel),
        };
        let deadline = Instant::now() + SETUP_DEADLINE;
        let mut message = message;
        let mut as_reply = true;
        // A channel override may deny what a reply needs: Read Message
        // History (a reply is refused, 160002) or Embed Links (an embed-only
        // message is refused, 50013). Each is met once, by posting without
        // the reference or as text, and said in the log with what to grant.
        let posted = loop {
            let mut body = serde_json::to_value(&message).unwrap_or_default();
            if as_reply {
                body["message_reference"] =
                    json!({"message_id": msg.id.get().to_string(), "fail_if_not_exists": false});
            }
            let sent = retrying("answering free text", deadline, || {
                rest::send(
                    http,
                    rest::request(route, LightMethod::Post, Some(&body), &[]),
                )
            })
            .await;
            match sent {
                Err(rest::RestError::Refused {
                    code: Some(CANNOT_REPLY),
                    ..
                }) if as_reply => {
                    tracing::warn!(channel, "no Read Message History in this channel: answering without replying (grant it to the bot's role)");
                    as_reply = false;
                }
                Err(rest::RestError::Refused {
                    code: Some(MISSING_PERMISSIONS),
                    ..
                }) if !message.embeds.is_empty() => {
                    tracing::warn!(channel, "no Embed Links in this channel: answering as text (grant it to the bot's role)");
                    message = message.as_text();
                }
                other => break other,
            }
        };
        match posted {
            // Posted: now it is a question the bot answered, with buttons.
            Ok(_) => self.responder.posted(posting, Some(&user.to_string())),
            Err(e) => {
                tracing::warn!(error = %crate::config::redact_url(&e.to_string()), "sending a free-text answer failed");
            }
        }
    }

    /// A message the cooldown held back. Chatter-level questions stay
    /// silent; one addressed to the bot ("always answered") gets a ⏳
    /// reaction, so its asker knows to ask again shortly rather than
    /// being ignored.
    async fn held_back(&self, http: &Http, msg: &SerenityMessage, addressed: bool) {
        tracing::debug!(
            user = msg.author.id.get(),
            msg_id = msg.id.get(),
            addressed,
            "free-text cooldown"
        );
        if !addressed {
            return;
        }
        let waiting = ReactionType::Unicode(WAITING.to_string()).as_data();
        let route = Route::ChannelMessageReactionMe {
            channel_id: msg.channel_id,
            message_id: msg.id,
            reaction: &waiting,
        };
        let request = rest::request(route, LightMethod::Put, None, &[]);
        let sent = tokio::time::timeout(Duration::from_secs(10), rest::send(http, request)).await;
        if !matches!(sent, Ok(Ok(_))) {
            tracing::warn!(
                msg_id = msg.id.get(),
                "could not mark a held-back question with ⏳"
            );
        }
    }

    /// Whether a guild message is in a search channel, or in a thread or
    /// forum post whose parent is one.
    async fn in_search_channel(&self, ctx: &Context, msg: &SerenityMessage) -> bool {
        let channel = msg.channel_id.get();
        if self.search_channels.contains(&channel) {
            return true;
        }
        let Some(guild) = msg.guild_id else {
            return false;
        };
        if self.search_channels.is_empty() {
            return false;
        }
        self.parent_of(ctx, guild, msg.channel_id)
            .await
            .is_some_and(|p| self.search_channels.contains(&p))
    }

    /// A channel's parent (a thread's or forum post's channel, a channel's
    /// category): from the gateway's cache when it knows the channel, else
    /// `GET /channels/{id}` once, remembered (a failure for a minute).
    async fn parent_of(&self, ctx: &Context, guild: GuildId, channel: ChannelId) -> Option<u64> {
        let id = channel.get();
        if let Some(known) = self.lock_parents().get(id, Instant::now()) {
            return known;
        }
        if let Some(parent) = cached_parent(&ctx.cache, guild, channel) {
            self.lock_parents()
                .insert(id, parents::Known::Parent(parent));
            return parent;
        }
        let route = Route::Channel {
            channel_id: channel,
        };
        let deadline = Instant::now() + SETUP_DEADLINE;
        let read = retrying("reading a channel", deadline, || {
            rest::send(&ctx.http, rest::request(route, LightMethod::Get, None, &[]))
        })
        .await;
        let known = match read {
            Ok(bytes) => parents::Known::Parent(
                serde_json::from_slice::<Value>(&bytes)
                    .ok()
                    .and_then(|c| c["parent_id"].as_str()?.parse().ok()),
            ),
            Err(e) => {
                tracing::warn!(channel = id, error = %e, "reading a channel failed; not read again for a minute");
                parents::Known::Failed(Instant::now())
            }
        };
        self.lock_parents().insert(id, known);
        match known {
            parents::Known::Parent(p) => p,
            parents::Known::Failed(_) => None,
        }
    }

    /// The bot's managed role in a guild (the role Discord makes for a bot
    /// when it joins: `tags.bot_id` is the bot), from serenity's cache (the
    /// GUILD_CREATE payload), else read once (`GET /guilds/{id}/roles`).
    async fn bot_role(&self, ctx: &Context, guild: u64, me: u64) -> Option<u64> {
        let lock = || self.bot_roles.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(known) = lock().get(&guild) {
            return *known;
        }
        let is_mine = |tags: &serenity::all::RoleTags| tags.bot_id.is_some_and(|b| b.get() == me);
        let cached = ctx.cache.guild(GuildId::new(guild)).map(|g| {
            g.roles
                .values()
                .find(|r| is_mine(&r.tags))
                .map(|r| r.id.get())
        });
        let role = match cached {
            Some(role) => role,
            None => {
                let route = Route::GuildRoles {
                    guild_id: GuildId::new(guild),
                };
                let deadline = Instant::now() + SETUP_DEADLINE;
                let read = retrying("reading the guild's roles", deadline, || {
                    rest::send(&ctx.http, rest::request(route, LightMethod::Get, None, &[]))
                })
                .await;
                match read {
                    Ok(bytes) => serde_json::from_slice::<Vec<Value>>(&bytes)
                        .unwrap_or_default()
                        .iter()
                        .find(|r| r["tags"]["bot_id"].as_str() == Some(me.to_string().as_str()))
                        .and_then(|r| r["id"].as_str()?.parse().ok()),
                    Err(e) => {
                        tracing::warn!(guild, error = %e, "reading the guild's roles failed");
                        return None;
                    }
                }
            }
        };
        lock().insert(guild, role);
        role
    }

    fn lock_parents(&self) -> std::sync::MutexGuard<'_, parents::Parents> {
        self.parents.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A channel's parent as the gateway's cache has it: `Some` when the cache
/// knows the channel (an ordinary channel or an active thread).
fn cached_parent(
    cache: &serenity::cache::Cache,
    guild: GuildId,
    channel: ChannelId,
) -> Option<Option<u64>> {
    let g = cache.guild(guild)?;
    let c = g
        .channels
        .get(&channel)
        .or_else(|| g.threads.iter().find(|t| t.id == channel))?;
    Some(c.parent_id.map(|p| p.get()))
}

/// Whether a message's text mentions user `id` (`<@id>` or `<@!id>`).
fn mentions(content: &str, id: u64) -> bool {
    content.contains(&format!("<@{id}>")) || content.contains(&format!("<@!{id}>"))
}

/// Whether a message's text mentions role `id` (`<@&id>`).
fn mentions_role(content: &str, id: u64) -> bool {
    content.contains(&format!("<@&{id}>"))
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
        // Every shard gets READY, at every (re)identify: registration
        // keeps to once per process (see `registration`).
        let shard = ready.shard.map_or(0, |s| s.id.0);
        let guilds: Vec<u64> = ready.guilds.iter().map(|g| g.id.get()).collect();
        self.registration.on_ready(&ctx.http, shard, &guilds).await;
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
        self.free_text(&ctx, &msg).await;
    }
}

#[cfg(test)]
mod tests {
    use super::{mentions, mentions_role, strip_mentions};

    #[test]
    fn a_mention_is_in_the_text() {
        assert!(mentions("<@1000> hi", 1000));
        assert!(mentions("hi <@!1000>", 1000));
        assert!(!mentions("thanks!", 1000));
        assert!(!mentions("<@10001>", 1000));
    }

    #[test]
    fn a_role_mention_is_in_the_text() {
        assert!(mentions_role("<@&8800> hi", 8800));
        assert!(!mentions_role("<@8800> hi", 8800), "a user, not the role");
        assert!(!mentions_role("<@&88001>", 8800));
    }

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
