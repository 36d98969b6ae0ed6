//! The slash commands as Discord registers them (`PUT …/commands`): names,
//! options, descriptions and their localisations. Option names match
//! [`crate::engine::request::COMMANDS`], which parses them back.

use serde_json::{json, Value};

use crate::render::labels::to_traditional;

const RELOAD_ZH: &str = "仅限所有者：立即重新加载笔记";

const GAPS_ZH: &str = "仅限所有者：笔记没能回答的问题";

/// `/gaps`: owner only, the curator's report, answered by
/// [`super::interaction::respond`].
pub const GAPS: &str = "gaps";

/// `/reload`: owner only, answered by [`super::interaction::respond`].
pub const RELOAD: &str = "reload";
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

/// An option: (name, description, 描述, required, autocomplete).
type Opt = (&'static str, &'static str, &'static str, bool, bool);

/// The read-only commands: (name, description, 描述, options).
const COMMANDS: [(&str, &str, &str, &[Opt]); 7] = [
    (
        "model",
        "A model's card: lineage, training, strengths, trade-offs",
        "模型卡片：谱系、训练方式、优势与代价",
        &[(
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
        &[(
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
        &[
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
        &[(
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
        &[("name", "Model to highlight", "要高亮的模型", false, true)],
    ),
    (
        "capability",
        "One capability along the whole lineage, with the notes' words",
        "一种能力沿整个谱系的变化，附笔记原文",
        &[(
            "name",
            "Capability, in English or 中文 (in-context-learning, ICL, 零样本)",
            "能力名称，中英文皆可（上下文学习、ICL、zero-shot）",
            true,
            true,
        )],
    ),
    (
        "help",
        "What each command does, with examples",
        "各命令的用法与示例",
        &[],
    ),
];

/// Command names in Chinese, where a command has one (Discord shows a
/// zh-CN or zh-TW reader this name; the interaction still carries the
/// English one).
fn name_localizations(name: &str) -> Option<Value> {
    match name {
        "capability" => Some(json!({"zh-CN": "能力", "zh-TW": "能力"})),
        _ => None,
    }
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
    let mut all: Vec<Value> = COMMANDS
        .iter()
        .map(|(name, en, zh, options)| {
            let mut c = json!({
                "name": name,
                "type": 1,
                "description": en,
                "description_localizations": {"zh-CN": zh, "zh-TW": to_traditional(zh)},
                // Read-only: user-installable, usable in servers, the bot's
                // DMs and private channels.
                "integration_types": [GUILD_INSTALL, USER_INSTALL],
                "contexts": [IN_GUILD, IN_BOT_DM, IN_PRIVATE_CHANNEL],
                "options": options.iter().map(|(o, oen, ozh, required, autocomplete)| json!({
                    "type": 3,
                    "name": o,
                    "description": oen,
                    "description_localizations": {"zh-CN": ozh, "zh-TW": to_traditional(ozh)},
                    "required": required,
                    "autocomplete": autocomplete,
                    "max_length": 200,
                })).collect::<Vec<_>>(),
            });
            if let Some(names) = name_localizations(name) {
                c["name_localizations"] = names;
            }
            c
        })
        .collect();
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
    vec![
        owner_only(
            GAPS,
            "Owner only: questions the notes could not answer",
            GAPS_ZH,
            json!([{
                "name": "days",
                "type": 4,
                "description": "Only questions asked in the last this many days (default 30)",
                "description_localizations": {"zh-CN": "只看最近多少天（默认 30）", "zh-TW": to_traditional("只看最近多少天（默认 30）")},
                "required": false,
                "min_value": 1,
                "max_value": 3650,
            }]),
        ),
        owner_only(
            RELOAD,
            "Owner only: read the notes again now",
            RELOAD_ZH,
            json!([]),
        ),
    ]
}

/// A command for the bot's owners: hidden from members without
/// Administrator by default, checked against `discord.owners` when run, and
/// guild-only (owners use it from a server the bot is installed in).
fn owner_only(name: &str, en: &str, zh: &str, options: Value) -> Value {
    json!({
        "name": name,
        "type": 1,
        "description": en,
        "description_localizations": {"zh-CN": zh, "zh-TW": to_traditional(zh)},
        "default_member_permissions": "0",
        "integration_types": [GUILD_INSTALL],
        "contexts": [IN_GUILD],
        "options": options,
    })
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
            crate::engine::request::COMMANDS.len() + 3,
            "the commands, the message command, /gaps and /reload"
        );
        // zh-TW reads Traditional characters, converted from the zh-CN text.
        assert_eq!(
            defs[0]["description_localizations"]["zh-TW"],
            "模型卡片：譜系、訓練方式、優勢與代價"
        );
        assert_eq!(
            defs[defs.len() - 1]["description_localizations"]["zh-TW"],
            to_traditional(RELOAD_ZH)
        );
        assert_ne!(to_traditional(RELOAD_ZH), RELOAD_ZH);
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
        for (d, (name, options)) in defs.iter().zip(crate::engine::request::COMMANDS) {
            assert_eq!(d["name"], *name);
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
            for (o, (oname, required)) in opts.iter().zip(*options) {
                assert_eq!(o["name"], *oname);
                assert_eq!(o["required"], *required);
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
