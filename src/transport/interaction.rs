//! Discord interactions, whichever way they arrive (gateway INTERACTION_CREATE
//! or a POST to the HTTP endpoint): the JSON we read, and the response we
//! send back. Both transports call [`respond`], so they answer byte for byte
//! the same. Pure: the caller does the I/O.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::curation::report;
use crate::engine::request::from_options;
use crate::engine::{Command, Locale, Request, Wanted};
use crate::render::custom_id;
use crate::render::labels as l;
use crate::render::message::{Button, ButtonStyle, FLAG_EPHEMERAL};
use crate::render::{self, limits, Message};
use crate::respond::{Choice, Clicked, Posting, Responder};

use super::commands::{ASK, GAPS, RELOAD};

/// An interaction's `type`. A number Discord adds later is read as
/// `Other`, and answered with a notice rather than refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "u8")]
pub enum InteractionKind {
    Ping,
    ApplicationCommand,
    MessageComponent,
    Autocomplete,
    ModalSubmit,
    Other(u8),
}

impl From<u8> for InteractionKind {
    fn from(n: u8) -> InteractionKind {
        match n {
            1 => InteractionKind::Ping,
            2 => InteractionKind::ApplicationCommand,
            3 => InteractionKind::MessageComponent,
            4 => InteractionKind::Autocomplete,
            5 => InteractionKind::ModalSubmit,
            n => InteractionKind::Other(n),
        }
    }
}

crate::render::message::wire_enum! {
    /// An interaction callback's `type`.
    CallbackType {
        Pong = 1,
        /// Answers with a message.
        ChannelMessage = 4,
        /// "Thinking…": the answer follows by REST.
        DeferredChannelMessage = 5,
        /// A button acknowledged, its message left as it is (for now).
        DeferredUpdateMessage = 6,
        /// A button's message replaced.
        UpdateMessage = 7,
        AutocompleteResult = 8,
    }
}

/// The parts of an interaction we read; unknown fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Interaction {
    #[serde(rename = "type")]
    pub kind: InteractionKind,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub data: Option<Data>,
    #[serde(default)]
    pub member: Option<Member>,
    #[serde(default)]
    pub user: Option<User>,
    /// A snowflake, as a string (Discord) or a number (some proxies).
    #[serde(default)]
    pub application_id: Option<Value>,
    /// For a button: the message it is on (its components name the asker).
    #[serde(default)]
    pub message: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Data {
    #[serde(default)]
    pub name: Option<String>,
    /// The command's type: 1 slash, 3 message context menu.
    #[serde(default, rename = "type")]
    pub kind: Option<u8>,
    /// A context-menu command's message (its id in `resolved.messages`).
    #[serde(default)]
    pub target_id: Option<Value>,
    #[serde(default)]
    pub resolved: Option<Value>,
    #[serde(default)]
    pub options: Vec<OptionValue>,
    #[serde(default)]
    pub custom_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OptionValue {
    pub name: String,
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub focused: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Member {
    pub user: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: String,
}

impl Interaction {
    pub fn locale(&self) -> Locale {
        Locale::from_discord(self.locale.as_deref().unwrap_or(""))
    }

    /// Who clicked or typed: a member in a guild, a user in DMs.
    pub fn user_id(&self) -> Option<&str> {
        self.member
            .as_ref()
            .and_then(|m| m.user.as_ref())
            .or(self.user.as_ref())
            .map(|u| u.id.as_str())
    }

    /// The custom_ids of the buttons on the message a button is on.
    fn message_custom_ids(&self) -> impl Iterator<Item = &str> {
        self.message
            .as_ref()
            .and_then(|m| m.get("components")?.as_array())
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("components")?.as_array())
            .flatten()
            .filter_map(|b| b.get("custom_id")?.as_str())
    }

    /// The owner named by the message's delete button: the only one a
    /// delete button is ever made for, never the clicker by default.
    pub fn delete_owner(&self) -> Option<String> {
        self.message_custom_ids()
            .find_map(|id| id.strip_prefix(DELETE_PREFIX).map(str::to_string))
    }

    /// Who asked the question a button's message answers, as the message
    /// says: its delete button; else the user whose command it answers
    /// (`interaction_metadata`, or the older `interaction`); else, for a
    /// reply to free text, the author of the message it replies to.
    pub fn asker(&self) -> Option<String> {
        if let Some(owner) = self.delete_owner() {
            return Some(owner);
        }
        let m = self.message.as_ref()?;
        let id_at = |v: &Value| -> Option<String> {
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        [
            &m["interaction_metadata"]["user"]["id"],
            &m["interaction"]["user"]["id"],
            &m["referenced_message"]["author"]["id"],
        ]
        .into_iter()
        .find_map(id_at)
    }

    /// Whether the one who clicked is the one who asked: then a button may
    /// change the message. An ephemeral message only its asker can see.
    pub fn clicked_by_asker(&self) -> bool {
        let ephemeral = self
            .message
            .as_ref()
            .and_then(|m| m.get("flags")?.as_u64())
            .is_some_and(|f| f & FLAG_EPHEMERAL != 0);
        ephemeral
            || self
                .asker()
                .is_some_and(|a| Some(a.as_str()) == self.user_id())
    }

    /// Whether the answer will be ephemeral (only the asker sees it), known
    /// before it is computed so that a deferral can say so: `/reload`.
    pub fn answer_is_ephemeral(&self) -> bool {
        self.kind == InteractionKind::ApplicationCommand
            && matches!(
                self.data.as_ref().and_then(|d| d.name.as_deref()),
                Some(RELOAD | ASK | GAPS)
            )
    }

    /// The text of the message a context-menu command was run on.
    fn target_text(&self) -> Option<String> {
        let d = self.data.as_ref()?;
        let target = match d.target_id.as_ref()? {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let m = d.resolved.as_ref()?.get("messages")?.get(&target)?;
        let text = m.get("content")?.as_str()?.trim();
        (!text.is_empty()).then(|| text.to_string())
    }

    /// The application the interaction is for, when it says.
    pub fn application_id(&self) -> Option<u64> {
        match self.application_id.as_ref()? {
            Value::String(s) => s.trim().parse::<u64>().ok(),
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
        .filter(|&n| n > 0)
    }

    /// For the log: the command's name or the button's custom id.
    pub fn what(&self) -> String {
        self.data
            .as_ref()
            .and_then(|d| d.name.clone().or_else(|| d.custom_id.clone()))
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect()
    }

    fn option(&self, name: &str) -> Option<String> {
        let o = self
            .data
            .as_ref()?
            .options
            .iter()
            .find(|o| o.name == name)?;
        Some(match o.value.as_ref()? {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }
}

/// What to send back.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// Type 1: answers Discord's PING.
    Pong,
    /// Type 4: a new message.
    Message(Message),
    /// Type 7: the message the button was on, updated.
    Update(Message),
    /// Type 8: autocomplete choices.
    Choices(Vec<Choice>),
    /// Type 6, then the message the button was on is deleted.
    AckAndDelete,
}

impl Response {
    /// The response with any files left out (see [`Message::without_files`]).
    pub fn without_files(self) -> Response {
        match self {
            Response::Message(m) => Response::Message(m.without_files()),
            Response::Update(m) => Response::Update(m.without_files()),
            other => other,
        }
    }

    /// The body of the interaction callback.
    pub fn to_json(&self) -> Value {
        match self {
            Response::Pong => json!({"type": CallbackType::Pong}),
            Response::Message(m) => json!({"type": CallbackType::ChannelMessage, "data": m}),
            Response::Update(m) => {
                json!({"type": CallbackType::UpdateMessage, "data": m.to_update_json()})
            }
            Response::Choices(c) => {
                json!({"type": CallbackType::AutocompleteResult, "data": {"choices": c}})
            }
            Response::AckAndDelete => json!({"type": CallbackType::DeferredUpdateMessage}),
        }
    }
}

/// The response to an interaction. Pure: the caller does the I/O.
pub fn respond(responder: &Responder, i: &Interaction) -> Response {
    match i.kind {
        InteractionKind::Ping => Response::Pong,
        InteractionKind::ApplicationCommand => {
            let name = i
                .data
                .as_ref()
                .and_then(|d| d.name.clone())
                .unwrap_or_default();
            if name == RELOAD {
                return reload(responder, i);
            }
            if name == ASK {
                return ask(responder, i);
            }
            if name == GAPS {
                return gaps(responder, i);
            }
            match from_options(&name, |o| i.option(o)) {
                // A question asked: recorded, with 👍 / 👎 on its answer.
                Ok(cmd @ Command::Search { .. }) => {
                    let (m, key) =
                        responder.answer_asked(&Request::new(cmd, i.locale()), i.user_id());
                    Response::Message(with_delete(with_votes(m, key.as_deref()), i.user_id()))
                }
                Ok(cmd) => {
                    let help = cmd == Command::Help;
                    let mut m = responder.answer(&Request::new(cmd, i.locale()));
                    let owner = i.user_id().is_some_and(|u| responder.engine().is_owner(u));
                    if help && owner {
                        for_owners(&mut m, i.locale());
                    }
                    Response::Message(with_delete(m, i.user_id()))
                }
                Err(e) => Response::Message(render::notice(&format!("{e}"), true)),
            }
        }
        InteractionKind::Autocomplete => {
            let data = i.data.clone().unwrap_or_default();
            let focused = data.options.iter().find(|o| o.focused == Some(true));
            let typed = focused
                .and_then(|o| o.value.as_ref())
                .and_then(Value::as_str)
                .unwrap_or("");
            let wanted = match data.name.as_deref() {
                Some("term") => Wanted::Term,
                Some("capability") => Wanted::Capability,
                _ => Wanted::Model,
            };
            Response::Choices(responder.choices(wanted, typed))
        }
        InteractionKind::MessageComponent => {
            let id = i
                .data
                .as_ref()
                .and_then(|d| d.custom_id.clone())
                .unwrap_or_default();
            if let Some((up, key)) = custom_id::vote_of(&id) {
                return vote(responder, i, up, key);
            }
            if let Some(owner) = id.strip_prefix(DELETE_PREFIX) {
                return if Some(owner) == i.user_id() {
                    Response::AckAndDelete
                } else {
                    Response::Message(render::notice(l::ONLY_ASKER_DELETES.get(i.locale()), true))
                };
            }
            match responder.clicked(&id) {
                Clicked::Run(cmd) => navigate(responder, i, cmd),
                Clicked::Public(cmd) => {
                    let answer = responder.answer(&Request::new(cmd, i.locale()));
                    Response::Message(with_delete(answer, i.user_id()))
                }
                Clicked::Expired => {
                    Response::Message(render::notice(l::BUTTON_EXPIRED.get(i.locale()), true))
                }
                Clicked::Unknown => {
                    Response::Message(render::notice(l::BUTTON_GONE.get(i.locale()), true))
                }
            }
        }
        _ => Response::Message(render::notice(l::UNSUPPORTED.get(i.locale()), true)),
    }
}

/// A button that runs a command on an answer ("Next page", "vs …"): the
/// asker's message changes in place, keeping its 👍 / 👎, its "Post
/// publicly" (now for what it shows) and its delete button, all recovered
/// from the message. Anyone else gets the answer as a new message only they
/// see: someone else's answer is never replaced for the whole channel, nor
/// given a delete button for the clicker.
fn navigate(responder: &Responder, i: &Interaction, cmd: Command) -> Response {
    let locale = i.locale();
    let mut answer = responder.answer(&Request::new(cmd.clone(), locale));
    let vote_key = i.message_custom_ids().find_map(custom_id::vote_of);
    answer = with_votes(answer, vote_key.map(|(_, key)| key));
    let had_public = i.message_custom_ids().any(|id| {
        id.starts_with(custom_id::PUBLIC_PREFIX)
            || (custom_id::kept_key(id).is_some()
                && matches!(responder.clicked(id), Clicked::Public(_)))
    });
    if had_public {
        answer = with_public(responder, answer, &cmd, locale);
    }
    if i.clicked_by_asker() {
        Response::Update(with_delete(answer, i.delete_owner().as_deref()))
    } else {
        answer.flags |= FLAG_EPHEMERAL;
        Response::Message(answer)
    }
}

/// "Ask the notes" on a message: its text searched, for the asker only, with
/// a button that posts the answer for everyone.
fn ask(responder: &Responder, i: &Interaction) -> Response {
    let locale = i.locale();
    let Some(text) = i.target_text() else {
        return Response::Message(render::notice(l::NO_TEXT_TO_ASK.get(locale), true));
    };
    let cmd = Command::search(&text, 0);
    let mut m = responder.answer(&Request::new(cmd.clone(), locale));
    m.flags |= FLAG_EPHEMERAL;
    Response::Message(with_public(responder, m, &cmd, locale))
}

/// Adds a "Post publicly" button that posts `cmd`'s answer for everyone.
fn with_public(responder: &Responder, mut m: Message, cmd: &Command, locale: Locale) -> Message {
    let post = Button::new(
        ButtonStyle::Primary,
        l::POST_PUBLICLY.get(locale),
        custom_id::public(cmd),
    );
    let rows = m.components.len();
    match m.components.last_mut() {
        Some(row) if row.components.len() < limits::BUTTONS_PER_ROW => row.components.push(post),
        _ if rows < limits::ACTION_ROWS => m.components.push(render::ActionRow::of(vec![post])),
        _ => {}
    }
    responder.keep_long_ids(&mut m);
    m
}

/// `/reload`, for the bot's owners: reads the notes again now. The answer is
/// for the owner only: what was loaded, or the `file:line` problems and that
/// the last good notes still serve.
fn reload(responder: &Responder, i: &Interaction) -> Response {
    let locale = i.locale();
    let engine = responder.engine();
    if !i.user_id().is_some_and(|u| engine.is_owner(u)) {
        return Response::Message(render::notice(l::OWNERS_ONLY.get(locale), true));
    }
    let text = match engine.reload() {
        Ok(summary) => {
            tracing::info!(%summary, "knowledge reloaded on demand");
            format!("{}{summary}", l::RELOADED.get(locale))
        }
        Err(e) => {
            tracing::error!("knowledge not reloaded, still serving the last good notes:\n{e}");
            let head = l::NOT_RELOADED.get(locale);
            format!("{head}\n```\n{}\n```", e.to_string().replace("```", "'''"))
        }
    };
    Response::Message(render::notice(&text, true))
}

/// A 👍 / 👎 click: the vote recorded (one per user and answer, without
/// who), the clicker thanked for their eyes only.
fn vote(responder: &Responder, i: &Interaction, up: bool, key: &str) -> Response {
    let locale = i.locale();
    let recorded = i
        .user_id()
        .is_some_and(|user| responder.recorder().vote(key, user, up));
    let label = match (recorded, up) {
        (false, _) => l::VOTES_OFF,
        (true, true) => l::VOTED_UP,
        (true, false) => l::VOTED_DOWN,
    };
    Response::Message(render::notice(label.get(locale), true))
}

/// The days `/gaps` looks back when not told.
pub const GAPS_DAYS: u32 = 30;
/// The gaps `/gaps` lists at most (the message's limit cuts further).
const GAPS_SHOWN: usize = 15;

/// `/gaps`, for the bot's owners: the questions the notes could not answer
/// and the answers voted down, for the owner only.
fn gaps(responder: &Responder, i: &Interaction) -> Response {
    let locale = i.locale();
    let engine = responder.engine();
    if !i.user_id().is_some_and(|u| engine.is_owner(u)) {
        return Response::Message(render::notice(l::GAPS_OWNERS_ONLY.get(locale), true));
    }
    let recorder = responder.recorder();
    let Some(dir) = recorder.dir().filter(|_| recorder.is_on()) else {
        return Response::Message(render::notice(l::GAPS_OFF.get(locale), true));
    };
    let days = i
        .option("days")
        .and_then(|d| d.trim().parse::<u32>().ok())
        .filter(|d| (1..=3650).contains(d))
        .unwrap_or(GAPS_DAYS);
    let head = l::GAPS_TITLE.get(locale).replace("{0}", &days.to_string());
    let text = match report::report(dir, Some(days), GAPS_SHOWN, &engine.index()) {
        Ok(gaps) => {
            let reload = recorder
                .last_reload()
                .map(|c| {
                    l::GAPS_SINCE_RELOAD
                        .get(locale)
                        .replace("{0}", &c.newly_answered.to_string())
                        .replace("{1}", &c.changed.to_string())
                        .replace("{2}", &c.lost.to_string())
                        + "\n"
                })
                .unwrap_or_default();
            format!("{head}\n{reload}{}", report::to_text(&gaps))
        }
        Err(e) => {
            let id = super::failure::error_id();
            tracing::error!(error_id = %id, error = %e, "the gaps could not be read");
            l::FAILED.get(locale).replace("{0}", &id.to_string())
        }
    };
    Response::Message(render::notice(&text, true))
}

/// Adds 👍 / 👎 buttons for the answer `key` (when recorded).
pub fn with_votes(mut m: Message, key: Option<&str>) -> Message {
    let Some(key) = key else { return m };
    let buttons = [
        Button::new(ButtonStyle::Secondary, "👍", custom_id::vote(true, key)),
        Button::new(ButtonStyle::Secondary, "👎", custom_id::vote(false, key)),
    ];
    let room = m.components.last().map_or(0, |r| {
        limits::BUTTONS_PER_ROW - r.components.len().min(limits::BUTTONS_PER_ROW)
    });
    if room >= 2 {
        if let Some(row) = m.components.last_mut() {
            row.components.extend(buttons);
            return m;
        }
    }
    if m.components.len() < limits::ACTION_ROWS {
        m.components.push(render::ActionRow::of(buttons.to_vec()));
    }
    m
}

pub const DELETE_PREFIX: &str = "delete:";

/// Adds a "delete" button that works for the person who asked.
pub fn with_delete(mut m: Message, user: Option<&str>) -> Message {
    let Some(user) = user else { return m };
    let button = Button::new(ButtonStyle::Danger, "🗑", format!("{DELETE_PREFIX}{user}"));
    let rows = m.components.len();
    match m.components.last_mut() {
        Some(row) if row.components.len() < limits::BUTTONS_PER_ROW => row.components.push(button),
        _ if rows < limits::ACTION_ROWS => m.components.push(render::ActionRow::of(vec![button])),
        _ => {}
    }
    m
}

/// `/help` as an owner sees it: what the owners' commands do, and that an
/// owner who is not an admin needs them granted (Discord hides a command
/// with `default_member_permissions: "0"` from everyone but admins).
fn for_owners(m: &mut Message, locale: Locale) {
    if let Some(e) = m.embeds.first_mut() {
        e.fields.push(render::Field {
            name: l::FOR_OWNERS.get(locale).to_string(),
            value: l::OWNER_GRANT.get(locale).to_string(),
            inline: false,
        });
    }
    limits::fit(m);
}

/// A question typed as free text: the reply to post, or `None` to stay
/// silent. `addressed` is a message to the bot itself (a mention, a DM): it
/// always gets an answer, if only that the notes have nothing. In a search
/// channel a message gets a reply only when the notes have something for
/// it, unless `reply_when_nothing` is set. A reply carries 👍 / 👎; the
/// adapter hands its [`Posting`] back once it is posted.
pub fn free_text(
    responder: &Responder,
    question: &str,
    addressed: bool,
    reply_when_nothing: bool,
) -> Option<(Message, Posting)> {
    let (m, posting) = responder.free_text(
        question,
        locale_of(question),
        addressed || reply_when_nothing,
    )?;
    let m = with_votes(m, posting.answer_key());
    Some((m, posting))
}

/// The reader's language as their question shows it: Chinese when it has
/// Chinese characters.
pub fn locale_of(question: &str) -> Locale {
    if question
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    {
        Locale::Zh
    } else {
        Locale::En
    }
}
