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

/// The slash commands and their options: names are part of the contract.
pub const COMMANDS: &[(&str, &[(&str, bool)])] = &[
    ("model", &[("name", true)]),
    ("term", &[("name", true)]),
    ("compare", &[("first", true), ("second", true)]),
    ("search", &[("query", true)]),
    ("lineage", &[("name", false)]),
    ("capability", &[("name", true)]),
    ("help", &[]),
];

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
    for (name, options) in COMMANDS {
        s.push_str(&format!("  /{name}"));
        for (o, required) in *options {
            if *required {
                s.push_str(&format!(" {o}:<{o}>"));
            } else {
                s.push_str(&format!(" [{o}:<{o}>]"));
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
    let (cmd, options) = COMMANDS
        .iter()
        .find(|(n, _)| *n == name.trim().trim_start_matches('/').to_lowercase())
        .ok_or_else(|| CommandError::Unknown(name.to_string()))?;
    let value = |o: &'static str| -> Result<String, CommandError> {
        get(o)
            .filter(|v| !v.trim().is_empty())
            .ok_or(CommandError::Missing {
                command: cmd,
                option: o,
            })
    };
    let _ = options;
    Ok(match *cmd {
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
        "capability" => Command::Capability {
            name: value("name")?,
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
    let name = head.trim_start_matches('/').to_lowercase();
    let (cmd, options) = COMMANDS
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| CommandError::Unknown(head.to_string()))?;
    let rest = rest.trim();
    let names: Vec<&str> = options.iter().map(|(o, _)| *o).collect();
    let named = named_values(rest, &names);
    let values: Vec<(String, String)> = if !named.is_empty() {
        named
    } else if options.len() == 1 {
        if rest.is_empty() {
            vec![]
        } else {
            vec![(options[0].0.to_string(), unquote(rest))]
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
            v.push((options[0].0.to_string(), first.clone()));
        }
        if words.len() > 1 {
            v.push((options[1].0.to_string(), words[1..].join(" ")));
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
