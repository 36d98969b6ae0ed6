//! The slash commands as Discord registers them (`PUT …/commands`), made
//! from their one declaration ([`crate::engine::request::COMMANDS`], which
//! also parses them back), and the "Ask the notes" message command.

use serde_json::{json, Value};

use crate::engine::request::{commands_for, Audience, CommandSpec, OptionKind, OptionSpec};
use crate::render::labels::to_traditional;

pub use crate::engine::request::{GAPS, RELOAD};
/// The message context-menu command: right-click a message → its text
/// searched in the notes.
pub const ASK: &str = "Ask the notes";
/// Its name in Chinese.
const ASK_ZH: &str = "在笔记中查找";

/// `integration_types`: installed in a server, installed by a user.
const GUILD_INSTALL: u8 = 0;
const USER_INSTALL: u8 = 1;
/// `contexts`: in a server, in the bot's DMs, in other DMs and group DMs.
const IN_GUILD: u8 = 0;
const IN_BOT_DM: u8 = 1;
const IN_PRIVATE_CHANNEL: u8 = 2;

/// A declared command as Discord registers it.
fn definition(c: &CommandSpec) -> Value {
    let mut d = json!({
        "name": c.name,
        "type": 1,
        "description": c.en,
        "description_localizations": {"zh-CN": c.zh, "zh-TW": to_traditional(c.zh)},
        "options": c.options.iter().map(option).collect::<Vec<_>>(),
    });
    if let Some(zh) = c.name_zh {
        d["name_localizations"] = json!({"zh-CN": zh, "zh-TW": to_traditional(zh)});
    }
    match c.audience {
        // Read-only: user-installable, usable in servers, the bot's DMs and
        // private channels.
        Audience::Everyone => {
            d["integration_types"] = json!([GUILD_INSTALL, USER_INSTALL]);
            d["contexts"] = json!([IN_GUILD, IN_BOT_DM, IN_PRIVATE_CHANNEL]);
        }
        // Hidden from members without Administrator by default, checked
        // against `discord.owners` when run, and guild-only (owners use it
        // from a server the bot is installed in).
        Audience::Owners => {
            d["default_member_permissions"] = json!("0");
            d["integration_types"] = json!([GUILD_INSTALL]);
            d["contexts"] = json!([IN_GUILD]);
        }
    }
    d
}

fn option(o: &OptionSpec) -> Value {
    let mut v = json!({
        "name": o.name,
        "description": o.en,
        "description_localizations": {"zh-CN": o.zh, "zh-TW": to_traditional(o.zh)},
        "required": o.required,
    });
    match o.kind {
        OptionKind::Text => {
            v["type"] = json!(3);
            v["autocomplete"] = json!(o.autocomplete);
            v["max_length"] = json!(200);
        }
        OptionKind::Days => {
            v["type"] = json!(4);
            v["min_value"] = json!(1);
            v["max_value"] = json!(3650);
        }
    }
    v
}

/// Every command as registered with Discord (`PUT …/commands`): names,
/// options, descriptions and their zh-CN localisations. Option names match
/// [`crate::engine::request::COMMANDS`]. The global ones, then the owners'.
pub fn definitions() -> Value {
    let mut all = for_everyone();
    all.extend(for_owners());
    Value::Array(all)
}

/// The read-only commands and "Ask the notes": registered globally, always,
/// as `integration_types` and `contexts` (user install, DMs) apply only to
/// global commands.
pub fn global_definitions() -> Value {
    Value::Array(for_everyone())
}

/// `/gaps` and `/reload`: registered in the configured guilds (globally
/// when there are none).
pub fn owner_definitions() -> Value {
    Value::Array(for_owners())
}

fn for_everyone() -> Vec<Value> {
    let mut all: Vec<Value> = commands_for(Audience::Everyone).map(definition).collect();
    // A message command (type 3) has a name and no description.
    all.push(json!({
        "name": ASK,
        "type": 3,
        "name_localizations": {"zh-CN": ASK_ZH, "zh-TW": to_traditional(ASK_ZH)},
        "integration_types": [GUILD_INSTALL, USER_INSTALL],
        "contexts": [IN_GUILD, IN_BOT_DM, IN_PRIVATE_CHANNEL],
    }));
    all
}

fn for_owners() -> Vec<Value> {
    commands_for(Audience::Owners).map(definition).collect()
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
            "the commands, the message command, /gaps and /reload"
        );
        // zh-TW reads Traditional characters, converted from the zh-CN text.
        assert_eq!(
            defs[0]["description_localizations"]["zh-TW"],
            "模型卡片：譜系、訓練方式、優勢與代價"
        );
        assert_eq!(
            defs[defs.len() - 1]["description_localizations"]["zh-TW"],
            to_traditional("仅限所有者：立即重新加载笔记")
        );
        let ask = &defs[defs.len() - 3];
        assert_eq!(
            (ask["name"].as_str(), ask["type"].as_u64()),
            (Some(ASK), Some(3))
        );
        assert!(
            ask.get("description").is_none(),
            "a message command has none"
        );
        assert_eq!(defs.last().unwrap()["name"], RELOAD);
        let gaps = &defs[defs.len() - 2];
        assert_eq!(gaps["name"], GAPS);
        assert_eq!(gaps["default_member_permissions"], "0", "owners only");
        assert_eq!(gaps["contexts"], json!([0]), "/gaps: guild only");
        assert_eq!(
            defs.last().unwrap()["contexts"],
            json!([0]),
            "/reload: guild only"
        );
        assert_eq!(defs.last().unwrap()["integration_types"], json!([0]));
        let name_ok = |s: &str| {
            (1..=32).contains(&s.chars().count())
                && s.chars()
                    .all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        };
        for (d, spec) in defs.iter().zip(commands_for(Audience::Everyone)) {
            let (name, options) = (spec.name, spec.options);
            assert_eq!(d["name"], name);
            assert_eq!(d["integration_types"], json!([0, 1]), "user-installable");
            assert_eq!(
                d["contexts"],
                json!([0, 1, 2]),
                "usable in any DM or server"
            );
            assert!(name_ok(d["name"].as_str().unwrap()));
            if let Some(local) = d["name_localizations"].as_object() {
                // Chinese has no case: letters and digits, nothing upper-case.
                for v in local.values() {
                    let v = v.as_str().unwrap();
                    assert!((1..=32).contains(&v.chars().count()));
                    assert!(v.chars().all(|c| c.is_alphanumeric() && !c.is_uppercase()));
                }
            }
            for desc in [&d["description"], &d["description_localizations"]["zh-CN"]] {
                assert!((1..=100).contains(&desc.as_str().unwrap().chars().count()));
            }
            let opts = d["options"].as_array().unwrap();
            assert_eq!(opts.len(), options.len());
            for (o, spec) in opts.iter().zip(options) {
                assert_eq!(o["name"], spec.name);
                assert_eq!(o["required"], spec.required);
                assert!((1..=100).contains(&o["description"].as_str().unwrap().chars().count()));
            }
        }
    }

    #[test]
    fn owner_commands_are_apart_from_the_global_ones() {
        let names = |v: Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect()
        };
        let global = names(global_definitions());
        assert!(global.contains(&ASK.to_string()), "{global:?}");
        assert!(
            !global.iter().any(|n| n == GAPS || n == RELOAD),
            "{global:?}"
        );
        assert_eq!(names(owner_definitions()), [GAPS, RELOAD]);
        let mut all = global;
        all.extend(names(owner_definitions()));
        assert_eq!(all, names(definitions()));
    }

    #[test]
    fn capability_has_a_chinese_name() {
        let defs = definitions();
        let c = defs
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "capability")
            .expect("registered");
        assert_eq!(c["name_localizations"]["zh-CN"], "能力");
        assert_eq!(c["options"][0]["autocomplete"], true);
    }
}
