//! Discord interactions, whichever way they arrive (gateway INTERACTION_CREATE
//! or a POST to the HTTP endpoint): the JSON we read, and the response we
//! send back. Both transports call [`respond`], so they answer byte for byte
//! the same.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::request::from_options;
use crate::engine::{request, Command, Engine, Locale, Request, Wanted};
use crate::render::message::{Button, STYLE_DANGER};
use crate::render::{self, limits, Message};

/// Discord waits 3 s for an interaction's answer; an answer not ready after
/// this is deferred and delivered as an edit, by every transport.
pub const DEFER_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

pub const PING: u8 = 1;
pub const APPLICATION_COMMAND: u8 = 2;
pub const MESSAGE_COMPONENT: u8 = 3;
pub const AUTOCOMPLETE: u8 = 4;

/// The parts of an interaction we read; unknown fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Interaction {
    #[serde(rename = "type")]
    pub kind: u8,
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
    #[serde(default)]
    pub application_id: Option<String>,
    /// For a button: the message it is on (its components name the asker).
    #[serde(default)]
    pub message: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Data {
    #[serde(default)]
    pub name: Option<String>,
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

    /// Who asked the question a button belongs to: the owner named by the
    /// message's delete button, so navigating never takes the answer over.
    pub fn asker(&self) -> Option<String> {
        let rows = self.message.as_ref()?.get("components")?.as_array()?;
        rows.iter()
            .filter_map(|r| r.get("components")?.as_array())
            .flatten()
            .filter_map(|b| b.get("custom_id")?.as_str())
            .find_map(|id| id.strip_prefix(DELETE_PREFIX).map(str::to_string))
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
    Choices(Vec<crate::engine::Choice>),
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
            Response::Pong => json!({"type": 1}),
            Response::Message(m) => json!({"type": 4, "data": m}),
            Response::Update(m) => json!({"type": 7, "data": m}),
            Response::Choices(c) => json!({"type": 8, "data": {"choices": c}}),
            Response::AckAndDelete => json!({"type": 6}),
        }
    }
}

/// The response to an interaction. Pure: the caller does the I/O.
pub fn respond(engine: &Engine, i: &Interaction) -> Response {
    match i.kind {
        PING => Response::Pong,
        APPLICATION_COMMAND => {
            let name = i
                .data
                .as_ref()
                .and_then(|d| d.name.clone())
                .unwrap_or_default();
            if name == RELOAD {
                return reload(engine, i);
            }
            match from_options(&name, |o| i.option(o)) {
                Ok(cmd) => Response::Message(with_delete(
                    engine.answer(&Request::new(cmd, i.locale())),
                    i.user_id(),
                )),
                Err(e) => Response::Message(render::notice(&format!("{e}"), true)),
            }
        }
        AUTOCOMPLETE => {
            let data = i.data.clone().unwrap_or_default();
            let focused = data.options.iter().find(|o| o.focused == Some(true));
            let typed = focused
                .and_then(|o| o.value.as_ref())
                .and_then(Value::as_str)
                .unwrap_or("");
            let wanted = if data.name.as_deref() == Some("term") {
                Wanted::Term
            } else {
                Wanted::Model
            };
            Response::Choices(engine.autocomplete(wanted, typed))
        }
        MESSAGE_COMPONENT => {
            let id = i
                .data
                .as_ref()
                .and_then(|d| d.custom_id.clone())
                .unwrap_or_default();
            if let Some(owner) = id.strip_prefix(DELETE_PREFIX) {
                return if Some(owner) == i.user_id() {
                    Response::AckAndDelete
                } else {
                    let text = if i.locale().is_zh() {
                        "只有提问的人可以删除这条回复。"
                    } else {
                        "Only the person who asked can delete this answer."
                    };
                    Response::Message(render::notice(text, true))
                };
            }
            match request::from_custom_id(&id) {
                Some(cmd) => {
                    let owner = i.asker().or_else(|| i.user_id().map(str::to_string));
                    let answer = engine.answer(&Request::new(cmd, i.locale()));
                    Response::Update(with_delete(answer, owner.as_deref()))
                }
                None => Response::Message(render::notice(
                    "This button no longer works; run the command again.",
                    true,
                )),
            }
        }
        _ => Response::Message(render::notice(
            "This kind of interaction is not supported.",
            true,
        )),
    }
}

pub const RELOAD: &str = "reload";

/// `/reload`, for the bot's owners: reads the notes again now. The answer is
/// for the owner only: what was loaded, or the `file:line` problems and that
/// the last good notes still serve.
fn reload(engine: &Engine, i: &Interaction) -> Response {
    let zh = i.locale().is_zh();
    if !i.user_id().is_some_and(|u| engine.is_owner(u)) {
        let text = if zh {
            "只有机器人的所有者可以重新加载笔记。"
        } else {
            "Only the bot's owners can reload the notes."
        };
        return Response::Message(render::notice(text, true));
    }
    let text = match engine.reload() {
        Ok(summary) => {
            tracing::info!(%summary, "knowledge reloaded on demand");
            if zh {
                format!("已重新加载：{summary}")
            } else {
                format!("Reloaded: {summary}")
            }
        }
        Err(e) => {
            tracing::error!("knowledge not reloaded, still serving the last good notes:\n{e}");
            let head = if zh {
                "未重新加载，仍在使用上一版有效的笔记："
            } else {
                "Not reloaded; still serving the last good notes:"
            };
            format!("{head}\n```\n{}\n```", e.to_string().replace("```", "'''"))
        }
    };
    Response::Message(render::notice(&text, true))
}

/// A short id for a failure: quoted to the user, logged with the details, so
/// the two can be matched without showing internal errors in the channel.
pub fn error_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    // A 64-bit mix of time and counter, so ids differ even within one tick.
    let mut x = t ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    format!("{:08x}", x as u32)
}

/// A short, friendly failure with an id to quote; details go to the log.
pub fn failure(locale: Locale, error_id: &str) -> Response {
    let text = if locale.is_zh() {
        format!("出了点问题，已记录。错误编号：`{error_id}`")
    } else {
        format!("Something went wrong on our side; it has been logged. Error id: `{error_id}`")
    };
    Response::Message(render::notice(&text, true))
}

pub const DELETE_PREFIX: &str = "delete:";

/// Adds a "delete" button that works for the person who asked.
pub fn with_delete(mut m: Message, user: Option<&str>) -> Message {
    let Some(user) = user else { return m };
    let button = Button::new(STYLE_DANGER, "🗑", format!("{DELETE_PREFIX}{user}"));
    let rows = m.components.len();
    match m.components.last_mut() {
        Some(row) if row.components.len() < limits::BUTTONS_PER_ROW => row.components.push(button),
        _ if rows < limits::ACTION_ROWS => m.components.push(render::ActionRow::of(vec![button])),
        _ => {}
    }
    m
}

/// A command typed as a free-text question in a channel.
pub fn free_text(engine: &Engine, question: &str, locale: Locale) -> Message {
    engine.answer(&Request::new(
        Command::Search {
            query: question.to_string(),
            page: 0,
        },
        locale,
    ))
}

/// The slash commands as registered with Discord (`PUT …/commands`): names,
/// options, descriptions and their zh-CN localisations. Option names match
/// [`crate::engine::request::COMMANDS`].
pub fn definitions() -> Value {
    // (name, description, 描述, [(option, description, 描述, required, autocomplete)])
    type Opt = (&'static str, &'static str, &'static str, bool, bool);
    let commands: [(&str, &str, &str, Vec<Opt>); 6] = [
        (
            "model",
            "A model's card: lineage, training, strengths, trade-offs",
            "模型卡片：谱系、训练方式、优势与代价",
            vec![(
                "name",
                "Model name, alias or shorthand (chatgpt, 003, devinci)",
                "模型名称、别名或简称（chatgpt、003）",
                true,
                true,
            )],
        ),
        (
            "term",
            "A term in both languages, with its meaning",
            "术语的中英文与含义",
            vec![(
                "name",
                "Term, abbreviation or 中文 (alignment-tax, RLHF, 对齐税)",
                "术语、缩写或中文（alignment-tax、RLHF、对齐税）",
                true,
                true,
            )],
        ),
        (
            "compare",
            "Two models or generations side by side",
            "并排比较两个模型或两代模型",
            vec![
                (
                    "first",
                    "First model or generation (002)",
                    "第一个模型或代（002）",
                    true,
                    true,
                ),
                (
                    "second",
                    "Second model or generation (003)",
                    "第二个模型或代（003）",
                    true,
                    true,
                ),
            ],
        ),
        (
            "search",
            "Search the notes",
            "搜索笔记",
            vec![(
                "query",
                "A question, in Chinese or English",
                "问题，中英文皆可",
                true,
                false,
            )],
        ),
        (
            "lineage",
            "The family tree, a model highlighted",
            "家族树，可高亮某个模型",
            vec![("name", "Model to highlight", "要高亮的模型", false, true)],
        ),
        (
            "help",
            "What each command does, with examples",
            "各命令的用法与示例",
            vec![],
        ),
    ];
    let mut all: Vec<Value> = commands
        .iter()
        .map(|(name, en, zh, options)| {
            json!({
                "name": name,
                "type": 1,
                "description": en,
                "description_localizations": {"zh-CN": zh, "zh-TW": zh},
                "options": options.iter().map(|(o, oen, ozh, required, autocomplete)| json!({
                    "type": 3,
                    "name": o,
                    "description": oen,
                    "description_localizations": {"zh-CN": ozh, "zh-TW": ozh},
                    "required": required,
                    "autocomplete": autocomplete,
                    "max_length": 200,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    // Owner only: hidden from members without Administrator by default, and
    // checked against discord.owners when run.
    all.push(json!({
        "name": RELOAD,
        "type": 1,
        "description": "Owner only: read the notes again now",
        "description_localizations": {"zh-CN": "仅限所有者：立即重新加载笔记", "zh-TW": "仅限所有者：立即重新加载笔记"},
        "default_member_permissions": "0",
        "options": [],
    }));
    Value::Array(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_follow_discords_rules() {
        let defs = definitions();
        let defs = defs.as_array().unwrap();
        assert_eq!(
            defs.len(),
            crate::engine::request::COMMANDS.len() + 1,
            "the commands and /reload"
        );
        assert_eq!(defs.last().unwrap()["name"], RELOAD);
        let name_ok = |s: &str| {
            (1..=32).contains(&s.chars().count())
                && s.chars()
                    .all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        };
        for (d, (name, options)) in defs.iter().zip(crate::engine::request::COMMANDS) {
            assert_eq!(d["name"], *name);
            assert!(name_ok(d["name"].as_str().unwrap()));
            for desc in [&d["description"], &d["description_localizations"]["zh-CN"]] {
                assert!((1..=100).contains(&desc.as_str().unwrap().chars().count()));
            }
            let opts = d["options"].as_array().unwrap();
            assert_eq!(opts.len(), options.len());
            for (o, (oname, required)) in opts.iter().zip(*options) {
                assert_eq!(o["name"], *oname);
                assert_eq!(o["required"], *required);
                assert!((1..=100).contains(&o["description"].as_str().unwrap().chars().count()));
            }
        }
    }
}
