//! What people ask, typed: the same value whether it came from a slash
//! command, a button, the HTTP endpoint, the console or `ask`.

use std::fmt;

/// The reader's language for labels (the knowledge shows in both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    /// Chinese, in Simplified characters (zh-CN).
    Zh,
    /// Chinese, in Traditional characters (zh-TW).
    ZhTw,
}

impl Locale {
    /// Discord's locale codes: `zh-TW` reads Traditional Chinese, `zh-CN`
    /// Simplified, the rest English.
    pub fn from_discord(code: &str) -> Locale {
        let code = code.trim().to_ascii_lowercase();
        if code == "zh-tw" {
            Locale::ZhTw
        } else if code.starts_with("zh") {
            Locale::Zh
        } else {
            Locale::En
        }
    }

    pub fn is_zh(self) -> bool {
        matches!(self, Locale::Zh | Locale::ZhTw)
    }

    /// Chinese in Traditional characters.
    pub fn is_traditional(self) -> bool {
        self == Locale::ZhTw
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Model {
        name: String,
    },
    Term {
        name: String,
    },
    Compare {
        first: String,
        second: String,
    },
    /// `page` counts from 0.
    Search {
        query: String,
        page: usize,
    },
    Lineage {
        name: Option<String>,
    },
    /// One capability followed along the whole lineage.
    Capability {
        name: String,
    },
    Help,
}

impl Command {
    /// A search for `query`, cut to the longest question the search reads
    /// ([`crate::search::MAX_QUERY_CHARS`]): every search command is made
    /// here, so no copy of a pasted wall of text travels further (into the
    /// store, or a kept button).
    pub fn search(query: &str, page: usize) -> Command {
        Command::Search {
            query: query.chars().take(crate::search::MAX_QUERY_CHARS).collect(),
            page,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub command: Command,
    pub locale: Locale,
}

impl Request {
    pub fn new(command: Command, locale: Locale) -> Request {
        Request { command, locale }
    }
}

/// `/gaps`: owner only, the curator's report, answered by the transport.
pub const GAPS: &str = "gaps";
/// `/reload`: owner only, answered by the transport.
pub const RELOAD: &str = "reload";

/// Who a command is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Read-only: registered globally, user-installable, usable anywhere.
    Everyone,
    /// The bot's owners (`discord.owners`): registered in the configured
    /// guilds, answered by the transport, not parsed into a [`Command`].
    Owners,
}

/// What an option holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// Text (a name, a question), offered choices when `autocomplete`.
    Text,
    /// A number of days, 1 to 3 650.
    Days,
}

/// One option of a slash command.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    pub name: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub required: bool,
    pub autocomplete: bool,
    pub kind: OptionKind,
}

/// A slash command, declared once: its parsing ([`from_options`],
/// [`parse_line`]), the usage text ([`usage`]) and its registration with
/// Discord (`transport::commands`) all come from here.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    /// The description, in English and in Chinese (zh-TW is converted).
    pub en: &'static str,
    pub zh: &'static str,
    /// The name shown to a Chinese reader, where it has one.
    pub name_zh: Option<&'static str>,
    pub audience: Audience,
    pub options: &'static [OptionSpec],
}

const fn text(
    name: &'static str,
    en: &'static str,
    zh: &'static str,
    required: bool,
    autocomplete: bool,
) -> OptionSpec {
    OptionSpec {
        name,
        en,
        zh,
        required,
        autocomplete,
        kind: OptionKind::Text,
    }
}

const fn command(
    name: &'static str,
    en: &'static str,
    zh: &'static str,
    options: &'static [OptionSpec],
) -> CommandSpec {
    CommandSpec {
        name,
        en,
        zh,
        name_zh: None,
        audience: Audience::Everyone,
        options,
    }
}

/// Every slash command: names and option names are part of the contract.
pub const COMMANDS: &[CommandSpec] = &[
    command(
        "model",
        "A model's card: lineage, training, strengths, trade-offs",
        "模型卡片：谱系、训练方式、优势与代价",
        &[text(
            "name",
            "Model name, alias or shorthand (chatgpt, 003, devinci)",
            "模型名称、别名或简称（chatgpt、003）",
            true,
            true,
        )],
    ),
    command(
        "term",
        "A term in both languages, with its meaning",
        "术语的中英文与含义",
        &[text(
            "name",
            "Term, abbreviation or 中文 (alignment-tax, RLHF, 对齐税)",
            "术语、缩写或中文（alignment-tax、RLHF、对齐税）",
            true,
            true,
        )],
    ),
    command(
        "compare",
        "Two models or generations side by side",
        "并排比较两个模型或两代模型",
        &[
            text(
                "first",
                "First model or generation (002)",
                "第一个模型或代（002）",
                true,
                true,
            ),
            text(
                "second",
                "Second model or generation (003)",
                "第二个模型或代（003）",
                true,
                true,
            ),
        ],
    ),
    command(
        "search",
        "Search the notes",
        "搜索笔记",
        &[text(
            "query",
            "A question, in Chinese or English",
            "问题，中英文皆可",
            true,
            false,
        )],
    ),
    command(
        "lineage",
        "The family tree, a model highlighted",
        "家族树，可高亮某个模型",
        &[text(
            "name",
            "Model to highlight",
            "要高亮的模型",
            false,
            true,
        )],
    ),
    CommandSpec {
        name_zh: Some("能力"),
        ..command(
            "capability",
            "One capability along the whole lineage, or all of them at a glance",
            "一种能力沿整个谱系的变化，或所有能力一览",
            &[text(
                "name",
                "Capability, in English or 中文 (in-context-learning, ICL, 零样本); none: the matrix",
                "能力名称，中英文皆可（上下文学习、ICL、zero-shot）；留空：全部能力一览",
                false,
                true,
            )],
        )
    },
    command(
        "help",
        "What each command does, with examples",
        "各命令的用法与示例",
        &[],
    ),
    CommandSpec {
        audience: Audience::Owners,
        ..command(
            GAPS,
            "Owner only: questions the notes could not answer",
            "仅限所有者：笔记没能回答的问题",
            &[OptionSpec {
                kind: OptionKind::Days,
                ..text(
                    "days",
                    "Only questions asked in the last this many days (default 30)",
                    "只看最近多少天（默认 30）",
                    false,
                    false,
                )
            }],
        )
    },
    CommandSpec {
        audience: Audience::Owners,
        ..command(
            RELOAD,
            "Owner only: read the notes again now",
            "仅限所有者：立即重新加载笔记",
            &[],
        )
    },
];

/// The commands for `audience`, in declaration order.
pub fn commands_for(audience: Audience) -> impl Iterator<Item = &'static CommandSpec> {
    COMMANDS.iter().filter(move |c| c.audience == audience)
}

/// A command everyone may run, by its name as typed.
fn everyones(name: &str) -> Option<&'static CommandSpec> {
    let name = name.trim().trim_start_matches('/').to_lowercase();
    commands_for(Audience::Everyone).find(|c| c.name == name)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    Unknown(String),
    Missing {
        command: &'static str,
        option: &'static str,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Unknown(c) => write!(f, "unknown command `{c}`"),
            CommandError::Missing { command, option } => write!(f, "/{command} needs `{option}`"),
        }
    }
}

/// Usage of every command, for `ask` and the console.
pub fn usage() -> String {
    let mut s = String::from("commands:\n");
    for c in commands_for(Audience::Everyone) {
        s.push_str(&format!("  /{}", c.name));
        for o in c.options {
            if o.required {
                s.push_str(&format!(" {0}:<{0}>", o.name));
            } else {
                s.push_str(&format!(" [{0}:<{0}>]", o.name));
            }
        }
        s.push('\n');
    }
    s.push_str("options may be given by name (/compare first:002 second:003) or in order (/compare 002 003)\n");
    s
}

/// A command from its name and named option values (slash commands, buttons).
pub fn from_options(
    name: &str,
    get: impl Fn(&str) -> Option<String>,
) -> Result<Command, CommandError> {
    let spec = everyones(name).ok_or_else(|| CommandError::Unknown(name.to_string()))?;
    let value = |o: &'static str| -> Result<String, CommandError> {
        get(o)
            .filter(|v| !v.trim().is_empty())
            .ok_or(CommandError::Missing {
                command: spec.name,
                option: o,
            })
    };
    Ok(match spec.name {
        "model" => Command::Model {
            name: value("name")?,
        },
        "term" => Command::Term {
            name: value("name")?,
        },
        "compare" => Command::Compare {
            first: value("first")?,
            second: value("second")?,
        },
        "search" => Command::search(&value("query")?, 0),
        "lineage" => Command::Lineage {
            name: get("name").filter(|v| !v.trim().is_empty()),
        },
        // No name: every capability at once (the matrix).
        "capability" => Command::Capability {
            name: get("name").unwrap_or_default().trim().to_string(),
        },
        _ => Command::Help,
    })
}

/// A command typed as text: `/compare 002 003`, `/compare first:002 second:003`,
/// `/search query:what is rlhf`. Quotes group words; `vs` may separate the two
/// models of `/compare`.
pub fn parse_line(line: &str) -> Result<Command, CommandError> {
    let line = line.trim();
    let (head, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let spec = everyones(head).ok_or_else(|| CommandError::Unknown(head.to_string()))?;
    let (cmd, options) = (spec.name, spec.options);
    let rest = rest.trim();
    let names: Vec<&str> = options.iter().map(|o| o.name).collect();
    let named = named_values(rest, &names);
    let values: Vec<(String, String)> = if !named.is_empty() {
        named
    } else if options.len() == 1 {
        if rest.is_empty() {
            vec![]
        } else {
            vec![(options[0].name.to_string(), unquote(rest))]
        }
    } else if options.len() == 2 {
        let words = split_words(rest);
        let words: Vec<String> = words
            .into_iter()
            .filter(|w| {
                !matches!(
                    w.to_lowercase().as_str(),
                    "vs" | "v.s." | "vs." | "和" | "与" | "对比"
                )
            })
            .collect();
        let mut v = Vec::new();
        if let Some(first) = words.first() {
            v.push((options[0].name.to_string(), first.clone()));
        }
        if words.len() > 1 {
            v.push((options[1].name.to_string(), words[1..].join(" ")));
        }
        v
    } else {
        vec![]
    };
    from_options(cmd, |o| {
        values.iter().find(|(k, _)| k == o).map(|(_, v)| v.clone())
    })
}

/// `first:002 second:text davinci 003` → [(first, 002), (second, text davinci 003)].
fn named_values(rest: &str, names: &[&str]) -> Vec<(String, String)> {
    let mut marks: Vec<(usize, usize, &str)> = Vec::new(); // (start of key, start of value, key)
    for name in names {
        let key = format!("{name}:");
        let mut from = 0;
        while let Some(i) = rest[from..].find(&key) {
            let at = from + i;
            let boundary = at == 0 || rest[..at].ends_with(char::is_whitespace);
            if boundary {
                marks.push((at, at + key.len(), name));
            }
            from = at + key.len();
        }
    }
    marks.sort();
    let mut out = Vec::new();
    for (n, &(_, value_start, name)) in marks.iter().enumerate() {
        let end = marks.get(n + 1).map_or(rest.len(), |m| m.0);
        out.push((name.to_string(), unquote(rest[value_start..end].trim())));
    }
    out
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    for (open, close) in [('"', '"'), ('\'', '\''), ('“', '”'), ('「', '」')] {
        if t.len() >= 2 && t.starts_with(open) && t.ends_with(close) {
            return t[open.len_utf8()..t.len() - close.len_utf8()].to_string();
        }
    }
    t.to_string()
}

/// Whitespace-separated words, with "quoted words" kept together.
fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (None, '"' | '“') => quote = Some(if c == '“' { '”' } else { '"' }),
            (Some(q), c) if c == q => {
                quote = None;
                out.push(std::mem::take(&mut cur));
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (_, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.retain(|w| !w.trim().is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positional_and_named_options() {
        assert_eq!(
            parse_line("/compare 002 003"),
            Ok(Command::Compare {
                first: "002".into(),
                second: "003".into()
            })
        );
        assert_eq!(
            parse_line("/compare first:002 second:text davinci 003"),
            Ok(Command::Compare {
                first: "002".into(),
                second: "text davinci 003".into()
            })
        );
        assert_eq!(
            parse_line("/compare chatgpt vs 003"),
            Ok(Command::Compare {
                first: "chatgpt".into(),
                second: "003".into()
            })
        );
        assert_eq!(
            parse_line("/search query:what is rlhf"),
            Ok(Command::Search {
                query: "what is rlhf".into(),
                page: 0
            })
        );
        assert_eq!(
            parse_line("/search what is: rlhf"),
            Ok(Command::Search {
                query: "what is: rlhf".into(),
                page: 0
            })
        );
        assert_eq!(
            parse_line("/model \"text davinci 003\""),
            Ok(Command::Model {
                name: "text davinci 003".into()
            })
        );
        assert_eq!(parse_line("/lineage"), Ok(Command::Lineage { name: None }));
        assert_eq!(parse_line("/HELP"), Ok(Command::Help));
        assert_eq!(
            parse_line("/capability in context learning"),
            Ok(Command::Capability {
                name: "in context learning".into()
            })
        );
    }

    #[test]
    fn unknown_commands_and_missing_options_are_errors() {
        assert!(matches!(
            parse_line("/modle chatgpt"),
            Err(CommandError::Unknown(_))
        ));
        assert_eq!(
            parse_line("/model"),
            Err(CommandError::Missing {
                command: "model",
                option: "name"
            })
        );
        assert_eq!(
            parse_line("/compare 002"),
            Err(CommandError::Missing {
                command: "compare",
                option: "second"
            })
        );
    }

    #[test]
    fn locales() {
        assert_eq!(Locale::from_discord("zh-CN"), Locale::Zh);
        assert_eq!(Locale::from_discord("zh-TW"), Locale::ZhTw);
        assert!(Locale::ZhTw.is_zh());
        assert_eq!(Locale::from_discord("en-US"), Locale::En);
        assert_eq!(Locale::from_discord(""), Locale::En);
    }
}
